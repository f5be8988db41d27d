import type { AuditEvent } from './audit-event.ts'
import { type AuditReport, type ChainHead, type VerifyOptions, verifyAuditLog } from './verify-audit-log.ts'

export interface ExportFilter {
  /** ISO 8601 date or time: events at or after it. */
  from: string
  /** ISO 8601 date or time: events before it (a date means up to the end of that day). */
  to: string
  /** Only the events of this pairwise subject. */
  sub?: string
  /** Only the events tagged with this fiscal-number tag (`auditPersonalData`). */
  fiscalNumberHash?: string
}

/** What an auditor receives: the events asked for, decrypted, each with its place in its chain, and the proof around them. */
export interface AuditExport {
  generatedAt: string
  filter: ExportFilter
  /** The verification of the whole folder the extract comes from: every chain's head and any problem found. */
  integrity: { ok: boolean; problems: AuditReport['problems']; warnings: AuditReport['warnings']; heads: Record<string, ChainHead> }
  records: { instance: string; seq: number; mac: string; event: AuditEvent }[]
}

/**
 * An extract for the auditor: the folder verified whole with the key, then the events in the
 * period (and of one subject, if asked) decrypted. Each record keeps its instance, sequence
 * number and MAC, so anyone holding the key and the files can check it against the chain.
 */
export function exportAuditLog(dir: string, keys: Buffer | readonly Buffer[], filter: ExportFilter, options: VerifyOptions = {}): AuditExport {
  const report = verifyAuditLog(dir, keys, options)
  const to = /^\d{4}-\d{2}-\d{2}$/.test(filter.to) ? `${filter.to}T23:59:59.999Z` : filter.to
  const records = report.events.filter(
    ({ event }) =>
      event.time >= filter.from &&
      event.time <= to &&
      (filter.sub === undefined || event.sub === filter.sub) &&
      (filter.fiscalNumberHash === undefined || event.fiscal_number_hash === filter.fiscalNumberHash),
  )
  return {
    generatedAt: new Date().toISOString(),
    filter,
    integrity: {
      ok: report.ok,
      problems: report.problems,
      warnings: report.warnings,
      heads: Object.fromEntries(report.chains.map((c) => [c.instance, c.head])),
    },
    records,
  }
}
