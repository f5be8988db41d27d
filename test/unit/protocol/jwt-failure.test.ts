import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { describe, it } from 'node:test'
import { SignJWT, exportJWK, type JWK } from 'jose'
import { verifyOpJwt } from '../../../src/protocol/id-token.ts'

const ISSUER = 'https://op.example.it'
const CLIENT = 'https://rp.example.it'
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
const jwks = { keys: [{ ...((await exportJWK(publicKey)) as JWK), kid: 'op-1', alg: 'RS256', use: 'sig' }] }
const now = Math.floor(Date.now() / 1000)
const claims = { iss: ISSUER, aud: CLIENT, sub: 's', iat: now, exp: now + 300, jti: 'j' }

async function refusal(jwt: string, what: 'ID token' | 'UserInfo' = 'UserInfo'): Promise<{ code: string; message: string; cause: unknown }> {
  try {
    await verifyOpJwt(jwt, { jwks, issuer: ISSUER, audience: CLIENT, clockTolerance: 60, now, what })
  } catch (error) {
    return error as { code: string; message: string; cause: unknown }
  }
  assert.fail('accepted')
}
const sign = (payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', kid: 'op-1' }) =>
  new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(privateKey)

describe('verifyOpJwt: refusals name their cause (rules I1, I2, U3)', () => {
  it('a missing claim, with the rule', async () => {
    const { iss: _iss, ...noIss } = claims
    const e = await refusal(await sign(noIss))
    assert.equal(e.code, 'ERR_SPID_USERINFO_INVALID')
    assert.equal(e.message, 'UserInfo has no "iss" claim (rule U3: iss, sub, aud, exp, iat)')
    assert.equal((e.cause as { code?: string }).code, 'ERR_JWT_CLAIM_VALIDATION_FAILED')
  })

  it('a wrong iss or aud, with the expected value', async () => {
    assert.equal((await refusal(await sign({ ...claims, iss: 'https://x' }), 'ID token')).message, `ID token "iss" is not the OP (expected "${ISSUER}")`)
    assert.equal((await refusal(await sign({ ...claims, aud: 'https://x' }))).message, `UserInfo "aud" does not name this client (expected "${CLIENT}")`)
  })

  it('expired', async () => {
    assert.equal((await refusal(await sign({ ...claims, exp: now - 3600 }))).message, 'UserInfo has expired ("exp" is past, beyond the 60 s clock tolerance)')
  })

  it('an alg outside the rules, named with the allowed list', async () => {
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'op-1' }).sign(new Uint8Array(32))
    assert.equal((await refusal(hs, 'ID token')).message, 'ID token is signed with alg "HS256"; allowed: RS256, RS512, PS256, PS512, ES256, ES512 (rule F9)')
  })

  it('a kid the OP does not publish, or none', async () => {
    assert.equal(
      (await refusal(await sign(claims, { alg: 'RS256', kid: 'op-9' }), 'ID token')).message,
      'ID token is signed with kid "op-9" and alg "RS256", which no key of the OP matches (rule I1)',
    )
    assert.equal(
      (await refusal(await sign(claims, { alg: 'RS256' }), 'ID token')).message,
      'ID token header has no kid (rule I1: the OP names the key it signed with)',
    )
  })

  it('a signature by another key, naming the kid', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'op-1' }).sign(other)
    assert.equal((await refusal(forged)).message, 'UserInfo signature does not verify with the OP key kid "op-1"')
  })
})
