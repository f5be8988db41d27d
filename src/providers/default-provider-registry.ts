import { JWS_ALGS } from '../algorithms.ts'
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose'
import { FederationError, isSpidError } from '../errors/spid-error.ts'
import type { ProviderConfig } from './provider-config.ts'
import type { OpFetch } from '../protocol/op-fetch.ts'
import type { OpMetadata, ProviderRegistry, ResolvedProvider } from './provider-registry.ts'
import { checkEndpoint, checkMetadata, invalid } from './check-op-metadata.ts'
import { ENTITY_STATEMENT_CONTENT_TYPE } from '../federation/entity-configuration.ts'

export interface DefaultProviderRegistryOptions {
  providers: readonly ProviderConfig[]
  fetch: OpFetch
  /** Seconds metadata stays cached. */
  metadataTtl: number
  clockTolerance: number
  /** Called with each freshly resolved OP and the entity statement it came from (rule G1: keep the chain used). */
  onResolved?: (provider: ResolvedProvider, statement: string | undefined) => void
  /**
   * Set only with `acceptCheckRpQuirks`: an entity configuration without a `typ` header is then
   * accepted (any other typ still is not), and this is called on each such use.
   */
  onQuirk?: (issuer: string, quirk: string) => void
}

/**
 * Finds OP metadata in the OP's self-signed entity configuration
 * (`<issuer>/.well-known/openid-federation`), falling back to OpenID discovery only when the
 * OP publishes no entity configuration. A published but invalid one is an error, never a reason
 * to fall back. Results are cached per process: they decide nothing about any one user.
 */
export class DefaultProviderRegistry implements ProviderRegistry {
  readonly #providers: readonly ProviderConfig[]
  readonly #fetch: OpFetch
  readonly #ttlMs: number
  readonly #clockTolerance: number
  readonly #onResolved: DefaultProviderRegistryOptions['onResolved']
  readonly #onQuirk: DefaultProviderRegistryOptions['onQuirk']
  readonly #cache = new Map<string, { value: Promise<ResolvedProvider>; expires: number }>()

  constructor(options: DefaultProviderRegistryOptions) {
    this.#providers = options.providers
    this.#fetch = options.fetch
    this.#ttlMs = options.metadataTtl * 1000
    this.#clockTolerance = options.clockTolerance
    this.#onResolved = options.onResolved
    this.#onQuirk = options.onQuirk
  }

  list(): readonly ProviderConfig[] {
    return this.#providers
  }

  get(idOrIssuer: string): ProviderConfig | undefined {
    return this.#providers.find((p) => p.issuer === idOrIssuer) ?? this.#providers.find((p) => p.id === idOrIssuer)
  }

  resolve(issuer: string): Promise<ResolvedProvider> {
    const config = this.get(issuer)
    if (!config || config.issuer !== issuer) {
      return Promise.reject(
        new FederationError('ERR_SPID_UNKNOWN_PROVIDER', `no OP configured with issuer ${issuer}`, { status: 400, oauthError: 'invalid_request' }),
      )
    }
    const cached = this.#cache.get(issuer)
    if (cached && cached.expires > Date.now()) return cached.value
    const value = this.#load(config)
    this.#cache.set(issuer, { value, expires: Date.now() + this.#ttlMs })
    // A failure is not cached: the next login tries again.
    value.catch(() => this.#cache.delete(issuer))
    return value
  }

  reload(issuer: string): Promise<ResolvedProvider> {
    this.forget(issuer)
    return this.resolve(issuer)
  }

  /** Drops cached metadata, e.g. after an OP rotated its keys. */
  forget(issuer?: string): void {
    if (issuer) this.#cache.delete(issuer)
    else this.#cache.clear()
  }

  async #load(config: ProviderConfig): Promise<ResolvedProvider> {
    const fromEc = await this.#fromEntityConfiguration(config)
    const { metadata, source } = fromEc ?? { metadata: await this.#fromDiscovery(config), source: 'openid-configuration' as const }
    checkMetadata(config, metadata)
    const jwks = await this.#coreKeys(config, metadata)
    const displayName = config.name ?? metadata.organization_name ?? metadata.op_name ?? new URL(config.issuer).host
    const resolved: ResolvedProvider = { config, metadata, jwks, source, displayName }
    this.#onResolved?.(resolved, fromEc?.statement)
    return resolved
  }

  async #fromEntityConfiguration(config: ProviderConfig): Promise<{ metadata: OpMetadata; source: 'entity-configuration'; statement: string } | undefined> {
    const url = `${config.issuer}/.well-known/openid-federation`
    const response = await this.#fetch(url, { headers: { accept: `${ENTITY_STATEMENT_CONTENT_TYPE}, application/jwt` } })
    if (response.status === 404) return undefined
    const type = (response.header('content-type') ?? '').split(';')[0]?.trim()
    if (!response.ok || (type !== ENTITY_STATEMENT_CONTENT_TYPE && type !== 'application/jwt')) {
      if (response.status >= 400 && response.status < 500) return undefined
      throw invalid(config, `entity configuration answered ${response.status} ${type || 'without a content type'}`)
    }
    const jwt = response.body.toString('utf8').trim()
    let payload: Record<string, unknown>
    try {
      const claims = decodeJwt(jwt)
      const ownKeys = claims.jwks as JSONWebKeySet | undefined
      if (!ownKeys || !Array.isArray(ownKeys.keys)) throw new Error('no jwks')
      const untyped = this.#onQuirk !== undefined && decodeProtectedHeader(jwt).typ === undefined
      ;({ payload } = await jwtVerify(jwt, createLocalJWKSet(ownKeys), {
        issuer: config.issuer,
        subject: config.issuer,
        ...(untyped ? {} : { typ: 'entity-statement+jwt' }),
        algorithms: [...JWS_ALGS],
        clockTolerance: this.#clockTolerance,
        requiredClaims: ['iat', 'exp'],
      }))
      if (untyped) this.#onQuirk?.(config.issuer, 'entity configuration without typ header')
    } catch (cause) {
      throw invalid(config, `entity configuration is not a valid self-signed entity statement: ${whyNotEntityStatement(jwt, cause)}`, cause)
    }
    const metadata = (payload.metadata as { openid_provider?: OpMetadata } | undefined)?.openid_provider
    if (!metadata || typeof metadata !== 'object') throw invalid(config, 'entity configuration has no metadata.openid_provider')
    const federationEntity = (payload.metadata as { federation_entity?: { organization_name?: string } }).federation_entity
    return {
      metadata: { organization_name: federationEntity?.organization_name, ...metadata },
      source: 'entity-configuration',
      statement: jwt,
    }
  }

  async #fromDiscovery(config: ProviderConfig): Promise<OpMetadata> {
    const response = await this.#fetch(`${config.issuer}/.well-known/openid-configuration`, { headers: { accept: 'application/json' } })
    if (!response.ok) throw invalid(config, `neither an entity configuration nor OpenID discovery metadata (discovery answered ${response.status})`)
    try {
      return JSON.parse(response.body.toString('utf8')) as OpMetadata
    } catch (cause) {
      throw invalid(config, 'OpenID discovery metadata is not JSON', cause)
    }
  }

  /** Inline `jwks` is the federation norm; `jwks_uri` the older registry style (seed 003). */
  async #coreKeys(config: ProviderConfig, metadata: OpMetadata): Promise<JSONWebKeySet> {
    const inline = metadata.jwks as JSONWebKeySet | undefined
    if (inline && Array.isArray(inline.keys)) return inline
    const uri = metadata.jwks_uri
    if (typeof uri !== 'string') throw invalid(config, 'metadata has neither jwks nor jwks_uri')
    checkEndpoint(config, 'jwks_uri', uri)
    const response = await this.#fetch(uri, { headers: { accept: 'application/json, application/jwk-set+json' } })
    if (!response.ok) throw invalid(config, `jwks_uri answered ${response.status}`)
    try {
      const jwks = JSON.parse(response.body.toString('utf8')) as JSONWebKeySet
      if (!Array.isArray(jwks.keys)) throw new Error('no keys')
      return jwks
    } catch (cause) {
      if (isSpidError(cause)) throw cause
      throw invalid(config, 'jwks_uri did not return a JWK set', cause)
    }
  }
}

/** The reason, named (rule F1): the `typ` AgID's check-rp omits, or jose's check, which names no value. */
function whyNotEntityStatement(jwt: string, cause: unknown): string {
  const error = cause as { code?: unknown; claim?: unknown; message?: unknown }
  if (error?.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && error.claim === 'typ') {
    let typ: unknown
    try {
      typ = decodeProtectedHeader(jwt).typ
    } catch {
      typ = undefined
    }
    return `header typ is ${typeof typ === 'string' ? JSON.stringify(typ.slice(0, 64)) : '(none)'}, expected "entity-statement+jwt" (rule F1; acceptCheckRpQuirks accepts none, for AgID's check-rp only)`
  }
  return String(error?.message ?? cause).slice(0, 200)
}
