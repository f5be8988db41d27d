import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SpidConfigError, generateDevKeys } from '../../../src/index.ts'
import { entityConfigurationClaims } from '../../../src/federation/entity-configuration.ts'
import { silentLogger } from '../../../src/log/logger.ts'
import { resolveOptions } from '../../../src/options/resolve-options.ts'

const current = generateDevKeys()
const next = generateDevKeys()
const old = generateDevKeys()
const base = { clientId: 'https://rp.example.it', providers: ['https://op.example.it'], logger: silentLogger }

function problems(keys: unknown): string {
  try {
    resolveOptions({ ...base, keys } as never)
  } catch (error) {
    assert.ok(error instanceof SpidConfigError)
    return error.problems.join('\n')
  }
  assert.fail('expected a SpidConfigError')
}

describe('RP keys', () => {
  it('refuses one key in two roles, naming both places (rule F2)', () => {
    assert.match(problems({ ...current, signing: current.federation }), /keys\.federation and keys\.signing are the same key/)
    assert.match(
      problems({ ...current, encryption: { current: current.encryption, next: current.signing } }),
      /keys\.signing and keys\.encryption\.next are the same key/,
    )
  })

  it('refuses two keys under one kid', () => {
    const twin = { ...next.signing, kid: current.signing.kid }
    assert.match(problems({ ...current, signing: { current: current.signing, next: twin } }), /same kid/)
  })

  it('names the rollover slot of an unreadable key, and refuses unknown slots', () => {
    assert.match(problems({ ...current, signing: { current: current.signing, next: 'not a key' } }), /keys\.signing\.next: is not a readable private key/)
    assert.match(problems({ ...current, signing: { current: current.signing, later: next.signing } }), /keys\.signing\.later: is not current, next or previous/)
    assert.match(problems({ ...current, signing: { next: next.signing } }), /keys\.signing\.current: is not a readable private key/)
  })
})

describe('RP key rollover', () => {
  const options = resolveOptions({
    ...base,
    keys: {
      federation: { current: current.federation, next: next.federation },
      signing: { current: current.signing, next: next.signing, previous: old.signing },
      encryption: { current: current.encryption, previous: old.encryption },
    },
  })

  it('signs with the current key of each role', () => {
    assert.equal(options.keys.federation.kid, current.federation.kid)
    assert.equal(options.keys.signing.kid, current.signing.kid)
    assert.equal(options.keys.encryption.kid, current.encryption.kid)
  })

  it('publishes current, next and previous keys in the entity configuration, current first', () => {
    const claims = entityConfigurationClaims(options, 1_800_000_000) as {
      jwks: { keys: { kid: string }[] }
      metadata: { openid_relying_party: { jwks: { keys: { kid: string; use: string }[] } } }
    }
    assert.deepEqual(
      claims.jwks.keys.map((k) => k.kid),
      [current.federation.kid, next.federation.kid],
    )
    assert.deepEqual(
      claims.metadata.openid_relying_party.jwks.keys.map((k) => [k.kid, k.use]),
      [
        [current.signing.kid, 'sig'],
        [next.signing.kid, 'sig'],
        [old.signing.kid, 'sig'],
        [current.encryption.kid, 'enc'],
        [old.encryption.kid, 'enc'],
      ],
    )
    for (const key of [...claims.jwks.keys, ...claims.metadata.openid_relying_party.jwks.keys]) assert.equal('d' in key, false)
  })
})
