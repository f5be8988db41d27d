import { TokenValidationError } from '../errors/spid-error.ts'

/**
 * Rule I2: ID token `jti`s already accepted, kept until the token expires, so the same ID token
 * cannot be played twice. Per process and bounded (oldest dropped first): an ID token also dies
 * with its nonce and its 5-minute lifetime, this is the extra lock on the door.
 */
export class ReplayCache {
  readonly #seen = new Map<string, number>()
  readonly #max: number

  constructor(max = 100_000) {
    this.#max = max
  }

  /** Records `jti` until `exp` (epoch seconds); throws if it was seen and has not expired. */
  checkAndRemember(jti: string, exp: number, now: number): void {
    const until = this.#seen.get(jti)
    if (until !== undefined && until >= now) throw new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', 'ID token jti already used (replay)')
    for (const [key, expires] of this.#seen) {
      if (expires >= now && this.#seen.size < this.#max) break
      this.#seen.delete(key)
    }
    this.#seen.set(jti, exp)
  }
}
