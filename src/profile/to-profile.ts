import type { SpidProfile } from './spid-profile.ts'

type ProfileField = Exclude<keyof SpidProfile, 'sub' | 'issuer' | 'raw'>

const EID = 'https://attributes.eid.gov.it/'
const SPID_LEGACY = 'https://attributes.spid.gov.it/'

/**
 * Source claim names for each profile field, first match wins (rule U4: current names, then
 * the legacy ones still met). Data, not code: the attribute-mapping work extends this table.
 */
const SOURCES: Record<ProfileField, readonly string[]> = {
  fiscalNumber: [`${EID}fiscal_number`, `${SPID_LEGACY}fiscal_number`, `${SPID_LEGACY}fiscalNumber`, `${SPID_LEGACY}fiscalCode`],
  givenName: ['given_name', `${SPID_LEGACY}name`],
  familyName: ['family_name', `${SPID_LEGACY}familyName`],
  email: ['email', `${SPID_LEGACY}email`],
}

const NORMALIZE: Partial<Record<ProfileField, (value: string) => string>> = {
  fiscalNumber: (value) => value.replace(/^TINIT-/i, '').toUpperCase(),
}

/** Maps UserInfo claims to a SpidProfile. Pure; never throws on odd input, never invents a value. */
export function toProfile(claims: Record<string, unknown>, issuer: string): SpidProfile {
  const profile: SpidProfile = { sub: String(claims.sub ?? ''), issuer, raw: { ...claims } }
  for (const [field, names] of Object.entries(SOURCES) as [ProfileField, readonly string[]][]) {
    const name = names.find((n) => typeof claims[n] === 'string' && (claims[n] as string).trim() !== '')
    if (!name) continue
    const value = (claims[name] as string).trim()
    profile[field] = NORMALIZE[field]?.(value) ?? value
  }
  return profile
}
