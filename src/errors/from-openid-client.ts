import * as oidc from 'openid-client'
import { ID_TOKEN_ALG } from '../algorithms.ts'
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
    if (claim === 'nonce')
      return new TokenValidationError('ERR_SPID_NONCE_MISMATCH', 'ID token "nonce" is not the one sent with the login (rule I2)', { cause: error })
    // The expected issuer, client_id or azp is ours to show; a received value never is.
    const expected = claim === 'iss' || claim === 'aud' || claim === 'azp' ? expectedOf(error) : undefined
    return new TokenValidationError(
      'ERR_SPID_ID_TOKEN_INVALID',
      `ID token "${claim ?? 'unknown'}" is not the expected value${typeof expected === 'string' ? ` (expected ${JSON.stringify(expected)})` : ''}`,
      { cause: error },
    )
  }
  if (code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED') {
    return new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', `ID token "${claimOf(error) ?? 'unknown'}" failed its time check: ${detailMessage(error)}`, {
      cause: error,
    })
  }
  if (code === 'OAUTH_INVALID_RESPONSE' && /^"response" body/.test(detailMessage(error)) && /token|refresh/.test(during)) {
    // A token response without id_token (or with a non-string member): its own code, not an ID token one.
    return new TokenValidationError('ERR_SPID_TOKEN_RESPONSE_INVALID', `invalid response to the ${during} (rule T4): ${detailMessage(error)}`, { cause: error })
  }
  if (code === 'OAUTH_INVALID_RESPONSE' && claimOf(error)) {
    return new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', `ID token has no "${claimOf(error)}" claim (rule I2)`, { cause: error })
  }
  if (code === 'OAUTH_INVALID_RESPONSE' && /"alg" header/.test(detailMessage(error))) {
    // `none`, HS256 or another alg than registered: oauth4webapi names the header, not its value.
    return new TokenValidationError(
      'ERR_SPID_ID_TOKEN_INVALID',
      `ID token header alg is not the registered id_token_signed_response_alg ${ID_TOKEN_ALG} (rule I1: never none or HS*): ${detailMessage(error)}`,
      { cause: error },
    )
  }
  if (code === 'OAUTH_UNEXPECTED_JWT_ALG') {
    return new TokenValidationError(
      'ERR_SPID_ID_TOKEN_INVALID',
      `ID token is not signed with the registered id_token_signed_response_alg: ${detailMessage(error)}`,
      {
        cause: error,
      },
    )
  }
  if (code === 'OAUTH_DECRYPTION_FAILED') {
    return new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', `ID token JWE could not be decrypted with the RP encryption key: ${detailMessage(error)}`, {
      cause: error,
    })
  }
  if (code === 'OAUTH_INVALID_RESPONSE' || code === 'OAUTH_JWT_CLAIM_MISSING' || code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED') {
    return new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', `invalid OP response to the ${during}: ${detailMessage(error)}`, { cause: error })
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

/** What openid-client's check expected (the issuer, the client_id), two causes down like the claim. */
function expectedOf(error: unknown): unknown {
  let current = error as { cause?: unknown; expected?: unknown } | undefined
  for (let depth = 0; depth < 4 && current; depth++) {
    if (current.expected !== undefined) return current.expected
    current = current.cause as typeof current
  }
  return undefined
}

/**
 * The message of the innermost error of the chain: oauth4webapi's and jose's name the failed check
 * ('unexpected JWT "exp" (expiration time) claim value…') and never a value; openid-client's own
 * wrapper only says "invalid response encountered".
 */
function detailMessage(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error)
  let current = (error as { cause?: unknown })?.cause
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    message = current.message
    current = current.cause
  }
  return message.slice(0, 200)
}
