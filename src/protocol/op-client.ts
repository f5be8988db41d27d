import * as oidc from 'openid-client'
import type { RpKey } from '../keys/rp-keys.ts'
import type { ResolvedProvider } from '../providers/provider-registry.ts'
import { toFetchResponse, type OpFetch } from './op-fetch.ts'

export interface OpClientContext {
  clientId: string
  signingKey: RpKey
  idTokenAlg: string
  fetch: OpFetch
  allowHttpLoopback: boolean
  clockTolerance: number
  /** Set when the RP registered encrypted ID tokens: the keys that decrypt them and the content encryption allowed. */
  idTokenDecryption?: { keys: readonly RpKey[]; enc: string }
}

type Endpoint = 'token_endpoint' | 'revocation_endpoint' | 'introspection_endpoint'

/** Configurations by client, resolved OP (a re-resolved OP is a new object) and endpoint. */
const configurations = new WeakMap<OpClientContext, WeakMap<ResolvedProvider, Map<Endpoint, Promise<oidc.Configuration>>>>()

/**
 * An openid-client Configuration for calls to one endpoint of one OP: one per endpoint because
 * the client assertion's `aud` must be the URL of the endpoint called (rule T3), and
 * openid-client's default is the issuer. Built once and reused while the OP's metadata is.
 */
export function opClientFor(provider: ResolvedProvider, endpoint: Endpoint, ctx: OpClientContext): Promise<oidc.Configuration> {
  let byProvider = configurations.get(ctx)
  if (!byProvider) {
    byProvider = new WeakMap()
    configurations.set(ctx, byProvider)
  }
  let byEndpoint = byProvider.get(provider)
  if (!byEndpoint) {
    byEndpoint = new Map()
    byProvider.set(provider, byEndpoint)
  }
  let config = byEndpoint.get(endpoint)
  if (!config) {
    config = buildConfiguration(provider, endpoint, ctx)
    byEndpoint.set(endpoint, config)
    config.catch(() => byEndpoint.delete(endpoint))
  }
  return config
}

async function buildConfiguration(provider: ResolvedProvider, endpoint: Endpoint, ctx: OpClientContext): Promise<oidc.Configuration> {
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
  config[oidc.customFetch] = async (url, init) => toFetchResponse(await ctx.fetch(url, init), url)
  if (ctx.allowHttpLoopback) oidc.allowInsecureRequests(config)
  if (ctx.idTokenDecryption) {
    const keys = await Promise.all(ctx.idTokenDecryption.keys.map(async (k) => ({ key: await k.cryptoKey(), alg: k.alg, kid: k.kid })))
    oidc.enableDecryptingResponses(config, [ctx.idTokenDecryption.enc], ...keys)
  }
  return config
}
