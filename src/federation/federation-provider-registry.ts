import type { JSONWebKeySet } from 'jose'
import { FederationError } from '../errors/spid-error.ts'
import type { Logger } from '../log/logger.ts'
import type { OpFetch } from '../protocol/op-fetch.ts'
import { checkMetadata, invalid } from '../providers/check-op-metadata.ts'
import type { ProviderConfig } from '../providers/provider-config.ts'
import type { OpMetadata, ProviderRegistry, ResolvedProvider } from '../providers/provider-registry.ts'
import { applyMetadataPolicy } from './metadata-policy.ts'
import { discoveredProfile } from './discovered-profile.ts'
import type { FederationChainCache } from './chain-cache.ts'
import { fetchEntityConfiguration, resolveTrustChain, type TrustAnchor, type TrustChain, verifyTrustChain } from './trust-chain.ts'
import { checkRequiredTrustMarks, verifyTrustMarks } from './trust-marks.ts'
import type { ResolutionLimits } from './resolution-budget.ts'

const OP = 'openid_provider'
const DEFAULT_FAILURE_TTL = 30

export interface FederationProviderRegistryOptions {
  anchors: readonly TrustAnchor[]
  /** OPs configured by hand: they must resolve through an anchor too. Discovered OPs are added to them. */
  providers: readonly ProviderConfig[]
  /** Ask the anchors' `federation_list_endpoint` for their OPs (rule F7). */
  discover: boolean
  fetch: OpFetch
  clockTolerance: number
  /** Epoch seconds. */
  now(): number
  logger: Logger
  /** Intermediates allowed at most in a chain. */
  maxIntermediates?: number
  /** Requests, hints per entity and time one chain resolution may use. */
  limits?: Partial<ResolutionLimits>
  /** Seconds a failed resolution is answered from memory before the OP's chain is tried again. Default 30. */
  failureTtl?: number
  /** Chains resolved at once during discovery. */
  concurrency?: number
  /** Shared with the other instances (Redis): a chain one resolved, the others verify and use. */
  sharedCache?: FederationChainCache
  /** Trust mark types every OP must carry, verified (rule F6). Default none. */
  requiredTrustMarks?: readonly string[]
  /** Called with each freshly resolved OP and its chain (rule G1: keep the chain used). */
  onResolved?: (provider: ResolvedProvider, chain: TrustChain) => void
}

interface Cached {
  value: Promise<ResolvedProvider & { chain: TrustChain }>
  /** Refreshed in the background from here on. */
  refreshAt: number
  /** Refused from here on (the chain's earliest exp). */
  expiresAt: number
  refreshing: boolean
}

/**
 * OPs trusted through OpenID Federation (rules F5-F7): an OP's metadata is used only through a
 * trust chain verified up to a pinned trust anchor, with the chain's metadata policy applied:
 * endpoints, keys and algorithms all come from the policy-applied metadata. Chains are cached
 * until their earliest `exp`, re-resolved in the background before then; a failed refresh keeps
 * the last valid chain until it expires. A warm login makes no federation request.
 */
export class FederationProviderRegistry implements ProviderRegistry {
  readonly #o: FederationProviderRegistryOptions
  readonly #configured: readonly ProviderConfig[]
  #discovered: ProviderConfig[] = []
  readonly #cache = new Map<string, Cached>()
  /** OPs of the anchors' lists whose chain failed, with why: reported, never fatal for the others. */
  readonly refused = new Map<string, string>()
  /** The origins of the OPs the anchors listed at the last refresh, before their chains resolved too. */
  #listedOrigins = new Set<string>()

  constructor(options: FederationProviderRegistryOptions) {
    this.#o = options
    this.#configured = options.providers
  }

  list(): readonly ProviderConfig[] {
    return [...this.#configured, ...this.#discovered]
  }

  get(idOrIssuer: string): ProviderConfig | undefined {
    const all = this.list()
    return all.find((p) => p.issuer === idOrIssuer) ?? all.find((p) => p.id === idOrIssuer)
  }

  /** Whether an anchor listed an OP on `origin` (the federation HTTP client requests those as configured ones). */
  lists(origin: string): boolean {
    return this.#listedOrigins.has(origin)
  }

  /** Asks each anchor for its OPs and resolves their chains, a few at a time; an OP that fails is left out and reported. */
  async refresh(): Promise<void> {
    if (!this.#o.discover) return
    const found: string[] = []
    for (const anchor of this.#o.anchors) found.push(...(await this.#listOps(anchor)))
    const known = new Set(this.#configured.map((p) => p.issuer))
    const candidates = [...new Set(found)].filter((issuer) => !known.has(issuer))
    this.#listedOrigins = new Set(candidates.map((issuer) => new URL(issuer).origin))
    // Keyed by issuer: the config as resolved, its profile (SPID or CIE id) read from the chain.
    const accepted = new Map<string, ProviderConfig>()
    const asConfig = (issuer: string): ProviderConfig => ({ issuer, id: issuer, name: undefined, profile: 'spid' })
    const queue = [...candidates]
    const worker = async () => {
      for (let issuer = queue.shift(); issuer !== undefined; issuer = queue.shift()) {
        try {
          accepted.set(issuer, (await this.#resolveChain(asConfig(issuer))).config)
          this.refused.delete(issuer)
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error)
          this.refused.set(issuer, reason)
          this.#o.logger.warn({ event: 'federation.op_refused', issuer, reason }, 'an OP of the trust anchor list has no valid trust chain; it is not offered')
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency ?? 4, candidates.length) }, worker))
    // Keep the anchors' order, whatever order the chains resolved in.
    this.#discovered = candidates.flatMap((issuer) => accepted.get(issuer) ?? [])
  }

  resolve(issuer: string): Promise<ResolvedProvider> {
    const config = this.get(issuer)
    if (!config || config.issuer !== issuer) {
      return Promise.reject(
        new FederationError('ERR_SPID_UNKNOWN_PROVIDER', `no OP known with issuer ${issuer}`, { status: 400, oauthError: 'invalid_request' }),
      )
    }
    return this.#resolveChain(config)
  }

  /** Resolves the OP's chain again from the network (not from the shared cache, which may hold the same stale chain) and shares it. */
  reload(issuer: string): Promise<ResolvedProvider> {
    const config = this.get(issuer)
    if (!config || config.issuer !== issuer) return this.resolve(issuer)
    const value = this.#load(config, { fresh: true })
    this.#remember(issuer, value)
    return value
  }

  /** The cached resolution while it is valid (refreshed in the background past its refresh time), else a new one. */
  #resolveChain(config: ProviderConfig): Promise<ResolvedProvider & { chain: TrustChain }> {
    const now = this.#o.now()
    const cached = this.#cache.get(config.issuer)
    if (cached && now < cached.expiresAt) {
      if (now >= cached.refreshAt && !cached.refreshing) this.#refreshInBackground(config, cached)
      return cached.value
    }
    const value = this.#load(config)
    this.#remember(config.issuer, value)
    return value
  }

  #remember(issuer: string, value: Promise<ResolvedProvider & { chain: TrustChain }>): void {
    // Until it settles, concurrent logins share this resolution.
    const entry: Cached = { value, refreshAt: Number.POSITIVE_INFINITY, expiresAt: Number.POSITIVE_INFINITY, refreshing: false }
    this.#cache.set(issuer, entry)
    value.then(
      (resolved) => {
        const lifetime = resolved.chain.expiresAt - this.#o.now()
        entry.expiresAt = resolved.chain.expiresAt
        entry.refreshAt = resolved.chain.expiresAt - Math.max(Math.floor(lifetime / 10), 1)
      },
      () => {
        // Remembered for a while: a chain that failed, perhaps at the cost of many requests and
        // seconds, must not be resolved again by every login start that names the OP.
        if (this.#cache.get(issuer) === entry) entry.expiresAt = this.#o.now() + (this.#o.failureTtl ?? DEFAULT_FAILURE_TTL)
      },
    )
  }

  #refreshInBackground(config: ProviderConfig, cached: Cached): void {
    cached.refreshing = true
    this.#load(config).then(
      (fresh) => this.#remember(config.issuer, Promise.resolve(fresh)),
      (error: unknown) => {
        cached.refreshing = false
        // The last valid chain stays in use until it expires; then the OP is refused.
        cached.refreshAt = this.#o.now() + 30
        this.#o.logger.warn(
          { event: 'federation.refresh_failed', issuer: config.issuer, reason: error instanceof Error ? error.message : String(error) },
          'trust chain refresh failed; the cached chain is used until it expires',
        )
      },
    )
  }

  async #load(config: ProviderConfig, { fresh = false } = {}): Promise<ResolvedProvider & { chain: TrustChain }> {
    const chain = (fresh ? undefined : await this.#fromSharedCache(config.issuer)) ?? (await this.#resolveAndShare(config.issuer))
    await this.#checkTrustMarks(chain)
    const own = chain.subject.metadata?.[OP]
    if (!own) throw invalid(config, 'entity configuration has no metadata.openid_provider')
    const superiorValues = chain.subordinateStatements[0]?.metadata?.[OP]
    const metadata = applyMetadataPolicy(OP, own, chain.policy[OP], superiorValues) as OpMetadata
    checkMetadata(config, metadata)
    const jwks = metadata.jwks as JSONWebKeySet | undefined
    if (!jwks || !Array.isArray(jwks.keys)) throw invalid(config, 'policy-applied metadata has no jwks (SPID and CIE OPs publish their keys inline)')
    const organization = (chain.subject.metadata?.federation_entity as { organization_name?: string } | undefined)?.organization_name
    // An OP configured by hand keeps the profile it was given; one an anchor listed gets its own.
    const byHand = this.#configured.some((p) => p.issuer === config.issuer)
    const profile = byHand ? config.profile : discoveredProfile(chain.anchor.sub, metadata)
    const resolved = {
      config: profile === config.profile ? config : { ...config, profile },
      metadata: { ...(organization ? { organization_name: organization } : {}), ...metadata },
      jwks,
      source: 'trust-chain' as const,
      trustChain: chain.statements,
      displayName: config.name ?? organization ?? (metadata.op_name as string | undefined) ?? new URL(config.issuer).host,
      chain,
    }
    this.#o.onResolved?.(resolved, chain)
    return resolved
  }

  #chainOptions() {
    return {
      anchors: this.#o.anchors,
      fetch: this.#o.fetch,
      now: this.#o.now(),
      clockTolerance: this.#o.clockTolerance,
      ...(this.#o.maxIntermediates !== undefined ? { maxIntermediates: this.#o.maxIntermediates } : {}),
      ...(this.#o.limits ? { limits: this.#o.limits } : {}),
    }
  }

  /** Another instance's resolution, verified again here; anything wrong with it means resolving anew. */
  async #fromSharedCache(subject: string): Promise<TrustChain | undefined> {
    const cache = this.#o.sharedCache
    if (!cache) return undefined
    try {
      const statements = await cache.get(subject)
      return statements ? await verifyTrustChain(subject, statements, this.#chainOptions()) : undefined
    } catch (error) {
      this.#o.logger.warn(
        { event: 'federation.shared_chain_refused', issuer: subject, reason: error instanceof Error ? error.message : String(error) },
        'a shared trust chain could not be used; resolving it again',
      )
      return undefined
    }
  }

  async #resolveAndShare(subject: string): Promise<TrustChain> {
    const chain = await resolveTrustChain(subject, this.#chainOptions())
    await this.#o.sharedCache?.set(subject, chain.statements, chain.expiresAt - this.#o.now()).catch((error: unknown) => {
      this.#o.logger.warn(
        { event: 'federation.shared_cache_failed', issuer: subject, reason: error instanceof Error ? error.message : String(error) },
        'could not share the trust chain',
      )
    })
    return chain
  }

  /** Rule F6: the required trust marks, issued by issuers the anchor lists, each issuer's keys from its own chain. */
  async #checkTrustMarks(chain: TrustChain): Promise<void> {
    const required = this.#o.requiredTrustMarks ?? []
    if (required.length === 0) return
    const chainOptions = this.#chainOptions()
    const result = await verifyTrustMarks({
      subject: chain.subject,
      anchor: chain.anchor,
      issuerKeys: async (issuer) =>
        issuer === chain.anchor.sub ? chain.anchor.jwks : (await resolveTrustChain(issuer, chainOptions).catch(() => undefined))?.subject.jwks,
      now: this.#o.now(),
      clockTolerance: this.#o.clockTolerance,
    })
    checkRequiredTrustMarks(chain.subject.sub, required, result)
  }

  /** Rule F7: `GET <federation_list_endpoint>?entity_type=openid_provider`, a JSON array of entity ids. */
  async #listOps(anchor: TrustAnchor): Promise<string[]> {
    const options = { anchors: this.#o.anchors, fetch: this.#o.fetch, now: this.#o.now(), clockTolerance: this.#o.clockTolerance }
    const configuration = await fetchEntityConfiguration(anchor.entityId, anchor.jwks, options)
    const endpoint = (configuration.claims.metadata?.federation_entity as { federation_list_endpoint?: unknown } | undefined)?.federation_list_endpoint
    if (typeof endpoint !== 'string' || !URL.canParse(endpoint)) {
      throw new FederationError('ERR_SPID_TRUST_CHAIN_INVALID', `${anchor.entityId}: entity configuration has no federation_list_endpoint`)
    }
    const url = new URL(endpoint)
    url.searchParams.set('entity_type', OP)
    const response = await this.#o.fetch(url.href, { headers: { accept: 'application/json' } })
    if (!response.ok) throw new FederationError('ERR_SPID_TRUST_CHAIN_INVALID', `${anchor.entityId}: ${url.href} answered ${response.status}`)
    let list: unknown
    try {
      list = JSON.parse(response.body.toString('utf8'))
    } catch (cause) {
      throw new FederationError('ERR_SPID_TRUST_CHAIN_INVALID', `${anchor.entityId}: the list endpoint did not answer JSON`, { cause })
    }
    if (!Array.isArray(list) || !list.every((e) => typeof e === 'string' && URL.canParse(e))) {
      throw new FederationError('ERR_SPID_TRUST_CHAIN_INVALID', `${anchor.entityId}: the list endpoint did not answer an array of entity ids`)
    }
    return list as string[]
  }
}
