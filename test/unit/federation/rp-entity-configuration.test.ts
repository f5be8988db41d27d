import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { afterEach, describe, it } from 'node:test'
import { SignJWT } from 'jose'
import { SpidConfigError, generateDevKeys } from '../../../src/index.ts'
import { checkRpEntityConfiguration } from '../../../src/federation/check-rp-entity-configuration.ts'
import { entityConfigurationClaims } from '../../../src/federation/entity-configuration.ts'
import { resolveOptions } from '../../../src/options/resolve-options.ts'
import { captureLogger } from '../../fixtures/stack.ts'

const clientId = 'https://rp.example.it'
const keys = generateDevKeys()
const complete = {
  clientId,
  keys,
  providers: ['https://op.example.it'],
  authorityHints: ['https://registry.spid.gov.it'],
  organizationName: 'Comune di Esempio',
  homepageUri: 'https://rp.example.it',
  policyUri: 'https://rp.example.it/privacy',
  logoUri: 'https://rp.example.it/logo.svg',
  contacts: ['protocollo@pec.example.it'],
}
const markKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
const now = () => Math.floor(Date.now() / 1000)

function trustMark(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT({ iss: 'https://registry.spid.gov.it', sub: clientId, iat: now(), exp: now() + 86400, ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'trust-mark+jwt' })
    .sign(markKey)
}

function startUpProblems(options: object): string[] {
  try {
    resolveOptions({ ...options, logger: captureLogger() } as never)
  } catch (error) {
    assert.ok(error instanceof SpidConfigError, String(error))
    return [...error.problems]
  }
  return []
}

const production = () => {
  process.env.NODE_ENV = 'production'
}
const previousEnv = process.env.NODE_ENV
afterEach(() => {
  if (previousEnv === undefined) delete process.env.NODE_ENV
  else process.env.NODE_ENV = previousEnv
})

describe('RP entity configuration at start-up', () => {
  it('is complete with every member configured: no problem, no warning', () => {
    production()
    const logger = captureLogger()
    const options = resolveOptions({ ...complete, logger })
    assert.deepEqual(checkRpEntityConfiguration(entityConfigurationClaims(options, now()), clientId), [])
    // Only the (unrelated) production warning about a missing audit sink.
    assert.deepEqual(
      logger.lines.map((l) => (l.obj as { event?: string }).event),
      ['config.no_audit'],
    )
  })

  for (const [option, member] of [
    ['authorityHints', 'authority_hints'],
    ['organizationName', 'metadata.federation_entity.organization_name'],
    ['homepageUri', 'metadata.federation_entity.homepage_uri'],
    ['policyUri', 'metadata.federation_entity.policy_uri'],
    ['logoUri', 'metadata.federation_entity.logo_uri'],
    ['contacts', 'metadata.federation_entity.contacts'],
  ] as const) {
    it(`refuses to start in production without ${option} (${member})`, () => {
      production()
      const { [option]: _left, ...rest } = complete
      const found = startUpProblems(rest)
      assert.equal(found.length, 1, found.join('\n'))
      assert.ok(found[0]?.startsWith(`${option}: ${member} `), found[0])
    })
  }

  it('refuses an empty authority_hints list in production, and only warns in development', () => {
    production()
    assert.match(startUpProblems({ ...complete, authorityHints: [] }).join(), /authorityHints: authority_hints is empty/)
    delete process.env.NODE_ENV
    const logger = captureLogger()
    resolveOptions({ ...complete, authorityHints: [], homepageUri: undefined, logger })
    const warning = logger.lines.find((l) => (l.obj as { event?: string }).event === 'config.entity_configuration_incomplete')
    assert.deepEqual((warning?.obj as { problems?: string[] } | undefined)?.problems, [
      'authorityHints: authority_hints is empty: name the federation superior (https://registry.spid.gov.it for SPID) the registry will find this RP under',
      'homepageUri: metadata.federation_entity.homepage_uri is missing',
    ])
  })

  it('publishes trust marks under trust_mark_type or the older id, as given', async () => {
    const newer = { trust_mark_type: 'https://registry.spid.gov.it/openid_relying_party/public/', trust_mark: '' }
    newer.trust_mark = await trustMark({ trust_mark_type: newer.trust_mark_type })
    const older = { id: 'https://registry.spid.gov.it/openid-federation/agreement/sp-public', trust_mark: '' }
    older.trust_mark = await trustMark({ id: older.id })
    const options = resolveOptions({ ...complete, trustMarks: [newer, older], logger: captureLogger() })
    assert.deepEqual(entityConfigurationClaims(options, now()).trust_marks, [newer, older])
  })

  it('refuses a trust mark about another entity, of another type, or without a type', async () => {
    const type = 'https://registry.spid.gov.it/openid_relying_party/public/'
    const other = await trustMark({ trust_mark_type: type, sub: 'https://other.example.it' })
    assert.match(
      startUpProblems({ ...complete, trustMarks: [{ trust_mark_type: type, trust_mark: other }] }).join(),
      /is about https:\/\/other\.example\.it, not this RP/,
    )
    const private_ = await trustMark({ trust_mark_type: 'https://registry.spid.gov.it/openid_relying_party/private/' })
    assert.match(
      startUpProblems({ ...complete, trustMarks: [{ trust_mark_type: type, trust_mark: private_ }] }).join(),
      /filed as .*public\/, but the JWT says .*private\//,
    )
    assert.match(startUpProblems({ ...complete, trustMarks: [{ trust_mark: private_ }] }).join(), /trustMarks\[0\]: needs trust_mark_type \(or the older id\)/)
  })

  it('logs an expired trust mark as an error, and still starts', async () => {
    const type = 'https://registry.spid.gov.it/openid_relying_party/public/'
    const expired = await trustMark({ trust_mark_type: type, iat: now() - 7200, exp: now() - 3600 })
    const logger = captureLogger()
    resolveOptions({ ...complete, trustMarks: [{ trust_mark_type: type, trust_mark: expired }], logger })
    const line = logger.lines.find((l) => (l.obj as { event?: string }).event === 'config.trust_mark_expired')
    assert.equal(line?.level, 'error')
    assert.match(line?.msg ?? '', /expired on .*ask the registry for a new one/)
  })
})

describe('checkRpEntityConfiguration on a fetched configuration', () => {
  const options = resolveOptions({ ...complete, logger: captureLogger() })
  type Jwks = { keys: Record<string, unknown>[] }
  type Claims = {
    jwks: Jwks
    metadata: { federation_entity: Record<string, unknown>; openid_relying_party: Record<string, unknown> & { jwks: Jwks } }
  }
  const good = () => structuredClone(entityConfigurationClaims(options, now())) as unknown as Claims
  const members = (claims: Claims) => checkRpEntityConfiguration(claims as unknown as Record<string, unknown>, clientId).map((p) => `${p.member}: ${p.message}`)

  it('refuses private key material, small RSA keys and repeated kids in a published set', () => {
    const claims = good()
    claims.jwks.keys.push({ ...keys.federation, kid: 'leaked' })
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' })
    claims.metadata.openid_relying_party.jwks.keys.push({ ...small, kid: claims.metadata.openid_relying_party.jwks.keys[0]?.kid, use: 'sig' })
    const found = members(claims).join('\n')
    assert.match(found, /jwks\.keys\[1\]: carries private key material/)
    assert.match(found, /openid_relying_party\.jwks\.keys\[2\]: repeats kid/)
    assert.match(found, /openid_relying_party\.jwks\.keys\[2\]: RSA key of 1024 bits/)
  })

  it('refuses a federation key published as a core key', () => {
    const claims = good()
    claims.metadata.openid_relying_party.jwks.keys.push({ ...claims.jwks.keys[0], kid: 'fed-again', use: 'sig' })
    assert.match(members(claims).join('\n'), /publishes a federation key as a core key/)
  })

  it('refuses plain http outside loopback, and a client_id that is not the entity id', () => {
    const claims = good()
    claims.metadata.federation_entity.policy_uri = 'http://rp.example.it/privacy'
    claims.metadata.openid_relying_party.client_id = 'https://elsewhere.example.it'
    const found = members(claims).join('\n')
    assert.match(found, /policy_uri: http:\/\/rp\.example\.it\/privacy must be https/)
    assert.match(found, /client_id: must be the entity id/)
  })

  it('refuses an RP metadata without an encryption key', () => {
    const claims = good()
    claims.metadata.openid_relying_party.jwks.keys = claims.metadata.openid_relying_party.jwks.keys.filter((k) => k.use === 'sig')
    assert.match(members(claims).join('\n'), /has no encryption key/)
  })
})
