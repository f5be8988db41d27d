/** The CIE id profile (FED "differenze SPID/CIE"): other scopes, UserInfo by POST, and a refresh token that only reads attributes again (rule L3). The rules shared with SPID, side by side: profile-matrix.test.ts. */
import assert from 'node:assert/strict'
import { after, afterEach, before, describe, it } from 'node:test'
import { SignJWT, decodeJwt, importJWK } from 'jose'
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

  it('names the level of a retry in CIE id’s words when the login came back below it', async () => {
    const ua = new UserAgent()
    const callback = await loginUntilCallback(ua, stack.appUrl, 'idp=cie&level=2&returnTo=%2Flevel2', { reached: 1 })
    const page = await ua.request(callback, { headers: { accept: 'text/html' } })
    assert.equal(page.status, 401)
    assert.match(page.body, /Riprova al livello 2<\/a>/)
    assert.match(page.body, /<strong>Livello 2 — CIE id con codice temporaneo o app<\/strong>/)
    assert.doesNotMatch(page.body, /SPID con/)
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

  it('merges attributes the ID token carries with UserInfo, UserInfo winning where both have one', async () => {
    const opKey = (await importJWK(stack.op.signingKey, 'RS256')) as CryptoKey
    // oidc-provider puts no attributes in a code-flow ID token; a CIE OP may: add two, signed by the OP.
    proxy.rewrite('/token', async (response) => {
      const body = JSON.parse(response.body)
      const claims = { ...decodeJwt(body.id_token), given_name: 'Adalina', email_verified: true }
      body.id_token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: stack.op.signingKey.kid as string }).sign(opKey)
      return { ...response, body: JSON.stringify(body) }
    })
    const ua = new UserAgent()
    assert.equal((await login(ua, stack.appUrl, 'idp=cie&level=2')).status, 302)
    const profile = (await me(ua, stack.appUrl)).profile as { givenName: string; emailVerified: boolean }
    assert.equal(profile.givenName, 'Ada', 'UserInfo wins')
    assert.equal(profile.emailVerified, true, 'an attribute only the ID token carries is kept')
  })

  it('reads the attributes again once per session, however many requests ask at the same time (rule L4)', async () => {
    const ua = new UserAgent()
    assert.equal((await login(ua, stack.appUrl, 'idp=cie&level=2&offline=1')).status, 302)
    const before = stack.op.tokenRequests.refresh_token
    shift = 301
    stack.op.delayTokenResponses(200)
    try {
      const answers = await Promise.all(
        [1, 2, 3].map(() => ua.request(`${stack.appUrl}/profile/refresh`, { method: 'POST', headers: { accept: 'application/json' } })),
      )
      assert.deepEqual(
        answers.map((a) => a.status),
        [200, 200, 200],
      )
    } finally {
      stack.op.delayTokenResponses(0)
    }
    assert.equal(stack.op.tokenRequests.refresh_token - before, 1, 'one refresh request')
    assert.equal((await me(ua, stack.appUrl)).authenticated, true)
  })

  it('ignores an ID token a CIE OP sends on refresh anyway: the level stays what the interactive login reached', async () => {
    const ua = new UserAgent()
    assert.equal((await login(ua, stack.appUrl, 'idp=cie&level=2&offline=1')).status, 302)
    const opKey = (await importJWK(stack.op.signingKey, 'RS256')) as CryptoKey
    // A misbehaving OP: a refresh answer carrying an ID token that claims SpidL3.
    proxy.rewrite('/token', async (response) => {
      const body = JSON.parse(response.body)
      const now = Math.floor(Date.now() / 1000)
      body.id_token = await new SignJWT({ acr: 'https://www.spid.gov.it/SpidL3', sub: 'x', aud: stack.appUrl, iss: proxy.url, iat: now, exp: now + 300 })
        .setProtectedHeader({ alg: 'RS256', kid: stack.op.signingKey.kid as string })
        .sign(opKey)
      return { ...response, body: JSON.stringify(body) }
    })
    shift = 301
    const refreshed = await ua.request(`${stack.appUrl}/profile/refresh`, { method: 'POST', headers: { accept: 'application/json' } })
    assert.equal(refreshed.status, 200, refreshed.body.slice(0, 300))
    assert.equal(JSON.parse(refreshed.body).acr, 'https://www.spid.gov.it/SpidL2')
    assert.equal((await me(ua, stack.appUrl)).acr, 'https://www.spid.gov.it/SpidL2')
    assert.ok(stack.logger.lines.some((l) => (l.obj as { event?: string }).event === 'token.refresh_id_token_ignored'))
  })

  it('keeps the session when the OP fails the refresh with a 5xx (an OP error, not a refused token)', async () => {
    const ua = new UserAgent()
    assert.equal((await login(ua, stack.appUrl, 'idp=cie&level=2&offline=1')).status, 302)
    proxy.rewrite('/token', (response) => ({ ...response, status: 503, body: '{"error":"temporarily_unavailable"}' }))
    shift = 301
    const hop = await ua.request(`${stack.appUrl}/profile/refresh`, { method: 'POST', headers: { accept: 'application/json' } })
    // openid-client reads error bodies of 4xx answers only: a 5xx is an OP error (502).
    assert.equal(hop.status, 502, hop.body.slice(0, 300))
    assert.equal(JSON.parse(hop.body).code, 'ERR_SPID_OP_ERROR')
    const who = await me(ua, stack.appUrl)
    assert.equal(who.authenticated, true, 'the next try may succeed')
    assert.equal(who.offline, true)
  })

  it('ends the session when the OP refuses the refresh token, and says to log in again', async () => {
    const tokens: { refresh_token?: string }[] = []
    proxy.rewrite('/token', (response) => {
      tokens.push(JSON.parse(response.body))
      return response
    })
    const ua = new UserAgent()
    assert.equal((await login(ua, stack.appUrl, 'idp=cie&level=2&offline=1')).status, 302)
    await (await stack.op.provider.RefreshToken.find(tokens[0]?.refresh_token as string))?.destroy()
    shift = 301
    const hop = await ua.request(`${stack.appUrl}/profile/refresh`, { method: 'POST', headers: { accept: 'application/json' } })
    assert.equal(hop.status, 401, hop.body.slice(0, 300))
    assert.equal(JSON.parse(hop.body).code, 'ERR_SPID_NOT_AUTHENTICATED')
    assert.equal((await me(ua, stack.appUrl)).authenticated, false)
  })

  it('cannot read the attributes again after the access token expired without an offline login', async () => {
    const ua = new UserAgent()
    assert.equal((await login(ua, stack.appUrl, 'idp=cie&level=2')).status, 302)
    shift = 301
    const hop = await ua.request(`${stack.appUrl}/profile/refresh`, { method: 'POST', headers: { accept: 'application/json' } })
    assert.equal(hop.status, 401)
    assert.match(JSON.parse(hop.body).error_description, /not offline/)
    assert.equal((await me(ua, stack.appUrl)).authenticated, true, 'the session itself goes on')
  })

  it('keeps a CIE offline login no longer than sessionMaxAge: its refresh token does not keep it alive (rule L3)', async () => {
    const ua = new UserAgent()
    assert.equal((await login(ua, stack.appUrl, 'idp=cie&level=1&offline=1')).status, 302)
    assert.equal((await me(ua, stack.appUrl)).offline, true)
    shift = stack.app.strategy.options.sessionMaxAge + 60
    assert.equal((await me(ua, stack.appUrl)).authenticated, false)
  })
})
