import { decodeProtectedHeader } from 'jose'
import { JWE_RULES } from '../algorithms.ts'
import type { RpKey } from '../keys/rp-keys.ts'
import type { Logger } from '../log/logger.ts'

/** `rules`: any pair the SPID/CIE rules list for the key type; `registered`: only the pair the RP registered. */
export type JweAlgorithmsMode = 'rules' | 'registered'

export interface JwePair {
  alg: string
  enc: string
}

/** What a JWE sent to the RP (UserInfo, a CIE ID token) may use, and with which keys. */
export interface JweExpectation {
  what: 'UserInfo' | 'ID token'
  /** The RP's encryption keys: current, next and previous of a rollover. */
  keys: readonly RpKey[]
  registered: JwePair
  mode: JweAlgorithmsMode
}

/** The RP key, the algorithms the header names, and the key its `kid` picks. */
export interface JweChoice extends JwePair {
  kid: string | undefined
  keys: RpKey[]
}

/** The `alg` and `enc` values a key accepts under the mode. */
export function acceptedPairs(key: Pick<RpKey, 'privateKey'>, expectation: Pick<JweExpectation, 'registered' | 'mode'>): { alg: string[]; enc: string[] } {
  if (expectation.mode === 'registered') return { alg: [expectation.registered.alg], enc: [expectation.registered.enc] }
  const type = key.privateKey.asymmetricKeyType === 'ec' ? 'EC' : 'RSA'
  return { alg: [...JWE_RULES[type]], enc: [...JWE_RULES.enc] }
}

/**
 * Reads the JWE header and picks the RP keys that may decrypt it: the one its `kid` names (each
 * key without a kid), under an `alg`/`enc` pair the mode accepts for that key's type. Refuses
 * before any decryption, naming what the header says and what is allowed, so that an OP's
 * operator can read the cause from the message alone.
 */
export function chooseDecryptionKeys(jwe: string, expectation: JweExpectation, invalid: (message: string, cause?: unknown) => Error): JweChoice {
  const { what, keys } = expectation
  let header: Record<string, unknown>
  try {
    header = decodeProtectedHeader(jwe) as Record<string, unknown>
  } catch (cause) {
    throw invalid(`${what} JWE header is not readable (${(cause as Error).message})`, cause)
  }
  const alg = typeof header.alg === 'string' ? header.alg : undefined
  const enc = typeof header.enc === 'string' ? header.enc : undefined
  const kid = typeof header.kid === 'string' ? header.kid : undefined
  if (header.kid !== undefined && kid === undefined) throw invalid(`${what} JWE header kid is not a string`)
  const candidates = kid === undefined ? [...keys] : keys.filter((k) => k.kid === kid)
  if (candidates.length === 0) {
    throw invalid(`${what} JWE is encrypted to kid ${shown(kid)}, which is not an RP encryption key (kid ${keys.map((k) => shown(k.kid)).join(', ')})`)
  }
  const accepted = candidates.filter((k) => {
    const pairs = acceptedPairs(k, expectation)
    return alg !== undefined && enc !== undefined && pairs.alg.includes(alg) && pairs.enc.includes(enc)
  })
  if (accepted.length === 0) {
    const allowed = acceptedPairs(candidates[0] as RpKey, expectation)
    const by = expectation.mode === 'registered' ? 'the registration (jweAlgorithms: registered)' : 'the SPID/CIE rules for this key type (rules U3, F9)'
    throw invalid(
      `${what} JWE uses alg ${shown(alg)} and enc ${shown(enc)}; allowed by ${by}: alg ${allowed.alg.join(', ')} with enc ${allowed.enc.join(', ')}`,
    )
  }
  return { alg: alg as string, enc: enc as string, kid, keys: accepted }
}

/** Pairs already reported, per strategy (its options object) and OP: one warning each, not one per login. */
const reported = new WeakMap<object, Set<string>>()

/**
 * An OP used another listed pair than the RP registered: logged once per strategy, OP and pair,
 * so operators learn it (and can tell the OP) without a line per login.
 */
export function noteJwePair(scope: object, logger: Logger, issuer: string, what: JweExpectation['what'], used: JwePair, registered: JwePair): void {
  if (used.alg === registered.alg && used.enc === registered.enc) return
  let seen = reported.get(scope)
  if (!seen) {
    seen = new Set()
    reported.set(scope, seen)
  }
  const key = `${issuer} ${used.alg} ${used.enc}`
  if (seen.has(key)) return
  seen.add(key)
  logger.warn(
    { event: 'interop.jwe_algorithms_differ', issuer, what, alg: used.alg, enc: used.enc, registered_alg: registered.alg, registered_enc: registered.enc },
    `the OP encrypts ${what} with ${used.alg}/${used.enc}, not the registered ${registered.alg}/${registered.enc}: accepted, as the SPID/CIE rules list it`,
  )
}

/** A header value in a message: quoted, and short, as it comes from the peer. */
function shown(value: string | undefined): string {
  return value === undefined ? '(none)' : JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value)
}
