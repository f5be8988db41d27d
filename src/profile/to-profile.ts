import { ATTRIBUTES, COMPANY_FIELDS, type AttributeSource } from './attribute-table.ts'
import { PARSERS, place, type Parsed } from './parsers.ts'
import type { ProfileProblem, SpidCompany, SpidProfile } from './spid-profile.ts'

/**
 * Maps UserInfo (and, for CIE, ID token) claims to a SpidProfile, reading the attribute table.
 * Pure; never throws on odd input; never sets a field none of whose source claims is present.
 * A value that fails normalization is left out and listed in `problems`.
 */
export function toProfile(claims: Record<string, unknown>, issuer: string): SpidProfile {
  const input = claims && typeof claims === 'object' ? claims : {}
  const profile: SpidProfile = { sub: typeof input.sub === 'string' ? input.sub : '', issuer, personType: 'natural', raw: { ...input } }
  const problems: ProfileProblem[] = []
  const company: SpidCompany = {}
  const out = profile as unknown as Record<string, unknown>

  for (const spec of ATTRIBUTES) {
    for (const source of spec.sources) {
      if (!Object.hasOwn(input, source.claim)) continue
      const parsed = read(source, input)
      if (!parsed) continue
      if ('problem' in parsed) {
        problems.push({ field: spec.field, claim: source.claim, reason: parsed.problem })
        continue
      }
      const companyKey = COMPANY_FIELDS[spec.field]
      if (companyKey) (company as Record<string, unknown>)[companyKey] = parsed.value
      else out[spec.field] = parsed.value
      break
    }
  }
  if (Object.keys(company).length > 0) {
    profile.company = company
    profile.personType = 'legal'
  }
  if (problems.length > 0) profile.problems = problems
  return profile
}

function read(source: AttributeSource, claims: Record<string, unknown>): Parsed<unknown> {
  const value = claims[source.claim]
  if (source.parser !== 'placeCode') {
    try {
      return PARSERS[source.parser](value)
    } catch {
      return { problem: 'unreadable value' }
    }
  }
  const locality = typeof value === 'string' && value.trim() ? value.trim() : undefined
  const paired = source.with ? claims[source.with] : undefined
  const province = typeof paired === 'string' && paired.trim() ? paired.trim() : undefined
  if (!locality && !province) return undefined
  return { value: place(locality, province) }
}
