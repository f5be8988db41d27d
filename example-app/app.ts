import { hkdfSync } from 'node:crypto'
import express, { type Request } from 'express'
import passport from 'passport'
import {
  SpidStrategy, createSpidSession, deserializeSpidUser, entityConfiguration, levelNumber, requireSpidLevel, serializeSpidUser,
  spidContext, spidErrorHandler, spidLogout, type DevKeySet, type Logger, type SpidProfile, type SpidStrategyOptions,
} from '../src/index.ts'
import { homePage, levelPage } from './pages.ts'

export interface ExampleAppConfig {
  /** Public origin, no trailing slash: the RP client_id. */
  baseUrl: string
  /** OP issuers on offer. */
  providers: string[]
  keys: DevKeySet
  sessionSecret: string
  /** Sessions in Redis when set; in memory otherwise. */
  redisUrl?: string
  logger?: Logger
  /** Extra strategy options (tests shorten level lifetimes, say). */
  strategy?: Partial<SpidStrategyOptions>
}

/** The example relying party: what an app using passport-spid-oidc looks like. */
export function createExampleApp(config: ExampleAppConfig) {
  const strategy = new SpidStrategy({
    clientId: config.baseUrl,
    keys: config.keys,
    providers: config.providers,
    clientName: 'Servizi online — esempio',
    organizationName: 'Esempio passport-spid-oidc',
    contacts: ['esempio@pec.example.it'],
    // A showcase: ask for everything, so the profile page shows every mapped attribute.
    attributes: 'full',
    ...(config.logger ? { logger: config.logger } : {}),
    ...config.strategy,
  })
  const auth = new passport.Passport()
  auth.use(strategy)
  auth.serializeUser(serializeSpidUser)
  auth.deserializeUser(deserializeSpidUser)

  const app = express()
  app.disable('x-powered-by')
  app.use('/static', express.static(new URL('./static/', import.meta.url).pathname))
  app.get('/.well-known/openid-federation', entityConfiguration(strategy))
  const sessions = createSpidSession({
    secret: config.sessionSecret,
    ...(config.redisUrl ? { redis: config.redisUrl, encryptionKey: sessionKeyFrom(config.sessionSecret) } : {}),
    secureCookie: config.baseUrl.startsWith('https:'),
    ...(config.logger ? { logger: config.logger } : {}),
  })
  app.use(sessions.handler)
  app.use(express.urlencoded({ extended: false, limit: '16kb' }))
  app.use(auth.session())
  app.use(spidContext(strategy))

  const spidAuth = (req: Request) => req.session.spid
  const user = (req: Request) => req.user as SpidProfile | undefined

  app.get('/', (req, res) => {
    const providers = strategy.providers.list().map((p) => ({ id: p.id, issuer: p.issuer, name: p.name ?? new URL(p.issuer).host }))
    const level = typeof req.query.level === 'string' && /^[123]$/.test(req.query.level) ? req.query.level : '1'
    const returnTo = typeof req.query.returnTo === 'string' ? req.query.returnTo : '/'
    res.type('html').send(homePage(providers, user(req), spidAuth(req), { level, returnTo }))
  })

  app.get('/auth/spid', auth.authenticate('spid'))
  const callback = auth.authenticate('spid', { successReturnToOrRedirect: '/', failureRedirect: '/?login=cancelled' })
  app.get('/auth/spid/callback', callback)
  app.post('/auth/spid/callback', callback)

  for (const level of [1, 2, 3] as const) {
    app.get(`/level${level}`, requireSpidLevel(level), (req, res) => {
      const state = spidAuth(req)
      const profile = user(req)
      if (!state || !profile) return res.sendStatus(401)
      const acr = req.spid?.level ?? state.acr
      if (req.accepts(['html', 'json']) === 'json') return res.json({ acr, level: levelNumber(acr), refreshed: state.refreshed, profile: publicProfile(profile) })
      res.type('html').send(levelPage(level, profile, state))
    })
  }

  // A sensitive action: SpidL2 reached within the last 5 minutes, whatever the session level.
  app.get('/level2/sensitive', requireSpidLevel(2, { maxAge: 300 }), (req, res) => {
    res.json({ acr: req.spid?.level, authAge: req.spid?.authAge, action: 'allowed' })
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

  app.post('/logout', spidLogout(strategy, { cookieName: sessions.cookieName }))
  app.use(spidErrorHandler(config.logger ? { logger: config.logger } : {}))
  return { app, strategy, sessions }
}

/**
 * The example derives its session encryption key from SESSION_SECRET so that `REDIS_URL` alone
 * is enough to try Redis. A real deployment keeps a separate key in its secret store.
 */
function sessionKeyFrom(secret: string): string {
  return Buffer.from(hkdfSync('sha256', secret, 'passport-spid-oidc example', 'session encryption', 32)).toString('base64')
}

/** The profile without `raw`: what a page or API may show. */
function publicProfile(profile: SpidProfile): Omit<SpidProfile, 'raw'> {
  const { raw: _raw, ...rest } = profile
  return rest
}
