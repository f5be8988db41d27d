/**
 * A logout sticks, whatever Redis does next: a copy of the record written back after the logout
 * reads as absent, and a logout that no replica holds is not reported done (a failover would
 * bring the session back on the promoted replica).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { sessionIdFromCookie } from '../../bench/lib/stored-session.ts'
import { type startInstances, useInstancesOn } from '../fixtures/instances.ts'
import { login, loginUntilCallback } from '../fixtures/login.ts'
import type { Topology, TopologyKind } from '../fixtures/redis-topologies.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

const JSON_ACCEPT = { accept: 'application/json' }

function onTopology(kind: TopologyKind, body: (env: () => { redis: Topology; rp: Awaited<ReturnType<typeof startInstances>> }) => void) {
  describe(`logout on Redis (${kind})`, () => {
    const env = useInstancesOn(kind)
    body(() => env)
  })
}

const keyOf = (ua: UserAgent) => `spid:sess:{${sessionIdFromCookie(ua.cookieNamed('spid.sid') as string)}}`
const copyOf = (ua: UserAgent) => {
  const copy = new UserAgent()
  copy.cookies.push(...ua.cookies.map((c) => ({ ...c })))
  return copy
}

onTopology('single', (env) => {
  it('refuses a record of the session written back after the logout', async () => {
    const { redis, rp } = env()
    const ua = new UserAgent()
    assert.equal((await login(ua, rp.url, 'level=2')).status, 302)
    const stolen = copyOf(ua)
    const before = await redis.inspect.get(keyOf(ua))
    assert.ok(before, 'the session is stored')
    assert.equal((await ua.request(`${rp.url}/logout`, { method: 'POST', form: {}, headers: { ...JSON_ACCEPT, origin: rp.url } })).status, 200)
    // Someone with write access to Redis puts the record back as it was before the logout.
    await redis.inspect.set(keyOf(stolen), before)
    for (const instance of [0, 1]) {
      const answer = await stolen.request(`${rp.url}/level1`, { headers: rp.on(instance, JSON_ACCEPT) })
      assert.equal(answer.status, 401, 'the written-back record is not a session')
    }
  })
})

onTopology('sentinel', (env) => {
  it('does not report a logout done until a replica holds it, and the logout survives the failover that follows', async () => {
    const { redis, rp } = env()
    const ua = new UserAgent()
    assert.equal((await login(ua, rp.url, 'level=2')).status, 302)
    const stolen = copyOf(ua)
    const logout = () => ua.request(`${rp.url}/logout`, { method: 'POST', form: {}, headers: { ...JSON_ACCEPT, origin: rp.url } })

    const thaw = await redis.freezeReplica?.()
    assert.ok(thaw, 'the sentinel fixture can freeze its replica')
    const refused = await logout()
    assert.equal(refused.status, 503, `a logout no replica holds answered ${refused.status}: ${refused.body.slice(0, 200)}`)
    assert.equal(JSON.parse(refused.body).code, 'ERR_SPID_STORE_UNAVAILABLE')
    const said = rp.instances[0]?.logger.lines.find((l) => (l.obj as { event?: string }).event === 'session.logout_failed')
    assert.match(String(said?.msg), /logout not done: the end of the session \(logout\) not confirmed by a Redis replica \(0 of 1 within 500 ms\)/)
    // A login callback meanwhile: its single-use claim is not confirmed either, so no session is made.
    const other = new UserAgent()
    const callback = await loginUntilCallback(other, rp.url, 'level=1')
    assert.equal((await other.request(callback, { headers: JSON_ACCEPT })).status, 503)
    // Once the primary gives the silent replica up, it has none left to wait for: the logout is
    // refused at once, not taken by a primary that a failover to the stale replica would undo.
    for (let i = 0; i < 100 && redis.replicasInSync?.() !== 0; i++) await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(redis.replicasInSync?.(), 0, 'the primary dropped the frozen replica')
    const alone = await logout()
    assert.equal(alone.status, 503, `a logout on a primary with no replica in sync answered ${alone.status}`)
    assert.ok(
      rp.instances.some((i) => i.logger.lines.some((l) => /the primary has 0 replicas in sync, replicaAcks asks 1/.test(String(l.msg)))),
      'the log says why',
    )
    await thaw()

    // The retry is reported done, now that the replica holds the logout.
    assert.equal((await logout()).status, 200)
    await redis.failover?.()
    for (let attempt = 0; attempt < 100; attempt++) {
      const answer = await stolen.request(`${rp.url}/level1`, { headers: rp.on(attempt % 2, JSON_ACCEPT) })
      if (answer.status === 503) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        continue
      }
      assert.equal(answer.status, 401, 'the logged-out cookie is refused on the promoted replica')
      if (attempt % 2 === 1) break
    }
    assert.equal((await stolen.request(`${rp.url}/level1`, { headers: rp.on(0, JSON_ACCEPT) })).status, 401)
  })
})
