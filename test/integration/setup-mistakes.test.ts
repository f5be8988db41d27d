/**
 * Set-up mistakes a newcomer makes, each ending in a message that names the mistake and the fix,
 * logged once, with no stack trace: the example app started as `npm start` starts it, and the
 * bundled test OP.
 */
import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, it } from 'node:test'
import { startTestOp } from '../../src/test-op/index.ts'
import { runExampleApp } from '../fixtures/example-process.ts'
import { captureLogger } from '../fixtures/stack.ts'
// @ts-expect-error: a plain .mjs helper shared with the test runner
import { freePort } from '../../scripts/provision.mjs'

/** A stack trace line, as Node prints one. */
const STACK_LINE = /^\s+at .+\(.+:\d+:\d+\)$/m

describe('set-up mistakes in the example app', () => {
  for (const [what, baseUrl, message] of [
    ['a trailing slash', (port: number) => `http://localhost:${port}/`, (port: number) => `BASE_URL must not end with "/": use http://localhost:${port}`],
    [
      'a path',
      (port: number) => `http://localhost:${port}/app`,
      (port: number) => `BASE_URL must be an origin, with no path: the example app serves / (got path /app; use http://localhost:${port})`,
    ],
    ['a query', (port: number) => `http://localhost:${port}?x=1`, (port: number) => `BASE_URL must have no query or fragment: use http://localhost:${port}`],
    ['a fragment', (port: number) => `http://localhost:${port}#top`, (port: number) => `BASE_URL must have no query or fragment: use http://localhost:${port}`],
  ] as const) {
    it(`refuses a BASE_URL with ${what} at start-up, saying what to use`, async () => {
      const port: number = await freePort()
      const app = await runExampleApp({ PORT: String(port), BASE_URL: baseUrl(port) })
      assert.equal(await app.exitCode(), 1)
      assert.ok(app.output().includes(message(port)), app.output())
      assert.doesNotMatch(app.output(), STACK_LINE)
    })
  }

  it('refuses a short SESSION_SECRET, saying what to set', async () => {
    const app = await runExampleApp({ SESSION_SECRET: 'short' })
    assert.equal(await app.exitCode(), 1)
    assert.match(app.output(), /SESSION_SECRET must be at least 16 characters: set one with SESSION_SECRET=\$\(openssl rand -base64 32\)/)
  })

  it('logs its client id, entity-configuration URL and redirect URI in one line at start-up', async () => {
    const app = await runExampleApp()
    try {
      const url = `http://localhost:${app.port}`
      // Its own write, possibly a chunk of its own: wait for the whole line.
      await app.waitFor(/Relying party: .*\n/)
      assert.ok(
        app
          .output()
          .includes(`Relying party: client_id ${url} · entity configuration ${url}/.well-known/openid-federation · redirect URI ${url}/auth/spid/callback`),
        app.output(),
      )
      assert.doesNotMatch(app.output(), /oidc-provider (WARNING|NOTICE)/, 'oidc-provider notices are silenced in the demo')
    } finally {
      await app.stop()
    }
  })

  it('warns when BASE_URL names another port, and the test OP says it could not fetch the entity configuration there', async () => {
    const elsewhere: number = await freePort()
    const app = await runExampleApp({ BASE_URL: `http://127.0.0.1:${elsewhere}` })
    try {
      await app.waitFor(/Example app: /)
      assert.ok(
        app
          .output()
          .includes(
            `BASE_URL http://127.0.0.1:${elsewhere} names port ${elsewhere}, but the app listens on ${app.port}: the OP fetches the entity configuration from BASE_URL`,
          ),
        app.output(),
      )
      const start = await fetch(`http://127.0.0.1:${app.port}/auth/spid?level=2`, { redirect: 'manual' })
      const atOp = await fetch(start.headers.get('location') as string)
      const page = await atOp.text()
      const problem = `fetched http://127.0.0.1:${elsewhere}/.well-known/openid-federation: ECONNREFUSED. Is the relying party listening at http://127.0.0.1:${elsewhere}?`
      assert.equal(atOp.status, 400)
      assert.ok(page.includes('Registrazione automatica non riuscita'), page)
      assert.ok(page.includes(problem), page)
      await app.waitFor(/"event":"registration.failed"/)
      assert.equal(app.output().split('"event":"registration.failed"').length - 1, 1, 'logged once')
      assert.ok(app.output().includes(problem))
    } finally {
      await app.stop()
    }
  })

  it('starts with Redis unreachable, says so in one line, and logs each refused request once, without a stack trace', async () => {
    const nothing: number = await freePort()
    const SECRET = 'a-session-secret-long-enough'
    const app = await runExampleApp({ REDIS_URL: `redis://127.0.0.1:${nothing}`, SESSION_SECRET: SECRET })
    try {
      await app.waitFor(/Example app: /)
      await app.waitFor(/"event":"session.redis_unreachable"/)
      // A login start needs no Redis (its transaction travels in a sealed cookie); a request with a
      // session cookie does: the browser of someone logged in before the outage, signed with the secret.
      const sessionCookie = (id: string) => `spid.sid=s%3A${id}.${createHmac('sha256', SECRET).update(id).digest('base64').replace(/=+$/, '')}`
      const statuses: number[] = []
      for (let i = 0; i < 3; i++)
        statuses.push(
          (
            await fetch(`http://127.0.0.1:${app.port}/level1`, {
              redirect: 'manual',
              headers: { accept: 'application/json', cookie: sessionCookie(`before-the-outage-${i}`) },
            })
          ).status,
        )
      assert.deepEqual(statuses, [503, 503, 503])
      // Past a few reconnection attempts (100 ms, 200 ms, 400 ms, … of backoff).
      await new Promise((resolve) => setTimeout(resolve, 2000))
      const out = app.output()
      assert.equal(out.split('"event":"session.redis_unreachable"').length - 1, 1, `one line about Redis:\n${out}`)
      assert.match(out, new RegExp(`Redis at 127.0.0.1:${nothing} is unreachable \\(connect ECONNREFUSED[^)]*\\): requests needing a session answer 503`))
      const failures = out.split('\n').filter((line) => line.includes('ERR_SPID_STORE_UNAVAILABLE'))
      assert.equal(failures.length, 3, `one line per refused request:\n${failures.join('\n')}`)
      assert.equal(new Set(failures.map((line) => JSON.parse(line).requestId)).size, 3)
      assert.doesNotMatch(out, STACK_LINE)
      // A refused request does not try the store a second time as its answer ends.
      assert.doesNotMatch(out, /session\.save_failed/)
    } finally {
      await app.stop()
    }
  })

  it('refuses to start with Redis unreachable when REDIS_FAIL_FAST=1', async () => {
    const nothing: number = await freePort()
    const app = await runExampleApp({ REDIS_URL: `redis://127.0.0.1:${nothing}`, REDIS_FAIL_FAST: '1', SESSION_SECRET: 'a-session-secret-long-enough' })
    assert.equal(await app.exitCode(), 1)
    assert.match(app.output(), new RegExp(`Redis at 127.0.0.1:${nothing} cannot be reached \\(waited 5000 ms\\): not starting \\(REDIS_FAIL_FAST=1\\)`))
    assert.doesNotMatch(app.output(), /Example app: /)
  })
})

describe('set-up mistakes the bundled test OP explains', () => {
  it('says the entity-configuration route is missing (HTTP 404 at the URL it fetched), on its page and in one log line', async () => {
    const logger = captureLogger()
    const op = await startTestOp({ logger })
    // An RP that forgot app.get('/.well-known/openid-federation', entityConfiguration(strategy)).
    const rp = createServer((_req, res) => res.writeHead(404).end('Cannot GET'))
    await new Promise<void>((resolve) => rp.listen(0, '127.0.0.1', resolve))
    const rpUrl = `http://127.0.0.1:${(rp.address() as AddressInfo).port}`
    try {
      const query = new URLSearchParams({ client_id: rpUrl, response_type: 'code', scope: 'openid', redirect_uri: `${rpUrl}/auth/spid/callback` })
      const first = await fetch(`${op.issuer}/auth?${query}`)
      const page = await first.text()
      const problem = `fetched ${rpUrl}/.well-known/openid-federation: HTTP 404. The relying party must serve its entity configuration there: app.get('/.well-known/openid-federation', entityConfiguration(strategy))`
      assert.equal(first.status, 400)
      assert.ok(page.includes(problem.replaceAll("'", '&#39;')), page)
      await fetch(`${op.issuer}/auth?${query}`)
      const lines = logger.lines.filter((l) => (l.obj as { event?: string }).event === 'registration.failed')
      assert.equal(lines.length, 1, 'logged once, though asked twice')
      assert.equal((lines[0]?.obj as { problem?: string } | undefined)?.problem, problem)
    } finally {
      rp.close()
      await op.close()
    }
  })
})
