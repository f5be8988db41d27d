import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose'
import { startStack, type Stack } from '../fixtures/stack.ts'

describe('RP entity configuration (rules F1-F4)', () => {
  let stack: Stack
  before(async () => {
    stack = await startStack()
  })
  after(async () => {
    await stack.close()
  })

  it('is a self-signed entity statement with the RP metadata', async () => {
    const res = await fetch(`${stack.appUrl}/.well-known/openid-federation`)
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type')?.split(';')[0], 'application/entity-statement+jwt')
    const jwt = await res.text()
    const header = decodeProtectedHeader(jwt)
    assert.equal(header.typ, 'entity-statement+jwt')
    assert.equal(header.kid, stack.keys.federation.kid)
    const claims = decodeJwt(jwt)
    const { payload } = await jwtVerify(jwt, createLocalJWKSet(claims.jwks as never), { issuer: stack.appUrl, subject: stack.appUrl })
    assert.ok((payload.exp as number) > (payload.iat as number))
    const jwks = (payload.jwks as { keys: { kid: string; d?: string }[] }).keys
    assert.deepEqual(
      jwks.map((k) => k.kid),
      [stack.keys.federation.kid],
      'federation key only, distinct from core keys',
    )
    assert.ok(
      jwks.every((k) => k.d === undefined),
      'no private key material',
    )
    const rp = (payload.metadata as { openid_relying_party: Record<string, unknown> }).openid_relying_party
    assert.equal(rp.client_id, stack.appUrl)
    assert.deepEqual(rp.client_registration_types, ['automatic'])
    assert.deepEqual(rp.redirect_uris, [`${stack.appUrl}/auth/spid/callback`])
    assert.deepEqual(rp.response_types, ['code'])
    assert.deepEqual(rp.grant_types, ['authorization_code', 'refresh_token'])
    assert.equal(rp.token_endpoint_auth_method, 'private_key_jwt')
    assert.equal(rp.id_token_signed_response_alg, 'RS256')
    assert.equal(rp.userinfo_signed_response_alg, 'RS256')
    assert.equal(rp.userinfo_encrypted_response_alg, 'RSA-OAEP-256')
    assert.equal(rp.userinfo_encrypted_response_enc, 'A256CBC-HS512')
    assert.equal(rp.client_name, 'Servizi online — esempio')
    assert.deepEqual(rp.contacts, ['esempio@pec.example.it'])
    const core = (rp.jwks as { keys: { kid: string; use: string; d?: string }[] }).keys
    assert.deepEqual(
      core.map((k) => [k.kid, k.use]),
      [
        [stack.keys.signing.kid, 'sig'],
        [stack.keys.encryption.kid, 'enc'],
      ],
    )
    assert.ok(core.every((k) => k.d === undefined))
    assert.deepEqual(payload.authority_hints, [])
    assert.equal(rp.signed_jwks_uri, `${stack.appUrl}/openid_relying_party/jwks.jose`)
  })

  it('serves the core keys as a jwk-set+jwt signed with the federation key at signed_jwks_uri', async () => {
    const res = await fetch(`${stack.appUrl}/openid_relying_party/jwks.jose`)
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type')?.split(';')[0], 'application/jwk-set+jwt')
    const jwt = await res.text()
    const federation = stack.app.strategy.options.keys.federation.publicJwk
    const { payload, protectedHeader } = await jwtVerify(jwt, createLocalJWKSet({ keys: [federation] }), {
      issuer: stack.appUrl,
      subject: stack.appUrl,
      typ: 'jwk-set+jwt',
    })
    assert.equal(protectedHeader.kid, federation.kid)
    assert.deepEqual(
      (payload.keys as { kid: string }[]).map((k) => k.kid),
      [stack.keys.signing.kid, stack.keys.encryption.kid],
    )
  })
})
