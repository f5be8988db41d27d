import * as oidc from 'openid-client'
import type { RpKey } from '../keys/rp-keys.ts'

/** The authorization request parameters that go inside the request object (rule A4). */
export interface AuthorizationParameters {
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

/** Outside the object too (rule A3): SPID wants these repeated in the query, equal to the object's. */
const REPEATED_IN_QUERY = ['response_type', 'scope', 'code_challenge', 'code_challenge_method'] as const

/**
 * The authorization URL with a signed request object (rules A3-A5, A12), by openid-client's
 * `buildAuthorizationUrlWithJAR`: `iss` and `client_id` = the client, `aud` = the OP issuer as a
 * string, no `sub` (it would make the object usable as a client assertion), never encrypted.
 * Through its `modifyAssertion` hook: `typ` `JWT` (SPID's; RFC 9101's `oauth-authz-req+jwt` is not
 * in the SPID rules), our `jti` (audited), and `iat`/`exp` on the strategy's clock, `exp` at most
 * a few minutes ahead. openid-client puts only `client_id` and `request` in the URL; the SPID
 * parameters are added to what it returns.
 */
export async function buildSignedAuthorizationUrl(
  config: oidc.Configuration,
  params: AuthorizationParameters,
  { key, ttl, now, jti }: { key: RpKey; ttl: number; now: number; jti: string },
): Promise<URL> {
  const { claims, ...plain } = params
  const url = await oidc.buildAuthorizationUrlWithJAR(
    config,
    { ...plain, claims: JSON.stringify(claims) },
    { key: (await key.cryptoKey()) as CryptoKey, kid: key.kid },
    {
      [oidc.modifyAssertion]: (header, payload) => {
        header.typ = 'JWT'
        payload.jti = jti
        payload.iat = now
        payload.nbf = now
        payload.exp = now + ttl
      },
    },
  )
  for (const name of REPEATED_IN_QUERY) url.searchParams.set(name, params[name])
  return url
}
