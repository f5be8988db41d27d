/**
 * The JOSE algorithms of the SPID/CIE profile (rule F9): the only file that lists them; every
 * check and every published metadata value asks it.
 */

/** JWS algorithms for every signature, the RP's and the OP's; `none`, `HS*` and `RS384`-style extras never pass. */
export const JWS_ALGS = ['RS256', 'RS512', 'PS256', 'PS512', 'ES256', 'ES512'] as const

/** The hash each of JWS_ALGS uses, which `at_hash` takes its left half of (rule I3). */
export function hashOfJwsAlg(alg: string): 'sha256' | 'sha512' | undefined {
  if (!(JWS_ALGS as readonly string[]).includes(alg)) return undefined
  return alg.endsWith('256') ? 'sha256' : 'sha512'
}

/** The ID token and UserInfo signature algorithm the RP registers (`*_signed_response_alg`). */
export const ID_TOKEN_ALG = 'RS256'

/**
 * JWE algorithms the RP may register for UserInfo (rule U3) and, for CIE, ID tokens: RSA-OAEP
 * (SHA-1) only when configured, the ECDH-ES family with an EC encryption key (CIE recommends it);
 * RSA1_5 is forbidden.
 */
export const USERINFO_ENCRYPTION = {
  alg: ['RSA-OAEP', 'RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW'],
  enc: ['A128CBC-HS256', 'A256CBC-HS512'],
} as const

/** Whether a JWE key management algorithm takes an EC key (ECDH-ES) rather than an RSA one. */
export const isEcdhAlg = (alg: string) => alg.startsWith('ECDH-ES')

/**
 * The JWE pairs an OP may choose, whatever the RP registered (rules U3, F9): by the type of the RP
 * encryption key, with either content encryption. Real OPs ignore the registration (AgID's
 * check-rp always sends A128CBC-HS256, the Django OP always RSA-OAEP); the inner JWS, not the
 * JWE, proves who sent the claims. RSA1_5, `dir`, AES-GCM and `none` are never in it.
 */
export const JWE_RULES = {
  RSA: ['RSA-OAEP', 'RSA-OAEP-256'],
  EC: ['ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW'],
  enc: ['A128CBC-HS256', 'A256CBC-HS512'],
} as const
