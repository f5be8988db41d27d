import { Store, type SessionData } from 'express-session'
import { UnavailableError, isSpidError } from '../errors/spid-error.ts'
import type { SharedState } from '../store/shared-state.ts'
import type { LoginTransactionSeal } from './sealed-login-cookie.ts'

/** Expiries closer than this are the same for the store: a write that would only move the expiry a few seconds (a slow request under load) is skipped. */
const SAME_EXPIRY_MS = 5000

type Callback<T = unknown> = (err?: unknown, value?: T) => void

/**
 * Wraps a session store so that its faults fail closed and fast: every error or timeout becomes
 * UnavailableError `ERR_SPID_STORE_UNAVAILABLE` (a 503 page or JSON), and `touch` does nothing,
 * because renewal is done by resaving only when the session is half expired (one Redis command
 * per read-only request, not two); a request never writes the same session twice.
 */
export class ResilientStore extends Store {
  readonly #inner: Store
  readonly #timeout: number
  /** What was last written from each in-memory session object (there is one per request). */
  readonly #written = new WeakMap<object, { content: string; expires: number }>()

  /** Where the instances sharing this store agree on single-use values and leases; the strategy reads it from `req.sessionStore`. */
  readonly shared: SharedState | undefined

  /** What seals the logins started without a session into cookies; the strategy reads it from `req.sessionStore`. */
  readonly loginTransactionSeal: LoginTransactionSeal | undefined

  constructor(inner: Store, { timeout, shared, loginTransactionSeal }: { timeout: number; shared?: SharedState; loginTransactionSeal?: LoginTransactionSeal }) {
    super()
    this.#inner = inner
    this.#timeout = timeout
    this.shared = shared
    this.loginTransactionSeal = loginTransactionSeal
  }

  override get(sid: string, callback: Callback<SessionData | null>): void {
    this.#run('get', (cb) => this.#inner.get(sid, cb), callback)
  }

  /**
   * Skips a write that repeats the last one of the same request: after `session.regenerate()`
   * (every login) passport saves the new session, and express-session saves it again when the
   * response ends, because it cannot track a regenerated session. The second copy differs only
   * by the expiry express-session moved forward by a few milliseconds.
   */
  override set(sid: string, session: SessionData, callback?: Callback): void {
    const { cookie, ...data } = session
    const content = `${sid}\n${cookie?.originalMaxAge}\n${JSON.stringify(data)}`
    const expires = cookie?.expires ? new Date(cookie.expires).getTime() : 0
    const last = this.#written.get(session)
    if (last && last.content === content && Math.abs(expires - last.expires) < SAME_EXPIRY_MS) {
      callback?.()
      return
    }
    this.#run(
      'set',
      (cb) => this.#inner.set(sid, session, cb),
      (err, value) => {
        if (!err) this.#written.set(session, { content, expires })
        callback?.(err, value)
      },
    )
  }

  override destroy(sid: string, callback?: Callback): void {
    this.#run('destroy', (cb) => this.#inner.destroy(sid, cb), callback)
  }

  override touch(_sid: string, _session: SessionData, callback?: () => void): void {
    callback?.()
  }

  #run<T>(operation: string, call: (cb: Callback<T>) => void, callback: Callback<T> | undefined): void {
    let settled = false
    const finish = (err?: unknown, value?: T) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (err) return callback?.(this.#unavailable(operation, err))
      callback?.(undefined, value)
    }
    const timer = setTimeout(() => finish(new Error(`no answer within ${this.#timeout} ms`)), this.#timeout)
    try {
      call(finish)
    } catch (error) {
      finish(error)
    }
  }

  #unavailable(operation: string, cause: unknown): UnavailableError {
    if (isSpidError(cause) && cause.code === 'ERR_SPID_STORE_UNAVAILABLE') return cause as UnavailableError
    // Not logged here: the request that fails logs it once, with this reason in the message.
    return new UnavailableError(
      'ERR_SPID_STORE_UNAVAILABLE',
      `session store failed to ${operation}: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    )
  }
}
