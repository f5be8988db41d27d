import { belfioreConnector } from '@marketto/belfiore-connector-embedded'
import type { SpidPlaceOfBirth, SpidProfile } from './spid-profile.ts'

/** A cadastral (Belfiore) code in words. */
export interface PlaceName {
  /** The town ("Pisa") or, for a `Z…` code, the foreign country ("Germania"), in Italian. */
  name: string
  /** Province code of an Italian town ("PI"). */
  province?: string
  /** ISO 3166 alpha-2 code of a foreign country ("DE"). */
  countryCode?: string
}

const BELFIORE = /^[A-Z]\d{3}$/

/**
 * The place a Belfiore code names, from the list the Ministry of the Interior (ANPR) and ISTAT
 * publish, as `@marketto/belfiore-connector-embedded` ships it (updated with each release; not
 * copied here): one entry per code, under its latest name, ceased towns and former countries
 * included (a birthplace can be a town merged since). Undefined for a code the list does not know.
 *
 * @example await lookUpPlace('G702') // { name: 'Pisa', province: 'PI' }
 */
export async function lookUpPlace(belfioreCode: string): Promise<PlaceName | undefined> {
  const code = belfioreCode.trim().toUpperCase()
  if (!BELFIORE.test(code)) return undefined
  try {
    const place = await belfioreConnector.findByCode(code)
    if (!place?.name) return undefined
    return {
      name: repairEncoding(place.name),
      ...(place.province ? { province: place.province } : {}),
      ...(place.iso3166 ? { countryCode: place.iso3166 } : {}),
    }
  } catch {
    // A dataset problem must not cost a login: the code is still shown.
    return undefined
  }
}

/**
 * The profile with its place of birth in words (`placeOfBirth.name`, and the province or country
 * the code implies). Everything else is left as it is; a code the
 * list does not know stays a code.
 */
export async function withPlaceNames(profile: SpidProfile): Promise<SpidProfile> {
  const place = profile.placeOfBirth
  if (!place?.belfioreCode || place.name) return profile
  const found = await lookUpPlace(place.belfioreCode)
  if (!found) return profile
  const named: SpidPlaceOfBirth = {
    ...place,
    name: found.name,
    ...(found.province && !place.province ? { province: found.province } : {}),
    ...(found.countryCode ? { countryCode: found.countryCode } : {}),
  }
  return { ...profile, placeOfBirth: named }
}

/**
 * A few names of the list's current release were stored as UTF-8 read as Latin-1 ("CittÃ  della
 * Pieve"): read them back when that gives clean text. Two lost the second byte of a final "à"
 * ("ContÃ", "CaritĂ"): that is the only letter it can have been.
 */
function repairEncoding(name: string): string {
  if (/[ÃĂ]$/.test(name) && !/Ã./.test(name)) return `${name.slice(0, -1)}à`
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the whole Latin-1 range is what this looks for
  if (!/Ã/.test(name) || /[^\x00-\xff]/.test(name)) return name
  const repaired = Buffer.from(name, 'latin1').toString('utf8')
  return repaired.includes('\uFFFD') ? name : repaired
}
