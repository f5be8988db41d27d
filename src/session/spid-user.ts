import type { Request } from 'express'
import type { SpidProfile } from '../profile/spid-profile.ts'

/**
 * Passport serializer for apps whose user is the SPID profile (the default verify):
 * `passport.serializeUser(serializeSpidUser)`. Each value is stored once: `sub` and `issuer`
 * live in the strategy's own `req.session.spid` and are put back on the user when it is read;
 * `raw` (the claims as received) is for the login itself and is not kept.
 *
 * Any other serializer works too: the strategy keeps its login state apart from the user.
 */
export function serializeSpidUser(_req: Request, user: Express.User, done: (err: unknown, id?: unknown) => void): void {
  const { sub: _sub, issuer: _issuer, raw: _raw, ...stored } = user as unknown as SpidProfile
  done(null, stored)
}

/**
 * Passport deserializer matching `serializeSpidUser`. A user with no SPID state in the session
 * is not logged in.
 */
export function deserializeSpidUser(req: Request, stored: unknown, done: (err: unknown, user?: Express.User | false) => void): void {
  const auth = req.session?.spid
  if (!stored || typeof stored !== 'object' || !auth) {
    done(null, false)
    return
  }
  done(null, { ...(stored as Omit<SpidProfile, 'sub' | 'issuer'>), sub: auth.sub, issuer: auth.issuer } as unknown as Express.User)
}
