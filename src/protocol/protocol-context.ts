import type { AuditEvent, AuditEventType } from '../audit/audit-event.ts'
import type { ResolvedOptions } from '../options/resolve-options.ts'
import type { ProviderRegistry } from '../providers/provider-registry.ts'
import type { OpClientContext } from './op-client.ts'
import type { OpFetch } from './op-fetch.ts'
import type { OpKeyReloads } from './op-keys.ts'
import type { SharedState } from '../store/shared-state.ts'

/**
 * What the protocol steps need, handed down by the runtime that owns it (`SpidRuntime`), so
 * that nothing in protocol/ reaches up to the strategy or the middleware.
 */
export interface ProtocolContext {
  readonly options: ResolvedOptions
  readonly registry: ProviderRegistry
  readonly fetch: OpFetch
  readonly client: OpClientContext
  /** Reloads an OP's keys when a token names a new kid, rate-limited per OP. */
  readonly opKeys: OpKeyReloads
  /** Single-use values and leases when the session store offers none to share (one process). */
  readonly localShared: SharedState
  /** Epoch seconds: the clock of every check. Replaceable (tests move it forward). */
  now(): number
  /** Writes an audit record (client_id and time filled in); a failing sink is logged, not thrown. */
  audit(type: AuditEventType, fields: Partial<AuditEvent> & { iss: string }): void
}
