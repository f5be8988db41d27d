import { InsufficientLevelError, TokenValidationError } from '../errors/spid-error.ts'
import { levelSatisfies, parseLevel, type SpidLevel } from '../levels.ts'

/**
 * Rule I4: the `acr` returned is a SPID level at least as high as the one requested.
 * A lower `acr` is a failed login, never a lower-level session.
 */
export function checkAcrSatisfies(acr: unknown, required: SpidLevel): SpidLevel {
  const got = parseLevel(typeof acr === 'string' ? acr : undefined)
  if (!got || typeof acr !== 'string') throw new TokenValidationError('ERR_SPID_ACR_MISSING', 'ID token has no SPID acr')
  if (!levelSatisfies(got, required)) {
    throw new InsufficientLevelError('ERR_SPID_ACR_TOO_LOW', `OP authenticated at ${got}, below the ${required} requested`, required)
  }
  return got
}
