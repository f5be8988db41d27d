import type { Request } from 'express'
import type { SpidProfile } from '../profile/spid-profile.ts'
import type { SpidAuthState } from './auth-session.ts'

/** `req.user` after a SPID login: the mapped profile. */
export type SpidUser = SpidProfile

interface LoginCarrier {
  auth: SpidAuthState
  returnTo: string
}

const LOGIN = Symbol.for('passport-spid-oidc.login')

/**
 * Attaches the authentication state to the user handed to passport, as a symbol property:
 * invisible to JSON, so a serializer other than ours stores the profile only and the session
 * simply has no SPID level (fail closed) instead of leaking tokens into `req.user`.
 */
export function withLogin(profile: SpidProfile, login: LoginCarrier): SpidUser {
  Object.defineProperty(profile, LOGIN, { value: login, enumerable: false })
  return profile
}

function loginOf(user: unknown): LoginCarrier | undefined {
  return user && typeof user === 'object' ? (user as { [LOGIN]?: LoginCarrier })[LOGIN] : undefined
}

/**
 * Passport serializer: `passport.serializeUser(serializeSpidUser)`. Runs after passport has
 * regenerated the session id, so the SPID state lands in the new session only.
 */
export function serializeSpidUser(req: Request, user: Express.User, done: (err: unknown, id?: unknown) => void): void {
  const login = loginOf(user)
  if (login && req.session) {
    req.session.spid = login.auth
    req.session.returnTo = login.returnTo
  }
  done(null, { ...(user as SpidProfile) })
}

/**
 * Passport deserializer: `passport.deserializeUser(deserializeSpidUser)`. A user whose SPID
 * state is missing or belongs to someone else is not logged in.
 */
export function deserializeSpidUser(req: Request, stored: unknown, done: (err: unknown, user?: Express.User | false) => void): void {
  const profile = stored as SpidProfile | undefined
  const auth = req.session?.spid
  if (!profile || !auth || auth.sub !== profile.sub || auth.issuer !== profile.issuer) return done(null, false)
  done(null, profile as Express.User)
}
