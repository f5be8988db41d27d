import type { ResolvedOptions } from '../options/resolve-options.ts'
import { createOpFetch, type OpFetch } from '../protocol/op-fetch.ts'
import type { OpClientContext } from '../protocol/op-client.ts'
import { DefaultProviderRegistry } from '../providers/default-provider-registry.ts'
import type { ProviderRegistry } from '../providers/provider-registry.ts'

/** Everything a login step needs, built once per strategy. */
export interface StrategyContext {
  options: ResolvedOptions
  registry: ProviderRegistry
  fetch: OpFetch
  client: OpClientContext
  /** Epoch seconds; replaceable in tests that need another clock. */
  now(): number
}

/** The ID token alg the RP registers (`id_token_signed_response_alg`) and openid-client enforces. */
export const ID_TOKEN_ALG = 'RS256'

export function createStrategyContext(options: ResolvedOptions): StrategyContext {
  const fetch = createOpFetch({ timeout: options.httpTimeout, maxBytes: options.maxResponseBytes })
  const registry = options.providerRegistry ?? new DefaultProviderRegistry({
    providers: options.providers,
    fetch,
    metadataTtl: options.metadataTtl,
    clockTolerance: options.clockTolerance,
  })
  return {
    options,
    registry,
    fetch,
    client: {
      clientId: options.clientId,
      signingKey: options.keys.signing,
      idTokenAlg: ID_TOKEN_ALG,
      fetch,
      allowHttpLoopback: options.allowHttpLoopback,
      clockTolerance: options.clockTolerance,
    },
    now: () => Math.floor(Date.now() / 1000),
  }
}
