import { TokenValidationError } from '../errors/spid-error.ts'
import { SPID_L1, levelFromWire, type SpidLevel } from '../levels.ts'

/** Rule L4 / I6: a long session lasts at most 30 days from the authentication. */
export const REFRESH_MAX_LIFETIME = 30 * 24 * 3600

/**
 * Rule I6 / L2: a refreshed ID token is about the same person, carries a SPID `acr`, and does not
 * outlive the original authentication by more than 30 days. Whatever `acr` the OP says, the
 * session counts as SpidL1 from now on: that cap is ours, not left to the OP.
 */
export function checkRefreshedIdToken(
  claims: Record<string, unknown>,
  { sub, authTime, clockTolerance }: { sub: string; authTime: number; clockTolerance: number },
): SpidLevel {
  if (claims.sub !== sub)
    throw new TokenValidationError('ERR_SPID_SUBJECT_CHANGED', 'refreshed ID token is about another subject', { status: 401, oauthError: 'access_denied' })
  if (!levelFromWire(claims.acr)) throw new TokenValidationError('ERR_SPID_ACR_MISSING', 'refreshed ID token has no SPID acr')
  if (typeof claims.exp === 'number' && claims.exp > authTime + REFRESH_MAX_LIFETIME + clockTolerance) {
    throw new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', 'refreshed ID token outlives the authentication by more than 30 days')
  }
  return SPID_L1
}
