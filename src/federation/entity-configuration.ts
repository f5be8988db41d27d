import { SignJWT } from 'jose'
import type { ResolvedOptions } from '../options/resolve-options.ts'
import { ID_TOKEN_ALG } from '../algorithms.ts'

export const ENTITY_STATEMENT_CONTENT_TYPE = 'application/entity-statement+jwt'

/**
 * The RP entity configuration (rules F1-F4): a self-signed entity statement with the federation
 * key, publishing the core signing and encryption keys and the RP metadata.
 */
export async function buildEntityConfiguration(options: ResolvedOptions, now: number): Promise<string> {
  const { keys } = options
  const federationEntity: Record<string, unknown> = {
    ...(options.organizationName ? { organization_name: options.organizationName } : {}),
    ...(options.homepageUri ? { homepage_uri: options.homepageUri } : {}),
    ...(options.policyUri ? { policy_uri: options.policyUri } : {}),
    ...(options.logoUri ? { logo_uri: options.logoUri } : {}),
    ...(options.contacts.length ? { contacts: options.contacts } : {}),
    federation_resolve_endpoint: `${options.clientId}/resolve`,
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
    jwks: { keys: [keys.signing.publicJwk, keys.encryption.publicJwk] },
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: keys.signing.alg,
    request_object_signing_alg: keys.signing.alg,
    id_token_signed_response_alg: ID_TOKEN_ALG,
    userinfo_signed_response_alg: ID_TOKEN_ALG,
    userinfo_encrypted_response_alg: options.userinfoEncryption.alg,
    userinfo_encrypted_response_enc: options.userinfoEncryption.enc,
    subject_type: 'pairwise',
  }
  return new SignJWT({
    jwks: { keys: [keys.federation.publicJwk] },
    metadata: { federation_entity: federationEntity, openid_relying_party: relyingParty },
    authority_hints: options.authorityHints,
    ...(options.trustMarks.length ? { trust_marks: options.trustMarks } : {}),
  })
    .setProtectedHeader({ alg: keys.federation.alg, kid: keys.federation.kid, typ: 'entity-statement+jwt' })
    .setIssuer(options.clientId)
    .setSubject(options.clientId)
    .setIssuedAt(now)
    .setExpirationTime(now + options.entityConfigurationTtl)
    .sign(keys.federation.privateKey)
}
