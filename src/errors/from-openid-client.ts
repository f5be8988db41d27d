import * as oidc from 'openid-client'
import { OpError, type SpidError, TokenValidationError, UnavailableError, isSpidError } from './spid-error.ts'

/**
 * The one place openid-client errors become SpidErrors. The original stays as `cause` and is
 * never copied into the message: it can hold claims and tokens.
 */
export function fromOpenidClient(error: unknown, during: string): SpidError {
  if (isSpidError(error)) return error as SpidError
  if (error instanceof oidc.ResponseBodyError) {
    const status = error.error === 'server_error' ? 502 : error.error === 'temporarily_unavailable' ? 503 : 400
    const code = error.error === 'invalid_grant' ? 'ERR_SPID_TOKEN_REJECTED' : 'ERR_SPID_OP_ERROR'
    return new OpError(code, `OP refused the ${during}: ${error.error}`, { status, oauthError: error.error, cause: error })
  }
  const code = (error as { code?: unknown })?.code
  const wrapped = spidErrorInCauses(error)
  if (wrapped) return wrapped
  if (code === 'OAUTH_TIMEOUT' || (error instanceof Error && error.name === 'TimeoutError')) {
    return new UnavailableError('ERR_SPID_OP_UNAVAILABLE', `OP did not answer the ${during} in time`, { cause: error })
  }
  if (code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED') {
    const claim = claimOf(error)
    if (claim === 'nonce') return new TokenValidationError('ERR_SPID_NONCE_MISMATCH', 'ID token nonce differs from the one sent', { cause: error })
    return new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', `ID token claim ${claim ?? '(unknown)'} is not the expected value`, { cause: error })
  }
  if (
    code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED' ||
    code === 'OAUTH_JWT_CLAIM_MISSING' ||
    code === 'OAUTH_INVALID_RESPONSE' ||
    code === 'OAUTH_UNEXPECTED_JWT_ALG' ||
    code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED'
  ) {
    return new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', `invalid OP response to the ${during} (${String(code)})`, { cause: error })
  }
  if (code === 'OAUTH_RESPONSE_IS_NOT_JSON' || code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || code === 'OAUTH_PARSE_ERROR') {
    // openid-client reads error bodies on 4xx only: a 5xx, HTML or unparsable answer lands here.
    return new OpError('ERR_SPID_OP_ERROR', `OP answered the ${during} with something that is not an OAuth response (${String(code)})`, {
      status: 502,
      oauthError: 'server_error',
      cause: error,
    })
  }
  return new OpError('ERR_SPID_OP_ERROR', `the ${during} failed (${String(code ?? (error as Error)?.name ?? 'unknown')})`, {
    status: 502,
    oauthError: 'server_error',
    cause: error,
  })
}

/** Our own fetch's errors (timeouts, oversized bodies) come back wrapped by openid-client. */
function spidErrorInCauses(error: unknown): SpidError | undefined {
  let current = (error as { cause?: unknown })?.cause
  for (let depth = 0; depth < 4 && current; depth++) {
    if (isSpidError(current)) return current as SpidError
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

/** openid-client keeps the name of the failed claim two causes down. */
function claimOf(error: unknown): string | undefined {
  let current = error as { cause?: unknown; claim?: unknown } | undefined
  for (let depth = 0; depth < 4 && current; depth++) {
    if (typeof current.claim === 'string') return current.claim
    current = current.cause as typeof current
  }
  return undefined
}
