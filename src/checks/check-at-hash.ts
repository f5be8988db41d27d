import { createHash } from 'node:crypto'
import { hashOfJwsAlg } from '../algorithms.ts'
import { TokenValidationError } from '../errors/spid-error.ts'

/**
 * Rule I3: `at_hash` is the left half of the access token's hash, with the hash of the ID
 * token's `alg`. SPID requires the claim, so its absence fails too. openid-client does not check it.
 */
export function checkAtHash(atHash: unknown, accessToken: string, alg: string): void {
  const hash = hashOfJwsAlg(alg)
  if (!hash) throw new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', `ID token alg ${alg} is not allowed`)
  if (typeof atHash !== 'string') throw new TokenValidationError('ERR_SPID_AT_HASH_MISMATCH', 'ID token has no at_hash')
  const digest = createHash(hash).update(accessToken).digest()
  const expected = digest.subarray(0, digest.length / 2).toString('base64url')
  if (atHash !== expected) throw new TokenValidationError('ERR_SPID_AT_HASH_MISMATCH', 'ID token at_hash does not match the access token')
}
