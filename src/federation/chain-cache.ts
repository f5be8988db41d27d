/**
 * Where instances share resolved trust chains, so that one resolution serves them all. Only the
 * statements are kept: whoever reads them verifies them again (signatures, expiry, the pinned
 * anchor keys) before use, so the cache is never a way around the chain rules.
 */
export interface FederationChainCache {
  /** The statements of the chain last resolved for `subject`, or undefined. */
  get(subject: string): Promise<readonly string[] | undefined>
  /** Keeps them for `ttlSeconds` (until the chain's earliest exp). */
  set(subject: string, statements: readonly string[], ttlSeconds: number): Promise<void>
}

/** The Redis commands the cache uses (node-redis's client has them). */
export interface RedisLike {
  get(key: string): Promise<string | null | unknown>
  set(key: string, value: string, options: { EX: number }): Promise<unknown>
}

/** A FederationChainCache on Redis: one key per subject, expiring with the chain. */
export function redisChainCache(client: RedisLike, prefix = 'spid:fed:'): FederationChainCache {
  return {
    async get(subject) {
      const value = await client.get(`${prefix}${subject}`)
      if (typeof value !== 'string') return undefined
      const parsed = JSON.parse(value) as unknown
      return Array.isArray(parsed) && parsed.every((s) => typeof s === 'string') ? parsed : undefined
    },
    async set(subject, statements, ttlSeconds) {
      if (ttlSeconds < 1) return
      await client.set(`${prefix}${subject}`, JSON.stringify(statements), { EX: Math.floor(ttlSeconds) })
    },
  }
}
