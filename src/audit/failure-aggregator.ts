import type { AuditEvent } from './audit-event.ts'

/**
 * Failures of requests that carry no login transaction (bots at the callback, a scanner) are
 * kept apart from real logins: the first few of each kind per window are recorded one by one,
 * the rest counted and recorded as one `login.failed.aggregated` record when the window ends, so
 * a flood costs one record a minute instead of one per request and cannot fill the disk. Other
 * records anyone can cause (login starts by clients not logged in) are bounded the same way,
 * with `describe` giving their aggregate's fields for a key.
 */
export class FailureAggregator {
  readonly #windowMs: number
  readonly #individual: number
  readonly #write: (fields: Partial<AuditEvent> & { iss: string }) => void
  readonly #windows = new Map<string, { start: number; seen: number; timer: NodeJS.Timeout }>()

  readonly #describe: (key: string) => Partial<AuditEvent> & { iss: string }

  constructor(
    write: (fields: Partial<AuditEvent> & { iss: string }) => void,
    {
      windowMs = 60_000,
      individual = 10,
      describe = (errorCode: string) => ({ iss: '', outcome: 'error' as const, error_code: errorCode }),
    }: { windowMs?: number; individual?: number; describe?: (key: string) => Partial<AuditEvent> & { iss: string } } = {},
  ) {
    this.#write = write
    this.#describe = describe
    this.#windowMs = windowMs
    this.#individual = individual
  }

  /** True when this failure should be recorded on its own; otherwise it is counted for the window's aggregate. */
  admit(errorCode: string): boolean {
    let window = this.#windows.get(errorCode)
    if (!window) {
      const start = Date.now()
      const timer = setTimeout(() => this.#close(errorCode), this.#windowMs)
      timer.unref()
      window = { start, seen: 0, timer }
      this.#windows.set(errorCode, window)
    }
    window.seen++
    return window.seen <= this.#individual
  }

  #close(errorCode: string): void {
    const window = this.#windows.get(errorCode)
    this.#windows.delete(errorCode)
    if (!window || window.seen <= this.#individual) return
    this.#write({
      ...this.#describe(errorCode),
      count: window.seen - this.#individual,
      window_start: new Date(window.start).toISOString(),
      window_end: new Date().toISOString(),
    })
  }
}
