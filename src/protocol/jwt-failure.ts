import { decodeProtectedHeader } from 'jose'
import { JWS_ALGS } from '../algorithms.ts'

/** The claims each JWS must carry, and the rule that says so. */
const REQUIRED = {
  'ID token': 'rule I2: iss, sub, aud, exp, iat',
  UserInfo: 'rule U3: iss, sub, aud, exp, iat',
} as const

/**
 * Why jose refused a JWS of the OP, in words an OP's operator can act on: which claim is missing
 * or wrong and what was expected, which `alg` or `kid` and what is allowed. Expected values are
 * the OP's issuer and our client_id, never a received value (those can be personal data).
 */
export function describeJwtFailure(
  cause: unknown,
  { jwt, what, issuer, audience, clockTolerance }: { jwt: string; what: 'ID token' | 'UserInfo'; issuer: string; audience: string; clockTolerance: number },
): string {
  const error = cause as { code?: unknown; claim?: unknown; reason?: unknown; message?: unknown }
  const claim = typeof error?.claim === 'string' ? error.claim : undefined
  const header = headerOf(jwt)
  switch (error?.code) {
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (error.reason === 'missing') return `${what} has no "${claim}" claim (${REQUIRED[what]})`
      if (claim === 'iss') return `${what} "iss" is not the OP (expected "${issuer}")`
      if (claim === 'aud') return `${what} "aud" does not name this client (expected "${audience}")`
      if (claim === 'iat' || claim === 'nbf') return `${what} "${claim}" is in the future (beyond the ${clockTolerance} s clock tolerance)`
      return `${what} claim "${claim ?? 'unknown'}" failed its check (${String(error.message)})`
    case 'ERR_JWT_EXPIRED':
      return `${what} has expired ("exp" is past, beyond the ${clockTolerance} s clock tolerance)`
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return `${what} is signed with alg ${shown(header?.alg)}; allowed: ${JWS_ALGS.join(', ')} (rule F9)`
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return `${what} signature does not verify with the OP key kid ${shown(header?.kid)}`
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return `${what} is signed with kid ${shown(header?.kid)} and alg ${shown(header?.alg)}, which no key of the OP matches (rule I1)`
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return `${what} names no key precisely enough: several OP keys match kid ${shown(header?.kid)}`
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return `${what} is not a valid signed JWT (${String(error.message)})`
    default:
      return `${what} failed verification (${String(error?.code ?? error?.message ?? 'invalid')})`
  }
}

function headerOf(jwt: string): Record<string, unknown> | undefined {
  try {
    return decodeProtectedHeader(jwt) as Record<string, unknown>
  } catch {
    return undefined
  }
}

function shown(value: unknown): string {
  if (typeof value !== 'string') return '(none)'
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value)
}
