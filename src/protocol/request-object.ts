import { randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'
import type { RpKey } from '../keys/rp-keys.ts'

/** The authorization request parameters that go inside the request object (rule A4). */
export interface AuthorizationParameters {
  client_id: string
  response_type: 'code'
  scope: string
  redirect_uri: string
  state: string
  nonce: string
  code_challenge: string
  code_challenge_method: 'S256'
  prompt: string
  acr_values: string
  claims: Record<string, unknown>
  ui_locales?: string
}

/**
 * Signs the request object (rules A4, A5, A12): `iss` = client_id, `aud` = the OP issuer as a
 * string, a fresh `jti`, `exp` at most a few minutes ahead, and no `sub` (it would make the
 * object usable as a client assertion). Never encrypted.
 */
export async function buildRequestObject(
  params: AuthorizationParameters,
  { issuer, key, ttl, now, jti = randomUUID() }: { issuer: string; key: RpKey; ttl: number; now: number; jti?: string },
): Promise<string> {
  return new SignJWT({ ...params })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(params.client_id)
    .setAudience(issuer)
    .setJti(jti)
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .sign(key.privateKey)
}

/**
 * The authorization URL: the signed object plus the parameters SPID wants repeated outside it
 * (rule A3: client_id, response_type and scope, equal to the object's; FED also lists PKCE).
 */
export function buildAuthorizationUrl(authorizationEndpoint: string, params: AuthorizationParameters, requestObject: string): URL {
  const url = new URL(authorizationEndpoint)
  url.searchParams.set('client_id', params.client_id)
  url.searchParams.set('response_type', params.response_type)
  url.searchParams.set('scope', params.scope)
  url.searchParams.set('code_challenge', params.code_challenge)
  url.searchParams.set('code_challenge_method', params.code_challenge_method)
  url.searchParams.set('request', requestObject)
  return url
}
