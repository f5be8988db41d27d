/**
 * An https relying party behind a TLS-terminating proxy: without Express `trust proxy` the
 * Secure cookie would silently not come back and the login end in a state mismatch; the login
 * start says so instead. With it (the example app's TRUST_PROXY), the login starts.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createExampleApp } from '../../example-app/app.ts'
import { generateDevKeys } from '../../src/index.ts'
import { startTestOp, type TestOp } from '../../src/test-op/index.ts'
import { captureLogger, closeServer, listenLater } from '../fixtures/stack.ts'

describe('an https relying party behind a proxy', () => {
  let op: TestOp
  const servers: { close(): Promise<void> }[] = []
  async function start(trustProxy?: boolean) {
    const listening = await listenLater()
    const logger = captureLogger()
    const { app } = createExampleApp({
      baseUrl: 'https://servizi.comune.example.it',
      providers: [op.issuer],
      keys: generateDevKeys(),
      sessionSecret: 'test-session-secret-of-sufficient-length',
      logger,
      ...(trustProxy !== undefined ? { trustProxy } : {}),
    })
    listening.handle(app)
    servers.push({ close: () => closeServer(listening.server) })
    return { url: listening.url, logger }
  }
  const proxied = { accept: 'application/json', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'servizi.comune.example.it' }

  before(async () => {
    op = await startTestOp()
  })
  after(async () => {
    for (const server of servers) await server.close()
    await op.close()
  })

  it('refuses to start a login over plain http without trust proxy, saying what to set (ERR_SPID_PROXY_NOT_TRUSTED)', async () => {
    const rp = await start()
    const response = await fetch(`${rp.url}/auth/spid?level=2`, { headers: proxied, redirect: 'manual' })
    assert.equal(response.status, 500)
    assert.equal((await response.json()).code, 'ERR_SPID_PROXY_NOT_TRUSTED')
    assert.equal(response.headers.get('set-cookie'), null, 'no session for a login that cannot work')
    const line = rp.logger.lines.find((l) => (l.obj as { code?: string }).code === 'ERR_SPID_PROXY_NOT_TRUSTED')
    assert.match(line?.msg ?? '', /X-Forwarded-Proto: https.*app\.set\('trust proxy'/)
  })

  it('starts it with trust proxy, its transaction in a Secure, HttpOnly, SameSite=Lax __Host- cookie, and no session', async () => {
    const rp = await start(true)
    const response = await fetch(`${rp.url}/auth/spid?level=2`, { headers: proxied, redirect: 'manual' })
    assert.equal(response.status, 302)
    assert.ok(response.headers.get('location')?.startsWith(`${op.issuer}/auth?`))
    const cookies = response.headers.getSetCookie()
    assert.equal(cookies.length, 1, cookies.join('\n'))
    const cookie = cookies[0] ?? ''
    assert.match(cookie, /^__Host-spid\.tx\.[A-Za-z0-9]{48}=/)
    assert.match(cookie, /; Path=\/(;|$)/)
    assert.match(cookie, /; Secure/)
    assert.match(cookie, /; HttpOnly/)
    assert.match(cookie, /; SameSite=Lax/)
  })
})
