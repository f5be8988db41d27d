import { COMPANY_FIELDS } from '../profile/attribute-table.ts'
import type { ProfileField, SpidProfile } from '../profile/spid-profile.ts'
import { SpidError } from '../errors/spid-error.ts'

/** The required fields the profile lacks (absent, or refused by normalization). */
export function missingAttributes(profile: SpidProfile, required: readonly ProfileField[]): ProfileField[] {
  return required.filter((field) => {
    const companyKey = COMPANY_FIELDS[field]
    const value = companyKey ? profile.company?.[companyKey] : (profile as unknown as Record<string, unknown>)[field]
    return value === undefined
  })
}

/** Rule U4 in practice: a login missing a required attribute (absent or refused) fails. */
export function missingAttributesError(missing: readonly ProfileField[]): SpidError {
  return new SpidError('ERR_SPID_ATTRIBUTE_MISSING', `required attributes missing or invalid: ${missing.join(', ')}`)
}
