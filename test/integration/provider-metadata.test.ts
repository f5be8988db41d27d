/**
 * How OP metadata is found and when it is refused. The real test OP covers the normal cases;
 * small node:http servers stand in where an OP must be down, slow, or answer garbage, which
 * oidc-provider cannot be made to do.
 */
import assert from 'node:assert/strict'
import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { SignJWT } from 'jose'
import { generateKeyPairSync } from 'node:crypto'
import { DefaultProviderRegistry } from '../../src/index.ts'
import { createOpFetch } from '../../src/protocol/op-fetch.ts'
import { startTestOp, type TestOp } from '../../src/test-op/index.ts'
import { login, me } from '../fixtures/login.ts'
import { closeServer, startStack } from '../fixtures/stack.ts'
import { startTamperingProxy } from '../fixtures/tampering-proxy.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

async function serve(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

function registryFor(issuer: string, limits = { timeout: 2000, maxBytes: 64 * 1024 }) {
  return new DefaultProviderRegistry({
    providers: [{ issuer, id: issuer, name: undefined, profile: 'spid' }],
    fetch: createOpFetch(limits),
    metadataTtl: 3600,
    clockTolerance: 60,
  })
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    return (error as { code: string }).code
  }
  return 'resolved'
}

describe('OP metadata', () => {
  let op: TestOp
  before(async () => {
    op = await startTestOp()
  })
  after(async () => {
    await op.close()
  })

  it('reads the self-signed entity configuration first, with inline jwks', async () => {
    const resolved = await registryFor(op.issuer).resolve(op.issuer)
    assert.equal(resolved.source, 'entity-configuration')
    assert.equal(resolved.metadata.issuer, op.issuer)
    assert.equal(resolved.displayName, 'SPID Test OP')
    assert.ok(resolved.jwks.keys.some((k) => k.kid === op.signingKey.kid))
    assert.ok(!('request_object_encryption_alg_values_supported' in resolved.metadata), 'rule A12')
  })

  it('caches metadata per process: a second resolve makes no request', async () => {
    let requests = 0
    const counting = await serve((req, res) => {
      requests++
      fetch(`${op.issuer}${req.url}`).then(async (r) => {
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? '' })
        res.end(await r.text())
      })
    })
    const registry = new DefaultProviderRegistry({
      providers: [{ issuer: op.issuer, id: 'op', name: undefined, profile: 'spid' }],
      fetch: (url, init) => createOpFetch({ timeout: 2000, maxBytes: 1 << 20 })(url.replace(op.issuer, counting.url), init),
      metadataTtl: 3600,
      clockTolerance: 60,
    })
    await Promise.all([registry.resolve(op.issuer), registry.resolve(op.issuer)])
    const after = requests
    await registry.resolve(op.issuer)
    assert.equal(requests, after)
    assert.ok(after >= 1)
    await closeServer(counting.server)
  })

  it('falls back to OpenID discovery and jwks_uri when no entity configuration is published (seed 003 style)', async () => {
    const proxy = await startTamperingProxy()
    const stack = await startStack({ op: { issuer: proxy.url } })
    proxy.forwardTo(stack.op.server)
    proxy.rewrite('/.well-known/openid-federation', () => ({ status: 404, headers: { 'content-type': 'text/plain' }, body: 'not here' }))
    try {
      const resolved = await stack.app.strategy.providers.resolve(proxy.url)
      assert.equal(resolved.source, 'openid-configuration')
      const ua = new UserAgent()
      assert.equal((await login(ua, stack.appUrl, 'level=2')).status, 302)
      assert.equal((await me(ua, stack.appUrl)).authenticated, true)
      assert.ok(
        proxy.seen.some((r) => r.path === '/jwks'),
        'keys came from jwks_uri',
      )
    } finally {
      await stack.close()
      await proxy.close()
    }
  })

  it('refuses an entity configuration with a bad signature, without falling back', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    const forged = await serve(async (req, res) => {
      if (req.url === '/.well-known/openid-federation') {
        const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
        const jwt = await new SignJWT({ jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k' }] }, metadata: { openid_provider: {} } })
          .setProtectedHeader({ alg: 'RS256', kid: 'k', typ: 'entity-statement+jwt' })
          .setIssuer(forgedUrl)
          .setSubject(forgedUrl)
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(other)
        res.writeHead(200, { 'content-type': 'application/entity-statement+jwt' })
        return res.end(jwt)
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{}')
    })
    const forgedUrl = forged.url
    assert.equal(await codeOf(registryFor(forged.url).resolve(forged.url)), 'ERR_SPID_METADATA_INVALID')
    await closeServer(forged.server)
  })

  it('refuses metadata whose issuer is not the configured one', async () => {
    const liar = await serve((req, res) => {
      if (req.url === '/.well-known/openid-configuration') {
        res.writeHead(200, { 'content-type': 'application/json' })
        return res.end(
          JSON.stringify({
            issuer: 'https://other-op.example',
            authorization_endpoint: 'https://a',
            token_endpoint: 'https://t',
            userinfo_endpoint: 'https://u',
            jwks: { keys: [] },
          }),
        )
      }
      res.writeHead(404).end()
    })
    assert.equal(await codeOf(registryFor(liar.url).resolve(liar.url)), 'ERR_SPID_METADATA_INVALID')
    await closeServer(liar.server)
  })

  it('refuses HTML where JSON was expected', async () => {
    const html = await serve((req, res) => {
      res.writeHead(req.url?.includes('federation') ? 404 : 200, { 'content-type': 'text/html' })
      res.end('<html><body>Manutenzione</body></html>')
    })
    assert.equal(await codeOf(registryFor(html.url).resolve(html.url)), 'ERR_SPID_METADATA_INVALID')
    await closeServer(html.server)
  })

  it('gives up on an OP that does not answer in time, as unavailable', async () => {
    const silent = await serve(() => {
      /* never answers */
    })
    const started = Date.now()
    assert.equal(await codeOf(registryFor(silent.url, { timeout: 300, maxBytes: 1024 }).resolve(silent.url)), 'ERR_SPID_OP_UNAVAILABLE')
    assert.ok(Date.now() - started < 5000, 'did not hang')
    await closeServer(silent.server)
  })

  it('stops reading an oversized response', async () => {
    const huge = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(`{"pad":"${'x'.repeat(200_000)}"}`)
    })
    assert.equal(await codeOf(registryFor(huge.url, { timeout: 2000, maxBytes: 16 * 1024 }).resolve(huge.url)), 'ERR_SPID_OP_UNAVAILABLE')
    await closeServer(huge.server)
  })

  it('shows a 503 page, and JSON to API clients, when the OP is down at login', async () => {
    const gone = await serve(() => {})
    const deadUrl = gone.url
    await closeServer(gone.server)
    const stack = await startStack({ opIssuer: deadUrl })
    try {
      const ua = new UserAgent()
      const page = await ua.request(`${stack.appUrl}/auth/spid?level=2`)
      assert.equal(page.status, 503)
      assert.match(page.body, /<h1[^>]*>Gestore dell&#39;identità non raggiungibile<\/h1>/)
      const api = await ua.request(`${stack.appUrl}/auth/spid?level=2`, { headers: { accept: 'application/json' } })
      assert.equal(api.status, 503)
      assert.equal(JSON.parse(api.body).code, 'ERR_SPID_OP_UNAVAILABLE')
      assert.equal((await me(ua, stack.appUrl)).authenticated, false)
    } finally {
      await stack.close()
    }
  })
})
