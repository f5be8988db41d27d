import type { RequestHandler } from 'express'

/**
 * Rolling expiry without a write per request: the session's expiry is pushed back (which makes
 * express-session resave it) only once less than `renewBelowMs` of it is left. Until then a
 * read-only request changes nothing and costs one store read.
 */
export function renewExpiryWhenSpent(maxAgeMs: number, renewBelowMs: number, now: () => number = Date.now): RequestHandler {
  return (req, _res, next) => {
    const expires = req.session?.cookie?.expires
    // A session that only holds logins in flight lives as long as they do, not a day.
    const preLogin = req.session && !req.session.spid && 'spidLogins' in req.session
    if (expires && !preLogin && expires.getTime() - now() < renewBelowMs) {
      req.session.cookie.maxAge = maxAgeMs
      req.session.renewedAt = now()
    }
    next()
  }
}
