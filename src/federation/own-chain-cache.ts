import type { TrustChain } from './trust-chain.ts'

export interface OwnChainCacheOptions {
  /** Seconds a resolved chain is reused at most, even when it is valid for longer: the anchor's policy may change. */
  maxAge: number
  /** Seconds a failed resolution is answered from memory. */
  failureTtl: number
}

/**
 * The RP's own trust chain per anchor, as its resolve endpoint answers it: resolved once, then
 * reused until the chain's earliest `exp` or `maxAge`, whichever comes first; concurrent requests
 * share one resolution, and a failure is remembered for `failureTtl`. Keys are the configured
 * anchors only, so it cannot grow with what clients ask for.
 */
export class OwnChainCache {
  readonly #o: OwnChainCacheOptions
  readonly #entries = new Map<string, { value: Promise<TrustChain>; until: number }>()

  constructor(options: OwnChainCacheOptions) {
    this.#o = options
  }

  /** The chain to `anchorId`, from memory while it is fresh, else from `resolve`. `now`: epoch seconds. */
  get(anchorId: string, now: number, resolve: () => Promise<TrustChain>): Promise<TrustChain> {
    const known = this.#entries.get(anchorId)
    if (known && now < known.until) return known.value
    const entry = { value: resolve(), until: Number.POSITIVE_INFINITY }
    this.#entries.set(anchorId, entry)
    entry.value.then(
      (chain) => {
        entry.until = Math.min(chain.expiresAt, now + this.#o.maxAge)
      },
      () => {
        entry.until = now + this.#o.failureTtl
      },
    )
    return entry.value
  }
}
