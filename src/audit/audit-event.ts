/**
 * One audit record (rules G1-G2): what happened in an authentication transaction, indexed by the
 * fields SPID asks for. Secrets appear only as tags (`*_hash`); personal attributes never do,
 * except the released claim names, and a fiscal-number tag when the app opts in.
 */
export interface AuditEvent {
  /** `noun.verb`: authorization.requested, login.succeeded, token.refreshed, … */
  type: AuditEventType
  /** ISO 8601. */
  time: string
  client_id: string
  /** The OP. */
  iss: string
  /** Pairwise subject, once known. */
  sub?: string
  /** `jti` of the token or request object concerned. */
  jti?: string
  iat?: number
  exp?: number
  /** Tag of the authorization code (never the code). */
  code_hash?: string
  /** Tag of `state`, linking the request to its callback. */
  state_hash?: string
  acr?: string
  outcome: 'ok' | 'error'
  /** The SpidError code, for failures. */
  error_code?: string
  [detail: string]: unknown
}

export type AuditEventType =
  | 'authorization.requested'
  | 'authorization.requested.aggregated'
  | 'authorization.answered'
  | 'token.issued'
  | 'userinfo.received'
  | 'login.succeeded'
  | 'login.failed'
  | 'login.failed.aggregated'
  | 'token.refreshed'
  | 'token.revoked'
  | 'token.introspected'
  | 'trust_chain.resolved'

/**
 * Where audit records go. `write` may be sync or async; its failures are logged, never thrown
 * into a login. Keep records 24 months, encrypted, with integrity (rules G1, G3).
 */
export interface AuditSink {
  write(event: AuditEvent): void | Promise<void>
  /** Optional: false while records cannot be written (then `auditFailure: 'refuse-logins'` refuses logins). */
  readonly healthy?: boolean
  /** Optional: calls `listener` at each change of `healthy` (the strategy logs each one); returns the unsubscribe function. */
  watchHealth?(listener: (change: AuditHealthChange) => void): () => void
}

/** A change of an audit sink's `healthy`: why it went down, and how many records wait in memory. */
export interface AuditHealthChange {
  healthy: boolean
  /** Why records cannot be written (an error code, no personal data); absent when healthy again. */
  reason?: string
  /** Records held in memory at the change. */
  waiting: number
}
