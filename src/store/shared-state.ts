import { isSpidError, UnavailableError } from '../errors/spid-error.ts'
import type { RedisCommands } from './redis-connection.ts'
import { countingReplicas, type ReplicaAcks, writeConfirmed } from './replica-acks.ts'

/**
 * What every instance of one relying party must agree on, beyond sessions: single-use values
 * (a login transaction, an ID token `jti`) and short leases (one refresh per session). Several
 * instances behind a load balancer are one relying party: these answers must be the same on all.
 */
export interface SharedState {
  /**
   * Sets `key` to `value` for `ttlMs` unless it is set: true when this call set it. Of any number
   * of simultaneous calls for one key, on any instance, exactly one gets true.
   */
  claim(key: string, value: string, ttlMs: number): Promise<boolean>
  /** Deletes `key` if it still holds `value`: a lease is released only by its holder. */
  release(key: string, value: string): Promise<void>
}

/** In one process: the guarantee holds for that process only, which is all the memory session store offers anyway. */
export function memorySharedState(now: () => number = Date.now): SharedState {
  const entries = new Map<string, { value: string; expires: number }>()
  let writes = 0
  return {
    async claim(key, value, ttlMs) {
      const at = now()
      const held = entries.get(key)
      if (held && held.expires > at) return false
      entries.set(key, { value, expires: at + ttlMs })
      // Expired entries are swept now and then, so a long-running process does not keep them.
      if (++writes % 1000 === 0) for (const [k, e] of entries) if (e.expires <= at) entries.delete(k)
      return true
    },
    async release(key, value) {
      if (entries.get(key)?.value === value) entries.delete(key)
    },
  }
}

/** `SET NX PX` as a script, for a deployment with replicas: it also says how many the primary has. */
const CLAIM_COUNTING = countingReplicas("return redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])")
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"

/**
 * On Redis (single, Sentinel or Cluster): `SET NX PX` claims, a compare-and-delete script
 * releases; one key per call. Redis unavailable is ERR_SPID_STORE_UNAVAILABLE (503): a value that
 * cannot be claimed is never taken as unused. With `acks`, a claim counts only once that many
 * replicas hold it, so a failover cannot hand the same value out a second time.
 */
export function redisSharedState(
  client: RedisCommands,
  { prefix = 'spid:', acks, durable = client }: { prefix?: string; acks?: ReplicaAcks; durable?: RedisCommands } = {},
): SharedState {
  const unavailable = (cause: unknown): never => {
    if (isSpidError(cause)) throw cause
    throw new UnavailableError('ERR_SPID_STORE_UNAVAILABLE', 'shared state (Redis) unavailable', { cause })
  }
  return {
    async claim(key, value, ttlMs) {
      const ttl = Math.max(1, Math.ceil(ttlMs))
      if (!acks || acks.replicas === 0) {
        const answer = await client.set(`${prefix}${key}`, value, { condition: 'NX', expiration: { type: 'PX', value: ttl } }).catch(unavailable)
        return answer === 'OK'
      }
      const claim = (connection: RedisCommands) => connection.eval(CLAIM_COUNTING, { keys: [`${prefix}${key}`], arguments: [value, String(ttl)] })
      const answer = await writeConfirmed(durable, `${prefix}${key}`, acks, 'a single-use claim', claim, (answer) => answer === 'OK').catch(unavailable)
      return answer === 'OK'
    },
    async release(key, value) {
      await client.eval(RELEASE, { keys: [`${prefix}${key}`], arguments: [value] }).catch(unavailable)
    },
  }
}
