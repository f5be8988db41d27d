import { ID_TOKEN_ALG } from '../algorithms.ts'
import type { ResolvedOptions } from '../options/resolve-options.ts'
import { createOpFetch, type OpFetch } from '../protocol/op-fetch.ts'
import { createFederationFetch } from '../federation/federation-fetch.ts'
import type { ProtocolContext } from '../protocol/protocol-context.ts'
import { FederationProviderRegistry } from '../federation/federation-provider-registry.ts'
import type { TrustAnchor } from '../federation/trust-chain.ts'
import { DefaultProviderRegistry } from '../providers/default-provider-registry.ts'
import type { AuditEvent } from '../audit/audit-event.ts'
import { secretTag } from '../log/redact.ts'
import { FailureAggregator } from '../audit/failure-aggregator.ts'
import { logAuditHealth } from '../audit/log-audit-health.ts'
import { logCheckRpQuirk } from '../log/check-rp-quirk.ts'
import { memorySharedState } from '../store/shared-state.ts'
import { OpKeyReloads } from '../protocol/op-keys.ts'

/**
 * The runtime of one strategy: its options, the OPs, the HTTP client, local shared state, the
 * clock and the audit trail, built once. The strategy owns it (`strategy.runtime`) and every
 * middleware of the package receives it from there.
 */
export interface SpidRuntime extends ProtocolContext {
  /** The HTTP client of trust-chain resolution: members' URLs only to public https hosts (see createFederationFetch). */
  readonly federationFetch: OpFetch
}

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
      // A record dropped by a full backlog is counted in the chain and announced by the health line.
      if ((error as { code?: unknown } | undefined)?.code === 'ERR_SPID_AUDIT_UNAVAILABLE') return
      options.logger.error({ event: 'audit.write_failed', type, reason: error instanceof Error ? error.message : String(error) }, 'audit record not written')
    }
  }
  logAuditHealth(options.audit, options.logger)
  const unbound = new FailureAggregator((fields) => record('login.failed.aggregated', fields))
  // Each is recorded in full at its callback, when it comes back: here, only counted.
  const anonymousStarts = new FailureAggregator((fields) => record('authorization.requested.aggregated', fields), {
    individual: 0,
    describe: (iss) => ({ iss }),
  })
  const audit: SpidRuntime['audit'] = (type, fields) => {
    // A failure with no transaction behind it (no OP known): rate-limited and aggregated.
    if (type === 'login.failed' && fields.iss === '' && !unbound.admit(String(fields.error_code))) return
    // A login start by someone not logged in: anyone can make them, so they are counted per OP.
    if (type === 'authorization.requested' && fields.anonymous === true && !anonymousStarts.admit(fields.iss)) return
    record(type, fields)
  }
  // Filled in below; the federation registry reads the clock through it, so that a clock
  // replaced on the runtime (tests move it forward) applies there too.
  const runtime = {} as SpidRuntime
  const originOf = (url: string) => new URL(url).origin
  // The RP's own origin too: checkFederationSetup reads its entity configuration as served.
  const namedOrigins = new Set(
    [options.clientId, ...options.trustAnchors.map((a) => a.entityId), ...options.providers.map((p) => p.issuer), ...options.authorityHints].map(originOf),
  )
  const federationFetch = createFederationFetch({
    timeout: options.httpTimeout,
    maxBytes: options.maxResponseBytes,
    // Read when a request is made, by then the registry below exists.
    isNamed: (origin) => namedOrigins.has(origin) || (federation?.lists(origin) ?? false),
  })
  const { failureTtl, ...limits } = options.federationLimits
  const federation =
    options.providerRegistry === undefined && options.trustAnchors.length > 0
      ? new FederationProviderRegistry({
          anchors: options.trustAnchors as TrustAnchor[],
          providers: options.providers,
          discover: options.discoverProviders,
          requiredTrustMarks: options.requiredTrustMarks,
          ...(options.federationCache ? { sharedCache: options.federationCache } : {}),
          fetch: federationFetch,
          limits,
          failureTtl,
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
      : undefined
  const registry =
    options.providerRegistry ??
    federation ??
    new DefaultProviderRegistry({
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
    })
  return Object.assign(runtime, {
    options,
    registry,
    fetch,
    federationFetch,
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
