import { FederationError } from '../errors/spid-error.ts'

/**
 * Bounds on one trust-chain resolution. A federation member writes its own `authority_hints`:
 * entities that vouch for each other, or hints that never answer, would otherwise make one login
 * start cost thousands of requests or minutes.
 */
export interface ResolutionLimits {
  /** Requests one resolution makes at most (each statement is fetched once, then reused). */
  maxFetches: number
  /** `authority_hints` tried per entity; the rest are ignored (and said so). */
  maxAuthorityHints: number
  /** Milliseconds one resolution may take in all, every request included. */
  timeout: number
}

export const DEFAULT_RESOLUTION_LIMITS: ResolutionLimits = { maxFetches: 30, maxAuthorityHints: 5, timeout: 10_000 }

/** Characters kept of an error message built from what federation members publish. */
export const MAX_REASON_LENGTH = 4000
/** Characters kept of a URL or entity id quoted in a message. */
const MAX_QUOTED_LENGTH = 200

/**
 * The resources one resolution may still use: each URL is fetched at most once (a failure too is
 * remembered), up to `maxFetches`, until the deadline. Running out stops the whole resolution
 * with a `ResolutionStopped`, not just the hint being tried.
 */
export class ResolutionBudget {
  readonly limits: ResolutionLimits
  readonly signal: AbortSignal
  #fetches = 0
  readonly #memo = new Map<string, Promise<string>>()

  constructor(limits: Partial<ResolutionLimits> = {}) {
    this.limits = { ...DEFAULT_RESOLUTION_LIMITS, ...limits }
    this.signal = AbortSignal.timeout(this.limits.timeout)
  }

  get fetches(): number {
    return this.#fetches
  }

  /** The body at `url`, from `load` the first time and remembered (failure included) for the rest of the resolution. */
  once(url: string, subject: string, load: (signal: AbortSignal) => Promise<string>): Promise<string> {
    const known = this.#memo.get(url)
    if (known) return known
    this.checkTime(subject)
    if (this.#fetches >= this.limits.maxFetches) {
      throw new ResolutionStopped(subject, `stopped after ${this.#fetches} federation requests, the most one resolution may make (federationLimits.maxFetches)`)
    }
    this.#fetches++
    const loading = load(this.signal).catch((error: unknown) => {
      // The deadline aborted the request: the whole resolution is over, not just this hint.
      if (this.signal.aborted) throw this.#late(subject)
      throw error
    })
    this.#memo.set(url, loading)
    return loading
  }

  checkTime(subject: string): void {
    if (this.signal.aborted) throw this.#late(subject)
  }

  #late(subject: string): ResolutionStopped {
    return new ResolutionStopped(subject, `stopped after ${this.limits.timeout} ms, the time one resolution may take (federationLimits.timeout)`)
  }
}

/** The resolution ran out of requests or time: it ends here, whatever hints are left. */
export class ResolutionStopped extends FederationError {
  readonly #why: string
  readonly #failures: readonly string[]

  constructor(subject: string, why: string, failures: readonly string[] = []) {
    const before = failures.length ? `; before that:\n  - ${failures.join('\n  - ')}` : ''
    super('ERR_SPID_TRUST_CHAIN_INVALID', bounded(`${quoted(subject)}: no trust chain: ${why}${before}`))
    this.#why = why
    this.#failures = failures
  }

  /** The same stop, about the resolution's subject, with the failures of the hints tried before it (outermost first). */
  about(subject: string, failures: readonly string[] = []): ResolutionStopped {
    return new ResolutionStopped(subject, this.#why, [...failures, ...this.#failures])
  }
}

/** A URL or entity id as quoted in a message: a member's hint can be any length. */
export function quoted(value: string): string {
  return value.length > MAX_QUOTED_LENGTH ? `${value.slice(0, MAX_QUOTED_LENGTH)}…(${value.length} characters)` : value
}

/** A message cut to `max` characters, saying how much was left out. */
export function bounded(message: string, max = MAX_REASON_LENGTH): string {
  return message.length > max ? `${message.slice(0, max)}… (${message.length - max} more characters left out)` : message
}
