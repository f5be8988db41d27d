/** The example app's pages without a browser: OP chooser order, CIE button, federation_entity, headers, errors as JSON. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startStack, type Stack } from '../fixtures/stack.ts'
import { login } from '../fixtures/login.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

describe('example app pages', () => {
  let stack: Stack
  // Unreachable issuers: their buttons must still appear, named by host.
  const others = ['http://127.0.0.1:9/op-a', 'http://127.0.0.1:9/op-b', 'http://127.0.0.1:9/op-c']
  before(async () => {
    stack = await startStack({
      providers: (op) => [
        op.issuer,
        ...others.map((issuer, i) => ({ issuer, id: `op${i}`, name: `OP ${'ABC'[i]}` })),
        { issuer: 'http://127.0.0.1:9/cie', id: 'cie', name: 'CIE id', profile: 'cie' as const },
      ],
      app: {
        routes: (app) =>
          app.get('/test/bug', () => {
            throw new Error('a bug with a secret detail')
          }),
      },
    })
  })
  after(async () => {
    await stack.close()
  })

  it('lists every SPID OP in a random order and offers CIE id apart', async () => {
    const orders = new Set<string>()
    for (let i = 0; i < 30; i++) {
      const page = (await new UserAgent().request(`${stack.appUrl}/`)).body
      const listed = [...page.matchAll(/<button type="submit" class="spid-ui-idp" name="idp" value="([^"]+)">/g)].map((m) => m[1])
      assert.equal(listed.length, 4)
      assert.ok(!listed.includes('http://127.0.0.1:9/cie'), 'CIE is not in the SPID list')
      assert.match(page, /class="spid-ui-button spid-ui-large" name="idp" value="http:\/\/127\.0\.0\.1:9\/cie"/)
      orders.add(listed.join(' '))
    }
    assert.ok(orders.size > 1, `30 requests gave ${orders.size} order(s)`)
  })

  it('publishes its federation_entity metadata, and serves the policy page and logo it names (rule F3)', async () => {
    const ua = new UserAgent()
    const jwt = (await ua.request(`${stack.appUrl}/.well-known/openid-federation`)).body
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString()) as { metadata: { federation_entity: Record<string, unknown> } }
    const entity = claims.metadata.federation_entity
    assert.equal(entity.homepage_uri, stack.appUrl)
    assert.equal(entity.policy_uri, `${stack.appUrl}/privacy`)
    assert.equal(entity.logo_uri, `${stack.appUrl}/static/logo.svg`)
    assert.ok(typeof entity.organization_name === 'string' && Array.isArray(entity.contacts) && entity.contacts.length > 0)
    const policy = await ua.request(entity.policy_uri as string)
    assert.equal(policy.status, 200)
    assert.match(policy.body, /Informativa sulla privacy/)
    const logo = await ua.request(entity.logo_uri as string)
    assert.equal(logo.status, 200)
    assert.match(logo.contentType, /^image\/svg\+xml/)
  })

  it('sends security headers with a CSP that allows no script', async () => {
    const hop = await new UserAgent().request(`${stack.appUrl}/`)
    const csp = hop.headers.get('content-security-policy') ?? ''
    assert.match(csp, /script-src 'none'/)
    assert.match(csp, /frame-ancestors 'none'/)
    assert.match(csp, new RegExp(`form-action 'self' ${stack.op.issuer.replace(/[.]/g, '\\.')}`))
    assert.equal(hop.headers.get('x-content-type-options'), 'nosniff')
    assert.ok(!/<script/i.test(hop.body), 'no script on the page')
    assert.ok(!/ style="/.test(hop.body), 'no inline style attributes')
  })

  it('refuses a bad level on the step-up page, never links onward off the site, and sends a visitor without a session to log in', async () => {
    const ua = new UserAgent()
    assert.equal((await login(ua, stack.appUrl, `idp=${encodeURIComponent(stack.op.issuer)}&level=1`)).status, 302)
    const bad = await ua.request(`${stack.appUrl}/step-up?level=9&returnTo=%2Flevel2`, { headers: { accept: 'application/json' } })
    assert.equal(bad.status, 400)
    assert.equal(JSON.parse(bad.body).code, 'ERR_SPID_BAD_REQUEST')
    const page = await ua.request(`${stack.appUrl}/step-up?level=2&returnTo=${encodeURIComponent('https://evil.example/x')}`)
    assert.equal(page.status, 200)
    const onward = /<a class="btn btn-primary" href="([^"]+)">Continua<\/a>/.exec(page.body)?.[1]
    assert.ok(onward, page.body)
    const to = new URL(onward.replaceAll('&amp;', '&'), stack.appUrl)
    assert.deepEqual(Object.fromEntries(to.searchParams), { level: '2', returnTo: '/', idp: stack.op.issuer })
    const visitor = await new UserAgent().request(`${stack.appUrl}/step-up?level=2&returnTo=%2Flevel2`)
    assert.equal(visitor.status, 302)
    assert.equal(new URL(visitor.location as string).pathname, '/', 'the OP chooser, with no session and several OPs')
  })

  it('logged at start-up the three URLs an OP uses to find it, in one line (rp.configured)', () => {
    const lines = stack.logger.lines.filter((l) => (l.obj as { event?: string }).event === 'rp.configured')
    assert.equal(lines.length, 1)
    assert.deepEqual(lines[0]?.obj, {
      event: 'rp.configured',
      clientId: stack.appUrl,
      entityConfiguration: `${stack.appUrl}/.well-known/openid-federation`,
      redirectUri: `${stack.appUrl}/auth/spid/callback`,
    })
  })

  it('answers an unknown page with a styled 404, and a bug with a styled 500 that shows no detail', async () => {
    const ua = new UserAgent()
    const missing = await ua.request(`${stack.appUrl}/non-esiste`, { headers: { accept: 'text/html' } })
    assert.equal(missing.status, 404)
    assert.match(missing.body, /<h1>Pagina non trovata<\/h1>/)
    assert.match(missing.body, /bootstrap-italia\.min\.css/)
    assert.deepEqual(JSON.parse((await ua.request(`${stack.appUrl}/non-esiste`, { headers: { accept: 'application/json' } })).body), { error: 'not_found' })
    const bug = await ua.request(`${stack.appUrl}/test/bug`, { headers: { accept: 'text/html' } })
    assert.equal(bug.status, 500)
    assert.match(bug.body, /<h1>Si è verificato un errore<\/h1>/)
    assert.doesNotMatch(bug.body, /secret detail|at .*\.ts:\d+/)
    const logged = stack.logger.lines.filter((l) => (l.obj as { path?: string }).path === '/test/bug')
    assert.equal(logged.length, 1, 'logged once')
  })

  it('answers API clients with JSON errors', async () => {
    const hop = await new UserAgent().request(`${stack.appUrl}/auth/spid/callback?code=a&state=b`, { headers: { accept: 'application/json' } })
    assert.equal(hop.status, 400)
    assert.equal(JSON.parse(hop.body).code, 'ERR_SPID_STATE_MISMATCH')
  })

  for (const [query, status, code] of [
    ['level=2', 400, 'ERR_SPID_UNKNOWN_PROVIDER'],
    ['idp=https%3A%2F%2Fnot-configured.example&level=2', 400, 'ERR_SPID_UNKNOWN_PROVIDER'],
    ['idp=op0&level=7', 400, 'ERR_SPID_BAD_REQUEST'],
    ['idp=op0&level=L2', 400, 'ERR_SPID_BAD_REQUEST'],
  ] as const) {
    it(`refuses to start a login with ${query} (${code}), and starts no session`, async () => {
      const ua = new UserAgent()
      const hop = await ua.request(`${stack.appUrl}/auth/spid?${query}`, { headers: { accept: 'application/json' } })
      assert.equal(hop.status, status)
      assert.equal(JSON.parse(hop.body).code, code)
      assert.equal(ua.cookieNamed('spid.sid'), undefined)
    })
  }
})
