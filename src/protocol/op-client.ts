import { importJWK, type JWK } from 'jose'
import * as oidc from 'openid-client'
import type { RpKey } from '../keys/rp-keys.ts'
import type { ResolvedProvider } from '../providers/provider-registry.ts'
import { acceptedPairs, type JweExpectation } from './jwe-algorithms.ts'
import { toFetchResponse, type OpFetch } from './op-fetch.ts'
import { checkTokenResponse } from './token-response.ts'

export interface OpClientContext {
  clientId: string
  signingKey: RpKey
  idTokenAlg: string
  fetch: OpFetch
  allowHttpLoopback: boolean
  clockTolerance: number
  /** Set when the RP registered encrypted ID tokens: the keys that decrypt them, the registered pair, and whether other listed pairs pass. */
  idTokenDecryption?: Omit<JweExpectation, 'what'>
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
  config[oidc.customFetch] =
    endpoint === 'token_endpoint'
      ? async (url, init) => {
          const answer = await ctx.fetch(url, init)
          checkTokenResponse(answer, ctx.idTokenDecryption)
          return toFetchResponse(answer, url)
        }
      : async (url, init) => toFetchResponse(await ctx.fetch(url, init), url)
  if (ctx.allowHttpLoopback) oidc.allowInsecureRequests(config)
  if (ctx.idTokenDecryption) {
    const { keys, enc } = await decryptionKeys(ctx.idTokenDecryption)
    oidc.enableDecryptingResponses(config, enc, ...keys)
  }
  return config
}

/**
 * The keys openid-client decrypts ID tokens with: a WebCrypto key is bound to one algorithm
 * (RSA-OAEP's hash, say), so each RP key is imported once per `alg` it accepts, under its kid.
 */
async function decryptionKeys(expectation: Omit<JweExpectation, 'what'>): Promise<{ keys: oidc.DecryptionKey[]; enc: string[] }> {
  const enc = new Set<string>()
  const keys: oidc.DecryptionKey[] = []
  for (const key of expectation.keys) {
    const accepted = acceptedPairs(key, expectation)
    for (const e of accepted.enc) enc.add(e)
    for (const alg of accepted.alg) {
      const jwk = { ...(key.privateKey.export({ format: 'jwk' }) as JWK), alg }
      keys.push({ key: (await importJWK(jwk, alg)) as CryptoKey, alg, kid: key.kid })
    }
  }
  return { keys, enc: [...enc] }
}
