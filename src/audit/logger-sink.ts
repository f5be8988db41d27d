import type { Logger } from '../log/logger.ts'
import type { AuditEvent, AuditSink } from './audit-event.ts'

/** Audit records into the app's own (pino-shaped) logger, at info level, under `audit`. */
export class LoggerAuditSink implements AuditSink {
  readonly #logger: Logger
  constructor(logger: Logger) {
    this.#logger = logger
  }
  write(event: AuditEvent): void {
    this.#logger.info({ audit: event }, event.type)
  }
}
