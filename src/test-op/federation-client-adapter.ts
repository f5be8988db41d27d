import type { Adapter, AdapterPayload } from 'oidc-provider'
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose'

const CACHE_MS = 30_000

/**
 * The OP side of automatic client registration, the federation way: the client_id is the RP's
 * entity id, and its metadata is read from the RP's self-signed entity configuration.
 * oidc-provider calls `find` several times per flow, so results are cached briefly.
 */
export class FederationClientAdapter implements Adapter {
  readonly #cache = new Map<string, { payload: AdapterPayload | undefined; expires: number }>()

  async find(clientId: string): Promise<AdapterPayload | undefined> {
    const hit = this.#cache.get(clientId)
    if (hit && hit.expires > Date.now()) return hit.payload
    const payload = await fetchClientMetadata(clientId).catch(() => undefined)
    this.#cache.set(clientId, { payload, expires: Date.now() + CACHE_MS })
    return payload
  }

  async upsert(): Promise<void> {}
  async findByUid(): Promise<undefined> {}
  async findByUserCode(): Promise<undefined> {}
  async consume(): Promise<void> {}
  async destroy(): Promise<void> {}
  async revokeByGrantId(): Promise<void> {}
}

async function fetchClientMetadata(clientId: string): Promise<AdapterPayload | undefined> {
  if (!/^https?:\/\//.test(clientId)) return undefined
  const response = await fetch(`${clientId}/.well-known/openid-federation`, { signal: AbortSignal.timeout(5000), redirect: 'error' })
  if (!response.ok) return undefined
  const jwt = (await response.text()).trim()
  const ownKeys = decodeJwt(jwt).jwks as JSONWebKeySet
  const { payload } = await jwtVerify(jwt, createLocalJWKSet(ownKeys), { issuer: clientId, subject: clientId, typ: 'entity-statement+jwt' })
  const rp = (payload.metadata as { openid_relying_party?: Record<string, unknown> } | undefined)?.openid_relying_party
  if (!rp || rp.client_id !== clientId) return undefined
  return {
    client_id: clientId,
    client_name: rp.client_name,
    redirect_uris: rp.redirect_uris,
    response_types: ['code'],
    grant_types: rp.grant_types,
    jwks: rp.jwks,
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: rp.token_endpoint_auth_signing_alg,
    request_object_signing_alg: rp.request_object_signing_alg,
    id_token_signed_response_alg: rp.id_token_signed_response_alg,
    userinfo_signed_response_alg: rp.userinfo_signed_response_alg,
    userinfo_encrypted_response_alg: rp.userinfo_encrypted_response_alg,
    userinfo_encrypted_response_enc: rp.userinfo_encrypted_response_enc,
    // CIE: ID tokens encrypted to the RP, when it registered so.
    ...(rp.id_token_encrypted_response_alg
      ? { id_token_encrypted_response_alg: rp.id_token_encrypted_response_alg, id_token_encrypted_response_enc: rp.id_token_encrypted_response_enc }
      : {}),
    subject_type: 'pairwise',
    application_type: 'web',
  } as AdapterPayload
}
