import { TokenValidationError } from '../errors/spid-error.ts'
import { chooseDecryptionKeys, type JweExpectation } from './jwe-algorithms.ts'
import type { OpResponse } from './op-fetch.ts'

/**
 * A successful token response read before openid-client parses it (rule T4), so that what the
 * OP got wrong is named: a body that is empty, `null` (AgID's check-rp when it crashes mid-test)
 * or not a JSON object is a token response problem, not an ID token one; an encrypted ID token
 * (rule I5) must use a pair the mode accepts, to a key of the RP. Error answers and answers that
 * are not JSON at all are left to openid-client, which reads the OP's `error`.
 */
export function checkTokenResponse(answer: OpResponse, idTokenJwe: Omit<JweExpectation, 'what'> | undefined): void {
  // An error, or a page that is no OAuth answer at all (HTML under maintenance, say): openid-client reports those as OP errors.
  if (!answer.ok || !/json/i.test(answer.header('content-type') ?? '')) return
  const text = answer.body.toString('utf8').trim()
  if (text === '') throw invalid('the token response body is empty')
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (cause) {
    throw invalid('the token response body is not JSON', cause)
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid(`the token response body is ${body === null ? 'null' : Array.isArray(body) ? 'an array' : `a ${typeof body}`}, not a JSON object`)
  }
  const fields = body as Record<string, unknown>
  if (typeof fields.access_token !== 'string' || fields.access_token === '') throw invalid('the token response has no access_token (rule T4)')
  if (typeof fields.token_type !== 'string') throw invalid('the token response has no token_type (rule T4)')
  if (fields.id_token !== undefined && typeof fields.id_token !== 'string') throw invalid('the token response id_token is not a string')
  const idToken = fields.id_token
  if (idTokenJwe && typeof idToken === 'string' && idToken.split('.').length === 5) {
    chooseDecryptionKeys(
      idToken,
      { ...idTokenJwe, what: 'ID token' },
      (message, cause) => new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', message, { cause }),
    )
  }
}

function invalid(message: string, cause?: unknown): TokenValidationError {
  return new TokenValidationError('ERR_SPID_TOKEN_RESPONSE_INVALID', message, cause === undefined ? {} : { cause })
}
