/**
 * Federation costs, on a test federation over HTTP (one trust anchor, N OPs under it): requests
 * to resolve an OP cold and warm, and the time to resolve 1 and 15 OPs (alternating rounds, each
 * on a fresh registry, so every round is cold).
 */
import { performance } from 'node:perf_hooks'
import { FederationProviderRegistry } from '../../src/federation/federation-provider-registry.ts'
import { silentLogger } from '../../src/log/logger.ts'
import { createOpFetch } from '../../src/protocol/op-fetch.ts'
import { startTestFederation } from '../../test/fixtures/test-federation.ts'
import { alternate, median } from './stats.ts'

export async function measureFederation({ rounds }: { rounds: number }) {
  const fed = await startTestFederation()
  try {
    await fed.entity('ta')
    const names = Array.from({ length: 15 }, (_, i) => `op${i}`)
    for (const name of names) {
      await fed.entity(name)
      const id = fed.id(name)
      const metadata = {
        openid_provider: {
          issuer: id,
          authorization_endpoint: `${id}/auth`,
          token_endpoint: `${id}/token`,
          userinfo_endpoint: `${id}/me`,
          jwks: fed.jwksOf(name),
        },
      }
      await fed.entity(name, { hints: ['ta'], metadata })
      fed.statement('ta', name, { metadata_policy: { openid_provider: { token_endpoint_auth_methods_supported: { default: ['private_key_jwt'] } } } })
    }
    const fetch = createOpFetch({ timeout: 5000, maxBytes: 1 << 20 })
    const registryOf = (count: number) =>
      new FederationProviderRegistry({
        anchors: [{ entityId: fed.id('ta'), jwks: fed.jwksOf('ta') }],
        providers: names.slice(0, count).map((name) => ({ issuer: fed.id(name), id: name, name: undefined, profile: 'spid' as const })),
        discover: false,
        fetch,
        clockTolerance: 60,
        now: () => Math.floor(Date.now() / 1000),
        logger: silentLogger,
      })
    const resolveAll = async (count: number) => {
      const registry = registryOf(count)
      const start = performance.now()
      await Promise.all(registry.list().map((p) => registry.resolve(p.issuer)))
      return performance.now() - start
    }

    const one = registryOf(1)
    const before = fed.requests.length
    await one.resolve(fed.id('op0'))
    const cold = fed.requests.length - before
    await one.resolve(fed.id('op0'))
    const warm = fed.requests.length - before - cold

    await resolveAll(15)
    const series = await alternate(
      rounds,
      () => resolveAll(1),
      () => resolveAll(15),
    )
    return { requestsCold: cold, requestsWarm: warm, resolveMillis1: median(series.baseline), resolveMillis15: median(series.subject) }
  } finally {
    await fed.close()
  }
}
