import { TokenValidationError } from '../errors/spid-error.ts'

/**
 * Rules I2/I6: when the authentication happened. `auth_time` after `now` (beyond the clock
 * tolerance) is refused: it would stretch every level's maximum age. The time kept is the earlier
 * of `auth_time` and `iat`, since an OP cannot have authenticated the person after issuing the
 * token; without `auth_time` it is `iat`. Expects `iat` checked already (checkIdTokenClaims).
 */
export function checkAuthTime(claims: Record<string, unknown>, { now, clockTolerance }: { now: number; clockTolerance: number }): number {
  const iat = claims.iat as number
  const authTime = claims.auth_time
  if (authTime === undefined) return iat
  if (typeof authTime !== 'number' || !Number.isFinite(authTime)) {
    throw new TokenValidationError('ERR_SPID_AUTH_TIME_INVALID', 'ID token auth_time is not a number of seconds')
  }
  if (authTime > now + clockTolerance) throw new TokenValidationError('ERR_SPID_AUTH_TIME_INVALID', 'ID token auth_time is in the future')
  return Math.min(authTime, iat)
}
