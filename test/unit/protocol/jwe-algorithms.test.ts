import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { describe, it } from 'node:test'
import { loadRpKey } from '../../../src/keys/rp-keys.ts'
import { captureLogger } from '../../fixtures/stack.ts'
import { chooseDecryptionKeys, noteJwePair, type JweExpectation } from '../../../src/protocol/jwe-algorithms.ts'

const rsa = loadRpKey(
  generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) as Record<string, unknown>,
  'enc',
  'RSA-OAEP-256',
)
const ec = loadRpKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as Record<string, unknown>, 'enc', 'ECDH-ES')
const header = (h: Record<string, unknown>) => `${Buffer.from(JSON.stringify(h)).toString('base64url')}.AA.AA.AA.AA`
const fail = (message: string) => new Error(message)
const rules = (key: typeof rsa, registered = { alg: key.alg, enc: 'A256CBC-HS512' }): JweExpectation => ({
  what: 'UserInfo',
  keys: [key],
  registered,
  mode: 'rules',
})

describe('chooseDecryptionKeys (rules U3, F9)', () => {
  it('accepts every listed pair for the key type, with the key the kid names', () => {
    for (const alg of ['RSA-OAEP', 'RSA-OAEP-256'])
      for (const enc of ['A128CBC-HS256', 'A256CBC-HS512']) {
        const choice = chooseDecryptionKeys(header({ alg, enc, kid: rsa.kid }), rules(rsa), fail)
        assert.deepEqual([choice.alg, choice.enc, choice.keys], [alg, enc, [rsa]])
      }
    for (const alg of ['ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW']) {
      assert.equal(chooseDecryptionKeys(header({ alg, enc: 'A128CBC-HS256', kid: ec.kid }), rules(ec), fail).alg, alg)
    }
  })

  it('refuses what the rules do not list, naming the header values and the allowed ones', () => {
    for (const [alg, enc] of [
      ['RSA1_5', 'A128CBC-HS256'],
      ['dir', 'A256CBC-HS512'],
      ['RSA-OAEP-256', 'A128GCM'],
      ['none', 'A128CBC-HS256'],
      ['ECDH-ES', 'A128CBC-HS256'],
    ]) {
      assert.throws(
        () => chooseDecryptionKeys(header({ alg, enc, kid: rsa.kid }), rules(rsa), fail),
        new Error(
          `UserInfo JWE uses alg "${alg}" and enc "${enc}"; allowed by the SPID/CIE rules for this key type (rules U3, F9): alg RSA-OAEP, RSA-OAEP-256 with enc A128CBC-HS256, A256CBC-HS512`,
        ),
      )
    }
    assert.throws(
      () => chooseDecryptionKeys(header({ alg: 'RSA-OAEP', enc: 'A128CBC-HS256', kid: ec.kid }), rules(ec), fail),
      /allowed .*: alg ECDH-ES, ECDH-ES\+A128KW, ECDH-ES\+A256KW/,
    )
  })

  it('registered mode: only the registered pair', () => {
    const registered: JweExpectation = { ...rules(rsa), mode: 'registered' }
    assert.equal(chooseDecryptionKeys(header({ alg: 'RSA-OAEP-256', enc: 'A256CBC-HS512', kid: rsa.kid }), registered, fail).alg, 'RSA-OAEP-256')
    assert.throws(
      () => chooseDecryptionKeys(header({ alg: 'RSA-OAEP', enc: 'A256CBC-HS512', kid: rsa.kid }), registered, fail),
      /uses alg "RSA-OAEP" and enc "A256CBC-HS512"; allowed by the registration \(jweAlgorithms: registered\): alg RSA-OAEP-256 with enc A256CBC-HS512/,
    )
  })

  it('refuses a kid that is not an RP key, naming it and the RP kids; an unreadable header says so', () => {
    assert.throws(
      () => chooseDecryptionKeys(header({ alg: 'RSA-OAEP', enc: 'A128CBC-HS256', kid: 'nope' }), rules(rsa), fail),
      new Error(`UserInfo JWE is encrypted to kid "nope", which is not an RP encryption key (kid "${rsa.kid}")`),
    )
    assert.throws(() => chooseDecryptionKeys('garbage', rules(rsa), fail), /^Error: UserInfo JWE header is not readable/)
  })
})

describe('noteJwePair', () => {
  it('warns once per strategy, OP and pair, never for the registered pair', () => {
    const logger = captureLogger()
    const scope = {}
    const registered = { alg: 'RSA-OAEP-256', enc: 'A256CBC-HS512' }
    for (let i = 0; i < 3; i++) {
      noteJwePair(scope, logger, 'https://op.a', 'UserInfo', { alg: 'RSA-OAEP', enc: 'A256CBC-HS512' }, registered)
      noteJwePair(scope, logger, 'https://op.a', 'UserInfo', registered, registered)
    }
    noteJwePair(scope, logger, 'https://op.a', 'ID token', { alg: 'RSA-OAEP', enc: 'A128CBC-HS256' }, registered)
    noteJwePair(scope, logger, 'https://op.b', 'UserInfo', { alg: 'RSA-OAEP', enc: 'A256CBC-HS512' }, registered)
    noteJwePair({}, logger, 'https://op.a', 'UserInfo', { alg: 'RSA-OAEP', enc: 'A256CBC-HS512' }, registered)
    const warned = logger.lines.map((l) => l.obj as { issuer: string; alg: string; enc: string })
    assert.deepEqual(
      warned.map((w) => `${w.issuer} ${w.alg} ${w.enc}`),
      [
        'https://op.a RSA-OAEP A256CBC-HS512',
        'https://op.a RSA-OAEP A128CBC-HS256',
        'https://op.b RSA-OAEP A256CBC-HS512',
        'https://op.a RSA-OAEP A256CBC-HS512',
      ],
    )
    assert.ok(logger.lines.every((l) => l.level === 'warn' && (l.obj as { event: string }).event === 'interop.jwe_algorithms_differ'))
  })
})
