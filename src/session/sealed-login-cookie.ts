import { createHash } from 'node:crypto'
import type { CookieOptions, Request } from 'express'
import { TransactionError } from '../errors/spid-error.ts'
import type { LoginTransaction } from './login-transaction.ts'
import { SessionCipher } from './session-cipher.ts'

const NAME = 'spid.tx.'
/** Our states are alphanumeric (rule A6); anything else at the callback cannot name one of our cookies. */
const STATE_PATTERN = /^[A-Za-z0-9]{32,128}$/
/**
 * Cookies in flight per browser, whatever `maxPendingLogins` says: each may carry a 1 KB
 * `returnTo`, and a Cookie header past a server's limit (16 KB in Node) breaks the whole site.
 */
const MAX_COOKIES = 5
/**
 * Bytes all login cookies of a browser may take together. A cross-site page can send a visitor to
 * login starts with long return paths: without a bound in bytes its cookies would pass the header
 * limit of Node (16 KB) or a proxy (8 KB per line in nginx), and every request of the site would
 * then fail (431) until they expire.
 */
const MAX_COOKIE_BYTES = 5120

/**
 * Seals a login transaction into a cookie of its own, so that a login start from a browser with
 * no session stores nothing on the server: anyone can start logins, and before this each start
 * cost a Redis session. The record is a JWE (AES-256-GCM, see SessionCipher) under a key derived
 * for this purpose alone, bound to the `state` it is named after and to its expiry, so a cookie
 * altered, renamed to another state or kept too long does not open. Sealing does not make it
 * single use: the callback claims the state once for every instance (`useTransaction`).
 */
export class LoginTransactionSeal {
  readonly #cipher: SessionCipher

  /** @param masters 32-byte keys, newest first. */
  constructor(masters: readonly Buffer[]) {
    this.#cipher = new SessionCipher(masters, 'login transaction')
  }

  /**
   * The seal of a session configuration: its encryption keys when it has them, else its cookie
   * secrets (required anyway), each hashed to a key. Either way rotation works as for sessions.
   */
  static fromSessionSecrets(encryptionKeys: readonly Buffer[], secrets: readonly string[]): LoginTransactionSeal {
    const masters =
      encryptionKeys.length > 0 ? encryptionKeys : secrets.map((s) => createHash('sha256').update(`passport-spid-oidc login transaction\0${s}`).digest())
    return new LoginTransactionSeal(masters)
  }

  seal(tx: LoginTransaction): string {
    return this.#cipher.encrypt(JSON.stringify(tx), { id: tx.state, expiresAt: tx.expiresAt })
  }

  /** The transaction, 'expired', or undefined when the value is not one we sealed for `state`. */
  open(state: string, value: string, now: number): LoginTransaction | 'expired' | undefined {
    // The record's own expiry is checked below against the strategy's clock, so that an expired
    // login gets its own error rather than reading as a forgery.
    const plaintext = this.#cipher.decrypt(value, { id: state, now: Number.NEGATIVE_INFINITY })
    if (plaintext === undefined) return undefined
    const tx = JSON.parse(plaintext) as LoginTransaction
    if (tx.state !== state) return undefined
    return tx.expiresAt <= now ? 'expired' : tx
  }
}

/** The seal `createSpidSession` attached to the request's session store; undefined with another session middleware. */
export function loginTransactionSealOf(req: Request): LoginTransactionSeal | undefined {
  const seal = (req.sessionStore as { loginTransactionSeal?: unknown } | undefined)?.loginTransactionSeal
  return seal instanceof LoginTransactionSeal ? seal : undefined
}

/**
 * Sets the cookie of `tx`, after clearing the browser's expired or unreadable login cookies and,
 * beyond `max` (at most 5) in flight, the oldest: parallel tabs each keep their own login.
 *
 * `__Host-` and Secure over https, as the session cookie: no other host of the domain can plant
 * one (a planted transaction would be a login CSRF). That prefix requires Path=/, which also lets
 * a login start see, and bound, the logins already in flight. SameSite=Lax: the OP sends the
 * browser back with a top-level GET.
 */
export function keepTransactionInCookie(
  req: Request,
  seal: LoginTransactionSeal,
  tx: LoginTransaction,
  { max, now, ttl }: { max: number; now: number; ttl: number },
): void {
  const res = responseOf(req)
  const live: { name: string; expiresAt: number; bytes: number }[] = []
  for (const { name, state, value } of loginCookies(req)) {
    const found = seal.open(state, value, now)
    if (typeof found === 'object') live.push({ name, expiresAt: found.expiresAt, bytes: name.length + value.length })
    else res.clearCookie(name, attributes(req))
  }
  const name = cookieName(req, tx.state)
  const value = seal.seal(tx)
  // Newest kept: the oldest go first while there are too many, or too many bytes, with this one.
  // Browsers send older cookies first: among logins of the same second, the last in the header is the newest.
  live.reverse().sort((a, b) => b.expiresAt - a.expiresAt)
  let bytes = name.length + value.length
  let kept = 1
  let full = false
  for (const cookie of live) {
    full ||= kept >= Math.min(max, MAX_COOKIES) || bytes + cookie.bytes > MAX_COOKIE_BYTES
    if (full) res.clearCookie(cookie.name, attributes(req))
    else {
      kept++
      bytes += cookie.bytes
    }
  }
  res.cookie(name, value, { ...attributes(req), maxAge: ttl * 1000 })
}

/**
 * The transaction the cookie named after `state` holds, the cookie cleared whatever it holds;
 * undefined when the browser sent none (the login may be in the session). A cookie that does not
 * open is refused as a state that matches no login.
 */
export function takeTransactionFromCookie(req: Request, seal: LoginTransactionSeal, state: string | undefined, now: number): LoginTransaction | undefined {
  if (!state || !STATE_PATTERN.test(state)) return undefined
  const cookie = loginCookies(req).find((c) => c.state === state)
  if (!cookie) return undefined
  responseOf(req).clearCookie(cookie.name, attributes(req))
  const tx = seal.open(state, cookie.value, now)
  if (tx === 'expired') throw new TransactionError('ERR_SPID_TRANSACTION_EXPIRED', 'login transaction expired')
  if (!tx) throw new TransactionError('ERR_SPID_STATE_MISMATCH', 'the login cookie of this state was altered or not sealed by this relying party')
  return tx
}

function attributes(req: Request): CookieOptions {
  return { httpOnly: true, secure: req.secure, sameSite: 'lax', path: '/' }
}

function cookieName(req: Request, state: string): string {
  return `${req.secure ? '__Host-' : ''}${NAME}${state}`
}

/** Our cookies in the request's Cookie header (express-session parses it too, but keeps only its own). */
function loginCookies(req: Request): { name: string; state: string; value: string }[] {
  const prefix = `${req.secure ? '__Host-' : ''}${NAME}`
  const found: { name: string; state: string; value: string }[] = []
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const eq = pair.indexOf('=')
    if (eq < 0) continue
    const name = pair.slice(0, eq).trim()
    if (!name.startsWith(prefix)) continue
    const state = name.slice(prefix.length)
    if (STATE_PATTERN.test(state)) found.push({ name, state, value: pair.slice(eq + 1).trim() })
  }
  return found
}

function responseOf(req: Request) {
  if (!req.res) throw new TypeError('the SPID strategy needs an Express request (req.res) to set its login cookie')
  return req.res
}
