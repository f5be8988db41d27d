/**
 * `npm start` with every REDIS_URL form the README documents: one server, a Cluster listing
 * several nodes, a Sentinel set. The app must start, say where its sessions are (no password),
 * and log a user in with the session in that Redis.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { runExampleApp } from '../fixtures/example-process.ts'
import { login, me } from '../fixtures/login.ts'
import { startTopology, type TopologyKind } from '../fixtures/redis-topologies.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

const SAID = {
  single: /Sessions: +Redis at 127\.0\.0\.1:\d+\n/,
  cluster: /Sessions: +Redis cluster at (127\.0\.0\.1:\d+,){2}127\.0\.0\.1:\d+\n/,
  sentinel: /Sessions: +Redis sentinel at 127\.0\.0\.1:\d+\n/,
}

describe('the example app on each REDIS_URL form', () => {
  for (const kind of ['single', 'cluster', 'sentinel'] as TopologyKind[]) {
    it(`starts on ${kind === 'single' ? 'redis://host:port' : `redis+${kind}://…`} and keeps a login's session there`, async () => {
      const redis = await startTopology(kind)
      const app = await runExampleApp({ REDIS_URL: redis.url, SESSION_SECRET: 'a-session-secret-for-this-test' })
      try {
        await app.waitFor(SAID[kind])
        const url = `http://localhost:${app.port}`
        const ua = new UserAgent()
        assert.equal((await login(ua, url, 'level=2')).status, 302)
        assert.equal((await me(ua, url)).authenticated, true)
        const cookie = decodeURIComponent(ua.cookies.find((c) => c.name.endsWith('spid.sid'))?.value ?? '')
        const sid = cookie.slice(2, cookie.lastIndexOf('.'))
        assert.equal(await redis.inspect.exists(`spid:sess:{${sid}}`), 1, 'the session is in the Redis the URL names')
      } finally {
        await app.stop()
        await redis.stop()
      }
    })
  }
})
