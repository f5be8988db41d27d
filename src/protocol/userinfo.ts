import { compactDecrypt } from 'jose'
import { TokenValidationError } from '../errors/spid-error.ts'
import type { RpKey } from '../keys/rp-keys.ts'
import { chooseDecryptionKeys, type JweAlgorithmsMode, type JwePair } from './jwe-algorithms.ts'
import type { VerifiedJwt } from './id-token.ts'
import type { OpFetch } from './op-fetch.ts'

/** Rule U2: SPID says application/jwt, its own examples application/jose. Never plain JSON. */
const USERINFO_TYPES = new Set(['application/jwt', 'application/jose'])

export interface UserinfoContext {
  endpoint: string
  accessToken: string
  /** GET by default; POST (the token in the header, an empty form) where the OP takes it. */
  method?: 'GET' | 'POST'
  /** Verifies the inner JWS with the OP's keys: issuer, audience, expiry (rule I1). */
  verifyJws(jws: string): Promise<VerifiedJwt>
  /** The RP's encryption keys: the current one and, during a rollover, the next and previous. */
  decryptionKeys: readonly RpKey[]
  /** The `userinfo_encrypted_response_alg/enc` the RP registered. */
  registeredEncryption: JwePair
  /** `rules` (default): any pair the SPID/CIE rules list for the key type; `registered`: that pair only. */
  encryptionMode: JweAlgorithmsMode
  /** Called with the pair of every JWE decrypted, so a pair other than the registered one is reported. */
  onJwePair?: (pair: JwePair) => void
  fetch: OpFetch
  /** Set only with `acceptCheckRpQuirks`: a JSON-quoted JWT body is then unquoted, and this called. */
  onQuirk?: (quirk: string) => void
}

/**
 * Rules U1-U3: GET UserInfo with the access token, decrypt the JWE with the RP encryption key,
 * then verify the inner JWS with the OP's keys (issuer, audience, expiry). Returns its claims.
 */
export async function fetchUserinfo(ctx: UserinfoContext): Promise<Record<string, unknown>> {
  const headers = { authorization: `Bearer ${ctx.accessToken}`, accept: 'application/jwt, application/jose' }
  const response =
    ctx.method === 'POST'
      ? await ctx.fetch(ctx.endpoint, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: '' })
      : await ctx.fetch(ctx.endpoint, { method: 'GET', headers })
  if (!response.ok) throw invalid(`UserInfo answered ${response.status}`)
  const type = (response.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  if (!USERINFO_TYPES.has(type)) throw invalid(`UserInfo content type ${type || '(none)'} is not a signed and encrypted JWT`)
  const body = unquoted(response.body.toString('utf8').trim(), ctx.onQuirk)
  if (body.startsWith('"')) {
    throw invalid('UserInfo is a JSON-quoted string, not a compact JWE (rule U2; acceptCheckRpQuirks accepts it, for AgID check-rp only)')
  }
  if (body.split('.').length !== 5) throw invalid('UserInfo is not encrypted (expected a compact JWE)')

  const inner = await decryptUserinfo(body, ctx)
  if (inner.split('.').length !== 3) throw invalid('UserInfo JWE does not wrap a signed JWT')
  const { payload } = await ctx.verifyJws(inner)
  return payload
}

/**
 * Decrypts with the key the JWE names (`kid`), which may be the next or previous key of a
 * rollover: an OP encrypts to whichever published key its cached copy of our metadata holds.
 * Without a kid, each of our keys is tried. The pair must be one the mode accepts (rule U3).
 */
async function decryptUserinfo(jwe: string, ctx: UserinfoContext): Promise<string> {
  const choice = chooseDecryptionKeys(
    jwe,
    { what: 'UserInfo', keys: ctx.decryptionKeys, registered: ctx.registeredEncryption, mode: ctx.encryptionMode },
    invalid,
  )
  let failure: unknown
  for (const key of choice.keys) {
    try {
      const { plaintext } = await compactDecrypt(jwe, key.privateKey, {
        keyManagementAlgorithms: [choice.alg],
        contentEncryptionAlgorithms: [choice.enc],
      })
      ctx.onJwePair?.({ alg: choice.alg, enc: choice.enc })
      return new TextDecoder().decode(plaintext)
    } catch (cause) {
      failure = cause
    }
  }
  // jose's messages name the failed step (key unwrap, authentication tag), never the content.
  const reason = failure instanceof Error ? failure.message : String(failure)
  throw invalid(
    `UserInfo JWE (alg ${choice.alg}, enc ${choice.enc}, kid ${choice.kid ?? '(none)'}) could not be decrypted with the RP encryption key: ${reason}`,
    failure,
  )
}

/** AgID's conformance tool sends the compact JWE as a JSON string: `"eyJ…"`. Only a string is unquoted, and only when allowed. */
function unquoted(body: string, onQuirk: UserinfoContext['onQuirk']): string {
  if (!onQuirk || !body.startsWith('"')) return body
  try {
    const inner: unknown = JSON.parse(body)
    if (typeof inner !== 'string') return body
    onQuirk('UserInfo JWT sent as a JSON-quoted string')
    return inner.trim()
  } catch {
    return body
  }
}

function invalid(message: string, cause?: unknown): TokenValidationError {
  return new TokenValidationError('ERR_SPID_USERINFO_INVALID', message, { cause })
}
