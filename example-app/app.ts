import { hkdfSync } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import express, { type Request } from 'express'
import helmet from 'helmet'
import passport from 'passport'
import {
  SpidError,
  SpidStrategy,
  createSpidSession,
  deserializeSpidUser,
  entityConfiguration,
  resolveEndpoint,
  signedJwks,
  checkReturnTo,
  requireSpidLevel,
  serializeSpidUser,
  spidContext,
  spidErrorHandler,
  spidLogout,
  type Logger,
  type ProviderOptions,
  type SpidProfile,
  type SpidStrategyOptions,
} from '../src/index.ts'
import { requestLanguage } from '../src/middleware/language.ts'
import { wantsJson } from '../src/middleware/wants-json.ts'
import { LANGUAGE_COOKIE } from '../src/middleware/language.ts'
import { providerChoices, spidUiStylesheet } from '../src/ui/index.ts'
import { errorPage, levelPage, loginPage, privacyPage, profilePage, statusPage, stepUpPage, welcomePage } from './pages.ts'

export interface ExampleAppConfig {
  /** Public origin, no trailing slash: the RP client_id. */
  baseUrl: string
  /** OP issuers on offer (or provider objects, e.g. with `profile: 'cie'`). */
  providers: (string | ProviderOptions)[]
  /** The RP keys, as the strategy's `keys` option takes them. */
  keys: SpidStrategyOptions['keys']
  /** Express `trust proxy`: set it when a proxy or load balancer terminates TLS in front of the app. */
  trustProxy?: boolean | number | string
  sessionSecret: string
  /** Sessions in Redis when set; in memory otherwise. */
  redisUrl?: string
  logger?: Logger
  /** Extra strategy options (tests shorten level lifetimes, say). */
  strategy?: Partial<SpidStrategyOptions>
  /** More routes, mounted after the example's own and before its 404 page. */
  routes?: (app: express.Express) => void
}

/** The example relying party: what an app using passport-spid-oidc looks like. */
export function createExampleApp(config: ExampleAppConfig) {
  const sessions = createSpidSession({
    secret: config.sessionSecret,
    ...(config.redisUrl ? { redis: config.redisUrl, encryptionKey: sessionKeyFrom(config.sessionSecret) } : {}),
    clientId: config.baseUrl,
    ...(config.logger ? { logger: config.logger } : {}),
  })
  const strategy = new SpidStrategy({
    clientId: config.baseUrl,
    keys: config.keys,
    providers: config.providers,
    clientName: 'Servizi online — esempio',
    organizationName: 'Esempio passport-spid-oidc',
    // federation_entity metadata (rule F3): what the registry shows of this relying party.
    homepageUri: config.baseUrl,
    policyUri: `${config.baseUrl}/privacy`,
    logoUri: `${config.baseUrl}/static/logo.svg`,
    contacts: ['esempio@pec.example.it'],
    // SPID accepts the core keys as a signed JWK set too; the entity configuration keeps `jwks` for CIE.
    signedJwksUri: `${config.baseUrl}/openid_relying_party/jwks.jose`,
    // A showcase: ask for everything, so the profile page shows every mapped attribute.
    attributes: 'full',
    ...(config.logger ? { logger: config.logger } : {}),
    // In federation mode with Redis, instances share the trust chains they resolve.
    ...(sessions.federationCache ? { federationCache: sessions.federationCache } : {}),
    ...config.strategy,
  })
  const auth = new passport.Passport()
  auth.use(strategy)
  auth.serializeUser(serializeSpidUser)
  auth.deserializeUser(deserializeSpidUser)
  // Read per response: in federation mode the OPs are learnt from the trust anchor after start-up.
  const opOrigins = () => [...new Set(strategy.providers.list().map((p) => new URL(p.issuer).origin))].join(' ') || "'none'"

  const app = express()
  app.disable('x-powered-by')
  if (config.trustProxy !== undefined) app.set('trust proxy', config.trustProxy)
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'none'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:', opOrigins],
          // Bootstrap Italia's CSS embeds one small icon font as a data: URL.
          fontSrc: ["'self'", 'data:'],
          // Chromium applies form-action to the redirect that follows a form: the login form ends at the OP.
          formAction: ["'self'", opOrigins],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
        },
      },
      // The example also runs on plain http://localhost.
      strictTransportSecurity: config.baseUrl.startsWith('https:'),
    }),
  )
  app.use('/static', express.static(new URL('./static/', import.meta.url).pathname, { maxAge: '1h' }))
  // Bootstrap Italia from the app itself (no CDN): its CSS, fonts and icons.
  app.use('/static/bootstrap-italia', express.static(fileURLToPath(new URL('../node_modules/bootstrap-italia/dist/', import.meta.url)), { maxAge: '1d' }))
  app.get('/spid-ui.css', spidUiStylesheet())
  // A language picked with ?lang= is kept in a cookie, so it survives the trip to the OP and back.
  app.use((req, res, next) => {
    const lang = req.query.lang
    if (lang === 'it' || lang === 'en') res.cookie(LANGUAGE_COOKIE, lang, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 365 * 24 * 3600 * 1000 })
    next()
  })
  app.get('/.well-known/openid-federation', entityConfiguration(strategy))
  app.get('/resolve', resolveEndpoint(strategy))
  app.get('/openid_relying_party/jwks.jose', signedJwks(strategy))
  app.use(sessions.handler)
  app.use(express.urlencoded({ extended: false, limit: '16kb' }))
  app.use(auth.session())
  app.use(spidContext(strategy, { stepUpPath: '/step-up' }))

  const user = (req: Request) => req.user as SpidProfile | undefined
  const html = (req: Request) => !wantsJson(req)

  /** The OP's name, as its metadata gives it. */
  const providerName = async (issuer: string | undefined) =>
    issuer ? ((await strategy.providers.resolve(issuer).catch(() => undefined))?.displayName ?? new URL(issuer).host) : '—'

  app.get('/', async (req, res) => {
    const lang = requestLanguage(req)
    const profile = user(req)
    if (profile && req.spid?.authenticated) {
      return res.type('html').send(welcomePage(lang, req.originalUrl, profile, req.spid, await providerName(req.spid.issuer)))
    }
    const level = typeof req.query.level === 'string' && /^[123]$/.test(req.query.level) ? req.query.level : '1'
    const returnTo = typeof req.query.returnTo === 'string' ? req.query.returnTo : '/'
    const choices = await providerChoices(strategy)
    res.type('html').send(loginPage(lang, { ...choices, level, returnTo, path: req.originalUrl, loggedOut: req.query.loggedOut === '1' }))
  })

  // The step-up interstitial (spidContext stepUpPath): why a higher level, then on to the OP.
  app.get('/step-up', async (req, res, next) => {
    const level = typeof req.query.level === 'string' && /^[123]$/.test(req.query.level) ? (Number(req.query.level) as 1 | 2 | 3) : undefined
    const profile = user(req)
    if (!level) return next(new SpidError('ERR_SPID_BAD_REQUEST', 'level must be 1, 2 or 3'))
    // Not a path on this site (an open redirect attempt): back to the home page instead.
    const returnTo = checkReturnTo(req.query.returnTo)
    if (!profile || !req.spid.authenticated) return res.redirect(req.spid.loginUrl(level, returnTo))
    res.type('html').send(
      stepUpPage(requestLanguage(req), req.originalUrl, {
        level,
        current: req.spid.level,
        provider: await providerName(req.spid.issuer),
        continueUrl: req.spid.loginUrl(level, returnTo),
        user: profile,
        words: req.spid,
      }),
    )
  })

  app.get('/privacy', (req, res) => void res.type('html').send(privacyPage(requestLanguage(req), req.originalUrl)))

  // Without idp, the login goes to the SPID OP when there is just one: CIE id has a button of its own (idp=<its id>).
  app.get('/auth/spid', (req, res, next) => {
    const spidOps = strategy.providers.list().filter((p) => p.profile === 'spid')
    const idp = req.query.idp === undefined && spidOps.length === 1 ? spidOps[0]?.issuer : undefined
    auth.authenticate('spid', (idp ? { idp } : {}) as passport.AuthenticateOptions)(req, res, next)
  })
  const callback = auth.authenticate('spid', { successReturnToOrRedirect: '/', failureRedirect: '/auth/spid/cancelled' })
  app.get('/auth/spid/callback', callback)
  app.post('/auth/spid/callback', callback)
  app.get('/auth/spid/cancelled', (_req, _res, next) => next(new SpidError('ERR_SPID_LOGIN_CANCELLED', 'the user cancelled the login at the OP')))

  for (const level of [1, 2, 3] as const) {
    app.get(`/level${level}`, requireSpidLevel(level), (req, res, next) => {
      const spid = req.spid
      const profile = user(req)
      if (!spid?.level || !profile) return res.sendStatus(401)
      if (!html(req)) return res.json({ acr: spid.level, level: spid.levelNumber, refreshed: spid.refreshed, profile: publicProfile(profile) })
      providerName(spid.issuer).then((name) => res.type('html').send(levelPage(requestLanguage(req), req.originalUrl, level, profile, spid, name)), next)
    })
  }

  // A sensitive action: SpidL2 reached within the last 5 minutes, whatever the session level.
  app.get('/level2/sensitive', requireSpidLevel(2, { maxAge: 300 }), (req, res) => {
    res.json({ acr: req.spid?.level, authAge: req.spid?.authAge, action: 'allowed' })
  })

  app.get('/profile', requireSpidLevel(1), (req, res) => {
    const profile = user(req) as SpidProfile
    if (!html(req)) return res.json(publicProfile(profile))
    res.type('html').send(profilePage(requestLanguage(req), req.originalUrl, profile, req.spid))
  })

  // Reads the consented attributes again from the OP (after an offline login, with the refresh
  // token once the access token has expired), and makes them the session's user.
  app.post('/profile/refresh', requireSpidLevel(1), async (req, res, next) => {
    try {
      const fresh = await req.spid.refreshAttributes()
      await new Promise<void>((resolve, reject) => req.login(fresh, { session: true, keepSessionInfo: true }, (error) => (error ? reject(error) : resolve())))
      if (!html(req)) return res.json({ acr: req.spid.acr, level: req.spid.level ?? null, refreshed: req.spid.refreshed, profile: publicProfile(fresh) })
      res.redirect(303, '/profile')
    } catch (error) {
      next(error)
    }
  })

  app.get('/me', (req, res) => {
    const spid = req.spid
    const profile = user(req)
    res.set('Cache-Control', 'no-store')
    if (!spid?.authenticated || !profile) return res.json({ authenticated: false, acr: null, profile: null, offline: false })
    res.json({
      authenticated: true,
      acr: spid.acr,
      level: spid.level ?? null,
      refreshed: spid.refreshed,
      authTime: spid.authTime,
      profile: publicProfile(profile),
      offline: spid.offline,
    })
  })

  // Back home with a confirmation: the contract is a redirect to /.
  app.post('/logout', spidLogout(strategy, { cookieName: sessions.cookieName, redirectTo: '/?loggedOut=1' }))
  config.routes?.(app)
  app.use((req, res) => {
    if (!html(req)) return res.status(404).json({ error: 'not_found' })
    res
      .status(404)
      .type('html')
      .send(statusPage(requestLanguage(req), req.originalUrl, 404))
  })
  app.use(
    spidErrorHandler({
      ...(config.logger ? { logger: config.logger } : {}),
      renderErrorPage: (ctx, req, res) => res.type('html').send(errorPage(ctx, req.originalUrl)),
    }),
  )
  // Anything else (a bug): a page in the site's frame, and one log line without the details.
  app.use((error: unknown, req: Request, res: express.Response, _next: express.NextFunction) => {
    ;(config.logger ?? console).error(
      { event: 'request.failed', path: req.path, reason: error instanceof Error ? error.message : String(error) },
      'unexpected error',
    )
    if (res.headersSent) return
    if (!html(req)) return res.status(500).json({ error: 'server_error' })
    res
      .status(500)
      .type('html')
      .send(statusPage(requestLanguage(req), req.originalUrl, 500))
  })
  return { app, strategy, sessions }
}

/** The profile without `raw`: what a page or API may show. */
function publicProfile(profile: SpidProfile): Omit<SpidProfile, 'raw'> {
  const { raw: _raw, ...rest } = profile
  return rest
}

/**
 * The example derives its session encryption key from SESSION_SECRET so that `REDIS_URL` alone
 * is enough to try Redis. A real deployment keeps a separate key in its secret store.
 */
function sessionKeyFrom(secret: string): string {
  return Buffer.from(hkdfSync('sha256', secret, 'passport-spid-oidc example', 'session encryption', 32)).toString('base64')
}
