import { checkAcrSatisfies } from './check-acr-satisfies.ts'
import { checkAtHash } from './check-at-hash.ts'
import { checkAuthTime } from './check-auth-time.ts'
import { checkAzp } from './check-azp.ts'
import { checkIdTokenClaims } from './check-id-token-claims.ts'
import type { SpidLevel } from '../levels.ts'

/** What a verified ID token establishes, typed: every later step reads these, not raw claims. */
export interface IdTokenFacts {
  sub: string
  jti: string
  iat: number
  exp: number
  /** At least the level asked for (rule I4). */
  acr: SpidLevel
  /** The earlier of `auth_time` and `iat`. */
  authTime: number
  atHash: string
}

export interface IdTokenExpectations {
  now: number
  clockTolerance: number
  clientId: string
  /** The access token issued with it, for `at_hash` (rule I3). */
  accessToken: string
  /** The JWS alg it was signed with, which decides the `at_hash` hash. */
  alg: string
  /** The level the login asked for. */
  level: SpidLevel
}

/**
 * The SPID rules on an ID token whose signature, `iss`, `aud`, `exp` and `nonce` were already
 * verified (openid-client and jose), in order: `iat`, `jti`, `sub` (I2) → `auth_time` → `azp` →
 * `at_hash` (I3) → `acr` ≥ the level asked (I4). Each throws its own coded error.
 */
export function checkIdToken(claims: Record<string, unknown>, expected: IdTokenExpectations): IdTokenFacts {
  const clock = { now: expected.now, clockTolerance: expected.clockTolerance }
  checkIdTokenClaims(claims, clock)
  const authTime = checkAuthTime(claims, clock)
  checkAzp(claims.azp, expected.clientId)
  checkAtHash(claims.at_hash, expected.accessToken, expected.alg)
  const acr = checkAcrSatisfies(claims.acr, expected.level)
  return {
    sub: claims.sub as string,
    jti: claims.jti as string,
    iat: claims.iat as number,
    exp: claims.exp as number,
    acr,
    authTime,
    atHash: claims.at_hash as string,
  }
}
