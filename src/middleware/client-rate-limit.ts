import { isIPv6 } from 'node:net'
import { ipv6Words } from '../net/ipv6.ts'

/** Requests a client may make per window. */
export interface RateLimitOptions {
  max: number
  windowSeconds: number
  /** Clients tracked at most; beyond them, the one seen least recently is forgotten. Default 10,000. */
  maxClients?: number
}

/**
 * Who a request counts against: its IPv4 address, or the /64 of an IPv6 one (a single host is
 * usually given a whole /64, and could otherwise take a new address for each request).
 */
export function clientOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return mapped[1] as string
  if (!isIPv6(address)) return address
  const words = ipv6Words(address)
  return words
    ? `${words
        .slice(0, 4)
        .map((w) => w.toString(16))
        .join(':')}::/64`
    : address
}

/**
 * A fixed-window request count per client, in bounded memory: at most `maxClients` windows are
 * kept, the one used least recently forgotten first. A flood from very many addresses then
 * forgets its own windows, not those of the clients that keep calling; what it costs is bounded
 * by the work of each answer, which the caller keeps cheap (a cached statement).
 */
export class ClientRateLimit {
  readonly #o: Required<RateLimitOptions>
  /** In order of last use: a Map iterates in insertion order, and each use re-inserts. */
  readonly #windows = new Map<string, { start: number; count: number }>()

  constructor(options: RateLimitOptions) {
    this.#o = { maxClients: 10_000, ...options }
  }

  /** Counts a request of the client at `address` at `now` (epoch seconds): undefined when admitted, else the seconds to wait. */
  admit(address: string, now: number): number | undefined {
    const client = clientOf(address)
    let window = this.#windows.get(client)
    this.#windows.delete(client)
    if (!window || now >= window.start + this.#o.windowSeconds) window = { start: now, count: 0 }
    this.#windows.set(client, window)
    if (this.#windows.size > this.#o.maxClients) this.#windows.delete(this.#windows.keys().next().value as string)
    if (window.count >= this.#o.max) return Math.max(1, window.start + this.#o.windowSeconds - now)
    window.count++
    return undefined
  }
}
