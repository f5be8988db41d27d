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
      /**
       * The SPID side of the session, set on every request by `spidContext()`. Typed as always
       * present, as it is wherever that middleware is mounted app-wide; guards refuse to run
       * (ERR_SPID_CONFIG_INVALID) on a request that lacks it.
       */
      spid: SpidRequestContext
    }
  }
}

/** What every request context of one `spidContext` middleware shares: built once, not per request. */
interface ContextShared {
  strategy: SpidStrategy
  loginPath: string
  chooserPath: string
  /** One refresh per session at a time, in this process: concurrent requests share its outcome. */
  refreshing: Map<string, Promise<SpidAuthState>>
}

/**
 * `req.spid`. A class, so that a request pays for one small object and the getters live on the
 * prototype: this runs on every request, and a fresh object literal with getters and closures
 * costs microseconds where this costs nanoseconds.
 */
class RequestContext implements SpidRequestContext {
  constructor(
    private readonly req: Request,
    private readonly shared: ContextShared,
  ) {}

  private get auth(): SpidAuthState | undefined {
    return this.req.user ? this.req.session?.spid : undefined
  }

  get authenticated(): boolean {
    return this.auth !== undefined
  }

  get level(): SpidLevel | undefined {
    const auth = this.auth
    const ctx = this.shared.strategy.context
    return auth ? effectiveLevel(auth, ctx.now(), ctx.options.levelMaxAge) : undefined
  }

  get acr(): SpidLevel | undefined {
    return this.auth?.acr
  }

  get refreshed(): boolean {
    return this.auth?.refreshed ?? false
  }

  get offline(): boolean {
    return Boolean(this.auth?.refreshToken)
  }

  get authTime(): number | undefined {
    return this.auth?.authTime
  }

  get authAge(): number | undefined {
    const auth = this.auth
    return auth ? this.shared.strategy.context.now() - auth.authTime : undefined
  }

  get issuer(): string | undefined {
    return this.auth?.issuer
  }

  loginUrl(level: SpidLevelInput, returnTo: string = this.req.originalUrl): string {
    const { loginPath, chooserPath, strategy } = this.shared
    const current = this.auth
    const query = new URLSearchParams({ level: String(levelNumber(toLevel(level))), returnTo })
    if (current) query.set('idp', current.issuer)
    else if (strategy.providers.list().length !== 1) return `${chooserPath}?${query}`
    return `${loginPath}?${query}`
  }

  stepUp(res: Response, level: SpidLevelInput, returnTo?: string): void {
    res.redirect(this.loginUrl(level, returnTo))
  }

  /** True when the access token has expired and a refresh token can restore the session. */
  get refreshDue(): boolean {
    const auth = this.auth
    if (!auth?.refreshToken || auth.accessTokenExpiresAt > this.shared.strategy.context.now()) return false
    return providerProfile(auth.providerProfile).refreshRestoresSession
  }

  ensureFresh(): Promise<void> {
    return this.refreshDue ? refreshOnce(this.req, this.shared) : Promise.resolve()
  }
}

/**
 * Whether `spid.ensureFresh()` has any work to do; guards skip the asynchronous path when not.
 * A context of another make (a test double) is always asked.
 */
export function refreshDue(spid: SpidRequestContext): boolean {
  return spid instanceof RequestContext ? spid.refreshDue : true
}

/**
 * Express middleware that gives every request `req.spid`. Mount it after `passport.session()`
 * and before `requireSpidLevel` guards.
 *
 * @example app.use(spidContext(spid))
 */
export function spidContext(strategy: SpidStrategy, options: SpidContextOptions = {}): RequestHandler {
  const shared: ContextShared = {
    strategy,
    loginPath: options.loginPath ?? '/auth/spid',
    chooserPath: options.chooserPath ?? '/',
    refreshing: new Map(),
  }
  return (req, _res, next) => {
    req.spid = new RequestContext(req, shared)
    next()
  }
}

async function refreshOnce(req: Request, { strategy, refreshing }: ContextShared): Promise<void> {
  const ctx = strategy.context
  const auth = req.session.spid as SpidAuthState
  const key = req.sessionID
  let pending = refreshing.get(key)
  if (!pending) {
    pending = ctx.registry.resolve(auth.issuer).then((provider) => refreshSession(ctx, provider, auth))
    refreshing.set(key, pending)
    pending.then(
      () => refreshing.delete(key),
      () => refreshing.delete(key),
    )
  }
  try {
    const refreshed = await pending
    req.session.spid = refreshed
    ctx.options.logger.info(
      { event: 'token.refreshed', issuer: refreshed.issuer, sub: refreshed.sub, acr: refreshed.acr, jti: refreshed.idTokenJti },
      'session restored with the refresh token: SpidL1 only',
    )
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

/** Drops the SPID login and the passport user, and gives the browser a fresh session id. */
export function endSession(req: Request): Promise<void> {
  req.user = undefined
  if (!req.session) return Promise.resolve()
  return new Promise((resolve, reject) => req.session.regenerate((error: unknown) => (error ? reject(error) : resolve())))
}
