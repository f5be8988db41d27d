import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { describe, it } from 'node:test'
import { SPID_L2, SpidConfigError, generateDevKeys } from '../../../src/index.ts'
import { resolveOptions } from '../../../src/options/resolve-options.ts'
import { silentLogger } from '../../../src/log/logger.ts'

const keys = generateDevKeys()
const valid = { clientId: 'https://rp.example.it', keys, providers: ['https://op.example.it'], logger: silentLogger }

function problems(input: unknown): readonly string[] {
  try {
    resolveOptions(input as never)
  } catch (error) {
    assert.ok(error instanceof SpidConfigError)
    assert.equal(error.code, 'ERR_SPID_CONFIG_INVALID')
    return error.problems
  }
  assert.fail('expected a SpidConfigError')
}

describe('resolveOptions', () => {
  it('applies documented defaults', () => {
    const o = resolveOptions(valid)
    assert.equal(o.redirectUri, 'https://rp.example.it/auth/spid/callback')
    assert.equal(o.defaultLevel, SPID_L2)
    assert.equal(o.prompt, 'consent login')
    assert.equal(o.signingAlg, 'RS256')
    assert.deepEqual(o.providers, [{ issuer: 'https://op.example.it', id: 'https://op.example.it', name: undefined, profile: 'spid' }])
    assert.equal(o.clientName, 'rp.example.it')
    assert.ok(Object.isFrozen(o))
    assert.equal(o.keys.signing.kid, keys.signing.kid)
    assert.equal(o.keys.encryption.publicJwk.use, 'enc')
    assert.equal(o.keys.signing.publicJwk.d, undefined, 'public JWKs carry no private part')
  })

  it('lists every problem at once, each with its path', () => {
    const list = problems({
      clientId: 'http://rp.example.it/',
      keys: { ...keys, signing: 'not a key' },
      providers: [],
      defaultLevel: 7,
      requestObjectTtl: 3600,
      surprise: true,
    })
    const text = list.join('\n')
    for (const path of ['clientId:', 'keys.signing:', 'providers:', 'defaultLevel:', 'requestObjectTtl:', '(options):']) {
      assert.ok(text.includes(path), `mentions ${path} in:\n${text}`)
    }
    assert.ok(list.length >= 6)
  })

  it('requires https, except for loopback hosts outside production', () => {
    assert.doesNotThrow(() => resolveOptions({ ...valid, clientId: 'http://localhost:3000', providers: ['http://127.0.0.1:4000'] }))
    assert.match(problems({ ...valid, clientId: 'http://rp.example.it' }).join(), /clientId: must be an https URL/)
    assert.match(problems({ ...valid, providers: ['https://op.example.it?x=1'] }).join(), /providers\[0\]: must have no query/)
    const previous = process.env.NODE_ENV
    process.env.NODE_ENV = 'production'
    try {
      assert.match(problems({ ...valid, clientId: 'http://localhost:3000' }).join(), /must be https in production/)
    } finally {
      process.env.NODE_ENV = previous
    }
  })

  it('refuses a clientId with a trailing slash, query or fragment, saying what to use instead', () => {
    assert.match(problems({ ...valid, clientId: 'https://rp.example.it/' }).join(), /clientId: must not end with "\/": use "https:\/\/rp\.example\.it"/)
    assert.match(
      problems({ ...valid, clientId: 'https://rp.example.it/spid/' }).join(),
      /clientId: must not end with "\/": use "https:\/\/rp\.example\.it\/spid"/,
    )
    assert.match(problems({ ...valid, clientId: 'https://rp.example.it?a=1' }).join(), /clientId: must have no query or fragment/)
    assert.match(problems({ ...valid, clientId: 'https://rp.example.it#top' }).join(), /clientId: must have no query or fragment/)
    // An entity id with a path is valid in OpenID Federation: its URLs are served under that path.
    assert.doesNotThrow(() => resolveOptions({ ...valid, clientId: 'https://rp.example.it/spid' }))
  })

  it('refuses RSA keys under 2048 bits (F9) and duplicate providers (R1)', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
    assert.match(problems({ ...valid, keys: { ...keys, encryption: small } }).join(), /keys.encryption: RSA keys need at least 2048 bits/)
    assert.match(problems({ ...valid, providers: ['https://op.example.it', { issuer: 'https://op.example.it', id: 'op' }] }).join(), /names two providers/)
  })

  it('checks the encryption key against the registered JWE algorithms', () => {
    const ec = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kty: 'EC' }
    assert.match(
      problems({ ...valid, userinfoEncryption: { alg: 'ECDH-ES', enc: 'A256CBC-HS512' } }).join(),
      /keys\.encryption: ECDH-ES needs an EC \(P-256\) encryption key \(got rsa\)/,
    )
    assert.match(problems({ ...valid, keys: { ...keys, encryption: ec } }).join(), /keys\.encryption: RSA-OAEP-256 needs an RSA encryption key \(got ec\)/)
    assert.match(
      problems({ ...valid, idTokenEncryption: { alg: 'RSA-OAEP', enc: 'A256CBC-HS512' } }).join(),
      /idTokenEncryption\.alg: must be the userinfoEncryption alg \(RSA-OAEP-256\)/,
    )
    const o = resolveOptions({ ...valid, keys: { ...keys, encryption: ec }, userinfoEncryption: { alg: 'ECDH-ES+A128KW', enc: 'A128CBC-HS256' } })
    assert.equal(o.keys.encryption.publicJwk.alg, 'ECDH-ES+A128KW')
  })

  it('accepts PEM keys and computes a kid', () => {
    const pem = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
    const o = resolveOptions({ ...valid, keys: { federation: pem(), signing: pem(), encryption: pem() } })
    assert.match(o.keys.signing.kid, /^[\w-]{43}$/)
  })
})
