import { SignJWT } from 'jose'
import { FederationError } from '../errors/spid-error.ts'
import type { RpKey } from '../keys/rp-keys.ts'
import type { OpFetch } from '../protocol/op-fetch.ts'
import { applyMetadataPolicy } from './metadata-policy.ts'
import type { OwnChainCache } from './own-chain-cache.ts'
import type { ResolutionLimits } from './resolution-budget.ts'
import { resolveTrustChain, type TrustAnchor, type TrustChain } from './trust-chain.ts'

export interface ResolveRequest {
  /** `sub`: the entity whose resolved metadata is asked for. */
  subject: string
  /** `trust_anchor`: the anchor the chain must end at. */
  trustAnchor: string
  /** `entity_type`: only these types; all when empty. */
  entityTypes: readonly string[]
}

export interface ResolveContext {
  /** The resolver's own entity id: the only subject it resolves. */
  entityId: string
  /** Its entity configuration, built locally: the chain starts from it rather than from a request to its own public URL. */
  ownConfiguration: () => Promise<string>
  anchors: readonly TrustAnchor[]
  federationKey: RpKey
  fetch: OpFetch
  now: number
  clockTolerance: number
  /** Requests, hints and time one resolution may use. */
  limits?: Partial<ResolutionLimits>
  /** Where the resolved chain is kept between requests (else each request resolves it again). */
  cache?: OwnChainCache
}

/**
 * An entity's trust chain up to `anchor`, verified, and its metadata of each type (all, or those
 * named) with the chain's policy applied: what the anchor's federation makes of the entity. A
 * policy the metadata breaks throws, naming the parameter.
 */
export async function resolvePolicyApplied(
  entityId: string,
  anchor: TrustAnchor,
  entityTypes: readonly string[],
  ctx: { fetch: OpFetch; now: number; clockTolerance: number },
): Promise<{ chain: TrustChain; metadata: Record<string, Record<string, unknown>> }> {
  const chain = await resolveTrustChain(entityId, { anchors: [anchor], fetch: ctx.fetch, now: ctx.now, clockTolerance: ctx.clockTolerance })
  return { chain, metadata: policyApplied(chain, entityTypes) }
}

/** The chain subject's metadata of each type (all, or those named), with the chain's policy applied. */
function policyApplied(chain: TrustChain, entityTypes: readonly string[]): Record<string, Record<string, unknown>> {
  const types = Object.keys(chain.subject.metadata ?? {}).filter((type) => entityTypes.length === 0 || entityTypes.includes(type))
  const superior = chain.subordinateStatements[0]?.metadata ?? {}
  return Object.fromEntries(types.map((type) => [type, applyMetadataPolicy(type, chain.subject.metadata?.[type] ?? {}, chain.policy[type], superior[type])]))
}

/**
 * A resolve response (OpenID Federation 1.0 section 8.3) about the relying party itself: its trust
 * chain up to the requested anchor, verified, and its metadata with the chain's policy applied,
 * signed with the federation key as `resolve-response+jwt`. It answers only for itself; the same
 * resolution tells the RP, at start-up or on demand, that the anchor knows it and accepts its metadata.
 * The chain starts from the RP's entity configuration as built locally, and is kept in `ctx.cache`.
 */
export async function buildResolveResponse(request: ResolveRequest, ctx: ResolveContext): Promise<string> {
  if (request.subject !== ctx.entityId) {
    throw new FederationError('ERR_SPID_BAD_REQUEST', `this resolver answers only for ${ctx.entityId}`, { status: 404, oauthError: 'not_found' })
  }
  const anchor = ctx.anchors.find((a) => a.entityId === request.trustAnchor)
  if (!anchor) {
    throw new FederationError('ERR_SPID_BAD_REQUEST', `${request.trustAnchor} is not a trust anchor of this entity`, {
      status: 404,
      oauthError: 'invalid_trust_anchor',
    })
  }
  // Anyone may ask: the chain comes from memory while it is fresh, so that requests to this
  // endpoint do not turn into requests to the anchor.
  const resolve = async () =>
    resolveTrustChain(
      ctx.entityId,
      { anchors: [anchor], fetch: ctx.fetch, now: ctx.now, clockTolerance: ctx.clockTolerance, ...(ctx.limits ? { limits: ctx.limits } : {}) },
      await ctx.ownConfiguration(),
    )
  const chain = await (ctx.cache ? ctx.cache.get(anchor.entityId, ctx.now, resolve) : resolve())
  const metadata = policyApplied(chain, request.entityTypes)
  return new SignJWT({ metadata, trust_chain: chain.statements })
    .setProtectedHeader({ alg: ctx.federationKey.alg, kid: ctx.federationKey.kid, typ: 'resolve-response+jwt' })
    .setIssuer(ctx.entityId)
    .setSubject(ctx.entityId)
    .setIssuedAt(ctx.now)
    .setExpirationTime(chain.expiresAt)
    .sign(ctx.federationKey.privateKey)
}
