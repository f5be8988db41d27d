/**
 * No state before it is needed: a login started by a client without a session stores nothing in
 * Redis (its transaction is sealed in a cookie of its own, claimed once at the callback) and its
 * audit records are bounded. Real test OP, a Redis server of this test's own, two app instances.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createExampleApp } from '../../example-app/app.ts'
import { JsonLinesAuditSink, verifyAuditLog } from '../../src/index.ts'
import { secretTag } from '../../src/log/redact.ts'
import { login, loginUntilCallback, me } from '../fixtures/login.ts'
import { inspector, startPrivateRedis } from '../fixtures/redis.ts'
import { captureLogger, closeServer, listenLater, startStack, type Stack } from '../fixtures/stack.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

const JSON_ACCEPT = { accept: 'application/json' }
const SECRET = 'test-session-secret-of-sufficient-length'

const loginCookies = (ua: UserAgent) => ua.cookies.filter((c) => c.name.startsWith('spid.tx.'))
const copyOf = (ua: UserAgent) => {
  const copy = new UserAgent()
  copy.cookies.push(...ua.cookies.map((c) => ({ ...c })))
  return copy
}
const codeOf = (body: string) => (JSON.parse(body) as { code?: string }).code

describe('login starts from clients without a session', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cookieless-audit-'))
  const key = randomBytes(32)
  let sink: JsonLinesAuditSink
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>
  let client: Awaited<ReturnType<typeof inspector>>
  let stack: Stack
  /** Instance B: same public URL, keys and secrets as A, on its own port, on the same Redis. */
  let b: { url: string; close(): Promise<void> }

  const auditBytes = () => readdirSync(dir).reduce((sum, name) => sum + (name.endsWith('.jsonl') ? statSync(join(dir, name)).size : 0), 0)

  before(async () => {
    redis = await startPrivateRedis()
    client = await inspector(redis.url)
    sink = new JsonLinesAuditSink({ dir, key, instanceId: 'rp-1' })
    stack = await startStack({ app: { redisUrl: redis.url, strategy: { audit: sink } } })
    const listening = await listenLater()
    const appB = createExampleApp({
      baseUrl: stack.appUrl,
      providers: [stack.op.issuer],
      keys: stack.keys,
      sessionSecret: SECRET,
      redisUrl: redis.url,
      logger: captureLogger(),
    })
    listening.handle(appB.app)
    b = {
      url: listening.url,
      close: async () => {
        await appB.sessions.close()
        await closeServer(listening.server)
      },
    }
  })
  after(async () => {
    await b.close()
    await stack.app.sessions.close()
    await stack.close()
    await sink.close()
    await client.close()
    await redis.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('stores nothing in Redis for 400 cookieless login starts, and writes no audit record for them (counted only)', async () => {
    // The OP's metadata is fetched (and audited) once, not per start.
    assert.equal((await new UserAgent().request(`${stack.appUrl}/auth/spid?level=2`)).status, 302)
    await sink.flush()
    const keysBefore = await client.dbSize()
    const bytesBefore = auditBytes()
    const recordsBefore = verifyAuditLog(dir, key).events.length
    for (let batch = 0; batch < 20; batch++) {
      const hops = await Promise.all(Array.from({ length: 20 }, () => new UserAgent().request(`${stack.appUrl}/auth/spid?level=2`)))
      for (const hop of hops) {
        assert.equal(hop.status, 302)
        assert.ok(!hop.headers.getSetCookie().some((c) => c.startsWith('spid.sid=')), 'no session cookie for a login start')
      }
    }
    await sink.flush()
    const keys = (await client.dbSize()) - keysBefore
    const bytes = auditBytes() - bytesBefore
    const records = verifyAuditLog(dir, key).events.slice(recordsBefore)
    console.log(`# 400 cookieless login starts: ${keys} Redis keys, ${bytes} audit bytes (${records.length} records)`)
    assert.equal(keys, 0, 'no Redis key')
    // Counted into one authorization.requested.aggregated record per minute and OP (unit-tested:
    // its window is a minute).
    assert.deepEqual(
      records.map((r) => r.event.type),
      [],
    )
    assert.equal(bytes, 0)
  })

  it('completes a login started without a session: the session is made at the callback, the login cookie cleared, the request recorded', async () => {
    const ua = new UserAgent()
    await sink.flush()
    const recordsBefore = verifyAuditLog(dir, key).events.length
    const callback = await loginUntilCallback(ua, stack.appUrl, 'level=2&returnTo=/level2')
    assert.equal(ua.cookieNamed('spid.sid'), undefined, 'no session before the callback')
    assert.equal(loginCookies(ua).length, 1)
    const done = await ua.request(callback, { headers: JSON_ACCEPT })
    assert.equal(done.status, 302, done.body)
    assert.equal(done.location, `${stack.appUrl}/level2`)
    assert.ok(ua.cookieNamed('spid.sid'), 'the session exists once the login succeeded')
    assert.deepEqual(loginCookies(ua), [], 'the login cookie is cleared')
    assert.equal((await me(ua, stack.appUrl)).authenticated, true)
    assert.equal((await me(ua, b.url)).authenticated, true)
    // Rule G1: the authorization request of a login that came back is recorded in full, first.
    await sink.flush()
    const events = verifyAuditLog(dir, key)
      .events.slice(recordsBefore)
      .map((e) => e.event)
    assert.deepEqual(
      events.map((e) => e.type),
      ['authorization.requested', 'authorization.answered', 'token.issued', 'userinfo.received', 'login.succeeded'],
    )
    const requested = events[0] as Record<string, unknown>
    assert.equal(requested.state_hash, secretTag(new URL(callback).searchParams.get('state') as string))
    assert.equal(requested.recorded_at_callback, true)
    assert.equal(requested.iss, stack.op.issuer)
    for (const field of ['jti', 'iat', 'exp', 'acr', 'scope', 'prompt']) assert.ok(requested[field] !== undefined, `authorization.requested has ${field}`)
  })

  it('sets the login cookie HttpOnly, SameSite=Lax, on Path=/, for the time a login may take', async () => {
    const hop = await new UserAgent().request(`${stack.appUrl}/auth/spid?level=2`)
    const cookie = hop.headers.getSetCookie().find((c) => c.startsWith('spid.tx.')) ?? ''
    assert.match(cookie.slice(0, cookie.indexOf('=')), /^spid\.tx\.[A-Za-z0-9]{48}$/, 'named after its state')
    assert.match(cookie, /; Max-Age=600(;|$)/)
    assert.match(cookie, /; Path=\/(;|$)/)
    assert.match(cookie, /; HttpOnly/)
    assert.match(cookie, /; SameSite=Lax/)
  })

  it('refuses the callback replayed on another instance, login cookie and all', async () => {
    const ua = new UserAgent()
    const callback = new URL(await loginUntilCallback(ua, stack.appUrl, 'level=2'))
    const replay = copyOf(ua)
    assert.equal((await ua.request(callback.href, { headers: JSON_ACCEPT })).status, 302)
    const again = await replay.request(`${b.url}${callback.pathname}${callback.search}`, { headers: JSON_ACCEPT })
    assert.equal(again.status, 400, again.body)
    assert.equal(codeOf(again.body), 'ERR_SPID_STATE_MISMATCH')
    assert.equal((await me(replay, b.url)).authenticated, false)
  })

  it('finishes on another instance a login started on the first', async () => {
    const ua = new UserAgent()
    const callback = new URL(await loginUntilCallback(ua, stack.appUrl, 'level=1'))
    const done = await ua.request(`${b.url}${callback.pathname}${callback.search}`, { headers: JSON_ACCEPT })
    assert.equal(done.status, 302, done.body)
    assert.equal((await me(ua, stack.appUrl)).authenticated, true)
  })

  it('refuses an altered login cookie, and one moved under another state (ERR_SPID_STATE_MISMATCH)', async () => {
    const ua = new UserAgent()
    const callback = await loginUntilCallback(ua, stack.appUrl, 'level=2')
    const [cookie] = loginCookies(ua)
    assert.ok(cookie)
    const parts = cookie.value.split('.')
    const ciphertext = Buffer.from(parts[3] as string, 'base64url')
    ciphertext[0] = (ciphertext[0] as number) ^ 1
    parts[3] = ciphertext.toString('base64url')
    cookie.value = parts.join('.')
    const refused = await ua.request(callback, { headers: JSON_ACCEPT })
    assert.equal(refused.status, 400, refused.body)
    assert.equal(codeOf(refused.body), 'ERR_SPID_STATE_MISMATCH')
    assert.equal(ua.cookieNamed('spid.sid'), undefined)

    // Two logins of one browser, each cookie under the other's state: neither opens.
    const swapped = new UserAgent()
    const first = await loginUntilCallback(swapped, stack.appUrl, 'level=2')
    const second = await loginUntilCallback(swapped, stack.appUrl, 'level=2')
    const [x, y] = loginCookies(swapped)
    assert.ok(x && y)
    ;[x.value, y.value] = [y.value, x.value]
    for (const cb of [first, second]) {
      const hop = await swapped.request(cb, { headers: JSON_ACCEPT })
      assert.equal(hop.status, 400, hop.body)
      assert.equal(codeOf(hop.body), 'ERR_SPID_STATE_MISMATCH')
    }
  })

  it('refuses a login cookie past its transaction time (ERR_SPID_TRANSACTION_EXPIRED)', async () => {
    const ua = new UserAgent()
    const callback = await loginUntilCallback(ua, stack.appUrl, 'level=2')
    const runtime = stack.app.strategy.runtime
    const now = runtime.now
    runtime.now = () => now() + 601
    try {
      const hop = await ua.request(callback, { headers: JSON_ACCEPT })
      assert.equal(hop.status, 400, hop.body)
      assert.equal(codeOf(hop.body), 'ERR_SPID_TRANSACTION_EXPIRED')
    } finally {
      runtime.now = now
    }
  })

  it('lets two logins started in parallel tabs both complete', async () => {
    const ua = new UserAgent()
    const first = await loginUntilCallback(ua, stack.appUrl, 'level=1&returnTo=/level1')
    // The OP's own cookies set aside: the bundled OP ends a code with the OP session it was
    // issued in, and a second login there replaces that session. The RP's cookies stay.
    const opCookies = ua.cookies.filter((c) => !c.name.startsWith('spid.'))
    for (const c of opCookies) ua.cookies.splice(ua.cookies.indexOf(c), 1)
    const second = await loginUntilCallback(ua, stack.appUrl, 'level=2&returnTo=/level2')
    assert.equal(loginCookies(ua).length, 2)
    const a = await ua.request(second, { headers: JSON_ACCEPT })
    assert.equal(a.status, 302, a.body)
    assert.equal(a.location, `${stack.appUrl}/level2`)
    const b2 = await ua.request(first, { headers: JSON_ACCEPT })
    assert.equal(b2.status, 302, b2.body)
    assert.equal(b2.location, `${stack.appUrl}/level1`)
    assert.equal((await me(ua, stack.appUrl)).authenticated, true)
    assert.deepEqual(loginCookies(ua), [])
  })

  it('keeps the login cookies of a browser under 5 KB together, however long the return paths a cross-site page sends it to', async () => {
    const ua = new UserAgent()
    const longest = ['/€'.padEnd(342, '€'), `/${'a'.repeat(1023)}`] // 1,021 and 1,024 bytes: the most a return path may take
    for (let i = 0; i < 8; i++) {
      const returnTo = longest[i % 2] as string
      assert.ok(Buffer.byteLength(returnTo) <= 1024)
      const start = await ua.request(`${stack.appUrl}/auth/spid?level=1&returnTo=${encodeURIComponent(returnTo)}`, {
        headers: { 'sec-fetch-site': 'cross-site' },
      })
      assert.equal(start.status, 302)
      const bytes = loginCookies(ua).reduce((sum, c) => sum + c.name.length + c.value.length, 0)
      assert.ok(bytes <= 5120, `login cookies take ${bytes} bytes after ${i + 1} starts`)
    }
    assert.equal((await ua.request(`${stack.appUrl}/`)).status, 200, 'the site still answers')
    assert.equal((await login(ua, stack.appUrl, 'level=1')).status, 302, 'and a login still completes')
  })

  it('keeps at most 5 logins in flight per browser, the oldest dropped', async () => {
    const ua = new UserAgent()
    const callbacks: string[] = []
    for (let i = 0; i < 7; i++) callbacks.push(await loginUntilCallback(ua, stack.appUrl, 'level=1'))
    assert.equal(loginCookies(ua).length, 5)
    const oldest = await ua.request(callbacks[0] as string, { headers: JSON_ACCEPT })
    assert.equal(codeOf(oldest.body), 'ERR_SPID_STATE_MISMATCH')
    assert.equal((await ua.request(callbacks[6] as string, { headers: JSON_ACCEPT })).status, 302)
  })
})
