import * as oidc from 'openid-client'
import type { RpKey } from '../keys/rp-keys.ts'
import type { ResolvedProvider } from '../providers/provider-registry.ts'
import type { OpFetch } from './op-fetch.ts'

export interface OpClientContext {
  clientId: string
  signingKey: RpKey
  idTokenAlg: string
  fetch: OpFetch
  allowHttpLoopback: boolean
  clockTolerance: number
}

type Endpoint = 'token_endpoint' | 'revocation_endpoint' | 'introspection_endpoint'

/**
 * An openid-client Configuration for one call to one endpoint of one OP. Built per call because
 * the client assertion's `aud` must be the URL of the endpoint called (rule T3), and
 * openid-client's default is the issuer. Construction does no I/O.
 */
export async function opClientFor(provider: ResolvedProvider, endpoint: Endpoint, ctx: OpClientContext): Promise<oidc.Configuration> {
  const audience = provider.metadata[endpoint]
  if (typeof audience !== 'string') throw new TypeError(`${provider.config.issuer} has no ${endpoint}`)
  const auth = oidc.PrivateKeyJwt(
    { key: await ctx.signingKey.cryptoKey(), kid: ctx.signingKey.kid },
    {
      [oidc.modifyAssertion]: (_header, payload) => {
        payload.aud = audience
      },
    },
  )
  const config = new oidc.Configuration(
    provider.metadata as unknown as oidc.ServerMetadata,
    ctx.clientId,
    {
      token_endpoint_auth_method: 'private_key_jwt',
      id_token_signed_response_alg: ctx.idTokenAlg,
      [oidc.clockTolerance]: ctx.clockTolerance,
    },
    auth,
  )
  config[oidc.customFetch] = (url, init) => ctx.fetch(url, init as RequestInit)
  if (ctx.allowHttpLoopback) oidc.allowInsecureRequests(config)
  return config
}
