/** Requests a client may make per window. */
export interface RateLimitOptions {
  max: number
  windowSeconds: number
  /** Clients tracked at most; beyond them, new clients share one budget. Default 10,000. */
  maxClients?: number
}

const OVERFLOW = '\0overflow'

/**
 * A fixed-window request count per client (its address), in bounded memory: at most `maxClients`
 * windows are kept. When that many clients are live at once, any further client counts against
 * one shared budget, so a flood from many addresses is limited too rather than growing the table.
 */
export class ClientRateLimit {
  readonly #o: Required<RateLimitOptions>
  readonly #windows = new Map<string, { start: number; count: number }>()

  constructor(options: RateLimitOptions) {
    this.#o = { maxClients: 10_000, ...options }
  }

  /** Counts a request of `client` at `now` (epoch seconds): undefined when admitted, else the seconds to wait. */
  admit(client: string, now: number): number | undefined {
    const key = this.#slot(client, now)
    const window = this.#windows.get(key)
    if (!window || now >= window.start + this.#o.windowSeconds) {
      this.#windows.delete(key)
      this.#windows.set(key, { start: now, count: 1 })
      return undefined
    }
    if (window.count >= this.#o.max) return Math.max(1, window.start + this.#o.windowSeconds - now)
    window.count++
    return undefined
  }

  /** The client's own window, or the shared one when the table is full of live windows. */
  #slot(client: string, now: number): string {
    if (this.#windows.has(client) || this.#windows.size < this.#o.maxClients) return client
    // Oldest first (insertion order): drop the windows that have ended.
    for (const [key, window] of this.#windows) {
      if (now < window.start + this.#o.windowSeconds) break
      this.#windows.delete(key)
    }
    return this.#windows.size < this.#o.maxClients ? client : OVERFLOW
  }
}
