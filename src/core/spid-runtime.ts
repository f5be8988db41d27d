import { ID_TOKEN_ALG } from '../algorithms.ts'
import type { ResolvedOptions } from '../options/resolve-options.ts'
import { createOpFetch } from '../protocol/op-fetch.ts'
import type { ProtocolContext } from '../protocol/protocol-context.ts'
import { FederationProviderRegistry } from '../federation/federation-provider-registry.ts'
import type { TrustAnchor } from '../federation/trust-chain.ts'
import { DefaultProviderRegistry } from '../providers/default-provider-registry.ts'
import type { AuditEvent } from '../audit/audit-event.ts'
import { secretTag } from '../log/redact.ts'
import { FailureAggregator } from '../audit/failure-aggregator.ts'
import { logCheckRpQuirk } from '../log/check-rp-quirk.ts'
import { memorySharedState } from '../store/shared-state.ts'
import { OpKeyReloads } from '../protocol/op-keys.ts'

/**
 * The runtime of one strategy: its options, the OPs, the HTTP client, local shared state, the
 * clock and the audit trail, built once. The strategy owns it (`strategy.runtime`) and every
 * middleware of the package receives it from there.
 */
export interface SpidRuntime extends ProtocolContext {}

/** Anything that carries a runtime: a `SpidStrategy`, which is what apps pass to the middleware. */
export interface HasSpidRuntime {
  readonly runtime: SpidRuntime
}

export function createSpidRuntime(options: ResolvedOptions): SpidRuntime {
  const fetch = createOpFetch({ timeout: options.httpTimeout, maxBytes: options.maxResponseBytes })
  const record = (type: AuditEvent['type'], fields: Partial<AuditEvent> & { iss: string }) => {
    if (!options.audit) return
    const event = { outcome: 'ok', ...fields, type, time: new Date().toISOString(), client_id: options.clientId } as AuditEvent
    try {
      Promise.resolve(options.audit.write(event)).catch((error: unknown) => auditFailed(error))
    } catch (error) {
      auditFailed(error)
    }
    function auditFailed(error: unknown) {
      options.logger.error({ event: 'audit.write_failed', type, reason: error instanceof Error ? error.message : String(error) }, 'audit record not written')
    }
  }
  const unbound = new FailureAggregator((fields) => record('login.failed.aggregated', fields))
  const audit: SpidRuntime['audit'] = (type, fields) => {
    // A failure with no transaction behind it (no OP known): rate-limited and aggregated.
    if (type === 'login.failed' && fields.iss === '' && !unbound.admit(String(fields.error_code))) return
    record(type, fields)
  }
  // Filled in below; the federation registry reads the clock through it, so that a clock
  // replaced on the runtime (tests move it forward) applies there too.
  const runtime = {} as SpidRuntime
  const registry =
    options.providerRegistry ??
    (options.trustAnchors.length > 0
      ? new FederationProviderRegistry({
          anchors: options.trustAnchors as TrustAnchor[],
          providers: options.providers,
          discover: options.discoverProviders,
          requiredTrustMarks: options.requiredTrustMarks,
          ...(options.federationCache ? { sharedCache: options.federationCache } : {}),
          fetch,
          clockTolerance: options.clockTolerance,
          now: () => runtime.now(),
          logger: options.logger,
          onResolved: (provider, chain) =>
            audit('trust_chain.resolved', {
              iss: provider.config.issuer,
              source: provider.source,
              // Rule G1: the chain used (subject configuration, subordinate statements, anchor configuration).
              statement_hashes: chain.statements.map(secretTag),
              trust_anchor: chain.anchor.sub,
              exp: chain.expiresAt,
            }),
        })
      : new DefaultProviderRegistry({
          providers: options.providers,
          fetch,
          metadataTtl: options.metadataTtl,
          clockTolerance: options.clockTolerance,
          ...(options.acceptCheckRpQuirks ? { onQuirk: (issuer: string, quirk: string) => logCheckRpQuirk(options.logger, issuer, quirk) } : {}),
          onResolved: (provider, statement) =>
            audit('trust_chain.resolved', {
              iss: provider.config.issuer,
              source: provider.source,
              ...(statement ? { statement_hash: secretTag(statement) } : {}),
            }),
        }))
  return Object.assign(runtime, {
    options,
    registry,
    fetch,
    client: {
      clientId: options.clientId,
      signingKey: options.keys.signing,
      idTokenAlg: ID_TOKEN_ALG,
      fetch,
      allowHttpLoopback: options.allowHttpLoopback,
      clockTolerance: options.clockTolerance,
      ...(options.idTokenEncryption
        ? { idTokenDecryption: { keys: options.keys.published.encryption, registered: options.idTokenEncryption, mode: options.jweAlgorithms } }
        : {}),
    },
    now: () => Math.floor(Date.now() / 1000),
    localShared: memorySharedState(),
    opKeys: new OpKeyReloads(registry, options.logger),
    audit,
  })
}
