import { InsufficientLevelError, TokenValidationError } from '../errors/spid-error.ts'
import { levelFromWire, levelSatisfies, type SpidLevel } from '../levels.ts'

/**
 * Rule I4: the `acr` returned is a SPID level at least as high as the one requested.
 * A lower `acr` is a failed login, never a lower-level session; an `acr` that is not exactly a
 * level URI (`"3"`, a URI with a trailing slash) is no level at all.
 */
export function checkAcrSatisfies(acr: unknown, required: SpidLevel): SpidLevel {
  const got = levelFromWire(acr)
  if (!got) throw new TokenValidationError('ERR_SPID_ACR_MISSING', 'ID token acr is not a SPID level URI')
  if (!levelSatisfies(got, required)) {
    throw new InsufficientLevelError('ERR_SPID_ACR_TOO_LOW', `OP authenticated at ${got}, below the ${required} requested`, required)
  }
  return got
}
