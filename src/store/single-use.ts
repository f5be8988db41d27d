import { TokenValidationError, TransactionError } from '../errors/spid-error.ts'
import { secretTag } from '../log/redact.ts'
import type { SharedState } from './shared-state.ts'

/**
 * Rule I2 and the single use of a login: marks a value used, on every instance at once, until it
 * could no longer be accepted anyway. The value itself is never stored, only its tag.
 */
async function useOnce(shared: SharedState, kind: string, value: string, ttlSeconds: number): Promise<boolean> {
  return shared.claim(`once:${kind}:${secretTag(value)}`, '1', Math.max(1, ttlSeconds) * 1000)
}

/** The login transaction of `state` is taken: of two callbacks with it, on any instances, one goes on. */
export async function useTransaction(shared: SharedState, state: string, ttlSeconds: number): Promise<void> {
  if (!(await useOnce(shared, 'tx', state, ttlSeconds))) {
    throw new TransactionError('ERR_SPID_STATE_MISMATCH', 'this login was already completed or is being completed by another request (replayed callback)')
  }
}

/** An ID token's `jti` is accepted once, until the token expires (rule I2). */
export async function useIdToken(shared: SharedState, issuer: string, jti: string, ttlSeconds: number): Promise<void> {
  if (!(await useOnce(shared, 'jti', `${issuer} ${jti}`, ttlSeconds))) {
    throw new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', 'ID token jti already used (replay)')
  }
}
