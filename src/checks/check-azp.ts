import { TokenValidationError } from '../errors/spid-error.ts'

/**
 * OpenID Connect Core 3.1.3.7: an ID token's `azp`, when present, names the client it was issued
 * to, and that must be this RP's `client_id`.
 */
export function checkAzp(azp: unknown, clientId: string): void {
  if (azp !== undefined && azp !== clientId) throw new TokenValidationError('ERR_SPID_AZP_MISMATCH', 'ID token azp is not this client_id')
}
