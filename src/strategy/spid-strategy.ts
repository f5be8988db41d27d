import { requestLanguage } from '../middleware/language.ts'
import { describeCause } from '../log/describe-cause.ts'
import type { Request } from 'express'
import { Strategy } from 'passport-strategy'
import { checkCallbackParameters } from '../checks/check-callback-parameters.ts'
import { checkReturnTo } from '../checks/check-return-to.ts'
import { AccessRefusedError, SpidError, TransactionError, isSpidError } from '../errors/spid-error.ts'
import { parseLevel, toLevel, type SpidLevel, type SpidLevelInput } from '../levels.ts'
import { resolveOptions, type ResolvedOptions } from '../options/resolve-options.ts'
import type { SpidStrategyOptions } from '../options/schema.ts'
import type { ProviderRegistry } from '../providers/provider-registry.ts'
import { loggedInAuth } from '../session/auth-session.ts'
import { keepLoginInSession } from '../session/keep-login-in-session.ts'
import { keepTransactionInSession, takeTransaction, type KeepTransaction } from '../session/login-transaction.ts'
import { keepTransactionInCookie, loginTransactionSealOf, takeTransactionFromCookie } from '../session/sealed-login-cookie.ts'
import { endSession } from '../session/end-session.ts'
import { beginLogin } from './begin-login.ts'
import { sharedStateOf } from '../store/shared-state-of.ts'
import { checkTransport } from '../checks/check-transport.ts'
import { markLogged, requestIdOf } from '../log/request-errors.ts'
import { checkAuditAvailable } from '../checks/check-audit-available.ts'
import { AUDITED_FAILURES, finishLogin } from './finish-login.ts'
import { createSpidRuntime, type HasSpidRuntime, type SpidRuntime } from '../core/spid-runtime.ts'
import { profileAsUser, runVerify, type SpidLoginInfo, type VerifyOutcome, type SpidVerifyFunction, type SpidVerifyFunctionWithRequest } from './verify.ts'

/**
 * Per-request overrides, given as the second argument of `passport.authenticate('spid', …)`.
 * Without them the strategy reads `idp`, `level`, `returnTo` and `offline` from the query string.
 */
export interface SpidAuthenticateOptions {
  /** Overrides `?idp=`: the OP issuer or short id. Optional when one OP is configured. */
  idp?: string
  /** Overrides `?level=` and the `defaultLevel` option. */
  level?: SpidLevelInput
  /** Overrides `?returnTo=`: a local path. */
  returnTo?: string
  /** Overrides `?offline=1`: ask for a refresh token (scope offline_access, rule L1). */
  offline?: boolean
  /** Overrides the `prompt` option. */
  prompt?: 'consent login' | 'consent'
  /** The strategy owns `state`: it cannot be set. */
  state?: never
  [passportOption: string]: unknown
}

/**
 * Passport strategy `spid`: SPID and CIE id login over OpenID Connect, on openid-client.
 * One instance serves every configured OP; the OP is chosen per request and found again at the
 * callback from the stored transaction.
 *
 * The optional `verify` function maps the verified identity to the app's user, as in every
 * Passport strategy; without it the user is the mapped `SpidProfile`. The strategy keeps its own
 * login state in `req.session.spid`, so any serializer works.
 *
 * @example
 * passport.use(new SpidStrategy({ clientId, keys, providers: ['https://op.example.it'] }, (profile, login, done) => {
 *   accounts.findByFiscalNumber(profile.fiscalNumber).then((account) => done(null, account ?? false), done)
 * }))
 * app.get('/auth/spid', passport.authenticate('spid'))
 * app.all('/auth/spid/callback', passport.authenticate('spid', { successReturnToOrRedirect: '/' }))
 */
export class SpidStrategy extends Strategy implements HasSpidRuntime {
  name = 'spid'
  readonly options: ResolvedOptions
  /**
   * What the middleware of this package works with: options, OPs, HTTP client, clock, audit.
   * Not a #private field: passport calls authenticate() on Object.create(strategy), which fails
   * brand checks.
   */
  readonly runtime: SpidRuntime
  private readonly callbackPath: string
  private readonly verify: SpidVerifyFunction | SpidVerifyFunctionWithRequest
  private readonly passReqToCallback: boolean

  /** @throws SpidConfigError listing every problem in `options`. */
  constructor(options: SpidStrategyOptions & { passReqToCallback?: false }, verify?: SpidVerifyFunction)
  constructor(options: SpidStrategyOptions & { passReqToCallback: true }, verify: SpidVerifyFunctionWithRequest)
  constructor(options: SpidStrategyOptions & { passReqToCallback?: boolean }, verify?: SpidVerifyFunction | SpidVerifyFunctionWithRequest) {
    super()
    if (verify !== undefined && typeof verify !== 'function') throw new TypeError('SpidStrategy: verify must be a function (profile, login, done) => void')
    if (options?.passReqToCallback && !verify)
      throw new TypeError('SpidStrategy: passReqToCallback needs a verify function (req, profile, login, done) => void')
    this.options = resolveOptions(options)
    this.runtime = createSpidRuntime(this.options)
    this.callbackPath = new URL(this.options.redirectUri).pathname
    this.verify = verify ?? profileAsUser
    this.passReqToCallback = options.passReqToCallback === true
    // The three URLs an OP or the registry uses to find this RP, in one line: most set-up
    // mistakes (a wrong BASE_URL, a missing route) show here first.
    const { clientId, redirectUri } = this.options
    this.options.logger.info(
      { event: 'rp.configured', clientId, entityConfiguration: `${clientId}/.well-known/openid-federation`, redirectUri },
      `relying party ${clientId}: entity configuration ${clientId}/.well-known/openid-federation, redirect URI ${redirectUri}`,
    )
  }

  /** The OPs on offer, and how their metadata is found. */
  get providers(): ProviderRegistry {
    return this.runtime.registry
  }

  override authenticate(req: Request, options: SpidAuthenticateOptions = {}): void {
    const run = checkTransport(req, this.runtime.options.clientId)
      .then(() => checkAuditAvailable(this.runtime.options))
      .then(() => (this.isCallback(req) ? this.finish(req) : this.begin(req, options)))
    run.catch((error: unknown) => {
      const spidError = isSpidError(error)
        ? error
        : new SpidError('ERR_SPID_OP_ERROR', 'unexpected failure during SPID login', { status: 500, oauthError: 'server_error', cause: error })
      const level = spidError.status >= 500 ? 'error' : 'warn'
      this.runtime.options.logger[level](
        { event: 'login.failed', code: spidError.code, status: spidError.status, requestId: requestIdOf(req), cause: describeCause(spidError.cause) },
        spidError.message,
      )
      markLogged(spidError)
      // Callbacks refused before their transaction was found (no OP known yet); the rest are
      // recorded by finishLogin with their OP.
      if (this.isCallback(req) && !AUDITED_FAILURES.has(error as object))
        this.runtime.audit('login.failed', { iss: '', outcome: 'error', error_code: spidError.code })
      if (spidError.code === 'ERR_SPID_LOGIN_CANCELLED') return this.fail({ message: spidError.message, code: spidError.code }, 401)
      if (spidError.code !== 'ERR_SPID_SUBJECT_CHANGED') return this.error(spidError)
      // A step-up that came back as someone else: the session being raised is not trusted either.
      endSession(req).then(
        () => this.error(spidError),
        () => this.error(spidError),
      )
    })
  }

  /**
   * Override point: whether this request is the OP's answer rather than a login to start. The
   * redirect URI's path is always a callback, even without parameters: it never starts a login.
   */
  isCallback(req: Request): boolean {
    if (req.path === this.callbackPath) return true
    const params = (req.method === 'POST' ? req.body : req.query) as Record<string, unknown> | undefined
    return !!params && ('code' in params || 'error' in params || 'state' in params)
  }

  private async begin(req: Request, options: SpidAuthenticateOptions): Promise<void> {
    const issuer = this.chooseProvider(options.idp ?? req.query.idp)
    const level = this.chooseLevel(options.level ?? req.query.level)
    // A logged-in user logging in again at the same OP is stepping up: the OP must authenticate
    // anew and the answer must be about the same person.
    const current = loggedInAuth(req)
    const stepUp = current?.issuer === issuer ? current : undefined
    const url = await beginLogin(
      this.runtime,
      {
        issuer,
        level,
        returnTo: checkReturnTo(options.returnTo ?? req.query.returnTo),
        offline: options.offline ?? req.query.offline === '1',
        prompt: stepUp ? 'consent login' : (options.prompt ?? this.runtime.options.prompt),
        ...(stepUp ? { expectedSub: stepUp.sub } : {}),
        // The page's language (rule A4's optional ui_locales), so the OP speaks it too.
        uiLocales: requestLanguage(req),
      },
      this.keepTransaction(req, current !== undefined),
      { anonymous: current === undefined },
    )
    this.runtime.options.logger.info({ event: 'login.started', issuer, level }, 'redirecting to the OP')
    this.redirect(url.href)
  }

  /**
   * No state before it is needed: a login started by someone not logged in goes into a sealed
   * cookie (with createSpidSession), so anonymous clients cannot make the RP store anything. A
   * logged-in user's login stays in the session it may raise.
   */
  private keepTransaction(req: Request, loggedIn: boolean): KeepTransaction {
    const { transactionTtl, maxPendingLogins } = this.runtime.options
    const seal = loggedIn ? undefined : loginTransactionSealOf(req)
    if (seal) return async (tx, now) => keepTransactionInCookie(req, seal, tx, { max: maxPendingLogins, now, ttl: transactionTtl })
    // Another session middleware: a session made only to hold this login lives as long as the
    // login may take, so a flood of cookieless login starts leaves nothing behind after that.
    if (!loggedIn && req.session?.cookie) req.session.cookie.maxAge = transactionTtl * 1000
    const persist = () => new Promise<void>((resolve, reject) => req.session.save((error: unknown) => (error ? reject(error) : resolve())))
    return keepTransactionInSession(req.session, persist, maxPendingLogins)
  }

  private async finish(req: Request): Promise<void> {
    const source = req.method === 'POST' ? req.body : req.query
    if (req.method === 'POST' && (!req.body || typeof req.body !== 'object')) {
      throw new TransactionError('ERR_SPID_BAD_REQUEST', 'POST callback without a parsed form body: add express.urlencoded() before passport')
    }
    const params = checkCallbackParameters(source)
    const previous = loggedInAuth(req)
    const seal = loginTransactionSealOf(req)
    const take = (state: string | undefined, now: number) =>
      (seal && takeTransactionFromCookie(req, seal, state, now)) ?? takeTransaction(req.session, state, now)
    const { profile, auth, transaction, idTokenClaims } = await finishLogin(this.runtime, take, params, {
      previous,
      shared: sharedStateOf(req, this.runtime),
    })
    const login: SpidLoginInfo = {
      issuer: auth.issuer,
      provider: auth.providerProfile,
      sub: auth.sub,
      acr: auth.acr,
      authTime: auth.authTime,
      offline: auth.refreshToken !== undefined,
      stepUp: transaction.expectedSub !== undefined,
      idTokenClaims,
    }
    let outcome: VerifyOutcome
    try {
      outcome = await runVerify(this.verify, this.passReqToCallback, req, profile, login)
    } catch (error) {
      // The app's own failure (its database, say): recorded, then handed to the app's error
      // handlers as it is, as Passport strategies do.
      this.runtime.audit('login.failed', { iss: auth.issuer, sub: auth.sub, outcome: 'error', error_code: 'verify_error' })
      this.runtime.options.logger.warn({ event: 'login.verify_failed', issuer: auth.issuer }, 'the verify function failed')
      return this.error(error as Error)
    }
    if ('refused' in outcome) {
      this.runtime.audit('login.failed', { iss: auth.issuer, sub: auth.sub, outcome: 'error', error_code: 'ERR_SPID_ACCESS_REFUSED' })
      const error = new AccessRefusedError('ERR_SPID_ACCESS_REFUSED', outcome.refused.message ?? 'the application refused this person')
      AUDITED_FAILURES.add(error)
      throw error
    }
    this.runtime.options.logger.info(
      { event: 'login.succeeded', issuer: auth.issuer, sub: auth.sub, acr: auth.acr, jti: auth.idTokenJti },
      'SPID login completed',
    )
    keepLoginInSession(req, auth, transaction.returnTo)
    this.success(outcome.user, { acr: auth.acr, issuer: auth.issuer })
  }

  private chooseProvider(idp: unknown): string {
    const all = this.runtime.registry.list()
    if (idp === undefined && all.length === 1) return (all[0] as { issuer: string }).issuer
    const provider = typeof idp === 'string' ? this.runtime.registry.get(idp) : undefined
    if (!provider) {
      throw new SpidError('ERR_SPID_UNKNOWN_PROVIDER', idp === undefined ? 'choose an identity provider (idp)' : 'idp names no configured OP')
    }
    return provider.issuer
  }

  private chooseLevel(level: unknown): SpidLevel {
    if (level === undefined) return this.runtime.options.defaultLevel
    const parsed = parseLevel(level)
    if (!parsed) throw new SpidError('ERR_SPID_BAD_REQUEST', 'level must be 1, 2 or 3')
    return toLevel(parsed)
  }
}
