import type { RequestHandler } from 'express'
import session, { type Store } from 'express-session'
import { z } from 'zod'
import { SpidConfigError } from '../errors/spid-error.ts'
import { type FederationChainCache, redisChainCache } from '../federation/chain-cache.ts'
import { formatIssues } from '../options/format-issues.ts'
import { createDefaultLogger, type Logger } from '../log/logger.ts'
import { ResilientStore } from './resilient-store.ts'
import { SessionCipher, parseSessionKey } from './session-cipher.ts'
import { LoginTransactionSeal } from './sealed-login-cookie.ts'
import { checkRedisUrl, connectRedis, type RedisCommands, type RedisConnection } from '../store/redis-connection.ts'
import { SpidRedisStore } from '../store/redis-session-store.ts'
import { hasReplicas } from '../store/replica-acks.ts'
import { SpidMemoryStore } from '../store/memory-session-store.ts'
import { memorySharedState, redisSharedState, type SharedState } from '../store/shared-state.ts'
import { renewExpiryWhenSpent } from './renew-expiry.ts'
import { isProductionEnv } from '../options/environment.ts'

/** The one command that prints a valid session encryption key: 32 random bytes, base64. */
const MAKE_KEY = '`openssl rand -base64 32`'

const SECRET_HINT = 'the secret signing session cookies, at least 16 characters, e.g. `openssl rand -base64 32` (or an array of them, newest first)'

const sessionOptionsSchema = z.strictObject({
  /** REQUIRED. Secret(s) signing the session cookie, newest first (rotation). */
  secret: z.union([z.string().min(16, SECRET_HINT), z.array(z.string().min(16, SECRET_HINT)).min(1)], {
    error: (issue) => (issue.input === undefined ? `REQUIRED: ${SECRET_HINT}` : SECRET_HINT),
  }),
  /**
   * Redis: `redis://…` or `rediss://…` (one server), `redis+sentinel://host:port,…/<primary name>`,
   * `redis+cluster://host:port,…`, or a connected node-redis client, cluster or sentinel client.
   * Absent: memory store (development).
   */
  redis: z
    .union([
      z.string().superRefine((url, ctx) => {
        const problem = checkRedisUrl(url)
        if (problem) ctx.addIssue({ code: 'custom', message: problem })
      }),
      z.custom<RedisCommands>(
        (v) =>
          typeof v === 'object' && v !== null && typeof (v as { get?: unknown }).get === 'function' && typeof (v as { eval?: unknown }).eval === 'function',
        'must be a node-redis client, cluster or sentinel client',
      ),
    ])
    .optional(),
  /** 32-byte key(s) encrypting sessions at rest (hex or base64), newest first. REQUIRED with Redis. */
  encryptionKey: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
  /** Seconds of inactivity after which a session ends. Default 8 hours. */
  maxAge: z.number().int().min(60).optional(),
  /** Renew the expiry only when less than this share of `maxAge` is left. Default 0.5. */
  renewBelow: z.number().gt(0).lt(1).optional(),
  /**
   * The relying party's client_id (its public origin). An https one makes the cookie Secure and
   * `__Host-` prefixed; an http one (local development) leaves it Secure only when the request is.
   */
  clientId: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * `true`: Secure cookie named `__Host-spid.sid`. Default: from `clientId` when given; else true
   * unless `NODE_ENV` is `development` or `test` (where it is Secure when the request is, honouring
   * `trust proxy`).
   */
  secureCookie: z.boolean().optional(),
  /** Cookie name. Default `__Host-spid.sid` with `secureCookie: true`, else `spid.sid`. */
  cookieName: z
    .string()
    .regex(/^[\w.-]+$/)
    .optional(),
  /** Key prefix in Redis. Default `spid:sess:`. */
  prefix: z.string().optional(),
  /** Milliseconds a store operation may take before the request fails with 503. Default 2000. */
  storeTimeout: z.number().int().min(50).max(30_000).optional(),
  /**
   * Replicas in sync that must hold a logout or a single-use claim (login transaction, ID token
   * `jti`) before it counts (Redis `WAIT`): a write only the primary holds is lost when a replica
   * is promoted. A primary with fewer replicas in sync refuses them (503) until one is back. Default
   * 1 on Sentinel or Cluster, else 0.
   */
  replicaAcks: z.number().int().min(0).max(10).optional(),
  /** Milliseconds to wait for those replicas before the logout or login answers 503. Default 500. */
  replicaAckTimeout: z.number().int().min(10).max(10_000).optional(),
  logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null && typeof (v as { warn?: unknown }).warn === 'function').optional(),
})

export type SpidSessionOptions = z.input<typeof sessionOptionsSchema>

export interface SpidSession {
  /** express-session with the store, cookie defaults and expiry renewal: `app.use(spidSession.handler)`. */
  readonly handler: RequestHandler
  /** The store express-session uses (already wrapped to fail closed). */
  readonly store: Store
  /** The session cookie's name: give it to `spidLogout({ cookieName })`. */
  readonly cookieName: string
  /** The Redis client (single, cluster or sentinel), when sessions are on Redis. */
  readonly redis: RedisCommands | undefined
  /** Where sessions are kept, for a start-up line: `memory`, `Redis at host:port`, `Redis cluster at h1:p1,h2:p2` (never a password). */
  readonly storeDescription: string
  /** With Redis: where instances share resolved trust chains; give it to the strategy's `federationCache`. */
  readonly federationCache: FederationChainCache | undefined
  /**
   * Where instances agree on single-use values and leases (login transactions, ID token jtis, one
   * refresh per session): on the sessions' Redis, else in process. The strategy finds it through
   * the session store of each request.
   */
  readonly shared: SharedState
  /**
   * Resolves once the session store can be used: at once in memory, when Redis is connected
   * otherwise. Rejects with `ERR_SPID_STORE_UNAVAILABLE` after `within` ms (default 5000). Await it
   * before listening to fail fast at start-up; without it the app starts and answers 503 until
   * Redis is reachable.
   */
  ready(within?: number): Promise<void>
  /** Closes the Redis client created here. */
  close(): Promise<void>
}

const DEFAULT_MAX_AGE = 8 * 3600

/**
 * Sessions for a SPID app: express-session on Redis (connect-redis + node-redis) for production,
 * the memory store for development. Cookies are httpOnly and SameSite=Lax; sessions are encrypted
 * at rest; a read-only request costs one Redis command; a Redis fault is a 503, never a half-made
 * session; the client reconnects by itself with backoff.
 *
 * @example
 * const sessions = createSpidSession({ secret, redis: process.env.REDIS_URL, encryptionKey: process.env.SESSION_KEY })
 * app.use(sessions.handler)
 */
export function createSpidSession(options: SpidSessionOptions): SpidSession {
  const parsed = sessionOptionsSchema.safeParse(options)
  if (!parsed.success) {
    throw new SpidConfigError(formatIssues(parsed.error, sessionOptionsSchema))
  }
  const o = parsed.data
  const logger = o.logger ?? createDefaultLogger()
  const keys = (Array.isArray(o.encryptionKey) ? o.encryptionKey : o.encryptionKey ? [o.encryptionKey] : []).map(parseSessionKey)
  const problems: string[] = []
  if (keys.some((k) => !k)) problems.push(`encryptionKey: each key must be 32 bytes, as 64 hex characters or base64; make one with ${MAKE_KEY}`)
  if ((o.replicaAckTimeout ?? 500) >= (o.storeTimeout ?? 2000))
    problems.push('replicaAckTimeout: must be shorter than storeTimeout, or every unconfirmed write would end as a timeout instead of saying why')
  if (o.redis && keys.length === 0)
    problems.push(`encryptionKey: REQUIRED with Redis, so tokens and personal data are encrypted at rest; make one with ${MAKE_KEY}`)
  if (problems.length) throw new SpidConfigError(problems)

  const maxAge = o.maxAge ?? DEFAULT_MAX_AGE
  const storeTimeout = o.storeTimeout ?? 2000
  const secureCookie = o.secureCookie ?? (o.clientId ? o.clientId.startsWith('https:') : isProductionEnv())
  let connection: RedisConnection | undefined
  let redis: RedisCommands | undefined
  let inner: Store
  let shared: SharedState
  if (o.redis) {
    connection = typeof o.redis === 'string' ? connectRedis(o.redis, { timeout: storeTimeout, logger }) : undefined
    redis = connection?.client ?? (o.redis as RedisCommands)
    const prefix = o.prefix ?? 'spid:sess:'
    const replicated = connection ? connection.kind !== 'single' : hasReplicas(redis)
    const acks = { replicas: o.replicaAcks ?? (replicated ? 1 : 0), timeoutMs: o.replicaAckTimeout ?? 500 }
    const durable = connection?.durable ?? redis
    inner = new SpidRedisStore({ client: redis, durable, cipher: new SessionCipher(keys as Buffer[]), logger, prefix, maxAgeSeconds: maxAge, acks })
    shared = redisSharedState(redis, { acks, durable })
  } else {
    if (process.env.NODE_ENV === 'production') {
      logger.warn({ event: 'config.memory_store' }, 'sessions are in process memory: use Redis in production (lost on restart, not shared between instances)')
    }
    inner = new SpidMemoryStore({ maxAgeSeconds: maxAge })
    shared = memorySharedState()
  }
  const loginTransactionSeal = LoginTransactionSeal.fromSessionSecrets(keys as Buffer[], Array.isArray(o.secret) ? o.secret : [o.secret])
  const store = new ResilientStore(inner, { timeout: storeTimeout, shared, loginTransactionSeal })
  const cookieName = o.cookieName ?? (secureCookie ? '__Host-spid.sid' : 'spid.sid')
  const express = session({
    name: cookieName,
    secret: o.secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: o.secureCookie ?? (secureCookie || 'auto'), path: '/', maxAge: maxAge * 1000 },
  })
  // express-session silently sends no Secure cookie over plain http: said once, with the way out.
  let toldInsecure = false
  const why = o.secureCookie
    ? 'secureCookie: true'
    : o.clientId
      ? `clientId ${o.clientId}`
      : `NODE_ENV ${process.env.NODE_ENV ?? 'unset'}, which counts as production`
  const renew = renewExpiryWhenSpent(maxAge * 1000, (o.renewBelow ?? 0.5) * maxAge * 1000)
  const handler: RequestHandler = (req, res, next) => {
    if (secureCookie && !req.secure && !toldInsecure) {
      toldInsecure = true
      logger.warn(
        { event: 'session.cookie_needs_https' },
        `the session cookie is Secure (${why}) but a request came over plain http, so the browser gets no session: serve https (behind a proxy, set Express trust proxy), or for local http development pass clientId: 'http://localhost:<port>' or set NODE_ENV=development`,
      )
    }
    let passed = false
    express(req, res, (err?: unknown) => {
      // express-session calls back a second time when the save at the end of the answer fails:
      // the answer is out, so that failure is logged once here rather than reaching Express's
      // final handler (a stack trace on stderr).
      if (passed) {
        if (err) logger.error({ event: 'session.save_failed', reason: err instanceof Error ? err.message : String(err) }, 'session not saved after the answer')
        return
      }
      passed = true
      if (err) next(err)
      else renew(req, res, next)
    })
  }
  return {
    handler,
    store,
    cookieName,
    redis,
    federationCache: redis ? redisChainCache(redis) : undefined,
    shared,
    storeDescription: connection?.description ?? (redis ? 'Redis (a client given by the app)' : 'memory'),
    ready: (within = 5000) => connection?.ready(within) ?? Promise.resolve(),
    close: async () => {
      await connection?.close()
    },
  }
}

declare module 'express-session' {
  interface SessionData {
    /** When the expiry was last renewed (epoch ms): changing it is what makes express-session resave. */
    renewedAt?: number
  }
}
