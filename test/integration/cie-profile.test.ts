/** The CIE id profile (FED "differenze SPID/CIE"): other scopes, and a refresh token never restores a session (rule L3). */
import assert from 'node:assert/strict'
import { after, afterEach, before, describe, it } from 'node:test'
import { SignJWT, decodeJwt, decodeProtectedHeader, importJWK } from 'jose'
import { login, loginUntilCallback, me } from '../fixtures/login.ts'
import { startStack, type Stack } from '../fixtures/stack.ts'
import { startTamperingProxy } from '../fixtures/tampering-proxy.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

describe('CIE id provider profile', () => {
  let stack: Stack
  let proxy: Awaited<ReturnType<typeof startTamperingProxy>>
  let shift = 0

  before(async () => {
    proxy = await startTamperingProxy()
    stack = await startStack({
      op: { issuer: proxy.url, profile: 'cie', ttl: { accessToken: 300 } },
      app: { strategy: { providers: [{ issuer: proxy.url, id: 'cie', name: 'CIE id', profile: 'cie', userinfoMethod: 'POST' }] } },
    })
    proxy.forwardTo(stack.op.server)
    stack.app.strategy.runtime.now = () => Math.floor(Date.now() / 1000) + shift
  })
  afterEach(() => {
    proxy.rewrite('/.well-known/openid-federation', undefined)
    proxy.rewrite('/token', undefined)
    shift = 0
  })
  after(async () => {
    await stack.close()
    await proxy.close()
  })

  it('asks for the profile and email scopes', async () => {
    const ua = new UserAgent()
    const hop = await ua.request(`${stack.appUrl}/auth/spid?idp=cie&level=2&offline=1`)
    const url = new URL(hop.location as string)
    assert.equal(url.searchParams.get('scope'), 'openid profile email offline_access')
    assert.equal(decodeJwt(url.searchParams.get('request') as string).scope, 'openid profile email offline_access')
  })

  it('logs in, and never uses the refresh token to restore the session', async () => {
    const ua = new UserAgent()
    assert.equal((await login(ua, stack.appUrl, 'idp=cie&level=2&offline=1')).status, 302)
    const who = await me(ua, stack.appUrl)
    assert.equal(who.offline, true)
    assert.equal((who.profile as { fiscalNumber: string }).fiscalNumber, 'LVLDAA85T50G702B')
    shift = 301
    const mark = proxy.seen.length
    const l1 = await ua.request(`${stack.appUrl}/level1`, { headers: { accept: 'application/json' } })
    assert.equal(l1.status, 200)
    assert.equal(JSON.parse(l1.body).refreshed, false)
    assert.equal(proxy.seen.slice(mark).filter((r) => r.path === '/token').length, 0, 'no refresh request')
  })

  it('asks UserInfo by POST when the provider says so (rule U1), the token in the header only', async () => {
    const mark = proxy.seen.length
    assert.equal((await login(new UserAgent(), stack.appUrl, 'idp=cie&level=2')).status, 302)
    const userinfo = proxy.seen.slice(mark).filter((r) => r.path === '/me')
    assert.deepEqual(
      userinfo.map((r) => r.method),
      ['POST'],
    )
    assert.match(String(userinfo[0]?.headers.authorization), /^Bearer /)
    assert.equal(userinfo[0]?.body, '', 'no token in the body')
  })

  it('refuses a CIE callback without iss, even from an OP whose metadata does not promise it (rule R1)', async () => {
    // The OP's entity configuration, signed again with its own federation key, without the RFC 9207 flag:
    // openid-client alone would then accept a callback without iss.
    const federationKey = (await importJWK(stack.op.federationKey, 'RS256')) as CryptoKey
    proxy.rewrite('/.well-known/openid-federation', async (response) => {
      const claims = decodeJwt(response.body) as { metadata: { openid_provider: Record<string, unknown> } }
      delete claims.metadata.openid_provider.authorization_response_iss_parameter_supported
      const body = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: decodeProtectedHeader(response.body).kid as string, typ: 'entity-statement+jwt' })
        .sign(federationKey)
      return { ...response, body }
    })
    stack.app.strategy.runtime.registry.reload?.(proxy.url)
    const ua = new UserAgent()
    const callback = new URL(await loginUntilCallback(ua, stack.appUrl, 'idp=cie&level=2'))
    callback.searchParams.delete('iss')
    const hop = await ua.request(callback.href, { headers: { accept: 'application/json' } })
    assert.equal(hop.status, 400)
    assert.equal(JSON.parse(hop.body).code, 'ERR_SPID_ISSUER_MISMATCH')
    assert.equal((await me(ua, stack.appUrl)).authenticated, false)
  })

  it('logs out by revoking the access token and leaves the refresh token valid at the OP (rule X3)', async () => {
    const tokens: { access_token: string; refresh_token?: string }[] = []
    proxy.rewrite('/token', (response) => {
      tokens.push(JSON.parse(response.body))
      return response
    })
    const ua = new UserAgent()
    assert.equal((await login(ua, stack.appUrl, 'idp=cie&level=2&offline=1')).status, 302)
    const { access_token: accessToken, refresh_token: refreshToken } = tokens[0] as { access_token: string; refresh_token: string }
    assert.ok(refreshToken, 'an offline CIE login has a refresh token')
    const out = await ua.request(`${stack.appUrl}/logout`, { method: 'POST', form: {}, headers: { origin: stack.appUrl, accept: 'application/json' } })
    assert.equal(out.status, 200)
    assert.equal(await stack.op.provider.AccessToken.find(accessToken), undefined, 'the access token is revoked')
    const stillThere = await stack.op.provider.RefreshToken.find(refreshToken)
    assert.ok(stillThere && !stillThere.isExpired && !stillThere.consumed, 'the refresh token is untouched')
  })
})
