/**
 * Where a federation member can send the RP. Hints and fetch endpoints are read from
 * self-signed configurations, before any anchor has vouched for them: outside the origins the
 * configuration names, the RP requests only https on the default port of public addresses, and a
 * fetch endpoint only on its issuer's origin. A real loopback HTTP server stands in for an
 * internal host (the canary): it counts every TCP connection, so "never reached" means no
 * connection at all, not only no HTTP request.
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { createFederationFetch } from '../../src/federation/federation-fetch.ts'
import { FederationProviderRegistry } from '../../src/federation/federation-provider-registry.ts'
import { resolveTrustChain } from '../../src/federation/trust-chain.ts'
import { generateDevKeys, SpidStrategy } from '../../src/index.ts'
import { silentLogger } from '../../src/log/logger.ts'
import { createOpFetch } from '../../src/protocol/op-fetch.ts'
import { startTestFederation, type TestFederation } from '../fixtures/test-federation.ts'

const OP = 'openid_provider'
const now = () => Math.floor(Date.now() / 1000)

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    assert.equal((error as { code?: string }).code, 'ERR_SPID_TRUST_CHAIN_INVALID', String(error))
    return (error as Error).message
  }
  assert.fail('it resolved')
}

describe('federation requests go only where they may', () => {
  let fed: TestFederation
  let canary: Server
  let canaryUrl: string
  const reached: string[] = []

  before(async () => {
    canary = createServer((req, res) => {
      reached.push(`${req.method} ${req.url}`)
      res.writeHead(200, { 'content-type': 'application/entity-statement+jwt' }).end('x')
    })
    canary.on('connection', () => reached.push('connection'))
    await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve))
    const { port } = canary.address() as AddressInfo
    canaryUrl = `http://127.0.0.1:${port}`

    fed = await startTestFederation()
    await fed.entity('ta')
    await fed.entity('honest', { hints: ['ta'] })
    fed.statement('ta', 'honest')
    // An OP whose hints name internal hosts, each in another way.
    await fed.entity('op-internal', {
      hints: [canaryUrl, `https://127.0.0.1:${port}`, 'https://localhost', 'https://10.0.0.1', 'https://169.254.169.254'],
      metadata: { [OP]: { issuer: 'x' } },
    })
    // A self-signed "intermediate" whose fetch endpoint is any URL it likes.
    await fed.entity('int', {
      hints: ['ta'],
      metadata: { federation_entity: { federation_fetch_endpoint: `${canaryUrl}/admin/delete-everything?confirm=yes` } },
    })
    await fed.entity('op-endpoint', { hints: ['int'], metadata: { [OP]: { issuer: 'x' } } })
  })
  after(async () => {
    await fed?.close()
    canary?.closeAllConnections()
    await new Promise<void>((resolve) => canary?.close(() => resolve()))
  })

  const anchors = () => [{ entityId: fed.id('ta'), jwks: fed.jwksOf('ta') }]
  /** The federation's HTTP client as the strategy builds it: the test federation's origin is the configured anchor's. */
  const guarded = () => createFederationFetch({ timeout: 2000, maxBytes: 1 << 16, isNamed: (origin) => origin === new URL(fed.base).origin })

  it('never reaches internal hosts a hint names, and says why for each', async () => {
    const message = await failure(resolveTrustChain(fed.id('op-internal'), { anchors: anchors(), fetch: guarded(), now: now(), clockTolerance: 60 }))
    const { port } = canary.address() as AddressInfo
    assert.match(message, new RegExp(`${canaryUrl}/.well-known/openid-federation refused: it is http, not https`))
    assert.match(message, new RegExp(`https://127.0.0.1:${port}/.well-known/openid-federation refused: it names port ${port}, not the https default`))
    assert.match(message, /localhost resolves to (127\.0\.0\.1|::1), a loopback address/)
    assert.match(message, /https:\/\/10\.0\.0\.1\/.well-known\/openid-federation refused: 10\.0\.0\.1 is a private address/)
    assert.match(message, /169\.254\.169\.254 is a link-local address/)
    assert.deepEqual(reached, [])
  })

  it('refuses a fetch endpoint on another origin than its issuer before requesting it, whatever HTTP client resolves', async () => {
    // Even with the plain client, which would go anywhere: the check is the chain's, not the client's.
    for (const fetch of [guarded(), createOpFetch({ timeout: 2000, maxBytes: 1 << 16 })]) {
      const message = await failure(resolveTrustChain(fed.id('op-endpoint'), { anchors: anchors(), fetch, now: now(), clockTolerance: 60 }))
      assert.match(
        message,
        /federation_fetch_endpoint http:\/\/127\.0\.0\.1:\d+\/admin\/delete-everything\?confirm=yes is not on the entity's own origin http:\/\/127\.0\.0\.1:\d+: not requested/,
      )
    }
    assert.deepEqual(reached, [])
  })

  it('as the strategy is configured: the anchor and the configured OP are reached, the canary never', async () => {
    const strategy = new SpidStrategy({
      clientId: 'https://rp.example.it',
      keys: generateDevKeys(),
      trustAnchors: anchors(),
      providers: [fed.id('op-internal'), fed.id('op-endpoint')],
      discoverProviders: false,
      logger: silentLogger,
    })
    const before = fed.requests.length
    for (const op of ['op-internal', 'op-endpoint']) {
      const message = await failure(strategy.runtime.registry.resolve(fed.id(op)))
      assert.match(message, /refused|not requested/)
    }
    assert.ok(
      fed.requests.slice(before).includes('/op-internal/.well-known/openid-federation'),
      'the configured OP itself, on loopback http, is requested as configured',
    )
    assert.deepEqual(reached, [])
  })

  it('a registry with the plain HTTP client, for contrast: the same OP sends it to the canary', async () => {
    // The guard above is what keeps the canary quiet: without it, the first hint is requested.
    const registry = new FederationProviderRegistry({
      anchors: anchors(),
      providers: [{ issuer: fed.id('op-internal'), id: 'op', name: undefined, profile: 'spid' }],
      discover: false,
      fetch: createOpFetch({ timeout: 2000, maxBytes: 1 << 16 }),
      clockTolerance: 60,
      now,
      logger: silentLogger,
    })
    await failure(registry.resolve(fed.id('op-internal')))
    assert.ok(reached.includes('GET /.well-known/openid-federation'), reached.join(', '))
    reached.length = 0
  })
})
