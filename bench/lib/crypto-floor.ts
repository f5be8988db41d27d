/**
 * The crypto floor of one login: the public-key operations the RP cannot avoid, done alone with
 * jose, with the keys and algorithms the login uses and every key imported once:
 *  1. sign the request object (RP signing key),
 *  2. sign the client assertion for the token endpoint (RP signing key),
 *  3. verify the ID token (OP signing key),
 *  4. decrypt the UserInfo JWE (RP encryption key) and verify the JWS inside (OP signing key).
 * The ID token and UserInfo are made once, up front, with a fresh RSA-2048 OP key.
 */
import { createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto'
import { CompactEncrypt, SignJWT, compactDecrypt, jwtVerify } from 'jose'
import type { ResolvedOptions } from '../../src/index.ts'

export interface CryptoFloor {
  /** One login's worth of the four operations. */
  once(): Promise<void>
}

export async function prepareCryptoFloor(options: ResolvedOptions, opIssuer: string): Promise<CryptoFloor> {
  const { signing, encryption } = options.keys
  const op = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const now = Math.floor(Date.now() / 1000)
  const sub = 'x'.repeat(43)
  const idToken = await sign(
    {
      iss: opIssuer,
      sub,
      aud: options.clientId,
      iat: now,
      exp: now + 3600,
      nonce: 'n'.repeat(48),
      acr: 'https://www.spid.gov.it/SpidL2',
      at_hash: 'a'.repeat(22),
      jti: randomUUID(),
      auth_time: now,
    },
    op.privateKey,
  )
  const userinfoJws = await sign(
    {
      iss: opIssuer,
      sub,
      aud: options.clientId,
      iat: now,
      exp: now + 3600,
      given_name: 'Ada',
      family_name: 'Lovelace',
      'https://attributes.eid.gov.it/fiscal_number': 'TINIT-LVLDAA85T50G702B',
    },
    op.privateKey,
  )
  const userinfo = await new CompactEncrypt(new TextEncoder().encode(userinfoJws))
    .setProtectedHeader({ alg: options.userinfoEncryption.alg, enc: options.userinfoEncryption.enc, kid: encryption.kid, cty: 'JWT' })
    .encrypt(createPublicKey(encryption.privateKey))
  const requestObjectClaims = {
    client_id: options.clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: options.redirectUri,
    state: 's'.repeat(48),
    nonce: 'n'.repeat(48),
    code_challenge: 'c'.repeat(43),
    code_challenge_method: 'S256',
    prompt: 'consent login',
    acr_values: 'https://www.spid.gov.it/SpidL2',
    claims: { userinfo: { 'https://attributes.eid.gov.it/fiscal_number': { essential: true }, given_name: null, family_name: null } },
  }
  const verifyOptions = { issuer: opIssuer, audience: options.clientId, algorithms: ['RS256'] }

  return {
    async once() {
      const t = Math.floor(Date.now() / 1000)
      await new SignJWT(requestObjectClaims)
        .setProtectedHeader({ alg: signing.alg, kid: signing.kid, typ: 'JWT' })
        .setIssuer(options.clientId)
        .setAudience(opIssuer)
        .setJti(randomUUID())
        .setIssuedAt(t)
        .setExpirationTime(t + 120)
        .sign(signing.privateKey)
      await new SignJWT({ iss: options.clientId, sub: options.clientId, aud: `${opIssuer}/token`, jti: randomUUID() })
        .setProtectedHeader({ alg: signing.alg, kid: signing.kid })
        .setIssuedAt(t)
        .setExpirationTime(t + 60)
        .sign(signing.privateKey)
      await jwtVerify(idToken, op.publicKey, verifyOptions)
      const { plaintext } = await compactDecrypt(userinfo, encryption.privateKey)
      await jwtVerify(new TextDecoder().decode(plaintext), op.publicKey, verifyOptions)
    },
  }
}

function sign(claims: Record<string, unknown>, key: KeyObject): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'op-sig' }).sign(key)
}
