import type { Session, SessionData } from 'express-session'
import { SpidError, TransactionError } from '../errors/spid-error.ts'
import type { SpidLevel } from '../levels.ts'

/** A login in flight: everything the callback needs to finish it, and nothing more. */
export interface LoginTransaction {
  state: string
  /** The OP the user was sent to: the callback finds the OP again from here, never from a global. */
  issuer: string
  /** Level asked for; the ID token `acr` must reach it (rule I4). */
  level: SpidLevel
  nonce: string
  codeVerifier: string
  /** Local path to land on after login. */
  returnTo: string
  offline: boolean
  /** For a step-up: the `sub` of the session being raised, which the new login must repeat. */
  expectedSub?: string
  /**
   * A login started by someone not logged in: its start was only counted, so its request's audit
   * record is written at the callback, once the browser is back with it (rule G1).
   */
  request?: AuthorizationRequestRecord
  /** Epoch seconds. */
  expiresAt: number
}

/**
 * Where a started login waits for its callback: in the session (saved before the browser leaves)
 * or in a sealed cookie (`sealed-login-cookie.ts`). Rejects when it cannot be kept, leaving
 * nothing behind.
 */
export type KeepTransaction = (tx: LoginTransaction, now: number) => Promise<void>

/** The audit fields of an authorization request (rules G1, G2). */
export interface AuthorizationRequestRecord {
  /** `jti` of the request object. */
  jti: string
  iat: number
  exp: number
  acr: string
  scope: string
  prompt: string
}

type SessionWithLogins = Session & Partial<SessionData> & { spidLogins?: Record<string, LoginTransaction> }

function requireSession(session: unknown): SessionWithLogins {
  if (!session || typeof session !== 'object') {
    throw new SpidError('ERR_SPID_SESSION_MISSING', 'req.session is missing: add express-session (app.use(session(...))) before passport')
  }
  return session as SessionWithLogins
}

/**
 * Stores a transaction in the session under its `state`. Beyond `max` pending logins the oldest
 * is dropped, so a script opening logins in a loop cannot grow a session without bound.
 */
export function putTransaction(session: unknown, tx: LoginTransaction, { max, now }: { max: number; now: number }): () => void {
  const s = requireSession(session)
  const previous = s.spidLogins
  const pending = Object.values(s.spidLogins ?? {}).filter((t) => t.expiresAt > now)
  pending.sort((a, b) => a.expiresAt - b.expiresAt)
  const kept = pending.slice(Math.max(0, pending.length - (max - 1)))
  s.spidLogins = Object.fromEntries([...kept, tx].map((t) => [t.state, t]))
  // Undo, for when the session cannot be saved: leaves it exactly as it was, so express-session
  // sees no change and hands out no cookie for a session that does not exist.
  return () => {
    if (previous === undefined) delete s.spidLogins
    else s.spidLogins = previous
  }
}

/** Keeps transactions in the session, saved with `persist` before the browser leaves for the OP. */
export function keepTransactionInSession(session: unknown, persist: () => Promise<void>, max: number): KeepTransaction {
  return async (tx, now) => {
    const undo = putTransaction(session, tx, { max, now })
    try {
      // With the store down the user gets a 503 now, not a login that cannot finish.
      await persist()
    } catch (error) {
      undo()
      throw error
    }
  }
}

/**
 * Removes and returns the transaction for `state`: single use, so a replayed callback finds
 * nothing. It is consumed before anything else is checked, whatever happens next.
 */
export function takeTransaction(session: unknown, state: string | undefined, now: number): LoginTransaction {
  const s = requireSession(session)
  if (!state) throw new TransactionError('ERR_SPID_STATE_MISSING', 'callback has no state')
  const logins = s.spidLogins ?? {}
  const tx = Object.hasOwn(logins, state) ? logins[state] : undefined
  if (tx) {
    const { [state]: _consumed, ...rest } = logins
    s.spidLogins = rest
  }
  if (!tx) throw new TransactionError('ERR_SPID_STATE_MISMATCH', 'callback state matches no login started in this session')
  if (tx.expiresAt <= now) throw new TransactionError('ERR_SPID_TRANSACTION_EXPIRED', 'login transaction expired')
  return tx
}
