/**
 * Trust chains over real HTTP, against a small test federation: a chain resolves only from a
 * pinned anchor, through every statement verified with the keys of the level above; each way it
 * can be broken is refused with an error that names the statement and the check.
 */
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, it } from 'node:test'
import { redisChainCache } from '../../src/federation/chain-cache.ts'
import { FederationProviderRegistry } from '../../src/federation/federation-provider-registry.ts'
import { resolveTrustChain, type TrustChainOptions } from '../../src/federation/trust-chain.ts'
import { verifyTrustMarks } from '../../src/federation/trust-marks.ts'
import { silentLogger } from '../../src/log/logger.ts'
import { createOpFetch } from '../../src/protocol/op-fetch.ts'
import { inspector, startPrivateRedis } from '../fixtures/redis.ts'
import { captureLogger } from '../fixtures/stack.ts'
import { startTestFederation, type TestFederation } from '../fixtures/test-federation.ts'

const OP = 'openid_provider'

/** A registry trusting the test federation's anchor for its OP `op`, as the strategy builds one. */
function registryOptions(fed: TestFederation) {
  return {
    anchors: [{ entityId: fed.id('ta'), jwks: fed.jwksOf('ta') }],
    providers: [{ issuer: fed.id('op'), id: 'op', name: undefined, profile: 'spid' as const }],
    discover: false,
    fetch: createOpFetch({ timeout: 2000, maxBytes: 1 << 16 }),
    clockTolerance: 60,
    now: () => Math.floor(Date.now() / 1000),
  }
}
describe('trust chains', () => {
  let fed: TestFederation
  let options: TrustChainOptions
  const fail = async (subject: string, opts: Partial<TrustChainOptions> = {}) => {
    try {
      await resolveTrustChain(fed.id(subject), { ...options, now: Math.floor(Date.now() / 1000), ...opts })
    } catch (error) {
      assert.equal((error as { code?: string }).code, 'ERR_SPID_TRUST_CHAIN_INVALID', String(error))
      return (error as Error).message
    }
    assert.fail('the chain resolved')
  }

  beforeEach(async () => {
    fed = await startTestFederation()
    await fed.entity('ta')
    await fed.entity('op', { hints: ['ta'], metadata: { [OP]: { issuer: 'x', token_endpoint_auth_methods_supported: ['private_key_jwt'] } } })
    fed.statement('ta', 'op', { metadata_policy: { [OP]: { token_endpoint_auth_methods_supported: { subset_of: ['private_key_jwt'] } } } })
    options = {
      anchors: [{ entityId: fed.id('ta'), jwks: fed.jwksOf('ta') }],
      fetch: createOpFetch({ timeout: 2000, maxBytes: 1 << 16 }),
      now: Math.floor(Date.now() / 1000),
      clockTolerance: 60,
    }
  })
  after(async () => fed?.close())

  it('resolves a leaf directly under the anchor: its configuration, the anchor’s statement, the anchor’s configuration', async () => {
    const chain = await resolveTrustChain(fed.id('op'), options)
    assert.equal(chain.statements.length, 3)
    assert.equal(chain.subject.sub, fed.id('op'))
    assert.equal(chain.anchor.sub, fed.id('ta'))
    assert.deepEqual(chain.policy, { [OP]: { token_endpoint_auth_methods_supported: { subset_of: ['private_key_jwt'] } } })
    assert.ok(chain.expiresAt > options.now && chain.expiresAt <= options.now + 3600 + 1)
    await fed.close()
  })

  it('resolves through an intermediate, merging the policies from the anchor down, and keeps the earliest exp', async () => {
    await fed.entity('int', { hints: ['ta'] })
    await fed.entity('op', { hints: ['int'], metadata: { [OP]: { issuer: 'x' } } })
    fed.statement('ta', 'int', { metadata_policy: { [OP]: { contacts: { add: ['ta@example.it'] } } }, lifetime: 600 })
    fed.statement('int', 'op', { metadata_policy: { [OP]: { contacts: { add: ['int@example.it'] } } } })
    const chain = await resolveTrustChain(fed.id('op'), options)
    assert.equal(chain.statements.length, 4)
    assert.deepEqual(
      chain.subordinateStatements.map((s) => s.iss),
      [fed.id('int'), fed.id('ta')],
    )
    assert.deepEqual(chain.policy[OP]?.contacts, { add: ['ta@example.it', 'int@example.it'] })
    assert.ok(chain.expiresAt <= Math.floor(Date.now() / 1000) + 600)
    await fed.close()
  })

  it('refuses an anchor whose statements are signed by a key that is not pinned', async () => {
    const message = await fail('op', { anchors: [{ entityId: fed.id('ta'), jwks: await fed.foreignJwks() }] })
    assert.match(message, /entity configuration of http:\/\/[^ ]+\/ta: signature does not verify with the pinned trust anchor keys \(kid ta-/)
    await fed.close()
  })

  it('refuses an entity whose configuration does not verify with its own keys', async () => {
    await fed.entity('op', { hints: ['ta'], signWithForeignKey: true })
    assert.match(await fail('op'), /entity configuration of http:\/\/[^ ]+\/op: signature does not verify with its own keys \(self-signed\)/)
    await fed.close()
  })

  it('refuses an entity whose configuration is signed with keys its superior does not state for it', async () => {
    await fed.entity('other', {})
    fed.statement('ta', 'op', { statedKeysOf: 'other' })
    assert.match(await fail('op'), /\/op: .*signature does not verify with the keys its superior states for it/)
    await fed.close()
  })

  it('refuses an expired subordinate statement', async () => {
    fed.statement('ta', 'op', { lifetime: -3600 })
    assert.match(await fail('op'), /statement of http:\/\/[^ ]+\/ta about http:\/\/[^ ]+\/op: it has expired \(exp\)/)
    await fed.close()
  })

  it('refuses a statement of the wrong typ', async () => {
    await fed.entity('op', { hints: ['ta'], typ: 'JWT' })
    assert.match(await fail('op'), /entity configuration of .*\/op: .*typ/)
    await fed.close()
  })

  it('refuses an authority_hints loop', async () => {
    await fed.entity('a', { hints: ['b'] })
    await fed.entity('b', { hints: ['a'] })
    await fed.entity('op', { hints: ['a'] })
    fed.statement('a', 'op')
    fed.statement('b', 'a')
    fed.statement('a', 'b')
    assert.match(await fail('op'), /appears twice in the chain \(authority_hints loop/)
    await fed.close()
  })

  it('refuses a chain with more intermediates than allowed, and one longer than a max_path_length', async () => {
    await fed.entity('i1', { hints: ['i2'] })
    await fed.entity('i2', { hints: ['ta'] })
    await fed.entity('op', { hints: ['i1'] })
    fed.statement('i1', 'op')
    fed.statement('i2', 'i1')
    fed.statement('ta', 'i2')
    assert.ok(await resolveTrustChain(fed.id('op'), options), 'two intermediates are fine by default')
    assert.match(await fail('op', { maxIntermediates: 1 }), /would be intermediate number 2, more than the 1 allowed/)
    fed.statement('ta', 'i2', { constraints: { max_path_length: 1 } })
    assert.match(await fail('op'), /statement about .*\/i2: max_path_length 1 allows fewer than the 2 intermediates/)
    await fed.close()
  })

  it('tries the authority_hints in order, and says why each one failed', async () => {
    await fed.entity('broken', {})
    await fed.entity('op', { hints: ['broken', 'ta'], metadata: { [OP]: { issuer: 'x' } } })
    const chain = await resolveTrustChain(fed.id('op'), options)
    assert.equal(chain.anchor.sub, fed.id('ta'), 'the second hint leads to the anchor')
    await fed.entity('op', { hints: ['broken', 'nowhere'] })
    const message = await fail('op')
    assert.match(message, /no trust chain through any of its 2 authority_hints/)
    assert.match(message, /broken: entity configuration has no federation_fetch_endpoint/)
    assert.match(message, /nowhere: entity configuration: .* answered 404/)
    await fed.close()
  })
})

describe('trust marks (rule F6)', () => {
  const TYPE = 'https://registry.example.it/openid_provider/public/'
  let fed: TestFederation
  let registryFor: (required: string[]) => FederationProviderRegistry
  beforeEach(async () => {
    fed = await startTestFederation()
    await fed.entity('ta', { trustMarkIssuers: { [TYPE]: ['ta', 'tmi'] } })
    await fed.entity('tmi', { hints: ['ta'] })
    await fed.entity('rogue', {})
    fed.statement('ta', 'tmi')
    await fed.entity('op')
    await fed.entity('op', { hints: ['ta'], metadata: opMetadata(), trustMarks: [{ type: TYPE, issuer: 'ta' }] })
    fed.statement('ta', 'op')
    registryFor = (required) => new FederationProviderRegistry({ ...registryOptions(fed), logger: silentLogger, requiredTrustMarks: required })
  })
  after(async () => fed?.close())

  const opMetadata = () => {
    const op = fed.id('op')
    return { [OP]: { issuer: op, authorization_endpoint: `${op}/auth`, token_endpoint: `${op}/token`, userinfo_endpoint: `${op}/me`, jwks: fed.jwksOf('op') } }
  }
  const chainOf = async () =>
    resolveTrustChain(fed.id('op'), {
      anchors: [{ entityId: fed.id('ta'), jwks: fed.jwksOf('ta') }],
      fetch: createOpFetch({ timeout: 2000, maxBytes: 1 << 16 }),
      now: Math.floor(Date.now() / 1000),
      clockTolerance: 60,
    })
  const verify = async () => {
    const chain = await chainOf()
    return verifyTrustMarks({
      subject: chain.subject,
      anchor: chain.anchor,
      issuerKeys: async (iss) => (iss === chain.anchor.sub ? chain.anchor.jwks : iss === fed.id('tmi') ? fed.jwksOf('tmi') : fed.jwksOf('rogue')),
      now: Math.floor(Date.now() / 1000),
      clockTolerance: 60,
    })
  }

  it('accepts a mark issued by a listed issuer, under trust_mark_type or the registries’ older id', async () => {
    assert.deepEqual(
      (await verify()).valid.map((m) => m.type),
      [TYPE],
    )
    await fed.entity('op', { hints: ['ta'], metadata: opMetadata(), trustMarks: [{ type: TYPE, issuer: 'tmi', claim: 'id' }] })
    const result = await verify()
    assert.deepEqual(
      result.valid.map((m) => [m.type, m.issuer]),
      [[TYPE, fed.id('tmi')]],
    )
    await fed.close()
  })

  it('refuses a mark from an issuer the anchor does not list, an expired one, and one of the wrong typ', async () => {
    await fed.entity('op', {
      hints: ['ta'],
      trustMarks: [
        { type: TYPE, issuer: 'rogue' },
        { type: TYPE, issuer: 'ta', lifetime: -3600 },
        { type: TYPE, issuer: 'ta', typ: 'JWT' },
      ],
    })
    const { valid, refused } = await verify()
    assert.deepEqual(valid, [])
    assert.match(refused[0] as string, /\/rogue is not among the anchor's trust_mark_issuers/)
    assert.match(refused[1] as string, /it has expired/)
    assert.match(refused[2] as string, /typ/)
    await fed.close()
  })

  it('refuses a mark issued in the future, beyond the clock tolerance, and accepts one within it', async () => {
    const year = 365 * 24 * 3600
    await fed.entity('op', {
      hints: ['ta'],
      trustMarks: [
        { type: TYPE, issuer: 'ta', issuedIn: year },
        { type: TYPE, issuer: 'ta', issuedIn: 30 },
      ],
    })
    const { valid, refused } = await verify()
    assert.equal(valid.length, 1, 'the mark 30 s ahead is within the 60 s tolerance')
    assert.equal(refused.length, 1)
    assert.match(refused[0] as string, /iat \d+ is in the future \(beyond the 60 s clock tolerance\)/)
    await fed.close()
  })

  it('refuses an OP without a required valid trust mark, and says why', async () => {
    const resolved = await registryFor([TYPE]).resolve(fed.id('op'))
    assert.equal(resolved.source, 'trust-chain', 'a valid mark from the anchor')
    await fed.entity('op', { hints: ['ta'], metadata: opMetadata(), trustMarks: [{ type: TYPE, issuer: 'ta', lifetime: -3600 }] })
    await assert.rejects(
      registryFor([TYPE]).resolve(fed.id('op')),
      /no valid trust mark of type https:\/\/registry\.example\.it\/openid_provider\/public\/ \(trust mark .* it has expired\)/,
    )
    assert.equal((await registryFor([]).resolve(fed.id('op'))).config.issuer, fed.id('op'), 'not required: the OP is accepted')
    await fed.close()
  })
})

describe('metadata policy over a real chain', () => {
  let fed: TestFederation
  const registry = () => new FederationProviderRegistry({ ...registryOptions(fed), logger: silentLogger })
  beforeEach(async () => {
    fed = await startTestFederation()
    await fed.entity('ta')
    await fed.entity('int', { hints: ['ta'] })
    await fed.entity('op')
    const op = fed.id('op')
    await fed.entity('op', {
      hints: ['int'],
      metadata: {
        [OP]: {
          issuer: op,
          authorization_endpoint: `${op}/auth`,
          token_endpoint: `${op}/token`,
          userinfo_endpoint: `${op}/me`,
          jwks: fed.jwksOf('op'),
          id_token_signing_alg_values_supported: ['RS256', 'HS256'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
        },
      },
    })
    fed.statement('int', 'op')
  })
  after(async () => fed?.close())

  const refusal = async (taPolicy: Record<string, unknown>, intPolicy?: Record<string, unknown>) => {
    fed.statement('ta', 'int', { metadata_policy: { [OP]: taPolicy as never } })
    if (intPolicy) fed.statement('int', 'op', { metadata_policy: { [OP]: intPolicy as never } })
    try {
      await registry().resolve(fed.id('op'))
    } catch (error) {
      return `${(error as { code?: string }).code}: ${(error as Error).message}`
    } finally {
      await fed.close()
    }
    return 'resolved'
  }

  it('applies the merged policy: subset_of narrows what the OP may use', async () => {
    fed.statement('ta', 'int', { metadata_policy: { [OP]: { id_token_signing_alg_values_supported: { subset_of: ['RS256', 'RS512'] } } } })
    const resolved = await registry().resolve(fed.id('op'))
    assert.deepEqual(resolved.metadata.id_token_signing_alg_values_supported, ['RS256'])
    await fed.close()
  })

  it('refuses a value outside one_of', async () => {
    fed.statement('int', 'op', { metadata: { [OP]: { token_endpoint_auth_method: 'client_secret_basic' } } })
    assert.match(
      await refusal({ token_endpoint_auth_method: { one_of: ['private_key_jwt'] } }),
      /^ERR_SPID_METADATA_POLICY: .*token_endpoint_auth_method: "client_secret_basic" is not one of \["private_key_jwt"\]/,
    )
  })

  it('refuses a missing essential parameter', async () => {
    assert.match(await refusal({ op_policy_uri: { essential: true } }), /^ERR_SPID_METADATA_POLICY: .*op_policy_uri: is essential and missing/)
  })

  it('refuses policies of the anchor and the intermediate that conflict', async () => {
    assert.match(
      await refusal(
        { token_endpoint_auth_methods_supported: { subset_of: ['private_key_jwt'] } },
        { token_endpoint_auth_methods_supported: { superset_of: ['tls_client_auth'] } },
      ),
      /^ERR_SPID_METADATA_POLICY: .*"subset_of" must be a superset of "superset_of"/,
    )
  })

  it('refuses an OP whose metadata breaks superset_of', async () => {
    assert.match(
      await refusal({ id_token_signing_alg_values_supported: { superset_of: ['ES256'] } }),
      /^ERR_SPID_METADATA_POLICY: .*id_token_signing_alg_values_supported: .* must contain every value of \["ES256"\]/,
    )
  })
})

describe('trust chains shared between instances through Redis', () => {
  let fed: TestFederation
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>
  let client: Awaited<ReturnType<typeof inspector>>
  before(async () => {
    redis = await startPrivateRedis()
    client = await inspector(redis.url)
  })
  after(async () => {
    await client.close()
    await redis.stop()
  })
  beforeEach(async () => {
    fed = await startTestFederation()
    await fed.entity('ta')
    await fed.entity('op')
    const op = fed.id('op')
    await fed.entity('op', {
      hints: ['ta'],
      metadata: {
        [OP]: { issuer: op, authorization_endpoint: `${op}/auth`, token_endpoint: `${op}/token`, userinfo_endpoint: `${op}/me`, jwks: fed.jwksOf('op') },
      },
    })
    fed.statement('ta', 'op')
  })
  const instance = (logger = silentLogger) => new FederationProviderRegistry({ ...registryOptions(fed), logger, sharedCache: redisChainCache(client) })

  it('resolves once for every instance: the second makes no federation request, and the key expires with the chain', async () => {
    const a = instance()
    await a.resolve(fed.id('op'))
    const afterFirst = fed.requests.length
    assert.equal(afterFirst, 3)
    const b = instance()
    assert.equal((await b.resolve(fed.id('op'))).source, 'trust-chain')
    assert.equal(fed.requests.length, afterFirst, 'the second instance verified the shared chain instead of fetching it')
    const ttl = await client.ttl(`spid:fed:${fed.id('op')}`)
    assert.ok(ttl > 3500 && ttl <= 3600, `ttl ${ttl}`)
    await fed.close()
  })

  it('never trusts a shared chain it cannot verify: a forged one is refused and the chain resolved again', async () => {
    await instance().resolve(fed.id('op'))
    const key = `spid:fed:${fed.id('op')}`
    const statements = JSON.parse((await client.get(key)) as string) as string[]
    // Another instance's cache entry, altered: the anchor's statement about the OP now claims other keys.
    const [header, payload, signature] = (statements[1] as string).split('.')
    const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString())
    claims.jwks = await fed.foreignJwks()
    statements[1] = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.')
    await client.set(key, JSON.stringify(statements))
    const logger = captureLogger()
    const before = fed.requests.length
    assert.equal((await instance(logger).resolve(fed.id('op'))).config.issuer, fed.id('op'))
    assert.ok(fed.requests.length > before, 'resolved again over HTTP')
    assert.ok(logger.lines.some((l) => (l.obj as { event?: string }).event === 'federation.shared_chain_refused'))
    await fed.close()
  })
})
