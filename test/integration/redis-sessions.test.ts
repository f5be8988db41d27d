/**
 * Sessions in a real Redis server: round trip, two app instances sharing it, one command per
 * guarded read, encryption at rest, and Redis going away and coming back.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createExampleApp } from '../../example-app/app.ts'
import { SessionCipher, parseSessionKey } from '../../src/session/session-cipher.ts'
import { login, loginUntilCallback, me } from '../fixtures/login.ts'
import { inspector, sharedRedisUrl, startPrivateRedis } from '../fixtures/redis.ts'
import { captureLogger, listenLater, closeServer, startStack, type Stack } from '../fixtures/stack.ts'
import { UserAgent } from '../fixtures/user-agent.ts'
import { hkdfSync } from 'node:crypto'

const JSON_ACCEPT = { accept: 'application/json' }
const SECRET = 'test-session-secret-of-sufficient-length'
/** The example app derives its session key from the secret; tests decrypt with the same. */
const cipher = new SessionCipher([
  parseSessionKey(Buffer.from(hkdfSync('sha256', SECRET, 'passport-spid-oidc example', 'session encryption', 32)).toString('base64'))!,
])

async function storedSessions(url: string): Promise<Map<string, string>> {
  const client = await inspector(url)
  try {
    const keys = await client.keys('spid:sess:*')
    return new Map(await Promise.all(keys.map(async (k) => [k, (await client.get(k)) as string] as [string, string])))
  } finally {
    await client.close()
  }
}

describe('sessions in Redis', () => {
  describe('on the shared Redis server', () => {
    let stack: Stack
    before(async () => {
      stack = await startStack({ app: { redisUrl: sharedRedisUrl() } })
    })
    after(async () => {
      await stack.app.sessions.close()
      await stack.close()
    })

    it('keeps a login across requests (round trip)', async () => {
      const ua = new UserAgent()
      assert.equal((await login(ua, stack.appUrl, 'level=2')).status, 302)
      const who = await me(ua, stack.appUrl)
      assert.equal(who.authenticated, true)
      assert.equal(who.acr, 'https://www.spid.gov.it/SpidL2')
      const sid = decodeURIComponent(ua.cookieNamed('spid.sid') as string)
        .slice(2)
        .split('.')[0]
      const record = (await storedSessions(sharedRedisUrl())).get(`spid:sess:{${sid}}`)
      assert.ok(record, 'the session is in Redis')
    })
  })

  describe('on a private Redis server', () => {
    let redis: Awaited<ReturnType<typeof startPrivateRedis>>
    let stack: Stack
    before(async () => {
      redis = await startPrivateRedis()
      stack = await startStack({ app: { redisUrl: redis.url } })
    })
    after(async () => {
      await stack.app.sessions.close()
      await stack.close()
      await redis.stop()
    })

    it('stores tokens and personal data only encrypted', async () => {
      const ua = new UserAgent()
      await login(ua, stack.appUrl, 'level=2')
      const sid = decodeURIComponent(ua.cookieNamed('spid.sid') as string)
        .slice(2)
        .split('.')[0]
      const record = (await storedSessions(redis.url)).get(`spid:sess:{${sid}}`) as string
      const plain = cipher.decrypt(record, { id: sid as string, now: Math.floor(Date.now() / 1000) })
      assert.ok(plain, 'the record decrypts with the configured key')
      const session = JSON.parse(plain)
      const secrets = [session.spid.accessToken, 'LVLDAA85T50G702B', 'Lovelace', 'aabyron@hotmail.com', session.spid.sub, '"accessToken"']
      for (const secret of secrets) assert.ok(!record.includes(secret), `${String(secret).slice(0, 12)}… is not in the stored bytes`)
      assert.ok(plain.includes('LVLDAA85T50G702B') && plain.includes(session.spid.accessToken))
      console.log(`# bytes per session: ${Buffer.byteLength(plain)} plain, ${Buffer.byteLength(record)} encrypted`)
    })

    it('costs exactly one Redis command (a tombstone-aware read) per guarded read-only request', async () => {
      const ua = new UserAgent()
      await login(ua, stack.appUrl, 'level=1')
      await ua.request(`${stack.appUrl}/level1`, { headers: JSON_ACCEPT })
      const client = await inspector(redis.url)
      try {
        const stats = async () => {
          const info = await client.info('commandstats')
          return Object.fromEntries([...info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)].map((m) => [m[1], Number(m[2])]))
        }
        const before = await stats()
        for (let i = 0; i < 5; i++) assert.equal((await ua.request(`${stack.appUrl}/level1`, { headers: JSON_ACCEPT })).status, 200)
        const afterStats = await stats()
        const delta = Object.fromEntries(
          Object.keys(afterStats)
            .map((c) => [c, (afterStats[c] ?? 0) - (before[c] ?? 0)])
            .filter(([c, n]) => c !== 'info' && (n as number) > 0),
        )
        // commandstats counts what a script runs too: each read is one script, which looks for the
        // tombstone (EXISTS) and reads the record (GET).
        assert.deepEqual(delta, { eval: 5, exists: 5, get: 5 }, 'five guarded requests, five tombstone-aware reads, nothing else')
      } finally {
        await client.close()
      }
    })

    it('answers 503 while Redis is down, creates no session, and recovers when it is back', async () => {
      const ua = new UserAgent()
      await login(ua, stack.appUrl, 'level=1')
      const pending = new UserAgent()
      const callback = await loginUntilCallback(pending, stack.appUrl, 'level=1')

      await redis.stop()
      try {
        const api = await ua.request(`${stack.appUrl}/level1`, { headers: JSON_ACCEPT })
        assert.equal(api.status, 503)
        assert.equal(JSON.parse(api.body).code, 'ERR_SPID_STORE_UNAVAILABLE')
        const page = await ua.request(`${stack.appUrl}/level1`, { headers: { accept: 'text/html' } })
        assert.equal(page.status, 503)
        assert.match(page.body, /Servizio temporaneamente non disponibile/)
        // A login start stores nothing (its transaction is in a cookie), so it needs no store;
        // its callback does, to claim the transaction once.
        const fresh = new UserAgent()
        const start = await fresh.request(`${stack.appUrl}/auth/spid?level=1`, { headers: JSON_ACCEPT })
        assert.equal(start.status, 302, 'a login start stores nothing')
        assert.equal(fresh.cookieNamed('spid.sid'), undefined, 'no session cookie handed out')
        const finishing = await pending.request(callback, { headers: JSON_ACCEPT })
        assert.equal(finishing.status, 503, 'a login in flight ends with an error')
      } finally {
        await redis.start()
      }
      // The client reconnects by itself (backoff); the restarted server is empty, as after a crash.
      let answer = await ua.request(`${stack.appUrl}/level1`, { headers: JSON_ACCEPT })
      for (let i = 0; i < 50 && answer.status === 503; i++) {
        await new Promise((r) => setTimeout(r, 100))
        answer = await ua.request(`${stack.appUrl}/level1`, { headers: JSON_ACCEPT })
      }
      assert.equal(answer.status, 401, 'the old session is gone with the old server, and nothing let it in')
      const again = new UserAgent()
      assert.equal((await login(again, stack.appUrl, 'level=1')).status, 302)
      assert.equal((await me(again, stack.appUrl)).authenticated, true)
    })
  })

  it('lets a login started on one instance finish on another, and both accept the session', async () => {
    const stack = await startStack({ app: { redisUrl: sharedRedisUrl() } })
    // Instance B: same public URL, keys and secrets as A, on its own port, sharing Redis.
    const b = await listenLater()
    const appB = createExampleApp({
      baseUrl: stack.appUrl,
      providers: [stack.op.issuer],
      keys: stack.keys,
      sessionSecret: SECRET,
      redisUrl: sharedRedisUrl(),
      logger: captureLogger(),
    })
    b.handle(appB.app)
    try {
      const ua = new UserAgent()
      const callback = new URL(await loginUntilCallback(ua, stack.appUrl, 'level=2&returnTo=/level2'))
      const onB = `${b.url}${callback.pathname}${callback.search}`
      const done = await ua.request(onB, { headers: JSON_ACCEPT })
      assert.equal(done.status, 302, done.body)
      assert.equal((await me(ua, b.url)).authenticated, true)
      assert.equal((await me(ua, stack.appUrl)).authenticated, true)
      assert.equal((await ua.request(`${stack.appUrl}/level2`, { headers: JSON_ACCEPT })).status, 200)
    } finally {
      await appB.sessions.close()
      await closeServer(b.server)
      await stack.app.sessions.close()
      await stack.close()
    }
  })
})
