import type { RequestHandler } from 'express'
import type { HasSpidRuntime } from '../core/spid-runtime.ts'
import { isSpidError } from '../errors/spid-error.ts'
import { buildResolveResponse } from '../federation/resolve-response.ts'
import type { TrustAnchor } from '../federation/trust-chain.ts'

const list = (value: unknown): string[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === 'string')

/**
 * The RP's `federation_resolve_endpoint` (`<clientId>/resolve`, published in its entity
 * configuration): `GET ?sub=<the RP>&trust_anchor=<anchor>[&entity_type=…]` answers a signed
 * `resolve-response+jwt` with its trust chain and policy-applied metadata. Errors are the
 * federation's JSON `{ error, error_description }`.
 */
export function resolveEndpoint(strategy: HasSpidRuntime): RequestHandler {
  const { runtime } = strategy
  return (req, res) => {
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
        anchors: runtime.options.trustAnchors as TrustAnchor[],
        federationKey: runtime.options.keys.federation,
        fetch: runtime.fetch,
        now: runtime.now(),
        clockTolerance: runtime.options.clockTolerance,
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
