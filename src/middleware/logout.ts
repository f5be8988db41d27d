import type { Request, RequestHandler } from 'express'
import { isSpidError, SpidError, UnavailableError } from '../errors/spid-error.ts'
import { fromOpenidClient } from '../errors/from-openid-client.ts'
import { revokeAccessToken } from '../protocol/revoke.ts'
import type { HasSpidRuntime } from '../core/spid-runtime.ts'
import { wantsJson } from './wants-json.ts'

export interface LogoutOptions {
  /** Where to send the browser afterwards. Default `/`. */
  redirectTo?: string
  /** Name of the session cookie to clear. Default `connect.sid` (express-session's). */
  cookieName?: string
}

/**
 * POST logout handler: revokes the access token at the OP (rules X1-X2: for SPID this also ends
 * the OP session and the linked refresh tokens), destroys the session and clears its cookie.
 * A failed revocation is logged and the local session still ends; a session the store could not
 * end (Redis down, or no replica confirmed it) is an error page, never "logged out". Cross-site requests are
 * refused by `Origin` / `Sec-Fetch-Site`, so a plain form button needs no token.
 */
export function spidLogout(strategy: HasSpidRuntime, options: LogoutOptions = {}): RequestHandler {
  const redirectTo = options.redirectTo ?? '/'
  const cookieName = options.cookieName ?? 'connect.sid'
  const { runtime } = strategy
  const { logger } = runtime.options
  return async (req, res, next) => {
    if (!isSameOrigin(req)) return next(new SpidError('ERR_SPID_BAD_REQUEST', 'cross-site logout refused', { status: 403 }))
    const auth = req.session?.spid
    if (auth) {
      await revokeAccessToken(runtime, auth).catch((error: unknown) => {
        const e = fromOpenidClient(error, 'revocation request')
        logger.warn({ event: 'token.revocation_failed', code: e.code, issuer: auth.issuer }, 'revocation failed; ending the local session anyway')
      })
    }
    const finish = () => {
      res.clearCookie(cookieName, { path: '/' })
      if (wantsJson(req)) return res.status(200).json({ authenticated: false })
      res.redirect(303, redirectTo)
    }
    if (!req.session) return finish()
    req.session.destroy((error: unknown) => {
      if (!error) return finish()
      // Not reported done: the user is still logged in somewhere (or could be again after a Redis
      // failover), so they get an error page with a retry, and the cookie stays for that retry.
      const reason = error instanceof Error ? error.message : String(error)
      logger.error({ event: 'session.logout_failed', reason }, `logout not done: ${reason}`)
      next(isSpidError(error) ? error : new UnavailableError('ERR_SPID_STORE_UNAVAILABLE', 'the session could not be ended', { cause: error }))
    })
  }
}

/** Same-origin check for state-changing requests without a CSRF token. */
export function isSameOrigin(req: Request): boolean {
  const site = req.get('sec-fetch-site')
  if (site) return site === 'same-origin' || site === 'none'
  const origin = req.get('origin')
  if (!origin) return false
  const host = req.get('x-forwarded-host') && req.app.get('trust proxy') ? req.get('x-forwarded-host') : req.get('host')
  try {
    return new URL(origin).host === host
  } catch {
    return false
  }
}
