import type { JSONWebKeySet } from 'jose'
import type { ProviderRegistry, ResolvedProvider } from '../providers/provider-registry.ts'
import type { Logger } from '../log/logger.ts'
import { type VerifiedJwt, verifyOpJwt } from './id-token.ts'
import { kidOf } from './kid-of.ts'

/** Seconds between two reloads of one OP's keys, as jose's remote key sets cool down. */
export const OP_KEY_RELOAD_INTERVAL = 30

/**
 * OP key rollover without a restart: a JWT signed with a `kid` the cached metadata lacks makes
 * the OP's metadata be resolved again, past every cache, at most once per interval per OP. The
 * requests that arrive meanwhile wait for that one reload instead of starting their own, so a
 * flood of made-up kids costs one fetch per interval. A known kid is never a reason to reload:
 * a foreign key under a published kid fails its signature check and stays refused.
 */
export class OpKeyReloads {
  readonly #last = new Map<string, { at: number; result: Promise<ResolvedProvider | undefined> }>()
  readonly #registry: ProviderRegistry
  readonly #logger: Logger
  readonly #interval: number
  readonly #now: () => number

  /**
   * `now` (epoch seconds) is a clock of its own, not the strategy's: tests move the strategy's
   * clock to age sessions, and an OP refuses request objects from the future.
   */
  constructor(registry: ProviderRegistry, logger: Logger, { interval = OP_KEY_RELOAD_INTERVAL, now = () => Date.now() / 1000 } = {}) {
    this.#registry = registry
    this.#logger = logger
    this.#interval = interval
    this.#now = now
  }

  /** The key set to verify a JWS of this OP with: the cached one, or a reloaded one when the kid is new. */
  async keysFor(provider: ResolvedProvider, jws: string): Promise<JSONWebKeySet> {
    const kid = kidOf(jws)
    if (kid === undefined || hasKid(provider.jwks, kid)) return provider.jwks
    const issuer = provider.config.issuer
    // Another request may have reloaded it already.
    const current = await this.#registry.resolve(issuer)
    if (hasKid(current.jwks, kid)) return current.jwks
    if (!this.#registry.reload) return current.jwks
    const now = this.#now()
    const last = this.#last.get(issuer)
    const reload = last && now - last.at < this.#interval ? last.result : this.#start(issuer, kid, now)
    const reloaded = await reload
    return reloaded?.jwks ?? current.jwks
  }

  #start(issuer: string, kid: string, now: number): Promise<ResolvedProvider | undefined> {
    this.#logger.info({ event: 'op.keys_reload', issuer, kid }, 'a token names a key the OP metadata does not have: resolving the OP again')
    const result = (this.#registry.reload as (issuer: string) => Promise<ResolvedProvider>)(issuer).then(
      (resolved) => {
        if (!hasKid(resolved.jwks, kid)) {
          this.#logger.warn({ event: 'op.unknown_kid', issuer, kid }, 'the OP does not publish the key the token names, even after a reload')
        }
        return resolved
      },
      (error: unknown) => {
        this.#logger.warn(
          { event: 'op.keys_reload_failed', issuer, reason: error instanceof Error ? error.message : String(error) },
          'could not resolve the OP again; the cached keys stay in use',
        )
        return undefined
      },
    )
    this.#last.set(issuer, { at: now, result })
    return result
  }
}

/** Verifies a JWS of the OP (ID token, UserInfo) with its keys, reloading them once when the kid is new (rule I1). */
export async function verifyFromOp(
  reloads: OpKeyReloads,
  provider: ResolvedProvider,
  jws: string,
  check: { audience: string; clockTolerance: number; now: number; what: 'ID token' | 'UserInfo' },
): Promise<VerifiedJwt> {
  const jwks = await reloads.keysFor(provider, jws)
  return verifyOpJwt(jws, { jwks, issuer: provider.config.issuer, ...check })
}

function hasKid(jwks: JSONWebKeySet, kid: string): boolean {
  return jwks.keys.some((key) => key.kid === kid)
}
