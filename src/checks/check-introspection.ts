import { TokenValidationError } from '../errors/spid-error.ts'

/**
 * Rule X5: an introspection answer counts only when the token is active and is this user's,
 * issued to this RP, by this OP. An inactive token is not an error: it returns false.
 */
export function checkIntrospection(response: Record<string, unknown>, expected: { sub: string; clientId: string; issuer: string }): boolean {
  if (response.active !== true) return false
  const mismatch = (what: string) => new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', `introspection ${what} does not match the session`)
  if (response.sub !== undefined && response.sub !== expected.sub) throw mismatch('sub')
  const audiences = Array.isArray(response.aud) ? response.aud : response.aud === undefined ? [] : [response.aud]
  if (response.client_id !== expected.clientId && !audiences.includes(expected.clientId)) throw mismatch('client_id/aud')
  if (response.iss !== undefined && response.iss !== expected.issuer) throw mismatch('iss')
  return true
}
