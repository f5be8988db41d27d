import { SPID_L1, SPID_L2, SPID_L3, compareLevels, type SpidLevel, type LevelMaxAge } from '../levels.ts'
import type { SpidAuthState } from './auth-session.ts'

const DESCENDING: readonly SpidLevel[] = [SPID_L3, SPID_L2, SPID_L1]

/**
 * The level a session counts as now: the `acr` of its last authentication event, SpidL1 once
 * restored with a refresh token (rule L2), and lower again as each level's maximum age passes.
 * Undefined when even SpidL1 has lapsed.
 */
export function effectiveLevel(auth: SpidAuthState, now: number, maxAge: LevelMaxAge): SpidLevel | undefined {
  const reached = auth.refreshed ? SPID_L1 : auth.acr
  const age = now - auth.authTime
  return DESCENDING.find((level) => compareLevels(level, reached) <= 0 && age <= maxAge[level])
}
