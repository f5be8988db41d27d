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
 *
 * Each claim is stored once: `sub` and `issuer` live in the SPID state and are put back on the
 * user when it is read; `raw` (the claims as received) is for the login itself and is not kept.
 */
export function serializeSpidUser(req: Request, user: Express.User, done: (err: unknown, id?: unknown) => void): void {
  const login = loginOf(user)
  if (login && req.session) {
    req.session.spid = login.auth
    // Read once by passport's successReturnToOrRedirect, which then deletes it. Not enumerable,
    // so it is never stored and its removal does not make express-session save the new session
    // a second time right after passport has saved it.
    Object.defineProperty(req.session, 'returnTo', { value: login.returnTo, writable: true, configurable: true, enumerable: false })
  }
  const { sub: _sub, issuer: _issuer, raw: _raw, ...stored } = user as SpidProfile
  done(null, stored)
}

/**
 * Passport deserializer: `passport.deserializeUser(deserializeSpidUser)`. A user with no SPID
 * state in the session is not logged in.
 */
export function deserializeSpidUser(req: Request, stored: unknown, done: (err: unknown, user?: Express.User | false) => void): void {
  const auth = req.session?.spid
  if (!stored || typeof stored !== 'object' || !auth) return done(null, false)
  done(null, { ...(stored as Omit<SpidProfile, 'sub' | 'issuer'>), sub: auth.sub, issuer: auth.issuer } as Express.User)
}
