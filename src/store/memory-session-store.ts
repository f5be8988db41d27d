import { MemoryStore, type SessionData } from 'express-session'

type Callback<T = unknown> = (err?: unknown, value?: T) => void

/**
 * express-session's memory store (development, one process), with the same rule as the Redis
 * store: a destroyed session leaves a tombstone, and a later write by a request that loaded it
 * earlier is dropped, so logout sticks here too.
 */
export class SpidMemoryStore extends MemoryStore {
  readonly #ended = new Map<string, number>()
  readonly #tombstoneMs: number

  constructor({ maxAgeSeconds }: { maxAgeSeconds: number }) {
    super()
    this.#tombstoneMs = maxAgeSeconds * 1000
  }

  override set(sid: string, session: SessionData, callback?: Callback): void {
    const ended = this.#ended.get(sid)
    if (ended !== undefined && ended > Date.now()) {
      callback?.()
      return
    }
    super.set(sid, session, callback)
  }

  override destroy(sid: string, callback?: Callback): void {
    const now = Date.now()
    this.#ended.set(sid, now + this.#tombstoneMs)
    // Tombstones expire with the cookies they guard against.
    if (this.#ended.size % 1000 === 0) for (const [id, until] of this.#ended) if (until <= now) this.#ended.delete(id)
    super.destroy(sid, callback)
  }
}
