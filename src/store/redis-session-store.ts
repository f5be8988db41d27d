import type { SessionData } from 'express-session'
import { RedisStore } from 'connect-redis'
import type { Logger } from '../log/logger.ts'
import type { SessionCipher } from '../session/session-cipher.ts'
import type { RedisCommands } from './redis-connection.ts'
import { countingReplicas, type ReplicaAcks, writeConfirmed } from './replica-acks.ts'

/** Writes the session unless its tombstone exists: a session ended elsewhere stays ended. */
const SET_UNLESS_ENDED = `
if redis.call('exists', KEYS[2]) == 1 then return 0 end
redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`
/**
 * Reads the session unless its tombstone exists: a record of an ended session written back (a
 * copy taken before the logout, a replica that missed the delete) reads as absent.
 */
const GET_UNLESS_ENDED = `
if redis.call('exists', KEYS[2]) == 1 then return false end
return redis.call('get', KEYS[1])`
/** Ends a session: the tombstone first, for as long as any request that loaded it could live, then the record. */
const END = `
redis.call('set', KEYS[2], '1', 'PX', ARGV[1])
return redis.call('del', KEYS[1])`

const END_COUNTING = countingReplicas(END)

/** Milliseconds until the cookie expires; the record lives as long. */
function ttlOf(session: SessionData): number {
  const expires = session.cookie?.expires
  return expires ? new Date(expires).getTime() - Date.now() : (session.cookie?.originalMaxAge ?? 0)
}

type Callback<T = unknown> = (err?: unknown, value?: T) => void

/**
 * connect-redis's store, with what several instances need of it:
 * - a destroyed session leaves a tombstone: a write finding one is dropped and a read finding one
 *   answers nothing (each in one script), so neither a request that loaded the session earlier
 *   nor someone writing an old copy of the record back can bring it back: logout sticks;
 * - each record is encrypted bound to its session id and expiry (see SessionCipher);
 * - keys carry the session id as a hash tag (`spid:sess:{id}`, `spid:sess:{id}:ended`), so the
 *   record and its tombstone share a Redis Cluster slot.
 */
export class SpidRedisStore extends RedisStore {
  readonly #redis: RedisCommands
  readonly #cipher: SessionCipher
  readonly #logger: Logger
  readonly #prefix: string
  readonly #tombstoneMs: number
  readonly #acks: ReplicaAcks | undefined
  readonly #durable: RedisCommands

  constructor(options: {
    client: RedisCommands
    /** The connection for writes that wait for replicas (see RedisConnection.durable). */
    durable?: RedisCommands
    cipher: SessionCipher
    logger: Logger
    prefix: string
    maxAgeSeconds: number
    acks?: ReplicaAcks
  }) {
    super({ client: options.client as never, prefix: options.prefix, disableTouch: true })
    this.#redis = options.client
    this.#cipher = options.cipher
    this.#logger = options.logger
    this.#prefix = options.prefix
    // As long as the cookie of the ended session could still be presented.
    this.#tombstoneMs = options.maxAgeSeconds * 1000
    this.#acks = options.acks
    this.#durable = options.durable ?? options.client
  }

  #key(sid: string): string {
    return `${this.#prefix}{${sid}}`
  }

  #tombstone(sid: string): string {
    return `${this.#prefix}{${sid}}:ended`
  }

  override async get(sid: string, callback: Callback<SessionData | null>): Promise<void> {
    try {
      const record = await this.#redis.eval(GET_UNLESS_ENDED, { keys: [this.#key(sid), this.#tombstone(sid)], arguments: [] })
      if (typeof record !== 'string') return callback(undefined, null)
      const plaintext = this.#cipher.decrypt(record, { id: sid, now: Math.floor(Date.now() / 1000) })
      if (plaintext === undefined) {
        this.#logger.warn(
          { event: 'session.undecryptable' },
          'a stored session could not be decrypted (altered, moved from another id, expired, or its key was retired): treated as absent',
        )
        return callback(undefined, null)
      }
      callback(undefined, JSON.parse(plaintext) as SessionData)
    } catch (error) {
      callback(error)
    }
  }

  override async set(sid: string, session: SessionData, callback?: Callback): Promise<void> {
    try {
      const ttlMs = ttlOf(session)
      if (ttlMs <= 0) return this.destroy(sid, callback)
      const expiresAt = Math.ceil((Date.now() + ttlMs) / 1000)
      const record = this.#cipher.encrypt(JSON.stringify(session), { id: sid, expiresAt })
      const written = await this.#redis.eval(SET_UNLESS_ENDED, { keys: [this.#key(sid), this.#tombstone(sid)], arguments: [record, String(ttlMs)] })
      if (Number(written) === 0) this.#logger.info({ event: 'session.write_after_end' }, 'a request tried to write a session that has ended; dropped')
      callback?.()
    } catch (error) {
      callback?.(error)
    }
  }

  override async destroy(sid: string, callback?: Callback): Promise<void> {
    try {
      const keys = [this.#key(sid), this.#tombstone(sid)]
      const args = [String(this.#tombstoneMs)]
      // A logout a replica does not hold yet would be undone by a failover: it waits for one.
      if (this.#acks && this.#acks.replicas > 0) {
        const end = (connection: RedisCommands) => connection.eval(END_COUNTING, { keys, arguments: args })
        await writeConfirmed(this.#durable, this.#key(sid), this.#acks, 'the end of the session (logout)', end)
      } else await this.#redis.eval(END, { keys, arguments: args })
      callback?.()
    } catch (error) {
      callback?.(error)
    }
  }
}
