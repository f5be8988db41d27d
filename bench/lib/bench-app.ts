/**
 * The relying party the benchmarks measure: a minimal Express app built only from the public
 * API, as a user of the library writes it. Besides the login routes it has two measurement
 * routes that answer the same bytes: `/plain` checks `req.isAuthenticated()` only, `/guarded`
 * runs `spidContext` and `requireSpidLevel(2)`.
 */
import express from 'express'
import passport from 'passport'
import {
  SpidStrategy,
  createSpidSession,
  deserializeSpidUser,
  entityConfiguration,
  requireSpidLevel,
  serializeSpidUser,
  spidContext,
  spidErrorHandler,
  type DevKeySet,
  type SpidStrategyOptions,
} from '../../src/index.ts'

export interface BenchAppConfig {
  baseUrl: string
  opIssuer: string
  keys: DevKeySet
  /** Sessions in this Redis (encrypted); in memory when absent. */
  redisUrl?: string
  attributes: NonNullable<SpidStrategyOptions['attributes']>
}

const SILENT = { debug() {}, info() {}, warn() {}, error() {} }
/** Fixed, so two processes of one run share sessions' encryption; a benchmark secret, nothing else. */
export const SESSION_KEY = Buffer.alloc(32, 7).toString('base64')

export function createBenchApp(config: BenchAppConfig) {
  const strategy = new SpidStrategy({
    clientId: config.baseUrl,
    keys: config.keys,
    providers: [config.opIssuer],
    attributes: config.attributes,
    logger: SILENT,
  })
  const auth = new passport.Passport()
  auth.use(strategy)
  auth.serializeUser(serializeSpidUser)
  auth.deserializeUser(deserializeSpidUser)
  const sessions = createSpidSession({
    secret: 'benchmark-session-secret-0123456789',
    clientId: config.baseUrl,
    ...(config.redisUrl ? { redis: config.redisUrl, encryptionKey: SESSION_KEY } : {}),
    logger: SILENT,
  })

  const app = express()
  app.disable('x-powered-by')
  app.disable('etag')
  app.get('/.well-known/openid-federation', entityConfiguration(strategy))
  app.use(sessions.handler)
  app.use(express.urlencoded({ extended: false, limit: '16kb' }))
  app.use(auth.session())
  app.get('/auth/spid', auth.authenticate('spid'))
  const callback = auth.authenticate('spid', { successReturnToOrRedirect: '/plain' })
  app.get('/auth/spid/callback', callback)
  app.post('/auth/spid/callback', callback)
  const ok = (_req: express.Request, res: express.Response) => void res.type('text').send('ok')
  app.get('/plain', (req, res) => (req.isAuthenticated() ? ok(req, res) : void res.sendStatus(401)))
  app.get('/guarded', spidContext(strategy), requireSpidLevel(2), ok)
  app.use(spidErrorHandler({ logger: SILENT }))
  return { app, strategy, sessions }
}
