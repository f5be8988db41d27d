import { JWS_ALGS } from '../algorithms.ts'
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose'
import { TokenValidationError } from '../errors/spid-error.ts'
import { describeJwtFailure } from './jwt-failure.ts'

/**
 * One imported key set per published JWKS object: jose imports a key the first time it is used and
 * keeps it inside the key set, so building the set per verification would import every key anew.
 * A registry that re-resolves an OP hands out a new JWKS object, and so gets a new set.
 */
const keySets = new WeakMap<JSONWebKeySet, ReturnType<typeof createLocalJWKSet>>()

function keySetOf(jwks: JSONWebKeySet): ReturnType<typeof createLocalJWKSet> {
  let keySet = keySets.get(jwks)
  if (!keySet) {
    keySet = createLocalJWKSet(jwks)
    keySets.set(jwks, keySet)
  }
  return keySet
}

export interface VerifiedJwt {
  payload: JWTPayload & Record<string, unknown>
  alg: string
}

/**
 * Rule I1: verifies a JWT signed by the OP with the OP's core keys, requiring a `kid`.
 * openid-client does not verify ID token signatures from the token endpoint, so we do.
 */
export async function verifyOpJwt(
  jwt: string,
  {
    jwks,
    issuer,
    audience,
    clockTolerance,
    now,
    what,
  }: { jwks: JSONWebKeySet; issuer: string; audience: string; clockTolerance: number; now: number; what: 'ID token' | 'UserInfo' },
): Promise<VerifiedJwt> {
  try {
    const { payload, protectedHeader } = await jwtVerify(jwt, keySetOf(jwks), {
      issuer,
      audience,
      algorithms: [...JWS_ALGS],
      clockTolerance,
      currentDate: new Date(now * 1000),
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
    })
    if (!protectedHeader.kid) {
      throw new TokenValidationError(codeFor(what), `${what} header has no kid (rule I1: the OP names the key it signed with)`)
    }
    return { payload: payload as VerifiedJwt['payload'], alg: protectedHeader.alg }
  } catch (cause) {
    if (cause instanceof TokenValidationError) throw cause
    throw new TokenValidationError(codeFor(what), describeJwtFailure(cause, { jwt, what, issuer, audience, clockTolerance }), { cause })
  }
}

const codeFor = (what: 'ID token' | 'UserInfo') => (what === 'ID token' ? 'ERR_SPID_ID_TOKEN_INVALID' : 'ERR_SPID_USERINFO_INVALID')
