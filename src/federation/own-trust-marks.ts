import { decodeJwt } from 'jose'

/** A trust mark as configured: the registry's JWT and its type, under the newer or the older member name. */
export interface TrustMarkEntry {
  trust_mark: string
  trust_mark_type?: string
  id?: string
  [member: string]: unknown
}

/**
 * What can be told of the RP's own trust marks without the issuer's keys (the registry signed
 * them; `doctor` verifies the signature through the anchor): that each decodes, is about this
 * RP, names the type it is filed under, and has not expired. Wrong ones are configuration
 * mistakes; an expired one is reported apart, since only the registry can renew it.
 */
export function checkOwnTrustMarks(marks: readonly TrustMarkEntry[], clientId: string, now: number): { problems: string[]; expired: string[] } {
  const problems: string[] = []
  const expired: string[] = []
  marks.forEach((mark, i) => {
    const declared = mark.trust_mark_type ?? mark.id
    const at = `trustMarks[${i}]${declared ? ` (${declared})` : ''}`
    let claims: Record<string, unknown>
    try {
      claims = decodeJwt(mark.trust_mark)
    } catch {
      problems.push(`${at}: trust_mark is not a JWT`)
      return
    }
    const type = claims.trust_mark_type ?? claims.id ?? claims.trust_mark_id
    if (claims.sub !== clientId) problems.push(`${at}: the trust mark is about ${String(claims.sub)}, not this RP (${clientId})`)
    if (declared && type !== declared) problems.push(`${at}: filed as ${declared}, but the JWT says ${String(type)}`)
    if (typeof claims.exp === 'number' && claims.exp <= now) {
      expired.push(`${at}: expired on ${new Date(claims.exp * 1000).toISOString()}; ask the registry for a new one`)
    }
  })
  return { problems, expired }
}
