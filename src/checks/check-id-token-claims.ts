import { TokenValidationError } from '../errors/spid-error.ts'

/**
 * Rule I2, the parts openid-client leaves to us: `jti` present (it indexes the audit log and
 * lets replays be refused) and `sub` a non-empty string.
 */
export function checkIdTokenClaims(claims: Record<string, unknown>): void {
  if (typeof claims.jti !== 'string' || claims.jti.length === 0) {
    throw new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', 'ID token has no jti')
  }
  if (typeof claims.sub !== 'string' || claims.sub.length === 0) {
    throw new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', 'ID token has no sub')
  }
}
