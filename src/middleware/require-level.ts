import type { Request, RequestHandler } from 'express'
import { InsufficientLevelError, NotAuthenticatedError } from '../errors/spid-error.ts'
import { levelNumber, levelSatisfies, toLevel, type SpidLevel, type SpidLevelInput } from '../levels.ts'
import { wantsJson } from './wants-json.ts'

export interface RequireLevelOptions {
  /** Where browsers go to log in or step up. Default `/auth/spid`. */
  loginPath?: string
  /** Treat every request as an API call (401 instead of redirects). Default: by `Accept`. */
  json?: boolean
}

/**
 * Express middleware: lets the request through only when the session's SPID level reaches
 * `level`. Browsers are sent to log in (or to step up at the same OP); API clients get a 401.
 *
 * @example app.get('/tax-return', requireSpidLevel(2), handler)
 */
export function requireSpidLevel(level: SpidLevelInput, options: RequireLevelOptions = {}): RequestHandler {
  const required = toLevel(level)
  const loginPath = options.loginPath ?? '/auth/spid'
  return (req, res, next) => {
    const auth = req.session?.spid
    const json = options.json ?? wantsJson(req)
    if (!auth || !req.user) {
      if (json) return next(new NotAuthenticatedError('ERR_SPID_NOT_AUTHENTICATED', 'log in with SPID first'))
      return res.redirect(loginUrl(loginPath, req, required))
    }
    if (levelSatisfies(auth.acr, required)) return next()
    if (json) {
      return next(new InsufficientLevelError('ERR_SPID_STEP_UP_REQUIRED', `this resource needs ${required}; the session has ${auth.acr}`, required))
    }
    res.redirect(loginUrl(loginPath, req, required, auth.issuer))
  }
}

function loginUrl(loginPath: string, req: Request, level: SpidLevel, idp?: string): string {
  const query = new URLSearchParams({ level: String(levelNumber(level)), returnTo: req.originalUrl })
  if (idp) query.set('idp', idp)
  return `${loginPath}?${query}`
}
