import type { Request } from 'express'
import type { SpidAuthState } from './auth-session.ts'

/**
 * The strategy keeps its login state in `req.session.spid` itself, whatever serializer the app
 * registers. Passport regenerates the session when it logs a user in (a fresh id against
 * fixation), which drops everything written before; so the state is written into the new
 * session as it is created, before passport serializes the user and saves it once.
 *
 * The old session's SPID state and pending logins are removed first, so that even with
 * passport's `keepSessionInfo` they are not copied over the new state.
 */
export function keepLoginInSession(req: Request, auth: SpidAuthState, returnTo: string): void {
  const session = req.session
  if (!session) return
  const regenerate = session.regenerate
  // An own property of this request's session object only; functions are never stored.
  session.regenerate = function regenerateKeepingLogin(callback: (error: unknown) => void) {
    delete this.spid
    delete (this as { spidLogins?: unknown }).spidLogins
    return regenerate.call(this, (error: unknown) => {
      if (!error && req.session) {
        req.session.spid = auth
        // Read once by passport's successReturnToOrRedirect, which then deletes it. Not
        // enumerable: never stored, and its removal does not make express-session save again.
        Object.defineProperty(req.session, 'returnTo', { value: returnTo, writable: true, configurable: true, enumerable: false })
      }
      callback(error)
    })
  }
}
