import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import express from 'express'
import { InsufficientLevelError, SPID_L2, SpidError, TokenValidationError, spidErrorHandler } from '../../src/index.ts'
import { silentLogger } from '../../src/log/logger.ts'

describe('spidErrorHandler', () => {
  let base: string
  let server: ReturnType<express.Express['listen']>
  before(async () => {
    const app = express()
    app.get('/low', (_req, _res, next) => next(new InsufficientLevelError('ERR_SPID_STEP_UP_REQUIRED', 'needs SpidL2', SPID_L2)))
    app.get('/bad', (_req, _res, next) =>
      next(new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', 'ID token failed verification', { cause: { secret: 'eyJsecret.claims' } })),
    )
    app.get('/cancel', (_req, _res, next) => next(new SpidError('ERR_SPID_LOGIN_CANCELLED', 'cancelled <script>')))
    app.get('/other', (_req, _res, next) => next(new Error('not ours')))
    // A login that came back below the level asked. req.spid is a stand-in for spidContext's
    // (this tests the page, not the URL, which the integration tests follow to the OP).
    app.get('/too-low', (req, _res, next) => {
      if (req.query.context === '1') {
        ;(req as unknown as { spid: unknown }).spid = {
          loginUrl: (level: string, returnTo: string, idp: string) => `/auth/spid?${new URLSearchParams({ level, returnTo, idp })}`,
        }
      }
      const error = new InsufficientLevelError('ERR_SPID_ACR_TOO_LOW', 'OP authenticated at SpidL1', SPID_L2)
      error.retry = { level: SPID_L2, returnTo: '/tax', issuer: 'https://op.example.it', ...(req.query.offline === '1' ? { offline: true } : {}) }
      next(error)
    })
    app.use(spidErrorHandler({ logger: silentLogger }))
    app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).send('fallback')
    })
    server = app.listen(0, '127.0.0.1')
    await new Promise((r) => server.once('listening', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(() => {
    server.close()
  })

  it('answers API clients with an RFC 9470 challenge when the level is too low', async () => {
    const res = await fetch(`${base}/low`, { headers: { accept: 'application/json' } })
    assert.equal(res.status, 401)
    assert.equal(
      res.headers.get('www-authenticate'),
      `Bearer error="insufficient_user_authentication", error_description="needs SpidL2", acr_values="${SPID_L2}"`,
    )
    const body = (await res.json()) as Record<string, string>
    assert.equal(body.error, 'insufficient_user_authentication')
    assert.equal(body.code, 'ERR_SPID_STEP_UP_REQUIRED')
    assert.match(body.request_id!, /^[0-9a-f-]{36}$/)
  })

  it('offers "Riprova al livello 2" at the same OP on the default page when the OP confirmed a lower level', async () => {
    const html = await (await fetch(`${base}/too-low?context=1`, { headers: { accept: 'text/html' } })).text()
    const retry = /<a href="([^"]+)">Riprova al livello 2<\/a>/.exec(html)?.[1]
    assert.ok(retry, html)
    const url = new URL(retry.replaceAll('&amp;', '&'), base)
    assert.deepEqual(Object.fromEntries(url.searchParams), { level: SPID_L2, returnTo: '/tax', idp: 'https://op.example.it' })
    assert.match(html, /<a href="\/">Torna alla pagina iniziale<\/a>/)
    // Without spidContext there is no login URL to offer: only the way home.
    assert.doesNotMatch(await (await fetch(`${base}/too-low`, { headers: { accept: 'text/html' } })).text(), /Riprova al livello/)
  })

  it('after an offline ("remember me") login that came back below the level: a retry at that level without offline, and why', async () => {
    const html = await (await fetch(`${base}/too-low?context=1&offline=1`, { headers: { accept: 'text/html' } })).text()
    const retry = /<a href="([^"]+)">Riprova al livello 2 senza «ricordami»<\/a>/.exec(html)?.[1]
    assert.ok(retry, html)
    const url = new URL(retry.replaceAll('&amp;', '&'), base)
    assert.deepEqual(Object.fromEntries(url.searchParams), { level: SPID_L2, returnTo: '/tax', idp: 'https://op.example.it' })
    assert.match(html, /alcuni gestori rispondono a questa richiesta solo con il livello 1/)
    const english = await (await fetch(`${base}/too-low?context=1&offline=1&lang=en`, { headers: { accept: 'text/html' } })).text()
    assert.match(english, /Try again at level 2 without &quot;remember me&quot;|Try again at level 2 without "remember me"/)

    const res = await fetch(`${base}/too-low?context=1&offline=1`, { headers: { accept: 'application/json' } })
    assert.equal(res.status, 401)
    const body = (await res.json()) as Record<string, unknown>
    assert.equal(body.code, 'ERR_SPID_ACR_TOO_LOW')
    assert.equal(body.retry_without_offline, true)
    const login = new URL(String(body.login_url), base)
    assert.deepEqual(Object.fromEntries(login.searchParams), { level: SPID_L2, returnTo: '/tax', idp: 'https://op.example.it' })
    // A login that was not offline says nothing about "remember me".
    assert.doesNotMatch(await (await fetch(`${base}/too-low?context=1`, { headers: { accept: 'text/html' } })).text(), /ricordami/)
  })

  it('hides the message of 5xx errors and never renders the cause', async () => {
    const res = await fetch(`${base}/bad`, { headers: { accept: 'application/json' } })
    assert.equal(res.status, 502)
    const text = await res.text()
    assert.deepEqual(Object.keys(JSON.parse(text)).sort(), ['code', 'error', 'request_id'])
    assert.ok(!text.includes('eyJsecret'))
    const html = await (await fetch(`${base}/bad`, { headers: { accept: 'text/html' } })).text()
    assert.ok(!html.includes('eyJsecret') && !html.includes('failed verification'))
  })

  it('renders a plain-words page in Italian by default and English on request, escaped', async () => {
    const it = await fetch(`${base}/cancel`, { headers: { accept: 'text/html' } })
    assert.equal(it.status, 401)
    const page = await it.text()
    assert.match(page, /<html lang="it">/)
    assert.match(page, /Accesso annullato/)
    assert.ok(!page.includes('<script>'))
    const en = await (await fetch(`${base}/cancel?lang=en`, { headers: { accept: 'text/html' } })).text()
    assert.match(en, /Login cancelled/)
    const accept = await (await fetch(`${base}/cancel`, { headers: { accept: 'text/html', 'accept-language': 'en-GB,en;q=0.9' } })).text()
    assert.match(accept, /Login cancelled/)
  })

  it('passes errors that are not SPID errors to the next handler', async () => {
    assert.equal(await (await fetch(`${base}/other`)).text(), 'fallback')
  })
})
