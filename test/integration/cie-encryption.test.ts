/**
 * CIE id encryption (rules I5, U3): ID tokens as JWE(JWS) when the RP registers
 * `id_token_encrypted_response_*`, with RSA-OAEP-256 and with ECDH-ES on an EC key, UserInfo
 * likewise; a signed-only ID token is refused once encryption is registered.
 */
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { SignJWT, decodeJwt, decodeProtectedHeader, importJWK } from 'jose'
import { generateDevKeys } from '../../src/index.ts'
import { login, me } from '../fixtures/login.ts'
import { startStack, type Stack } from '../fixtures/stack.ts'
import { startTamperingProxy } from '../fixtures/tampering-proxy.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

const ecEncryptionKey = () => ({ ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kty: 'EC' })

for (const [name, alg, encryptionKey] of [
  ['RSA-OAEP-256', 'RSA-OAEP-256', undefined],
  ['ECDH-ES on an EC key', 'ECDH-ES', ecEncryptionKey()],
  ['ECDH-ES+A256KW on an EC key', 'ECDH-ES+A256KW', ecEncryptionKey()],
] as const) {
  describe(`CIE id with encrypted ID tokens and UserInfo (${name})`, () => {
    let stack: Stack
    let proxy: Awaited<ReturnType<typeof startTamperingProxy>>
    const idTokens: string[] = []

    before(async () => {
      proxy = await startTamperingProxy()
      const keys = generateDevKeys()
      stack = await startStack({
        op: { issuer: proxy.url, profile: 'cie' },
        app: {
          strategy: {
            providers: [{ issuer: proxy.url, id: 'cie', profile: 'cie' }],
            ...(encryptionKey ? { keys: { ...keys, encryption: encryptionKey } } : {}),
            userinfoEncryption: { alg, enc: 'A256CBC-HS512' },
            idTokenEncryption: { alg, enc: 'A256CBC-HS512' },
          },
        },
      })
      proxy.forwardTo(stack.op.server)
    })
    after(async () => {
      await stack.close()
      await proxy.close()
    })

    it('registers the encryption, receives a nested JWE(JWS) ID token, and logs in', async () => {
      const ec = decodeJwt(await (await fetch(`${stack.appUrl}/.well-known/openid-federation`)).text()) as {
        metadata: { openid_relying_party: Record<string, unknown> }
      }
      assert.equal(ec.metadata.openid_relying_party.id_token_encrypted_response_alg, alg)
      proxy.rewrite('/token', (response) => {
        idTokens.push(JSON.parse(response.body).id_token)
        return response
      })
      const ua = new UserAgent()
      const done = await login(ua, stack.appUrl, 'idp=cie&level=2')
      assert.equal(done.status, 302, done.body.slice(0, 300))
      const header = decodeProtectedHeader(idTokens[0] as string)
      assert.equal(String(idTokens[0]).split('.').length, 5, 'the ID token is a JWE')
      assert.deepEqual([header.alg, header.enc, header.cty], [alg, 'A256CBC-HS512', 'JWT'])
      assert.equal((await me(ua, stack.appUrl)).authenticated, true)
    })

    it('refuses a signed-only ID token once encryption is registered', async () => {
      const opKey = (await importJWK(stack.op.signingKey, 'RS256')) as CryptoKey
      // What an OP ignoring the registration would send: the same claims, signed, not encrypted.
      let claims: Record<string, unknown> | undefined
      proxy.rewrite('/token', async (response) => {
        const body = JSON.parse(response.body)
        const { plaintext } = await import('jose').then(async (jose) => ({
          plaintext: await jose
            .compactDecrypt(body.id_token, stack.app.strategy.options.keys.encryption.privateKey)
            .then((r) => new TextDecoder().decode(r.plaintext)),
        }))
        claims = decodeJwt(plaintext) as Record<string, unknown>
        body.id_token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: stack.op.signingKey.kid as string }).sign(opKey)
        return { ...response, body: JSON.stringify(body) }
      })
      const ua = new UserAgent()
      const hop = await login(ua, stack.appUrl, 'idp=cie&level=2')
      assert.ok(claims, 'the proxy saw the encrypted ID token')
      assert.equal(hop.status, 502, hop.body.slice(0, 300))
      assert.equal(JSON.parse(hop.body).code, 'ERR_SPID_ID_TOKEN_INVALID')
      assert.equal((await me(ua, stack.appUrl)).authenticated, false)
    })
  })
}
