/**
 * Several instances are one relying party: three example-app instances on one Redis (single
 * server, Cluster, Sentinel), the real test OP behind a tampering proxy, driven concurrently and
 * deterministically (the OP holds its token answers back while the other requests line up).
 */
import assert from 'node:assert/strict'
import { after, afterEach, before, describe, it } from 'node:test'
import { decodeJwt, importJWK } from 'jose'
import { sessionIdFromCookie } from '../../bench/lib/stored-session.ts'
import { startTestOp, type TestOp } from '../../src/test-op/index.ts'
import { startInstances } from '../fixtures/instances.ts'
import { login, loginUntilCallback } from '../fixtures/login.ts'
import { startTopology, type Topology, type TopologyKind } from '../fixtures/redis-topologies.ts'
import { resignIdToken, startTamperingProxy } from '../fixtures/tampering-proxy.ts'
import { UserAgent } from '../fixtures/user-agent.ts'
import { startStack } from '../fixtures/stack.ts'

const JSON_ACCEPT = { accept: 'application/json' }
const sessionKey = (sid: string) => `spid:sess:{${sid}}`

for (const kind of ['single', 'cluster', 'sentinel'] as TopologyKind[]) {
  describe(`three instances on Redis (${kind})`, () => {
    let redis: Topology
    let op: TestOp
    let proxy: Awaited<ReturnType<typeof startTamperingProxy>>
    let rp: Awaited<ReturnType<typeof startInstances>>

    const sid = (ua: UserAgent) => sessionIdFromCookie(ua.cookieNamed('spid.sid') as string)
    const me = async (ua: UserAgent, instance: number) => JSON.parse((await ua.request(`${rp.url}/me`, { headers: rp.on(instance, JSON_ACCEPT) })).body)
    const loggedIn = async (query = 'level=2') => {
      const ua = new UserAgent()
      const done = await login(ua, rp.url, query)
      assert.equal(done.status, 302, done.body.slice(0, 300))
      return ua
    }
    const copyOf = (ua: UserAgent) => {
      const copy = new UserAgent()
      copy.cookies.push(...ua.cookies.map((c) => ({ ...c })))
      return copy
    }

    before(async () => {
      redis = await startTopology(kind)
      proxy = await startTamperingProxy()
      // Access tokens of 5 minutes, ID tokens of an hour: moving the RP clocks 301 s makes a refresh due.
      op = await startTestOp({ issuer: proxy.url, ttl: { accessToken: 300, idToken: 3600 } })
      proxy.forwardTo(op.server)
      rp = await startInstances(3, { redisUrl: redis.url, providers: [proxy.url] })
    })
    afterEach(() => {
      rp.routeTo(0)
      rp.shiftClocks(0)
      op.delayTokenResponses(0)
      proxy.rewrite('/token', undefined)
    })
    after(async () => {
      await rp.close()
      await op.close()
      await proxy.close()
      await redis.stop()
    })

    it('costs 4 Redis commands per login (and a WAIT per durable write where there are replicas), 1 per guarded GET', async () => {
      await loggedIn() // connects every instance's clients: their handshakes are not a login's cost
      const loginCount = await redis.countCommands()
      const ua = await loggedIn()
      const perLogin = await loginCount()
      const guardedCount = await redis.countCommands()
      for (let i = 0; i < 3; i++) assert.equal((await ua.request(`${rp.url}/level1`, { headers: rp.on(i, JSON_ACCEPT) })).status, 200)
      const perGuarded = await guardedCount()
      console.log(`# ${kind}: Redis commands per login ${JSON.stringify(perLogin)}, per 3 guarded GETs ${JSON.stringify(perGuarded)}`)
      // With replicas, the two single-use claims and the end of the regenerated session id are
      // scripts that count the replicas in sync, each followed by a WAIT for one of them.
      assert.deepEqual(perLogin, kind === 'single' ? { eval: 2, set: 2 } : { eval: 4, wait: 3 })
      assert.deepEqual(perGuarded, { eval: 3 })
    })

    it('lets a login start on one instance and finish on another', async () => {
      const ua = new UserAgent()
      const callback = await loginUntilCallback(ua, rp.url, 'level=2')
      rp.routeTo(2)
      assert.equal((await ua.request(callback, { headers: JSON_ACCEPT })).status, 302)
      for (const i of [0, 1, 2]) assert.equal((await me(ua, i)).authenticated, true)
    })

    it('exchanges the code once when the same callback reaches two instances at the same time', async () => {
      const ua = new UserAgent()
      const callback = await loginUntilCallback(ua, rp.url, 'level=2')
      const before = op.tokenRequests.authorization_code
      op.delayTokenResponses(200)
      const answers = await Promise.all([1, 2].map((i) => ua.request(callback, { headers: rp.on(i, JSON_ACCEPT) })))
      assert.equal(op.tokenRequests.authorization_code - before, 1, 'one code exchange')
      assert.deepEqual(answers.map((a) => a.status).sort(), [302, 400])
      const refused = answers.find((a) => a.status === 400)
      assert.equal(JSON.parse(refused?.body ?? '{}').code, 'ERR_SPID_STATE_MISMATCH')
    })

    it('refreshes once when guarded requests on two instances find the access token expired, and every one succeeds', async () => {
      const ua = await loggedIn('level=2&offline=1')
      const before = op.tokenRequests.refresh_token
      rp.shiftClocks(301)
      op.delayTokenResponses(300)
      const answers = await Promise.all([0, 0, 0, 1, 1, 1].map((i) => ua.request(`${rp.url}/level1`, { headers: rp.on(i, JSON_ACCEPT) })))
      assert.deepEqual(
        answers.map((a) => a.status),
        [200, 200, 200, 200, 200, 200],
      )
      assert.equal(op.tokenRequests.refresh_token - before, 1, 'the refresh token was presented once')
      for (const i of [0, 1, 2]) {
        const who = await me(ua, i)
        assert.deepEqual([who.authenticated, who.refreshed, who.offline], [true, true, true], `instance ${i}`)
      }
    })

    it('keeps a session ended by logout ended, even when another instance was refreshing it', async () => {
      const ua = await loggedIn('level=2&offline=1')
      const stolenCookie = copyOf(ua)
      const id = sid(ua)
      rp.shiftClocks(301)
      op.delayTokenResponses(400)
      const refreshing = ua.request(`${rp.url}/level1`, { headers: rp.on(0, JSON_ACCEPT) })
      await new Promise((resolve) => setTimeout(resolve, 100))
      const out = await ua.request(`${rp.url}/logout`, { method: 'POST', form: {}, headers: rp.on(1, { ...JSON_ACCEPT, origin: rp.url }) })
      assert.equal(out.status, 200)
      await refreshing
      for (const i of [0, 1, 2]) {
        assert.equal((await me(ua, i)).authenticated, false, `instance ${i}, the browser`)
        assert.equal((await me(stolenCookie, i)).authenticated, false, `instance ${i}, the old cookie`)
      }
      assert.equal(await redis.inspect.exists(sessionKey(id)), 0, 'not written back')
    })

    it('refuses a session record copied under another session id', async () => {
      const ada = await loggedIn()
      const other = await loggedIn()
      await redis.inspect.set(sessionKey(sid(other)), (await redis.inspect.get(sessionKey(sid(ada)))) as string)
      assert.equal((await me(other, 1)).authenticated, false)
      assert.equal((await me(ada, 1)).authenticated, true)
      assert.ok(rp.instances[1]?.logger.lines.some((l) => (l.obj as { event?: string }).event === 'session.undecryptable'))
    })

    it('refuses an ID token replayed on another instance', async () => {
      const opKey = (await importJWK(op.signingKey, 'RS256')) as CryptoKey
      let firstJti: string | undefined
      proxy.rewrite('/token', async (response) => {
        const jti = decodeJwt(JSON.parse(response.body).id_token).jti as string
        if (!firstJti) {
          firstJti = jti
          return response
        }
        return resignIdToken((claims) => {
          claims.jti = firstJti
        }, opKey)(response)
      })
      rp.routeTo(0)
      await loggedIn('level=1')
      rp.routeTo(1)
      const replayed = await login(new UserAgent(), rp.url, 'level=1')
      assert.equal(replayed.status, 502)
      assert.equal(JSON.parse(replayed.body).code, 'ERR_SPID_ID_TOKEN_INVALID')
    })

    it('ends a login past its absolute lifetime, however active', async () => {
      const ua = await loggedIn('level=1')
      rp.shiftClocks(12 * 3600 + 1)
      assert.equal((await ua.request(`${rp.url}/level1`, { headers: rp.on(1, JSON_ACCEPT) })).status, 401)
      assert.equal((await me(ua, 2)).authenticated, false)
    })

    it('makes no session for a cookieless login start', async () => {
      const starts = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const ua = new UserAgent()
          const hop = await ua.request(`${rp.url}/auth/spid?level=2`, { headers: rp.on(i % 3) })
          assert.equal(hop.status, 302)
          return ua
        }),
      )
      for (const ua of starts) assert.equal(ua.cookieNamed('spid.sid'), undefined)
    })

    if (kind === 'sentinel') {
      it('loses no session to a primary failover', async () => {
        const users = await Promise.all([1, 2, 3].map(() => loggedIn()))
        const started = Date.now()
        await redis.failover?.()
        const promoted = Date.now()
        let unavailable = 0
        // The clients find the new primary by themselves; requests meanwhile may get a clean 503,
        // never another answer. Every instance must write again (a logged-in user's login start
        // stores its transaction in the session) before the sessions are checked.
        const back = new Set<number>()
        for (let attempt = 0; attempt < 300 && back.size < 3; attempt++) {
          for (const i of [0, 1, 2]) {
            if (back.has(i)) continue
            const hop = await (users[0] as UserAgent).request(`${rp.url}/auth/spid?level=2`, { headers: rp.on(i, {}) })
            assert.ok(hop.status === 302 || hop.status === 503, `status ${hop.status}`)
            if (hop.status === 503) unavailable++
            else back.add(i)
          }
          if (back.size < 3) await new Promise((resolve) => setTimeout(resolve, 100))
        }
        console.log(
          `# sentinel failover: replica promoted and old primary demoted in ${promoted - started} ms; every instance answered again ${Date.now() - promoted} ms later, after ${unavailable} clean 503(s)`,
        )
        for (const ua of users) for (const i of [0, 1, 2]) assert.equal((await me(ua, i)).authenticated, true)
        assert.equal((await login(new UserAgent(), rp.url, 'level=2')).status, 302, 'a new login works after the failover')
      })
    }
  })
}

describe('one instance on the memory store (development)', () => {
  it('keeps a session ended by logout ended, even while a request of it was refreshing', async () => {
    const proxy = await startTamperingProxy()
    const stack = await startStack({ op: { issuer: proxy.url, ttl: { accessToken: 300, idToken: 3600 } } })
    proxy.forwardTo(stack.op.server)
    try {
      const ua = new UserAgent()
      assert.equal((await login(ua, stack.appUrl, 'level=2&offline=1')).status, 302)
      const stolenCookie = new UserAgent()
      stolenCookie.cookies.push(...ua.cookies.map((c) => ({ ...c })))
      stack.app.strategy.runtime.now = () => Math.floor(Date.now() / 1000) + 301
      stack.op.delayTokenResponses(300)
      const refreshing = ua.request(`${stack.appUrl}/level1`, { headers: JSON_ACCEPT })
      await new Promise((resolve) => setTimeout(resolve, 100))
      assert.equal((await ua.request(`${stack.appUrl}/logout`, { method: 'POST', form: {}, headers: { ...JSON_ACCEPT, origin: stack.appUrl } })).status, 200)
      await refreshing
      const who = JSON.parse((await stolenCookie.request(`${stack.appUrl}/me`, { headers: JSON_ACCEPT })).body)
      assert.equal(who.authenticated, false)
    } finally {
      await stack.close()
      await proxy.close()
    }
  })
})
