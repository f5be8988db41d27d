import { SignJWT } from 'jose'
import type { ResolvedOptions } from '../options/resolve-options.ts'

export const SIGNED_JWKS_CONTENT_TYPE = 'application/jwk-set+jwt'

/**
 * The RP's core keys as a signed JWK set (`signed_jwks_uri`, OpenID Federation 1.0 §5.2.1):
 * a `jwk-set+jwt` with `keys`, `iss` and `sub`, signed with the current federation key, so a
 * key set fetched apart from the entity configuration is still bound to the federation keys.
 */
export function buildSignedJwks(options: ResolvedOptions, now: number): Promise<string> {
  const { keys } = options
  return new SignJWT({ keys: [...keys.published.signing, ...keys.published.encryption].map((k) => k.publicJwk) })
    .setProtectedHeader({ alg: keys.federation.alg, kid: keys.federation.kid, typ: 'jwk-set+jwt' })
    .setIssuer(options.clientId)
    .setSubject(options.clientId)
    .setIssuedAt(now)
    .setExpirationTime(now + options.entityConfigurationTtl)
    .sign(keys.federation.privateKey)
}
