/**
 * A federation member writes its own `authority_hints`. Entities that vouch for each other, a
 * long list of hints, and hints that never answer, all served over real HTTP by the test
 * federation, must cost one resolution a bounded number of requests, bounded time and a bounded
 * message, and a failed resolution must not be paid for again by the next login start.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { FederationProviderRegistry } from '../../src/federation/federation-provider-registry.ts'
import { DEFAULT_RESOLUTION_LIMITS, MAX_REASON_LENGTH } from '../../src/federation/resolution-budget.ts'
import { resolveTrustChain } from '../../src/federation/trust-chain.ts'
import { createOpFetch } from '../../src/protocol/op-fetch.ts'
import { captureLogger } from '../fixtures/stack.ts'
import { startTestFederation, type TestFederation } from '../fixtures/test-federation.ts'

const OP = 'openid_provider'
const now = () => Math.floor(Date.now() / 1000)

/** Why a resolution failed: the error's code and message. */
async function failure(promise: Promise<unknown>): Promise<{ code: string | undefined; message: string }> {
  try {
    await promise
  } catch (error) {
    return { code: (error as { code?: string }).code, message: (error as Error).message }
  }
  assert.fail('it resolved')
}

describe('hostile authority_hints', () => {
  let fed: TestFederation
  const ring = Array.from({ length: 8 }, (_, i) => `h${i + 1}`)

  before(async () => {
    fed = await startTestFederation()
    await fed.entity('ta')
    // The anchor has one honest subordinate (so it publishes its fetch and list endpoints).
    await fed.entity('honest', { hints: ['ta'] })
    fed.statement('ta', 'honest')
    // Eight entities that vouch for each other and for the OP, and that none of which the anchor knows.
    for (const name of ring) await fed.entity(name, { hints: ring.filter((other) => other !== name) })
    for (const name of ring) {
      for (const other of ring) if (other !== name) fed.statement(name, other)
    }
    await fed.entity('op', { hints: ring, metadata: { [OP]: { issuer: 'x' } } })
    for (const name of ring) fed.statement(name, 'op')
    // Four superiors that accept the connection and never answer.
    const silent = ['s1', 's2', 's3', 's4']
    for (const name of silent) await fed.entity(name, { silent: true })
    await fed.entity('op-hanging', { hints: silent, metadata: { [OP]: { issuer: 'x' } } })
    // Twenty hints, each a real entity, none vouching for anyone.
    const many = Array.from({ length: 20 }, (_, i) => `m${i + 1}`)
    for (const name of many) await fed.entity(name)
    await fed.entity('op-many-hints', { hints: many, metadata: { [OP]: { issuer: 'x' } } })
  })
  after(async () => fed?.close())

  const options = (limits = {}) => ({
    anchors: [{ entityId: fed.id('ta'), jwks: fed.jwksOf('ta') }],
    fetch: createOpFetch({ timeout: 5000, maxBytes: 1 << 16 }),
    now: now(),
    clockTolerance: 60,
    limits,
  })

  it('entities that vouch for each other: each statement fetched once, at most maxFetches requests, a message of bounded size', async () => {
    const before = fed.requests.length
    const { code, message } = await failure(resolveTrustChain(fed.id('op'), options()))
    const requests = fed.requests.slice(before)
    assert.equal(code, 'ERR_SPID_TRUST_CHAIN_INVALID')
    assert.ok(requests.length <= DEFAULT_RESOLUTION_LIMITS.maxFetches, `${requests.length} requests`)
    assert.equal(new Set(requests).size, requests.length, 'no URL requested twice')
    assert.ok(message.length <= MAX_REASON_LENGTH + 200, `a message of ${message.length} characters`)
    assert.match(message, /stopped after \d+ federation requests, the most one resolution may make \(federationLimits\.maxFetches\)/)
  })

  it('within a smaller budget of requests, says so and stops there', async () => {
    const before = fed.requests.length
    const { message } = await failure(resolveTrustChain(fed.id('op'), options({ maxFetches: 5 })))
    assert.equal(fed.requests.length - before, 5)
    assert.match(message, /stopped after 5 federation requests/)
  })

  it('tries at most maxAuthorityHints hints of an entity, and says how many it left', async () => {
    const before = fed.requests.length
    const { message } = await failure(resolveTrustChain(fed.id('op-many-hints'), options()))
    const configurations = fed.requests.slice(before).filter((r) => /\/m\d+\/\.well-known\/openid-federation$/.test(r))
    assert.deepEqual(
      configurations,
      ['m1', 'm2', 'm3', 'm4', 'm5'].map((m) => `/${m}/.well-known/openid-federation`),
    )
    assert.match(message, /15 more authority_hints not tried \(at most 5 per entity\)/)
  })

  it('hints that never answer: the resolution stops at its deadline, not after each request timed out in turn', async () => {
    const started = Date.now()
    const { message } = await failure(resolveTrustChain(fed.id('op-hanging'), options({ timeout: 1000 })))
    const elapsed = Date.now() - started
    assert.match(message, /stopped after 1000 ms, the time one resolution may take \(federationLimits\.timeout\)/)
    // Without the deadline: 4 hints × the 5,000 ms request timeout. With it, one request's timeout is never reached.
    assert.ok(elapsed < 5000, `${elapsed} ms`)
  })

  it('a failed OP is remembered: the next login start within failureTtl makes no request, and the log stays small', async () => {
    const logger = captureLogger()
    fed.listUnknown(fed.id('op'))
    const registry = new FederationProviderRegistry({
      anchors: [{ entityId: fed.id('ta'), jwks: fed.jwksOf('ta') }],
      providers: [],
      discover: true,
      fetch: createOpFetch({ timeout: 5000, maxBytes: 1 << 16 }),
      clockTolerance: 60,
      now,
      logger,
      failureTtl: 30,
    })
    await registry.refresh()
    const refused = logger.lines.filter((l) => (l.obj as { event?: string }).event === 'federation.op_refused')
    assert.equal(refused.length, 1)
    assert.ok(JSON.stringify(logger.lines).length < MAX_REASON_LENGTH + 1000, `${JSON.stringify(logger.lines).length} characters of log`)
    assert.deepEqual(
      registry.list().map((p) => p.issuer),
      [],
    )
    const before = fed.requests.length
    const config = { issuer: fed.id('op'), id: 'op', name: undefined, profile: 'spid' as const }
    const configured = new FederationProviderRegistry({
      anchors: [{ entityId: fed.id('ta'), jwks: fed.jwksOf('ta') }],
      providers: [config],
      discover: false,
      fetch: createOpFetch({ timeout: 5000, maxBytes: 1 << 16 }),
      clockTolerance: 60,
      now,
      logger,
      failureTtl: 30,
    })
    const first = await failure(configured.resolve(fed.id('op')))
    const afterFirst = fed.requests.length
    assert.ok(afterFirst > before, 'the first resolution asks the federation')
    const second = await failure(configured.resolve(fed.id('op')))
    assert.equal(fed.requests.length, afterFirst, 'the second, within failureTtl, makes no request')
    assert.equal(second.message, first.message)
  })
})
