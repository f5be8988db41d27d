import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { InsufficientLevelError, NotAuthenticatedError, SpidError } from '../errors/spid-error.ts'
import { levelSatisfies, toLevel, type SpidLevelInput } from '../levels.ts'
import { refreshDue, type SpidRequestContext } from './spid-context.ts'
import { wantsJson } from './wants-json.ts'

export interface RequireLevelOptions {
  /**
   * Seconds since the authentication beyond which this route asks for a new one, even at the
   * same level: "re-authenticate if older than 5 minutes" for sensitive actions.
   */
  maxAge?: number
  /** Treat every request as an API call (401 instead of redirects). Default: by `Accept`. */
  json?: boolean
}

/**
 * Express middleware: lets the request through only when the session's SPID level reaches
 * `level`. Browsers with no session are sent to log in; browsers below the level step up at the
 * same OP (`prompt=consent login`) and come back here. API clients get a 401 instead: plain
 * `Bearer` when not logged in, RFC 9470 `insufficient_user_authentication` when below the level.
 * An expired access token is first refreshed when the session has a refresh token; the restored
 * session counts as SpidL1 only (rule L2).
 *
 * Needs `app.use(spidContext(strategy))` earlier in the chain.
 *
 * @example app.get('/tax-return', requireSpidLevel(2), handler)
 * @example app.post('/iban', requireSpidLevel(2, { maxAge: 300 }), handler)
 */
export function requireSpidLevel(level: SpidLevelInput, options: RequireLevelOptions = {}): RequestHandler {
  const required = toLevel(level)
  const { maxAge } = options
  if (maxAge !== undefined && !(maxAge > 0)) throw new TypeError('requireSpidLevel: maxAge must be a positive number of seconds')

  // Runs once the session is fresh. The common case (a session at the level) decides without
  // awaiting anything and without negotiating the response format: only refusals need that.
  const decide = (req: Request, res: Response, next: NextFunction, spid: SpidRequestContext) => {
    const current = spid.authenticated ? spid.level : undefined
    const tooOld = maxAge !== undefined && current !== undefined && (spid.authAge ?? Number.POSITIVE_INFINITY) > maxAge
    if (current && levelSatisfies(current, required) && !tooOld) return next()
    const json = options.json ?? wantsJson(req)
    if (!spid.authenticated) {
      if (json) return next(new NotAuthenticatedError('ERR_SPID_NOT_AUTHENTICATED', 'log in with SPID first'))
      return res.redirect(spid.loginUrl(required))
    }
    if (json) {
      const why = tooOld ? `a login within the last ${maxAge} s` : `${required}; the session has ${current ?? 'no valid level'}`
      return next(new InsufficientLevelError('ERR_SPID_STEP_UP_REQUIRED', `this resource needs ${why}`, required, { loginUrl: spid.loginUrl(required) }))
    }
    res.redirect(spid.stepUpUrl(required))
  }

  return (req, res, next) => {
    const spid = req.spid
    if (!spid) return next(new SpidError('ERR_SPID_CONFIG_INVALID', 'requireSpidLevel needs app.use(spidContext(strategy)) before it'))
    if (!refreshDue(spid)) return decide(req, res, next, spid)
    spid.ensureFresh().then(() => decide(req, res, next, spid), next)
  }
}
