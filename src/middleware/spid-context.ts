import type { Request, RequestHandler, Response } from 'express'
import { OpError, SpidError, UnavailableError, isSpidError } from '../errors/spid-error.ts'
import { levelNumber, toLevel, type SpidLevel, type SpidLevelInput } from '../levels.ts'
import { refreshSession } from '../protocol/refresh.ts'
import { providerProfile } from '../providers/provider-profile.ts'
import type { SpidAuthState } from '../session/auth-session.ts'
import { effectiveLevel } from '../session/effective-level.ts'
import type { SpidStrategy } from '../strategy/spid-strategy.ts'

export interface SpidContextOptions {
  /** Route that starts a login (the strategy's). Default `/auth/spid`. */
  loginPath?: string
  /**
   * Page listing the OPs, for users with no session when several OPs are configured.
   * Default `/`. It receives `level` and `returnTo` in the query.
   */
  chooserPath?: string
}

/** What `req.spid` tells a handler about the SPID side of the session. */
export interface SpidRequestContext {
  /** True when the session holds a SPID login. */
  readonly authenticated: boolean
  /** The level the session counts as now (see `levelMaxAge`), or undefined. */
  readonly level: SpidLevel | undefined
  /** The `acr` of the last authentication event (SpidL1 after a refresh). */
  readonly acr: SpidLevel | undefined
  /** True once restored with a refresh token: SpidL1 only (rule L2). */
  readonly refreshed: boolean
  /** True while the session holds a refresh token (a "remember me" login). */
  readonly offline: boolean
  /** Epoch seconds of the authentication at the OP. */
  readonly authTime: number | undefined
  /** Seconds since that authentication, on the session clock. */
  readonly authAge: number | undefined
  /** The OP of the session. */
  readonly issuer: string | undefined
  /** URL that logs in (or steps up, at the same OP) to `level`, then returns to `returnTo`. */
  loginUrl(level: SpidLevelInput, returnTo?: string): string
  /** Redirects the browser to step up to `level` and come back to `returnTo` (default: this URL). */
  stepUp(res: Response, level: SpidLevelInput, returnTo?: string): void
  /**
   * Restores an expired access token with the refresh token, once per session however many
   * requests ask at the same time. A refused refresh ends the session. Guards call this.
   */
  ensureFresh(): Promise<void>
}

declare global {
  namespace Express {
    interface Request {
      spid?: SpidRequestContext
    }
  }
}

/**
 * Express middleware that gives every request `req.spid`. Mount it after `passport.session()`
 * and before `requireSpidLevel` guards.
 *
 * @example app.use(spidContext(spid))
 */
export function spidContext(strategy: SpidStrategy, options: SpidContextOptions = {}): RequestHandler {
  const loginPath = options.loginPath ?? '/auth/spid'
  const chooserPath = options.chooserPath ?? '/'
  const ctx = strategy.context
  // One refresh per session at a time, in this process: concurrent requests share its outcome.
  const refreshing = new Map<string, Promise<SpidAuthState>>()

  return (req, _res, next) => {
    const auth = () => (req.user ? req.session?.spid : undefined)
    const loginUrl = (level: SpidLevelInput, returnTo = req.originalUrl) => {
      const current = auth()
      const query = new URLSearchParams({ level: String(levelNumber(toLevel(level))), returnTo })
      if (current) query.set('idp', current.issuer)
      else if (strategy.providers.list().length !== 1) return `${chooserPath}?${query}`
      return `${loginPath}?${query}`
    }
    req.spid = {
      get authenticated() { return auth() !== undefined },
      get level() {
        const a = auth()
        return a ? effectiveLevel(a, ctx.now(), ctx.options.levelMaxAge) : undefined
      },
      get acr() { return auth()?.acr },
      get refreshed() { return auth()?.refreshed ?? false },
      get offline() { return Boolean(auth()?.refreshToken) },
      get authTime() { return auth()?.authTime },
      get authAge() {
        const a = auth()
        return a ? ctx.now() - a.authTime : undefined
      },
      get issuer() { return auth()?.issuer },
      loginUrl,
      stepUp(res, level, returnTo) { res.redirect(loginUrl(level, returnTo)) },
      ensureFresh: () => ensureFresh(req),
    }
    next()
  }

  async function ensureFresh(req: Request): Promise<void> {
    const auth = req.user ? req.session?.spid : undefined
    if (!auth?.refreshToken || auth.accessTokenExpiresAt > ctx.now()) return
    if (!providerProfile(auth.providerProfile).refreshRestoresSession) return
    const key = req.sessionID
    let pending = refreshing.get(key)
    if (!pending) {
      pending = ctx.registry.resolve(auth.issuer).then((provider) => refreshSession(ctx, provider, auth))
      refreshing.set(key, pending)
      pending.then(() => refreshing.delete(key), () => refreshing.delete(key))
    }
    try {
      const refreshed = await pending
      req.session.spid = refreshed
      ctx.options.logger.info({ event: 'token.refreshed', issuer: refreshed.issuer, sub: refreshed.sub, acr: refreshed.acr, jti: refreshed.idTokenJti }, 'session restored with the refresh token: SpidL1 only')
    } catch (error) {
      const spidError = isSpidError(error) ? error : new SpidError('ERR_SPID_OP_ERROR', 'refresh failed', { status: 502, cause: error })
      ctx.options.logger.warn({ event: 'token.refresh_failed', code: spidError.code, issuer: auth.issuer }, spidError.message)
      // An OP that is down or failing leaves the session for the next try; a refused refresh
      // token ends the long session quietly; an untrusted answer ends it and is reported.
      if (spidError instanceof UnavailableError || (spidError instanceof OpError && spidError.status >= 500)) throw spidError
      await endSession(req)
      if (spidError.code !== 'ERR_SPID_TOKEN_REJECTED') throw spidError
    }
  }
}

/** Drops the SPID login and the passport user, and gives the browser a fresh session id. */
export function endSession(req: Request): Promise<void> {
  req.user = undefined
  if (!req.session) return Promise.resolve()
  return new Promise((resolve, reject) => req.session.regenerate((error: unknown) => (error ? reject(error) : resolve())))
}
