import type { Logger } from '../log/logger.ts'
import type { AuditSink } from './audit-event.ts'

/**
 * One log line at each change of the audit sink's health, never one per record: an outage of
 * hours under load would otherwise flood the log, and a sink built without `onError` would
 * otherwise fail in silence while logins go on.
 */
export function logAuditHealth(sink: AuditSink | undefined, logger: Logger): void {
  sink?.watchHealth?.((change) => {
    if (change.healthy) logger.warn({ event: 'audit.recovered', waiting: change.waiting }, 'audit log writes again')
    else
      logger.error(
        { event: 'audit.unavailable', reason: change.reason, waiting: change.waiting },
        'audit log cannot be written: records wait in memory up to maxBacklog, then are counted as dropped',
      )
  })
}
