import type { Adapter, AdapterPayload } from 'oidc-provider'
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose'

const CACHE_MS = 30_000

/**
 * The OP side of automatic client registration, the federation way: the client_id is the RP's
 * entity id, and its metadata is read from the RP's self-signed entity configuration.
 * oidc-provider calls `find` several times per flow, so results are cached briefly.
 */
export class FederationClientAdapter implements Adapter {
  readonly #cache = new Map<string, { payload: AdapterPayload | undefined; problem?: string; expires: number }>()

  /** Called once per failed registration (not per `find`): the test OP logs it. */
  constructor(private readonly onProblem: (clientId: string, problem: string) => void = () => {}) {}

  async find(clientId: string): Promise<AdapterPayload | undefined> {
    const hit = this.#cache.get(clientId)
    if (hit && hit.expires > Date.now()) return hit.payload
    const found = await fetchClientMetadata(clientId)
    const expires = Date.now() + CACHE_MS
    if ('problem' in found) {
      this.#cache.set(clientId, { payload: undefined, problem: found.problem, expires })
      this.onProblem(clientId, found.problem)
      return undefined
    }
    this.#cache.set(clientId, { payload: found.payload, expires })
    return found.payload
  }

  /** Why the registration of `clientId` failed, in words, while that failure is cached. */
  problemWith(clientId: string): string | undefined {
    return this.#cache.get(clientId)?.problem
  }

  async upsert(): Promise<void> {}
  async findByUid(): Promise<undefined> {}
  async findByUserCode(): Promise<undefined> {}
  async consume(): Promise<void> {}
  async destroy(): Promise<void> {}
  async revokeByGrantId(): Promise<void> {}
}

/** The RP's metadata from its entity configuration, or what went wrong, saying which URL was fetched and which check failed. */
async function fetchClientMetadata(clientId: string): Promise<{ payload: AdapterPayload } | { problem: string }> {
  if (!/^https?:\/\//.test(clientId))
    return { problem: `client_id ${JSON.stringify(clientId)} is not an http(s) URL, so there is no entity configuration to fetch` }
  const url = `${clientId}/.well-known/openid-federation`
  let response: Response
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: 'error' })
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause
    const reason = cause?.code ?? cause?.message ?? (error as Error).message
    return { problem: `fetched ${url}: ${reason}. Is the relying party listening at ${clientId}? (its BASE_URL must be the address it is reached at)` }
  }
  if (!response.ok) {
    return {
      problem: `fetched ${url}: HTTP ${response.status}. The relying party must serve its entity configuration there: app.get('/.well-known/openid-federation', entityConfiguration(strategy))`,
    }
  }
  let payload: Record<string, unknown>
  try {
    const jwt = (await response.text()).trim()
    const ownKeys = decodeJwt(jwt).jwks as JSONWebKeySet
    payload = (await jwtVerify(jwt, createLocalJWKSet(ownKeys), { issuer: clientId, subject: clientId, typ: 'entity-statement+jwt' })).payload
  } catch (error) {
    return { problem: `fetched ${url}: not an entity statement self-signed by ${clientId} (${(error as Error).message})` }
  }
  const rp = (payload.metadata as { openid_relying_party?: Record<string, unknown> } | undefined)?.openid_relying_party
  if (!rp) return { problem: `fetched ${url}: its metadata has no openid_relying_party` }
  if (rp.client_id !== clientId) {
    return { problem: `fetched ${url}: its openid_relying_party.client_id is ${JSON.stringify(rp.client_id)}, not the client_id of the request (${clientId})` }
  }
  const metadata = {
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
  return { payload: metadata }
}
