import type { ResolvedOptions } from '../options/resolve-options.ts'
import { createOpFetch, type OpFetch } from '../protocol/op-fetch.ts'
import type { OpClientContext } from '../protocol/op-client.ts'
import { DefaultProviderRegistry } from '../providers/default-provider-registry.ts'
import type { ProviderRegistry } from '../providers/provider-registry.ts'
import type { AuditEvent, AuditEventType } from '../audit/audit-event.ts'
import { secretTag } from '../log/redact.ts'
import { ReplayCache } from '../checks/replay-cache.ts'

/** Everything a login step needs, built once per strategy. */
export interface StrategyContext {
  options: ResolvedOptions
  registry: ProviderRegistry
  fetch: OpFetch
  client: OpClientContext
  /** ID token jtis already accepted (rule I2). */
  replay: ReplayCache
  /** Epoch seconds; replaceable in tests that need another clock. */
  now(): number
  /** Writes an audit record (client_id and time filled in); a failing sink is logged, not thrown. */
  audit(type: AuditEventType, fields: Partial<AuditEvent> & { iss: string }): void
}

/** The ID token alg the RP registers (`id_token_signed_response_alg`) and openid-client enforces. */
export const ID_TOKEN_ALG = 'RS256'

export function createStrategyContext(options: ResolvedOptions): StrategyContext {
  const fetch = createOpFetch({ timeout: options.httpTimeout, maxBytes: options.maxResponseBytes })
  const audit: StrategyContext['audit'] = (type, fields) => {
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
  const registry =
    options.providerRegistry ??
    new DefaultProviderRegistry({
      providers: options.providers,
      fetch,
      metadataTtl: options.metadataTtl,
      clockTolerance: options.clockTolerance,
      onResolved: (provider, statement) =>
        audit('trust_chain.resolved', {
          iss: provider.config.issuer,
          source: provider.source,
          ...(statement ? { statement_hash: secretTag(statement) } : {}),
        }),
    })
  return {
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
    },
    now: () => Math.floor(Date.now() / 1000),
    replay: new ReplayCache(),
    audit,
  }
}
