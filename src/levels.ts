/**
 * The SPID assurance levels. This is the only file that spells out the level URIs
 * and their order; everything else asks it.
 */
export const SPID_L1 = 'https://www.spid.gov.it/SpidL1'
export const SPID_L2 = 'https://www.spid.gov.it/SpidL2'
export const SPID_L3 = 'https://www.spid.gov.it/SpidL3'

/** A SPID level URI, as carried by `acr` and `acr_values`. */
export type SpidLevel = typeof SPID_L1 | typeof SPID_L2 | typeof SPID_L3

/** Seconds each level stays valid after the authentication that reached it. */
export type LevelMaxAge = Readonly<Record<SpidLevel, number>>

/** What callers may pass wherever a level is expected: 1, 2, 3, or the level URI. */
export type SpidLevelInput = 1 | 2 | 3 | SpidLevel

const ORDERED: readonly SpidLevel[] = [SPID_L1, SPID_L2, SPID_L3]

/** Returns the level URI for a known value, or undefined for anything else. */
export function parseLevel(value: unknown): SpidLevel | undefined {
  if (typeof value === 'number') return ORDERED[value - 1]
  if (typeof value === 'string') {
    if (/^[123]$/.test(value)) return ORDERED[Number(value) - 1]
    return ORDERED.find((level) => level === value)
  }
  return undefined
}

/**
 * A level as it arrives on the wire (`acr`): exactly one of the three URIs. Unlike parseLevel,
 * which also reads the `1`/`2`/`3` people type, `"3"` from an OP is not a level.
 */
export function levelFromWire(value: unknown): SpidLevel | undefined {
  return typeof value === 'string' ? ORDERED.find((level) => level === value) : undefined
}

/** Like parseLevel, but throws a TypeError naming the bad value: for programmer input. */
export function toLevel(value: SpidLevelInput): SpidLevel {
  const level = parseLevel(value)
  if (!level) throw new TypeError(`not a SPID level: ${JSON.stringify(value)} (use 1, 2, 3 or a SpidL URI)`)
  return level
}

/** 1, 2 or 3. */
export function levelNumber(level: SpidLevel): 1 | 2 | 3 {
  return (ORDERED.indexOf(level) + 1) as 1 | 2 | 3
}

/** Negative when a is below b, zero when equal, positive when above. */
export function compareLevels(a: SpidLevel, b: SpidLevel): number {
  return ORDERED.indexOf(a) - ORDERED.indexOf(b)
}

/** True when `reached` is at least `required`. */
export function levelSatisfies(reached: SpidLevel, required: SpidLevel): boolean {
  return compareLevels(reached, required) >= 0
}

/**
 * The `acr_values` for a request at `level` (rule A9: most preferred first).
 * An offline request must end with SpidL1 or the OP issues no refresh token (rule L1).
 */
export function acrValuesFor(level: SpidLevel, offline = false): string {
  if (!offline || level === SPID_L1) return level
  return `${level} ${SPID_L1}`
}
