/**
 * Level guards, step-up, offline sessions and refresh, logout by revocation (rules L1-L4, I6,
 * X1-X5), against the real test OP. A proxy in front of the OP counts and inspects requests;
 * the RP session clock is moved forward instead of sleeping.
 */
import assert from 'node:assert/strict'
import { after, afterEach, before, describe, it } from 'node:test'
import { SignJWT, createLocalJWKSet, decodeJwt, decodeProtectedHeader, importJWK, jwtVerify } from 'jose'
import { SPID_L1, SPID_L2, SPID_L3, introspectAccessToken } from '../../src/index.ts'
import { login, loginUntilCallback, me } from '../fixtures/login.ts'
import { startStack, type Stack } from '../fixtures/stack.ts'
import { startTamperingProxy, type OpResponse } from '../fixtures/tampering-proxy.ts'
import { UserAgent, type Hop } from '../fixtures/user-agent.ts'

const JSON_ACCEPT = { accept: 'application/json' }

describe('levels, step-up and long sessions', () => {
  let stack: Stack
  let proxy: Awaited<ReturnType<typeof startTamperingProxy>>
  const realNow = () => Math.floor(Date.now() / 1000)
  let shift = 0

  before(async () => {
    proxy = await startTamperingProxy()
    // Access tokens live 300 s here, so they expire while SpidL2 is still valid by age (900 s):
    // what then denies SpidL2 is the refresh rule alone. The RP's clock is moved forward to
    // expire them (the OP's cannot be), and the RP verifies ID tokens on its own clock: they
    // live an hour here, so that they are still valid at the moved time.
    stack = await startStack({
      op: { issuer: proxy.url, ttl: { accessToken: 300, idToken: 3600 } },
      app: {
        routes: (app) =>
          app.get('/test/introspect', async (req, res, next) => {
            try {
              res.json({ active: await introspectAccessToken(stack.app.strategy, req.session.spid!) })
            } catch (error) {
              next(error)
            }
          }),
      },
    })
    proxy.forwardTo(stack.op.server)
    stack.app.strategy.runtime.now = () => realNow() + shift
  })
  afterEach(() => {
    shift = 0
    proxy.rewrite('/token', undefined)
    proxy.rewrite('/token/revocation', undefined)
  })
  after(async () => {
    await stack.close()
    await proxy.close()
  })

  const get = (ua: UserAgent, path: string, headers: Record<string, string> = JSON_ACCEPT) => ua.request(`${stack.appUrl}${path}`, { headers })
  const refreshRequests = (since: number) =>
    proxy.seen.slice(since).filter((r) => r.path === '/token' && new URLSearchParams(r.body).get('grant_type') === 'refresh_token')
  /** Passes OP token responses through, keeping a copy. */
  function recordTokens(): OpResponse[] {
    const seen: OpResponse[] = []
    proxy.rewrite('/token', (r) => {
      seen.push(r)
      return r
    })
    return seen
  }

  for (const reached of [1, 2, 3] as const) {
    it(`a SpidL${reached} session passes the guards up to level ${reached} and gets an RFC 9470 challenge above`, async () => {
      const ua = new UserAgent()
      assert.equal((await login(ua, stack.appUrl, `level=${reached}`)).status, 302)
      for (const required of [1, 2, 3] as const) {
        const hop = await get(ua, `/level${required}`)
        if (required <= reached) {
          assert.equal(hop.status, 200, `L${reached} session on /level${required}`)
          assert.equal(JSON.parse(hop.body).acr, [SPID_L1, SPID_L2, SPID_L3][reached - 1])
        } else {
          const uri = [SPID_L1, SPID_L2, SPID_L3][required - 1]
          assert.equal(hop.status, 401, `L${reached} session on /level${required}`)
          assert.equal(
            hop.headers.get('www-authenticate'),
            `Bearer error="insufficient_user_authentication", error_description="this resource needs ${uri}; the session has ${[SPID_L1, SPID_L2, SPID_L3][reached - 1]}", acr_values="${uri}"`,
          )
          const body = JSON.parse(hop.body)
          assert.equal(body.code, 'ERR_SPID_STEP_UP_REQUIRED')
          const loginUrl = new URL(body.login_url, stack.appUrl)
          assert.equal(loginUrl.searchParams.get('level'), String(required))
          assert.equal(loginUrl.searchParams.get('idp'), proxy.url, 'step-up goes to the same OP')
        }
      }
    })
  }

  it('answers a plain Bearer 401 to API clients with no session, and sends browsers to log in', async () => {
    const ua = new UserAgent()
    const api = await get(ua, '/level1')
    assert.equal(api.status, 401)
    assert.equal(api.headers.get('www-authenticate'), 'Bearer')
    assert.equal(JSON.parse(api.body).code, 'ERR_SPID_NOT_AUTHENTICATED')
    const page = await get(ua, '/level3?x=1', { accept: 'text/html' })
    assert.equal(page.status, 302)
    const to = new URL(page.location as string)
    assert.equal(to.pathname, '/auth/spid')
    assert.equal(to.searchParams.get('level'), '3')
    assert.equal(to.searchParams.get('returnTo'), '/level3?x=1')
  })

  /**
   * A browser below the level is first told why (the example's step-up page, spidContext
   * stepUpPath), which names the level in words and links on to the login at the same OP.
   */
  async function throughStepUpPage(ua: UserAgent, guard: Hop, level: 2 | 3): Promise<string> {
    const to = new URL(guard.location as string, stack.appUrl)
    assert.equal(to.pathname, '/step-up')
    assert.equal(to.searchParams.get('level'), String(level))
    const page = await ua.request(to.href, { headers: { accept: 'text/html' } })
    assert.equal(page.status, 200)
    assert.match(page.body, new RegExp(`Livello ${level} — SPID con`))
    const onward = /<a class="btn btn-primary" href="([^"]+)">Continua<\/a>/.exec(page.body)?.[1]
    assert.ok(onward, 'the step-up page links on to the login')
    return new URL(onward.replaceAll('&amp;', '&'), stack.appUrl).href
  }

  it('steps a browser up L1 → L2 → L3 at the same OP with prompt=consent login, back on the route asked for', async () => {
    const ua = new UserAgent()
    await login(ua, stack.appUrl, 'level=1')
    const firstSub = ((await me(ua, stack.appUrl)).profile as { sub: string }).sub
    for (const [level, uri] of [
      [2, SPID_L2],
      [3, SPID_L3],
    ] as const) {
      const sessionBefore = ua.cookieNamed('spid.sid')
      const guard = await get(ua, `/level${level}`, { accept: 'text/html' })
      assert.equal(guard.status, 302)
      const onward = await throughStepUpPage(ua, guard, level)
      const start = await ua.request(onward)
      const request = decodeJwt(new URL(start.location as string).searchParams.get('request') as string)
      assert.equal(request.prompt, 'consent login')
      assert.equal(request.acr_values, uri)
      const callback = await loginUntilCallback(ua, stack.appUrl, new URL(onward).search.slice(1))
      const back = await ua.request(callback)
      assert.equal(back.location, `${stack.appUrl}/level${level}`)
      const page = await get(ua, `/level${level}`, { accept: 'text/html' })
      assert.equal(page.status, 200)
      assert.match(page.body, new RegExp(`data-testid="acr">${uri.replace(/[/.]/g, '\\$&')}<`))
      assert.notEqual(ua.cookieNamed('spid.sid'), sessionBefore, 'new session id at step-up')
      assert.equal(((await me(ua, stack.appUrl)).profile as { sub: string }).sub, firstSub, 'same user')
    }
  })

  it('refuses a step-up that comes back as another person, and ends the session', async () => {
    const ua = new UserAgent()
    await login(ua, stack.appUrl, 'level=1', { user: 'ada' })
    const guard = await get(ua, '/level2', { accept: 'text/html' })
    const callback = await loginUntilCallback(ua, stack.appUrl, new URL(await throughStepUpPage(ua, guard, 2)).search.slice(1), { user: 'lucrezia' })
    const hop = await ua.request(callback, { headers: JSON_ACCEPT })
    assert.equal(hop.status, 401)
    assert.equal(JSON.parse(hop.body).code, 'ERR_SPID_SUBJECT_CHANGED')
    assert.equal((await me(ua, stack.appUrl)).authenticated, false)
  })

  it('lets a level lapse after its maximum age: SpidL2 counts as SpidL1 after 15 minutes', async () => {
    const ua = new UserAgent()
    await login(ua, stack.appUrl, 'level=2')
    // The example answers `level` from req.spid.levelNumber: 1, 2 or 3, following the level the session counts as now.
    assert.equal(JSON.parse((await get(ua, '/level2')).body).level, 2)
    shift = 901
    assert.equal((await get(ua, '/level2')).status, 401)
    const l1 = await get(ua, '/level1')
    assert.equal(l1.status, 200)
    assert.equal(JSON.parse(l1.body).acr, SPID_L1)
    assert.equal(JSON.parse(l1.body).level, 1)
  })

  it('asks for a fresh login on a route with maxAge, even at the same level', async () => {
    const ua = new UserAgent()
    await login(ua, stack.appUrl, 'level=2')
    assert.equal((await get(ua, '/level2/sensitive')).status, 200)
    shift = 301
    assert.equal((await get(ua, '/level2')).status, 200, 'the level itself is still valid')
    const hop = await get(ua, '/level2/sensitive')
    assert.equal(hop.status, 401)
    assert.match(JSON.parse(hop.body).error_description, /within the last 300 s/)
  })

  it('restores an offline session once its access token expires: one refresh, SpidL1 only, L2 needs a step-up', async () => {
    const ua = new UserAgent()
    const tokens = recordTokens()
    await login(ua, stack.appUrl, 'level=2&offline=1')
    const first = JSON.parse(tokens[0]!.body)
    assert.ok(first.refresh_token, 'the OP issued a refresh token for offline_access')
    let who = await me(ua, stack.appUrl)
    assert.deepEqual([who.offline, who.acr, who.refreshed], [true, SPID_L2, false])

    shift = 301
    const mark = proxy.seen.length
    const l1 = await get(ua, '/level1')
    assert.equal(l1.status, 200)
    assert.equal(JSON.parse(l1.body).refreshed, true)
    const refreshes = refreshRequests(mark)
    assert.equal(refreshes.length, 1)
    const form = new URLSearchParams(refreshes[0]!.body)
    assert.equal(form.get('refresh_token'), first.refresh_token)
    assert.equal(refreshes[0]!.headers['content-type'], 'application/x-www-form-urlencoded')
    const assertion = decodeJwt(form.get('client_assertion') as string)
    assert.equal(assertion.aud, `${proxy.url}/token`)

    who = await me(ua, stack.appUrl)
    assert.deepEqual([who.offline, who.acr, who.refreshed], [true, SPID_L1, true])
    const l2 = await get(ua, '/level2')
    assert.equal(l2.status, 401, 'a restored session is SpidL1 only (rule L2)')
    assert.equal(JSON.parse(l2.body).code, 'ERR_SPID_STEP_UP_REQUIRED')
    assert.equal(refreshRequests(mark).length, 1, 'no second refresh while the new access token lives')

    // Rotation (rule L4): the next refresh presents the refresh token the OP returned last.
    const rotated = JSON.parse(tokens[tokens.length - 1]!.body).refresh_token
    assert.ok(rotated && rotated !== first.refresh_token)
    shift = 2000
    const mark2 = proxy.seen.length
    assert.equal((await get(ua, '/level1')).status, 200)
    assert.equal(new URLSearchParams(refreshRequests(mark2)[0]!.body).get('refresh_token'), rotated)
  })

  it('counts a restored session as SpidL1 even when the OP says otherwise on refresh', async () => {
    const ua = new UserAgent()
    await login(ua, stack.appUrl, 'level=2&offline=1')
    const opKey = await importJWK(stack.op.signingKey, 'RS256')
    proxy.rewrite('/token', async (response) => {
      const body = JSON.parse(response.body)
      if (!body.id_token) return response
      const claims = decodeJwt(body.id_token)
      if (claims.acr !== SPID_L1) return response
      body.id_token = await new SignJWT({ ...claims, acr: SPID_L2 })
        .setProtectedHeader({ alg: 'RS256', kid: decodeProtectedHeader(body.id_token).kid as string })
        .sign(opKey)
      return { ...response, body: JSON.stringify(body) }
    })
    shift = 301
    assert.equal((await get(ua, '/level1')).status, 200)
    assert.equal((await get(ua, '/level2')).status, 401, 'our cap, not the OP, decides')
    assert.equal((await me(ua, stack.appUrl)).acr, SPID_L1)
  })

  it('ends the long session when the OP refuses the refresh token', async () => {
    const ua = new UserAgent()
    const tokens = recordTokens()
    await login(ua, stack.appUrl, 'level=1&offline=1')
    const refreshToken = JSON.parse(tokens[0]!.body).refresh_token as string
    // Revoked at the OP itself, as a user would from the OP's list of long sessions.
    const stored = await stack.op.provider.RefreshToken.find(refreshToken)
    assert.ok(stored)
    await stored.destroy()
    shift = 301
    const hop = await get(ua, '/level1')
    assert.equal(hop.status, 401)
    assert.equal(JSON.parse(hop.body).code, 'ERR_SPID_NOT_AUTHENTICATED')
    assert.equal((await me(ua, stack.appUrl)).authenticated, false)
    const page = await get(ua, '/level1', { accept: 'text/html' })
    assert.equal(new URL(page.location as string).pathname, '/auth/spid', 'the browser is sent to log in again')
  })

  it('makes one refresh for many concurrent requests that find the access token expired', async () => {
    const ua = new UserAgent()
    await login(ua, stack.appUrl, 'level=1&offline=1')
    shift = 301
    const mark = proxy.seen.length
    const answers = await Promise.all(Array.from({ length: 8 }, () => get(ua, '/level1')))
    assert.deepEqual(
      answers.map((a: Hop) => a.status),
      Array(8).fill(200),
    )
    assert.equal(refreshRequests(mark).length, 1)
  })

  it('does not ask for a refresh token unless the login is offline', async () => {
    const ua = new UserAgent()
    const tokens = recordTokens()
    await login(ua, stack.appUrl, 'level=2')
    assert.equal(JSON.parse(tokens[0]!.body).refresh_token, undefined)
    assert.equal((await me(ua, stack.appUrl)).offline, false)
  })

  it('logs out by revoking the access token with an assertion aimed at the revocation endpoint (X1, X2)', async () => {
    const ua = new UserAgent()
    const tokens = recordTokens()
    await login(ua, stack.appUrl, 'level=2')
    const accessToken = JSON.parse(tokens[0]!.body).access_token as string
    const mark = proxy.seen.length
    const out = await ua.request(`${stack.appUrl}/logout`, { method: 'POST', headers: { origin: stack.appUrl }, form: {} })
    assert.equal(out.status, 303)
    const revocation = proxy.seen.slice(mark).find((r) => r.path === '/token/revocation')
    assert.ok(revocation, 'the OP revocation endpoint was called')
    assert.equal(revocation.headers['content-type'], 'application/x-www-form-urlencoded')
    const form = new URLSearchParams(revocation.body)
    assert.equal(form.get('token'), accessToken)
    assert.equal(form.get('client_id'), stack.appUrl)
    const rpKeys = stack.app.strategy.options.keys
    const { payload } = await jwtVerify(form.get('client_assertion') as string, createLocalJWKSet({ keys: [rpKeys.signing.publicJwk] }))
    assert.equal(payload.aud, `${proxy.url}/token/revocation`)
    assert.equal(await stack.op.provider.AccessToken.find(accessToken), undefined, 'the OP no longer knows the token')
    assert.equal((await me(ua, stack.appUrl)).authenticated, false)
    assert.equal(out.headers.get('set-cookie')?.startsWith('spid.sid=;'), true, 'cookie cleared')
  })

  it('ends the local session even when revocation fails, and logs it', async () => {
    const ua = new UserAgent()
    await login(ua, stack.appUrl, 'level=1')
    proxy.rewrite('/token/revocation', () => ({ status: 503, headers: { 'content-type': 'application/json' }, body: '{"error":"temporarily_unavailable"}' }))
    const out = await ua.request(`${stack.appUrl}/logout`, { method: 'POST', headers: { origin: stack.appUrl }, form: {} })
    assert.equal(out.status, 303)
    assert.equal((await me(ua, stack.appUrl)).authenticated, false)
    assert.ok(stack.logger.lines.some((l) => (l.obj as { event?: string }).event === 'token.revocation_failed'))
  })

  it('introspects the session access token with an assertion aimed at the introspection endpoint (X5)', async () => {
    const ua = new UserAgent()
    await login(ua, stack.appUrl, 'level=1')
    const mark = proxy.seen.length
    assert.deepEqual(JSON.parse((await get(ua, '/test/introspect')).body), { active: true })
    const call = proxy.seen.slice(mark).find((r) => r.path === '/token/introspection')
    assert.ok(call)
    assert.equal(decodeJwt(new URLSearchParams(call.body).get('client_assertion') as string).aud, `${proxy.url}/token/introspection`)
  })
})
