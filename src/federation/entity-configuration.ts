import { SignJWT } from 'jose'
import type { ResolvedOptions } from '../options/resolve-options.ts'
import { ID_TOKEN_ALG } from '../algorithms.ts'

export const ENTITY_STATEMENT_CONTENT_TYPE = 'application/entity-statement+jwt'

/** The RP's `federation_resolve_endpoint`, under its entity id (rule F3). */
export const resolveEndpointOf = (clientId: string) => `${clientId}/resolve`

/**
 * The claims of the RP entity configuration (rules F2-F4): the federation keys, the RP metadata
 * with the core signing and encryption keys, `authority_hints` and the trust marks. Every key of
 * a rollover is published beside the current one.
 */
export function entityConfigurationClaims(options: ResolvedOptions, now: number): Record<string, unknown> {
  const { keys } = options
  const federationEntity: Record<string, unknown> = {
    ...(options.organizationName ? { organization_name: options.organizationName } : {}),
    ...(options.homepageUri ? { homepage_uri: options.homepageUri } : {}),
    ...(options.policyUri ? { policy_uri: options.policyUri } : {}),
    ...(options.logoUri ? { logo_uri: options.logoUri } : {}),
    ...(options.contacts.length ? { contacts: options.contacts } : {}),
    federation_resolve_endpoint: resolveEndpointOf(options.clientId),
  }
  const relyingParty = {
    client_id: options.clientId,
    client_registration_types: ['automatic'],
    application_type: 'web',
    client_name: options.clientName,
    contacts: options.contacts,
    redirect_uris: [options.redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token'],
    jwks: { keys: [...keys.published.signing, ...keys.published.encryption].map((k) => k.publicJwk) },
    ...(options.signedJwksUri ? { signed_jwks_uri: options.signedJwksUri } : {}),
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: keys.signing.alg,
    request_object_signing_alg: keys.signing.alg,
    id_token_signed_response_alg: ID_TOKEN_ALG,
    userinfo_signed_response_alg: ID_TOKEN_ALG,
    userinfo_encrypted_response_alg: options.userinfoEncryption.alg,
    userinfo_encrypted_response_enc: options.userinfoEncryption.enc,
    ...(options.idTokenEncryption
      ? { id_token_encrypted_response_alg: options.idTokenEncryption.alg, id_token_encrypted_response_enc: options.idTokenEncryption.enc }
      : {}),
    subject_type: 'pairwise',
  }
  return {
    iss: options.clientId,
    sub: options.clientId,
    iat: now,
    exp: now + options.entityConfigurationTtl,
    jwks: { keys: keys.published.federation.map((k) => k.publicJwk) },
    metadata: { federation_entity: federationEntity, openid_relying_party: relyingParty },
    authority_hints: options.authorityHints,
    ...(options.trustMarks.length ? { trust_marks: options.trustMarks } : {}),
  }
}

/** The RP entity configuration (rule F1): its claims, self-signed with the current federation key. */
export async function buildEntityConfiguration(options: ResolvedOptions, now: number): Promise<string> {
  const { federation } = options.keys
  return new SignJWT(entityConfigurationClaims(options, now))
    .setProtectedHeader({ alg: federation.alg, kid: federation.kid, typ: 'entity-statement+jwt' })
    .sign(federation.privateKey)
}
