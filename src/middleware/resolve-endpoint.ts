import type { RequestHandler } from 'express'
import type { HasSpidRuntime } from '../core/spid-runtime.ts'
import { isSpidError } from '../errors/spid-error.ts'
import { buildEntityConfiguration } from '../federation/entity-configuration.ts'
import { OwnChainCache } from '../federation/own-chain-cache.ts'
import { buildResolveResponse } from '../federation/resolve-response.ts'
import type { TrustAnchor } from '../federation/trust-chain.ts'
import { ClientRateLimit, type RateLimitOptions } from './client-rate-limit.ts'

const list = (value: unknown): string[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === 'string')

export interface ResolveEndpointOptions {
  /** Requests per client address (`req.ip`, so behind a proxy set Express's `trust proxy`); `false` for none. Default 30 a minute. */
  rateLimit?: RateLimitOptions | false
  /** Seconds the RP's resolved chain is reused at most (it is never used past its `exp`). Default 300. */
  maxAge?: number
}

/**
 * The RP's `federation_resolve_endpoint` (`<clientId>/resolve`, published in its entity
 * configuration): `GET ?sub=<the RP>&trust_anchor=<anchor>[&entity_type=…]` answers a signed
 * `resolve-response+jwt` with its trust chain and policy-applied metadata. Errors are the
 * federation's JSON `{ error, error_description }`.
 *
 * Anyone may call it, so it costs the anchor little: the chain starts from the entity
 * configuration built here (the RP never requests its own public URL), is kept until its `exp` or
 * `maxAge` (a failure for the federation `failureTtl`), and each client is rate-limited (429).
 */
export function resolveEndpoint(strategy: HasSpidRuntime, options: ResolveEndpointOptions = {}): RequestHandler {
  const { runtime } = strategy
  const cache = new OwnChainCache({ maxAge: options.maxAge ?? 300, failureTtl: runtime.options.federationLimits.failureTtl })
  const limit = options.rateLimit === false ? undefined : new ClientRateLimit(options.rateLimit ?? { max: 30, windowSeconds: 60 })
  const { failureTtl: _, ...limits } = runtime.options.federationLimits
  return (req, res) => {
    const now = runtime.now()
    const wait = limit?.admit(req.ip ?? req.socket.remoteAddress ?? '', now)
    if (wait !== undefined) {
      res.set('retry-after', String(wait)).status(429).json({ error: 'temporarily_unavailable', error_description: 'too many resolve requests; retry later' })
      return
    }
    const subject = req.query.sub
    const anchors = list(req.query.trust_anchor)
    if (typeof subject !== 'string' || anchors.length === 0) {
      res.status(400).json({ error: 'invalid_request', error_description: 'sub and trust_anchor are required' })
      return
    }
    const trustAnchor = anchors.find((a) => runtime.options.trustAnchors.some((t) => t.entityId === a)) ?? (anchors[0] as string)
    buildResolveResponse(
      { subject, trustAnchor, entityTypes: list(req.query.entity_type) },
      {
        entityId: runtime.options.clientId,
        ownConfiguration: () => buildEntityConfiguration(runtime.options, now),
        anchors: runtime.options.trustAnchors as TrustAnchor[],
        federationKey: runtime.options.keys.federation,
        fetch: runtime.federationFetch,
        now,
        clockTolerance: runtime.options.clockTolerance,
        limits,
        cache,
      },
    ).then(
      (jwt) => void res.type('application/resolve-response+jwt').send(jwt),
      (error: unknown) => {
        const status = isSpidError(error) ? error.status : 500
        const code = isSpidError(error) && error.status === 404 ? error.oauthError : status >= 500 ? 'server_error' : 'invalid_request'
        runtime.options.logger.warn(
          { event: 'federation.resolve_failed', reason: error instanceof Error ? error.message : String(error) },
          'resolve request failed',
        )
        // Our own errors say what failed about this RP's chain; anything else stays in the log.
        res.status(status >= 500 ? 502 : status).json({ error: code, error_description: isSpidError(error) ? error.message : 'resolution failed' })
      },
    )
  }
}
