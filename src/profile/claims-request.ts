import { ATTRIBUTES } from './attribute-table.ts'
import type { ProfileField } from './spid-profile.ts'

export type ClaimRequest = null | { essential: true }

/**
 * The `claims` member for the requested profile fields (rule A11), by their current names,
 * with `{ essential: true }` on required ones. Fields the OP's profile never releases are left out.
 */
export function buildClaimsRequest(fields: readonly ProfileField[], required: readonly ProfileField[], profile: 'spid' | 'cie'): Record<string, ClaimRequest> {
  const wanted = new Set([...fields, ...required])
  return Object.fromEntries(
    ATTRIBUTES.filter((a) => wanted.has(a.field) && a.releasedBy.includes(profile)).map((a) => [
      a.request,
      required.includes(a.field) ? { essential: true } : null,
    ]),
  )
}
