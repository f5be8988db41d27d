import { TransactionError } from '../errors/spid-error.ts'

/** Longest value accepted for any callback parameter: codes and states are far shorter. */
export const CALLBACK_PARAMETER_MAX_LENGTH = 2048
const KNOWN = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri', 'session_state'] as const

export type CallbackParameters = Partial<Record<(typeof KNOWN)[number], string>>

/**
 * Turns the callback's query or form body into single string values, refusing what no OP
 * sends: repeated or array-valued parameters, nested objects, oversized values, control or
 * non-ASCII characters. Unknown parameters are ignored.
 */
export function checkCallbackParameters(input: unknown): CallbackParameters {
  const source = (input && typeof input === 'object' ? input : {}) as Record<string, unknown>
  const out: CallbackParameters = {}
  for (const name of KNOWN) {
    const value = source[name]
    if (value === undefined) continue
    if (typeof value !== 'string') throw bad(`${name} must be a single value`)
    if (value.length > CALLBACK_PARAMETER_MAX_LENGTH) throw bad(`${name} is longer than ${CALLBACK_PARAMETER_MAX_LENGTH} characters`)
    if (name !== 'error_description' && !/^[\x21-\x7e]*$/.test(value)) throw bad(`${name} has characters outside printable ASCII`)
    out[name] = value
  }
  return out
}

function bad(message: string): TransactionError {
  return new TransactionError('ERR_SPID_BAD_REQUEST', `malformed callback: ${message}`)
}
