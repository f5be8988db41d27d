import type { JSONWebKeySet } from 'jose'
import type { ProviderConfig } from './provider-config.ts'

/** OP metadata as the RP uses it (from `metadata.openid_provider` or OpenID discovery). */
export interface OpMetadata {
  issuer: string
  authorization_endpoint: string
  token_endpoint: string
  userinfo_endpoint: string
  revocation_endpoint?: string
  introspection_endpoint?: string
  acr_values_supported?: string[]
  authorization_response_iss_parameter_supported?: boolean
  logo_uri?: string
  organization_name?: string
  op_name?: string
  [key: string]: unknown
}

/** An OP ready to talk to: its configuration, trusted metadata and core signing keys. */
export interface ResolvedProvider {
  readonly config: ProviderConfig
  readonly metadata: OpMetadata
  /** The OP's core keys: they verify ID tokens and UserInfo (rule I1). */
  readonly jwks: JSONWebKeySet
  /** Where the metadata came from. */
  readonly source: 'entity-configuration' | 'openid-configuration' | 'trust-chain'
  /** Name to show on the login button. */
  readonly displayName: string
  /** The trust chain the metadata came through, as its statements (federation registries; rule G1). */
  readonly trustChain?: readonly string[]
}

/**
 * Which OPs exist and what they say of themselves. The default reads each OP's self-signed
 * entity configuration (or OpenID discovery); a trust-chain resolver from a trust anchor
 * plugs in here by implementing the same interface.
 *
 * Contract: `list` and `get` answer from configuration, synchronously; `resolve` may fetch and
 * must throw a SpidError (FederationError for untrusted metadata, UnavailableError when the OP
 * cannot be reached), never return metadata it has not checked.
 */
export interface ProviderRegistry {
  list(): readonly ProviderConfig[]
  /** The provider with this issuer or short id, or undefined. */
  get(idOrIssuer: string): ProviderConfig | undefined
  resolve(issuer: string): Promise<ResolvedProvider>
  /**
   * Optional: learns the OPs on offer (a federation registry asks its trust anchors). Call it at
   * start-up, before `list`, when the registry has one.
   */
  refresh?(): Promise<void>
  /**
   * Optional: resolves the OP anew, past every cache (also one shared between instances). Called,
   * rate-limited, when a token names a key the cached metadata lacks: the OP rolled its keys.
   */
  reload?(issuer: string): Promise<ResolvedProvider>
}
