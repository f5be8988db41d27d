/**
 * Every refusal names its cause: the message of the logged failure says which claim is missing or
 * wrong and what was expected, which alg or kid and what is allowed; the original error is kept
 * (logged as `cause`: name, code and message only, never the claims it carries). The real test OP
 * runs the flow; the tampering proxy makes it misbehave where oidc-provider never would.
 */
import assert from 'node:assert/strict'
import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import { CompactEncrypt, SignJWT, importJWK, type JWK } from 'jose'
import { login } from '../fixtures/login.ts'
import { useTamperedStack } from '../fixtures/tampered-stack.ts'
import { resignIdToken } from '../fixtures/tampering-proxy.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

describe('refusals name their cause', () => {
  const env = useTamperedStack()

  /** Logs in, expects the code, and returns the logged failure line. */
  async function refusal(code: string) {
    const mark = env.stack.logger.lines.length
    const hop = await login(new UserAgent(), env.stack.appUrl, 'level=2')
    assert.equal(JSON.parse(hop.body).code, code, hop.body.slice(0, 300))
    const line = env.stack.logger.lines.slice(mark).find((l) => (l.obj as { event?: string }).event === 'login.failed')
    assert.ok(line, 'the failure is logged')
    return line as { obj: { cause?: { name: string; code?: string; message: string }[] }; msg: string | undefined }
  }

  /** What the OP's UserInfo would be, signed with the OP key after `change`, encrypted to the RP. */
  function rewriteUserinfo(change: (claims: Record<string, unknown>) => void) {
    const rpEncryptionKey = createPublicKey({ key: env.stack.keys.encryption as never, format: 'jwk' })
    env.proxy.rewrite('/me', async (response) => {
      const claims: Record<string, unknown> = {
        iss: env.proxy.url,
        aud: env.stack.appUrl,
        iat: Math.floor(Date.now() / 1000),
        exp: Math.floor(Date.now() / 1000) + 300,
        jti: randomUUID(),
        sub: 'whoever',
        given_name: 'Ada',
      }
      change(claims)
      const signed = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: env.stack.op.signingKey.kid as string }).sign(env.opKey)
      const body = await new CompactEncrypt(new TextEncoder().encode(signed))
        .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256CBC-HS512', cty: 'JWT', kid: env.stack.keys.encryption.kid })
        .encrypt(rpEncryptionKey)
      return { status: 200, headers: { ...response.headers, 'content-type': 'application/jwt' }, body }
    })
  }

  describe('the token response (ERR_SPID_TOKEN_RESPONSE_INVALID, rule T4), not an ID token error', () => {
    for (const [what, body, message] of [
      ['null (check-rp crashing mid-test)', 'null', 'the token response body is null, not a JSON object'],
      ['empty', '', 'the token response body is empty'],
      ['not JSON', '<html>oops</html>', 'the token response body is not JSON'],
      ['a JSON array', '[]', 'the token response body is an array, not a JSON object'],
      ['without access_token', JSON.stringify({ token_type: 'Bearer', id_token: 'x.y.z' }), 'the token response has no access_token (rule T4)'],
    ] as const) {
      it(`${what}: "${message}"`, async () => {
        env.proxy.rewrite('/token', (response) => ({ ...response, status: 200, body }))
        assert.equal((await refusal('ERR_SPID_TOKEN_RESPONSE_INVALID')).msg, message)
      })
    }

    it('without id_token at login: names the missing member', async () => {
      env.proxy.rewrite('/token', (response) => {
        const { id_token: _dropped, ...rest } = JSON.parse(response.body)
        return { ...response, body: JSON.stringify(rest) }
      })
      assert.equal(
        (await refusal('ERR_SPID_TOKEN_RESPONSE_INVALID')).msg,
        'invalid response to the token request (rule T4): "response" body "id_token" property must be a string',
      )
    })
  })

  describe('the ID token', () => {
    it('a wrong iss names the claim and the expected issuer', async () => {
      env.proxy.rewrite(
        '/token',
        resignIdToken((claims) => {
          claims.iss = 'https://elsewhere.example'
        }, env.opKey),
      )
      const line = await refusal('ERR_SPID_ID_TOKEN_INVALID')
      assert.equal(line.msg, `ID token "iss" is not the expected value (expected ${JSON.stringify(env.proxy.url)})`)
      assert.equal(line.obj.cause?.[0]?.code, 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', JSON.stringify(line.obj.cause))
    })

    it('a wrong aud names the claim and this client_id', async () => {
      env.proxy.rewrite(
        '/token',
        resignIdToken((claims) => {
          claims.aud = 'https://another-rp.example'
        }, env.opKey),
      )
      assert.equal((await refusal('ERR_SPID_ID_TOKEN_INVALID')).msg, `ID token "aud" is not the expected value (expected ${JSON.stringify(env.stack.appUrl)})`)
    })

    it('an expired one names exp', async () => {
      env.proxy.rewrite(
        '/token',
        resignIdToken((claims) => {
          claims.exp = Math.floor(Date.now() / 1000) - 3600
        }, env.opKey),
      )
      assert.match(String((await refusal('ERR_SPID_ID_TOKEN_INVALID')).msg), /^ID token "exp" failed its time check: .*"exp"/)
    })

    it('a nonce that is not the one sent names nonce (ERR_SPID_NONCE_MISMATCH)', async () => {
      env.proxy.rewrite(
        '/token',
        resignIdToken((claims) => {
          claims.nonce = 'N'.repeat(48)
        }, env.opKey),
      )
      assert.equal((await refusal('ERR_SPID_NONCE_MISMATCH')).msg, 'ID token "nonce" is not the one sent with the login (rule I2)')
    })

    it('alg none names the alg and the registered one (rule I1)', async () => {
      env.proxy.rewrite('/token', (response) => {
        const body = JSON.parse(response.body)
        body.id_token = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${body.id_token.split('.')[1]}.`
        return { ...response, body: JSON.stringify(body) }
      })
      const line = await refusal('ERR_SPID_ID_TOKEN_INVALID')
      assert.equal(
        line.msg,
        'ID token header alg is not the registered id_token_signed_response_alg RS256 (rule I1: never none or HS*): unexpected JWT "alg" header parameter',
      )
      assert.equal(line.obj.cause?.[0]?.code, 'OAUTH_INVALID_RESPONSE')
    })

    it('a foreign signature names the kid it claims', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
      const foreign = (await importJWK({ ...(privateKey.export({ format: 'jwk' }) as JWK) }, 'RS256')) as CryptoKey
      env.proxy.rewrite(
        '/token',
        resignIdToken(() => {}, foreign),
      )
      const line = await refusal('ERR_SPID_ID_TOKEN_INVALID')
      assert.equal(line.msg, `ID token signature does not verify with the OP key kid ${JSON.stringify(env.stack.op.signingKey.kid)}`)
      assert.equal(line.obj.cause?.[0]?.code, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED')
    })
  })

  describe('UserInfo (rule U3)', () => {
    for (const claim of ['iss', 'aud', 'exp', 'iat'] as const) {
      it(`without ${claim}: names the missing claim and the rule`, async () => {
        rewriteUserinfo((claims) => {
          delete claims[claim]
        })
        const line = await refusal('ERR_SPID_USERINFO_INVALID')
        assert.equal(line.msg, `UserInfo has no "${claim}" claim (rule U3: iss, sub, aud, exp, iat)`)
        assert.equal(line.obj.cause?.[0]?.code, 'ERR_JWT_CLAIM_VALIDATION_FAILED')
        assert.ok(!JSON.stringify(line).includes('Ada'), 'the cause is logged without the claims it carries')
      })
    }

    it('with another aud: names the expected client_id', async () => {
      rewriteUserinfo((claims) => {
        claims.aud = 'https://another-rp.example'
      })
      assert.equal((await refusal('ERR_SPID_USERINFO_INVALID')).msg, `UserInfo "aud" does not name this client (expected ${JSON.stringify(env.stack.appUrl)})`)
    })

    it('with another iss: names the expected OP', async () => {
      rewriteUserinfo((claims) => {
        claims.iss = 'https://elsewhere.example'
      })
      assert.equal((await refusal('ERR_SPID_USERINFO_INVALID')).msg, `UserInfo "iss" is not the OP (expected ${JSON.stringify(env.proxy.url)})`)
    })
  })
})
