import { CompactEncrypt, importJWK, SignJWT, type JWK } from 'jose'
import type { Adapter, AdapterPayload, Provider } from 'oidc-provider'
import { parseLevel } from '../levels.ts'
import type { ForcedEncryption, TestOpQuirk } from './quirk-profiles.ts'

/**
 * The client registration as the OP reads it, with the forced pair in place of the registered one
 * (only where the client registered encryption, and an RSA `alg` only for an RSA-registered client),
 * so oidc-provider itself encrypts with it.
 */
export function withForcedEncryption(clients: Adapter, forced: ForcedEncryption): Adapter {
  if (!forced.alg && !forced.enc) return clients
  const override = (payload: unknown): AdapterPayload | undefined => {
    if (!payload) return undefined
    const out: Record<string, unknown> = { ...(payload as AdapterPayload) }
    // Those OPs encrypt to the client's encryption key whatever `alg` it is published with.
    const jwks = out.jwks as { keys?: Record<string, unknown>[] } | undefined
    if (jwks?.keys) out.jwks = { keys: jwks.keys.map(({ alg: _alg, ...key }) => (key.use === 'enc' ? key : { ...key, alg: _alg })) }
    for (const prefix of ['userinfo', 'id_token'] as const) {
      const registeredAlg = out[`${prefix}_encrypted_response_alg`] as string | undefined
      if (!registeredAlg) continue
      if (forced.alg && forced.alg.startsWith('RSA') === registeredAlg.startsWith('RSA')) out[`${prefix}_encrypted_response_alg`] = forced.alg
      if (forced.enc) out[`${prefix}_encrypted_response_enc`] = forced.enc
    }
    return out as AdapterPayload
  }
  return new Proxy(clients, {
    get(target, name, receiver) {
      if (name === 'find') return async (id: string) => override(await target.find(id))
      const value = Reflect.get(target, name, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

/** The level the OP authenticates at: what the user chose, or with `last-acr-value` the last value asked. */
export function reachedLevel(quirks: ReadonlySet<TestOpQuirk>, chosen: string | null, acrValues: string | undefined): string | undefined {
  if (quirks.has('last-acr-value') && acrValues) {
    const last = parseLevel(acrValues.trim().split(/\s+/).at(-1) ?? '')
    if (last) return last
  }
  return parseLevel(chosen ?? '')
}

/** The ID token lifetime in seconds: 300 (rule T5), 33 minutes with the Django quirk, or what the options say. */
export function idTokenTtl(quirks: ReadonlySet<TestOpQuirk>, configured: number | undefined): number {
  return configured ?? (quirks.has('id-token-33-minutes') ? 33 * 60 : 300)
}

/** check-rp: the body of a successful UserInfo answer, a compact JWT, sent as a JSON string. */
export function quoteUserinfo(provider: Provider): void {
  provider.use(async (ctx, next) => {
    await next()
    if (ctx.path !== '/me' || ctx.status !== 200 || typeof ctx.body !== 'string') return
    const type = ctx.type
    ctx.body = JSON.stringify(ctx.body)
    ctx.type = type
  })
}

/**
 * Django: the UserInfo JWS is signed over the claims alone (no `iss`, `aud`, `exp`, `iat`, `jti`),
 * then encrypted to the client's key with its (possibly forced) pair, as that OP does.
 */
export function userinfoWithoutProtocolClaims(provider: Provider, signingKey: () => JWK): void {
  const proto = provider.IdToken.prototype as unknown as { issue(this: IdTokenLike, opts?: { use?: string }): Promise<string> }
  type IdTokenLike = { payload(): Promise<Record<string, unknown>>; client?: unknown }
  const issue = proto.issue
  proto.issue = async function (this: IdTokenLike, opts = {}) {
    const client = this.client as ClientLike | undefined
    if (opts.use !== 'userinfo' || !client) return issue.call(this, opts)
    const { iss: _iss, aud: _aud, exp: _exp, iat: _iat, jti: _jti, nbf: _nbf, ...claims } = await this.payload()
    const key = signingKey()
    const signed = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: key.kid as string }).sign(await importJWK(key, 'RS256'))
    const alg = client.userinfoEncryptedResponseAlg
    const enc = client.userinfoEncryptedResponseEnc
    if (!alg || !enc) return signed
    await client.asymmetricKeyStore.refresh()
    const [jwk] = client.asymmetricKeyStore.selectForEncrypt({ alg, use: 'enc' })
    if (!jwk) throw new Error(`no encryption key of the client for ${alg}`)
    return new CompactEncrypt(new TextEncoder().encode(signed))
      .setProtectedHeader({ alg, enc, cty: 'JWT', kid: jwk.kid })
      .encrypt(client.asymmetricKeyStore.getKeyObject(jwk, true))
  }
}

interface ClientLike {
  userinfoEncryptedResponseAlg?: string
  userinfoEncryptedResponseEnc?: string
  asymmetricKeyStore: {
    refresh(): Promise<void>
    selectForEncrypt(q: { alg: string; use: 'enc' }): { kid?: string }[]
    getKeyObject(jwk: object, asPublic: boolean): JWK
  }
}
