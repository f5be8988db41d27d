import { createHash } from 'node:crypto'
import { TokenValidationError } from '../errors/spid-error.ts'

const HASH_FOR_ALG: Record<string, string> = {
  RS256: 'sha256',
  PS256: 'sha256',
  ES256: 'sha256',
  RS384: 'sha384',
  PS384: 'sha384',
  ES384: 'sha384',
  RS512: 'sha512',
  PS512: 'sha512',
  ES512: 'sha512',
}

/**
 * Rule I3: `at_hash` is the left half of the access token's hash, with the hash of the ID
 * token's `alg`. SPID requires the claim, so its absence fails too. openid-client does not check it.
 */
export function checkAtHash(atHash: unknown, accessToken: string, alg: string): void {
  const hash = HASH_FOR_ALG[alg]
  if (!hash) throw new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', `ID token alg ${alg} is not allowed`)
  if (typeof atHash !== 'string') throw new TokenValidationError('ERR_SPID_AT_HASH_MISMATCH', 'ID token has no at_hash')
  const digest = createHash(hash).update(accessToken).digest()
  const expected = digest.subarray(0, digest.length / 2).toString('base64url')
  if (atHash !== expected) throw new TokenValidationError('ERR_SPID_AT_HASH_MISMATCH', 'ID token at_hash does not match the access token')
}
