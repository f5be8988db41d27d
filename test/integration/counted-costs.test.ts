/**
 * The figures of `npm run bench` that are counts, not timings, asserted on a real OP and a Redis
 * server of this test's own: one Redis command per guarded GET, four per login (no double
 * save), every value stored once in a session. And the bench itself keeps working.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { createBenchApp, SESSION_KEY } from '../../bench/lib/bench-app.ts'
import { startOwnRedis, total } from '../../bench/lib/redis-server.ts'
import { readStoredSession, repeatedValues, sessionIdFromCookie } from '../../bench/lib/stored-session.ts'
import { generateDevKeys } from '../../src/index.ts'
import { startTestOp, type TestOp } from '../../src/test-op/index.ts'
import { login } from '../fixtures/login.ts'
import { closeServer, listenLater } from '../fixtures/stack.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

describe('counted costs', () => {
  let redis: Awaited<ReturnType<typeof startOwnRedis>>
  let op: TestOp
  const apps: { url: string; close(): Promise<void> }[] = []

  async function startApp(attributes: 'minimal' | 'full') {
    const listening = await listenLater()
    const bench = createBenchApp({ baseUrl: listening.url, opIssuer: op.issuer, keys: generateDevKeys(), attributes, redisUrl: redis.url })
    listening.handle(bench.app)
    const app = {
      url: listening.url,
      close: async () => {
        await closeServer(listening.server)
        await bench.sessions.close()
      },
    }
    apps.push(app)
    return app
  }

  async function loggedIn(url: string) {
    const ua = new UserAgent()
    const done = await login(ua, url, 'level=2')
    assert.equal(done.status, 302, done.body.slice(0, 200))
    return ua
  }

  before(async () => {
    redis = await startOwnRedis()
    op = await startTestOp()
  })
  after(async () => {
    for (const app of apps) await app.close()
    await op.close()
    await redis.stop()
  })

  it('a login costs 4 Redis commands and a guarded GET exactly 1', async () => {
    const app = await startApp('minimal')
    await loggedIn(app.url) // connects the store's client: its handshake is not a login's cost
    await redis.commandsSince()
    const ua = await loggedIn(app.url)
    const perLogin = await redis.commandsSince()
    // Login start: nothing (the transaction is sealed in a cookie). Callback: the transaction and
    // the ID token jti each claimed once for every instance (SET NX), the id of the session
    // passport regenerates ended (a script: tombstone and delete; never stored, but express-session
    // cannot tell), the new session written (a script).
    assert.deepEqual(perLogin, { eval: 2, set: 2 }, `a login ran ${JSON.stringify(perLogin)}`)
    assert.equal(total(perLogin), 4)
    for (let i = 0; i < 5; i++) assert.equal((await ua.request(`${app.url}/guarded`)).status, 200)
    assert.deepEqual(await redis.commandsSince(), { eval: 5 })
  })

  for (const attributes of ['minimal', 'full'] as const) {
    it(`stores no value twice in a session (${attributes} attributes), and neither raw claims nor returnTo`, async () => {
      const app = await startApp(attributes)
      const ua = await loggedIn(app.url)
      const stored = await readStoredSession(redis.client, sessionIdFromCookie(ua.cookieNamed('spid.sid') as string), SESSION_KEY)
      assert.deepEqual(repeatedValues(stored.content), [])
      const user = (stored.content.passport as { user: Record<string, unknown> }).user
      assert.equal(user.raw, undefined)
      assert.equal(stored.content.returnTo, undefined)
      assert.ok(user.fiscalNumber, 'the profile is there')
      // The profile read back still carries the identity kept once, in the SPID state.
      assert.equal((await ua.request(`${app.url}/guarded`)).status, 200)
    })
  }

  it('the repeated-value detector finds a claim stored raw and normalized', () => {
    const found = repeatedValues({ cookie: { path: '/x/y' }, passport: { user: { givenName: 'Ada', raw: { given_name: 'Ada' } } }, other: { path: '/x/y' } })
    assert.deepEqual(found, [{ value: 'Ada', paths: ['passport.user.givenName', 'passport.user.raw.given_name'] }])
  })

  it('npm run bench -- --quick --json prints every figure on its last line', () => {
    const run = spawnSync('npm', ['run', '--silent', 'bench', '--', '--quick', '--json'], { encoding: 'utf8', timeout: 100_000 })
    assert.equal(run.status, 0, run.stderr.slice(-2000))
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>
    for (const key of [
      'guardCpuOverheadMicros',
      'guardRatioMemory',
      'guardRatioRedis',
      'sessionBytesFull',
      'loginCpuMillis',
      'cryptoFloorMillis',
      'loginCpuVsCryptoFloor',
      'loginsPerSecond',
    ]) {
      assert.equal(typeof result[key], 'number', key)
      // An overhead is a difference of two noisy timings (a fraction of a microsecond): on a loaded
      // machine it can come out below zero. Its sign is the bench's to report, not a test's to assert.
      const isDifference = key === 'guardCpuOverheadMicros'
      assert.ok(Number.isFinite(result[key]) && (isDifference || (result[key] as number) > 0), `${key} = ${result[key]}`)
    }
    assert.equal(result.redisCommandsPerGuardedRequest, 1)
    assert.equal(result.redisCommandsPerLogin, 4)
    assert.equal(result.repeatedSessionValues, 0)
    assert.equal(result.opRequestsPerWarmLogin, 2)
    assert.equal(result.federationRequestsCold, 3, 'OP configuration, anchor configuration, anchor statement about the OP')
    assert.equal(result.federationRequestsWarm, 0)
    assert.ok((result.sessionBytes as number) <= 1100)
  })
})
