import type { Request, RequestHandler, Response } from 'express'
import type { HasSpidRuntime, SpidRuntime } from '../core/spid-runtime.ts'
import { levelNumber, type SpidLevel, type SpidLevelInput, toLevel } from '../levels.ts'
import { loggedInAuth, type SpidAuthState } from '../session/auth-session.ts'
import { effectiveLevel } from '../session/effective-level.ts'
import { type RefreshesInFlight, restoreDue, restoreSession } from '../session/restore-session.ts'
import { endSession } from '../session/end-session.ts'
import { refreshAttributes } from '../session/refresh-attributes.ts'
import type { SpidProfile } from '../profile/spid-profile.ts'
import type { ProviderProfileName } from '../providers/provider-config.ts'
import { pastLifetime } from '../session/session-lifetime.ts'
import { sharedStateOf } from '../store/shared-state-of.ts'

export interface SpidContextOptions {
  /** Route that starts a login (the strategy's). Default `/auth/spid`. */
  loginPath?: string
  /**
   * Page listing the OPs, for users with no session when several OPs are configured.
   * Default `/`. It receives `level` and `returnTo` in the query.
   */
  chooserPath?: string
  /**
   * A page that tells the user why a higher level is asked before the browser leaves for the OP
   * (the Designers Italia pattern). When set, browser step-ups from `requireSpidLevel` and
   * `req.spid.stepUp()` go there with `level` and `returnTo` in the query, and the page links on
   * to `req.spid.loginUrl(level, returnTo)`. Default: straight to the OP.
   */
  stepUpPath?: string
}

/** What `req.spid` tells a handler about the SPID side of the session. */
export interface SpidRequestContext {
  /** True when the session holds a SPID login. */
  readonly authenticated: boolean
  /** The level the session counts as now (see `levelMaxAge`), or undefined. */
  readonly level: SpidLevel | undefined
  /** `level` as 1, 2 or 3 (for comparisons and for people), or undefined without a valid level. */
  readonly levelNumber: 1 | 2 | 3 | undefined
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
  /** `spid` or `cie`: the profile of that OP (the levels are named differently). */
  readonly provider: ProviderProfileName | undefined
  /**
   * URL that logs in (or steps up, at the same OP) to `level`, then returns to `returnTo`. `idp`
   * picks the OP when there is no session (a retry at the OP of a failed login, say).
   */
  loginUrl(level: SpidLevelInput, returnTo?: string, idp?: string): string
  /** Where a browser steps up: the `stepUpPath` page when configured, else `loginUrl`. */
  stepUpUrl(level: SpidLevelInput, returnTo?: string): string
  /** Redirects the browser to step up to `level` and come back to `returnTo` (default: this URL), by way of `stepUpPath` when set. */
  stepUp(res: Response, level: SpidLevelInput, returnTo?: string): void
  /**
   * Restores an expired access token with the refresh token, once per session however many
   * requests ask at the same time. A refused refresh ends the session. Guards call this.
   */
  ensureFresh(): Promise<void>
  /**
   * Reads the person's consented attributes again from the OP (UserInfo) and returns them as a
   * profile; the app decides what to update. Once the access token has expired an offline login's
   * refresh token gets a new one: for SPID that restores the session at SpidL1 (rule L2), for CIE
   * id it renews access only and the level stays (rule L3).
   *
   * @throws SpidError `ERR_SPID_NOT_AUTHENTICATED` without a login, or when the access token has
   * expired and there is no refresh token (or the OP refused it: the session then ends).
   */
  refreshAttributes(): Promise<SpidProfile>
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
  runtime: SpidRuntime
  loginPath: string
  chooserPath: string
  stepUpPath: string | undefined
  /** One refresh per session at a time, in this process: concurrent requests share its outcome. */
  refreshing: RefreshesInFlight
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
    return loggedInAuth(this.req)
  }

  get authenticated(): boolean {
    return this.auth !== undefined
  }

  get level(): SpidLevel | undefined {
    const auth = this.auth
    const { runtime } = this.shared
    return auth ? effectiveLevel(auth, runtime.now(), runtime.options.levelMaxAge) : undefined
  }

  get levelNumber(): 1 | 2 | 3 | undefined {
    const level = this.level
    return level ? levelNumber(level) : undefined
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
    return auth ? this.shared.runtime.now() - auth.authTime : undefined
  }

  get issuer(): string | undefined {
    return this.auth?.issuer
  }

  get provider(): ProviderProfileName | undefined {
    return this.auth?.providerProfile
  }

  loginUrl(level: SpidLevelInput, returnTo: string = this.req.originalUrl, idp?: string): string {
    const { loginPath, chooserPath, runtime } = this.shared
    const issuer = this.auth?.issuer ?? idp
    const query = new URLSearchParams({ level: String(levelNumber(toLevel(level))), returnTo })
    if (issuer) query.set('idp', issuer)
    else if (runtime.registry.list().length !== 1) return `${chooserPath}?${query}`
    return `${loginPath}?${query}`
  }

  stepUpUrl(level: SpidLevelInput, returnTo: string = this.req.originalUrl): string {
    const { stepUpPath } = this.shared
    if (!stepUpPath || !this.auth) return this.loginUrl(level, returnTo)
    return `${stepUpPath}?${new URLSearchParams({ level: String(levelNumber(toLevel(level))), returnTo })}`
  }

  stepUp(res: Response, level: SpidLevelInput, returnTo?: string): void {
    res.redirect(this.stepUpUrl(level, returnTo))
  }

  /** True when the access token has expired and a refresh token can restore the session. */
  get refreshDue(): boolean {
    return restoreDue(this.auth, this.shared.runtime.now())
  }

  ensureFresh(): Promise<void> {
    return this.refreshDue
      ? restoreSession(this.req, this.shared.runtime, this.shared.refreshing, sharedStateOf(this.req, this.shared.runtime))
      : Promise.resolve()
  }

  refreshAttributes(): Promise<SpidProfile> {
    const { runtime, refreshing } = this.shared
    return refreshAttributes(this.req, runtime, refreshing, sharedStateOf(this.req, runtime))
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
export function spidContext(strategy: HasSpidRuntime, options: SpidContextOptions = {}): RequestHandler {
  const shared: ContextShared = {
    runtime: strategy.runtime,
    loginPath: options.loginPath ?? '/auth/spid',
    chooserPath: options.chooserPath ?? '/',
    stepUpPath: options.stepUpPath,
    refreshing: new Map(),
  }
  const { logger } = strategy.runtime.options
  return (req, _res, next) => {
    req.spid = new RequestContext(req, shared)
    const auth = loggedInAuth(req)
    if (!auth || !pastLifetime(auth, strategy.runtime.now(), strategy.runtime.options)) return next()
    logger.info({ event: 'session.lifetime_over', issuer: auth.issuer, offline: Boolean(auth.refreshToken) }, 'session past its absolute lifetime: ended')
    endSession(req).then(() => next(), next)
  }
}
