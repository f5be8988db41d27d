/**
 * What the RP refuses and survives: malformed and fuzzed callbacks, open redirects, cross-site
 * logout, replays, OP faults at the token endpoint, clock skew. Each against the real test OP;
 * the proxy makes the OP misbehave where it never would. Every failure must leave no session.
 */
import assert from 'node:assert/strict'
import { after, afterEach, before, describe, it } from 'node:test'
import fc from 'fast-check'
import { decodeJwt, importJWK } from 'jose'
import { login, loginUntilCallback, me } from '../fixtures/login.ts'
import { startStack, type Stack } from '../fixtures/stack.ts'
import { resignIdToken, startTamperingProxy, type Rewrite } from '../fixtures/tampering-proxy.ts'
import { UserAgent, type Hop } from '../fixtures/user-agent.ts'

export const FUZZ_RUNS = 300
const JSON_ACCEPT = { accept: 'application/json' }
const codeOf = (hop: Hop) => (/json/.test(hop.contentType) ? (JSON.parse(hop.body) as { code?: string }).code : undefined)

describe('hostile input and faults', () => {
  let stack: Stack
  let proxy: Awaited<ReturnType<typeof startTamperingProxy>>
  let opKey: CryptoKey
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => unhandled.push(reason)

  before(async () => {
    process.on('unhandledRejection', onUnhandled)
    proxy = await startTamperingProxy()
    stack = await startStack({ op: { issuer: proxy.url }, app: { strategy: { httpTimeout: 800 } } })
    proxy.forwardTo(stack.op.server)
    opKey = (await importJWK(stack.op.signingKey, 'RS256')) as CryptoKey
  })
  afterEach(() => proxy.rewrite('/token', undefined))
  after(async () => {
    process.off('unhandledRejection', onUnhandled)
    await stack.close()
    await proxy.close()
  })

  async function assertNoSession(ua: UserAgent) {
    assert.equal((await me(ua, stack.appUrl)).authenticated, false, 'no session after a refused callback')
  }

  const resignWithOpKey = (change: (claims: Record<string, unknown>) => void): Rewrite => resignIdToken(change, opKey)

  describe('malformed callbacks get a clean 400 and no session', () => {
    const cases: [string, (state: string, code: string) => string][] = [
      ['no parameters at all but state', (state) => `state=${state}`],
      ['a wrong iss', (state, code) => `code=${code}&state=${state}&iss=https%3A%2F%2Fevil.example`],
      ['duplicated state', (state, code) => `code=${code}&state=${state}&state=${state}`],
      ['duplicated code', (state, code) => `code=${code}&code=${code}&state=${state}`],
      ['10 kB state', (_state, code) => `code=${code}&state=${'A'.repeat(10_240)}`],
      ['10 kB code', (state) => `code=${'c'.repeat(10_240)}&state=${state}`],
      ['non-ASCII code', (state) => `code=${encodeURIComponent('cödé')}&state=${state}`],
      ['array-style state', (_state, code) => `code=${code}&state[]=x`],
      ['control character in state', (state, code) => `code=${code}&state=${state}%00`],
    ]
    for (const [name, build] of cases) {
      it(name, async () => {
        const ua = new UserAgent()
        const callback = new URL(await loginUntilCallback(ua, stack.appUrl, 'level=1'))
        const hop = await ua.request(
          `${stack.appUrl}/auth/spid/callback?${build(callback.searchParams.get('state') as string, callback.searchParams.get('code') as string)}`,
          { headers: JSON_ACCEPT },
        )
        assert.equal(hop.status, 400, `${name}: ${hop.body.slice(0, 200)}`)
        assert.match(codeOf(hop) ?? '', /^ERR_SPID_(BAD_REQUEST|STATE_MISSING|STATE_MISMATCH|ISSUER_MISMATCH)$/)
        await assertNoSession(ua)
      })
    }
  })

  it(`survives ${FUZZ_RUNS} fuzzed callback queries and form bodies (fast-check): never a 5xx, never a session`, async () => {
    const ua = new UserAgent()
    const genuine = new URL(await loginUntilCallback(ua, stack.appUrl, 'level=1'))
    const names = fc.constantFrom('code', 'state', 'iss', 'error', 'error_description', 'session_state', 'x', 'state[]', '__proto__', 'constructor')
    const values = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.constant(genuine.searchParams.get('state') as string),
      fc.constant('access_denied'),
      fc.string({ minLength: 2049, maxLength: 2500 }),
      fc.constant('x'.repeat(20_000)),
    )
    const params = fc.array(fc.tuple(names, values), { maxLength: 8 })
    await fc.assert(
      fc.asyncProperty(params, fc.boolean(), async (pairs, asForm) => {
        const query = new URLSearchParams(pairs)
        const hop = asForm
          ? await ua.request(`${stack.appUrl}/auth/spid/callback`, { form: Object.fromEntries(query), headers: JSON_ACCEPT })
          : await ua.request(`${stack.appUrl}/auth/spid/callback?${query}`, { headers: JSON_ACCEPT })
        assert.ok(hop.status < 500 || hop.status === 502 || hop.status === 503, `${hop.status} for ${query.toString().slice(0, 120)}`)
        assert.ok(
          hop.status >= 400 || (hop.status === 302 && hop.location?.includes('/auth/spid/cancelled')) || (hop.status === 302 && hop.location?.endsWith('/')),
          `unexpected ${hop.status}`,
        )
        // Node's HTTP server itself refuses a request line over 16 kB (431), before the app runs.
        if (hop.status >= 400 && hop.status !== 431) assert.match(codeOf(hop) ?? '', /^ERR_SPID_/)
      }),
      { numRuns: FUZZ_RUNS, interruptAfterTimeLimit: 90_000, markInterruptAsFailure: true },
    )
    await assertNoSession(ua)
  })

  it('ignores returnTo values that leave the site (open redirect)', async () => {
    for (const returnTo of [
      'https://evil.example/x',
      '//evil.example',
      '/\\evil.example',
      '%2F%2Fevil.example',
      '/%2F%2Fevil.example',
      '/%5Cevil.example',
      'javascript:alert(1)',
      '\\\\evil.example',
    ]) {
      const ua = new UserAgent()
      const done = await login(ua, stack.appUrl, `level=1&returnTo=${encodeURIComponent(returnTo)}`)
      assert.equal(done.location, `${stack.appUrl}/`, `returnTo ${returnTo}`)
    }
  })

  it('refuses cross-site logout (CSRF) in every form a browser sends', async () => {
    const ua = new UserAgent()
    await login(ua, stack.appUrl, 'level=1')
    for (const headers of [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site', origin: stack.appUrl },
      { 'sec-fetch-site': 'same-site' },
      {},
    ] as Record<string, string>[]) {
      const hop = await ua.request(`${stack.appUrl}/logout`, { method: 'POST', headers: { ...headers, ...JSON_ACCEPT }, form: {} })
      assert.equal(hop.status, 403, JSON.stringify(headers))
    }
    assert.equal((await me(ua, stack.appUrl)).authenticated, true)
  })

  it('refuses an ID token replayed from an earlier login (same jti)', async () => {
    let firstJti: string | undefined
    proxy.rewrite('/token', async (response) => {
      const claims = decodeJwt(JSON.parse(response.body).id_token)
      if (!firstJti) {
        firstJti = claims.jti as string
        return response
      }
      return resignWithOpKey((c) => {
        c.jti = firstJti
      })(response)
    })
    assert.equal((await login(new UserAgent(), stack.appUrl, 'level=1')).status, 302)
    const ua = new UserAgent()
    const hop = await login(ua, stack.appUrl, 'level=1')
    assert.equal(hop.status, 502)
    assert.equal(codeOf(hop), 'ERR_SPID_ID_TOKEN_INVALID')
    await assertNoSession(ua)
  })

  it('has the OP refuse a replayed client assertion', async () => {
    const mark = proxy.seen.length
    await login(new UserAgent(), stack.appUrl, 'level=1')
    const tokenRequest = proxy.seen.slice(mark).find((r) => r.path === '/token')
    assert.ok(tokenRequest)
    const replay = await fetch(`${proxy.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: tokenRequest.body,
    })
    assert.equal(replay.status, 401)
    assert.equal(((await replay.json()) as { error: string }).error, 'invalid_client')
  })

  for (const [name, rewrite, expected] of [
    [
      'an OP too slow to answer the token request',
      (async (r) => {
        await new Promise((res) => setTimeout(res, 2000))
        return r
      }) as Rewrite,
      'ERR_SPID_OP_UNAVAILABLE',
    ],
    [
      'HTML instead of JSON from the token endpoint',
      (() => ({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body>Manutenzione</body></html>' })) as Rewrite,
      'ERR_SPID_OP_ERROR',
    ],
    [
      'an oversized token response',
      ((r) => ({ ...r, body: JSON.stringify({ ...JSON.parse(r.body), padding: 'x'.repeat(1_000_000) }) })) as Rewrite,
      'ERR_SPID_OP_UNAVAILABLE',
    ],
    // openid-client parses the ID token before our checks: an unparsable one is a malformed answer.
    [
      'an ID token that is not a JWT',
      ((r) => ({ ...r, body: JSON.stringify({ ...JSON.parse(r.body), id_token: 'not.a.jwt' }) })) as Rewrite,
      'ERR_SPID_OP_ERROR',
    ],
    [
      'a token endpoint answering 500',
      (() => ({ status: 500, headers: { 'content-type': 'application/json' }, body: '{"error":"server_error"}' })) as Rewrite,
      'ERR_SPID_OP_ERROR',
    ],
  ] as const) {
    it(`fails cleanly on ${name}`, async () => {
      proxy.rewrite('/token', rewrite)
      const ua = new UserAgent()
      const started = Date.now()
      const hop = await login(ua, stack.appUrl, 'level=1')
      assert.ok(hop.status >= 500, `${hop.status}`)
      assert.equal(codeOf(hop), expected)
      assert.ok(Date.now() - started < 10_000, 'nothing hangs')
      await assertNoSession(ua)
    })
  }

  it('tolerates 60 s of clock skew by default and refuses more', async () => {
    const now = Math.floor(Date.now() / 1000)
    proxy.rewrite(
      '/token',
      resignWithOpKey((c) => {
        c.iat = now + 30
      }),
    )
    assert.equal((await login(new UserAgent(), stack.appUrl, 'level=1')).status, 302, 'iat 30 s ahead is tolerated')
    proxy.rewrite(
      '/token',
      resignWithOpKey((c) => {
        c.iat = now + 180
      }),
    )
    const ahead = await login(new UserAgent(), stack.appUrl, 'level=1')
    assert.equal(codeOf(ahead), 'ERR_SPID_ID_TOKEN_INVALID', 'iat 3 minutes ahead is refused')
    proxy.rewrite(
      '/token',
      resignWithOpKey((c) => {
        c.exp = now - 180
        c.iat = now - 480
      }),
    )
    const expired = new UserAgent()
    assert.equal(codeOf(await login(expired, stack.appUrl, 'level=1')), 'ERR_SPID_ID_TOKEN_INVALID', 'an ID token expired 3 minutes ago is refused')
    await assertNoSession(expired)
  })

  it('left no unhandled promise rejection behind', () => {
    assert.deepEqual(unhandled, [])
  })
})
