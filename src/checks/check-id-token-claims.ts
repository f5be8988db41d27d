import { TokenValidationError } from '../errors/spid-error.ts'

/**
 * Rule I2, the parts openid-client and jose leave to us: `jti` present (it indexes the audit log
 * and lets replays be refused), `sub` a non-empty string, and `iat` not in the future beyond the
 * clock tolerance (neither library checks that).
 */
export function checkIdTokenClaims(claims: Record<string, unknown>, { now, clockTolerance }: { now: number; clockTolerance: number }): void {
  if (typeof claims.iat !== 'number' || claims.iat > now + clockTolerance) {
    throw new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', 'ID token iat is missing or in the future')
  }
  if (typeof claims.jti !== 'string' || claims.jti.length === 0) {
    throw new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', 'ID token has no jti')
  }
  if (typeof claims.sub !== 'string' || claims.sub.length === 0) {
    throw new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', 'ID token has no sub')
  }
}
