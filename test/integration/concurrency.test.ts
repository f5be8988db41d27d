/**
 * Under load: 100 distinct users logging in at once through the real OP, sessions in Redis; then
 * Redis going away under concurrent guarded requests.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { SPID_L1, SPID_L2, SPID_L3 } from '../../src/index.ts'
import { personFiscalCodeCheckCharacter } from '../../src/profile/fiscal-number.ts'
import type { TestUser } from '../../src/test-op/index.ts'
import { login, me } from '../fixtures/login.ts'
import { sharedRedisUrl, startPrivateRedis } from '../fixtures/redis.ts'
import { startStack } from '../fixtures/stack.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

const USERS = 100
const LEVELS = [SPID_L1, SPID_L2, SPID_L3]

/** A valid fiscal code per index: three letters from the index, fixed birth data, its check character. */
function fiscalCode(i: number): string {
  const letters = [Math.floor(i / 676), Math.floor(i / 26) % 26, i % 26].map((n) => String.fromCharCode(65 + n)).join('')
  const first15 = `${letters}MRA80A01H501`
  return `${first15}${personFiscalCodeCheckCharacter(first15)}`
}

const users: TestUser[] = Array.from({ length: USERS }, (_, i) => ({
  id: `user${i}`,
  label: `Utente ${i}`,
  claims: {
    given_name: `Utente${i}`,
    family_name: 'Prova',
    email: `utente${i}@example.it`,
    'https://attributes.eid.gov.it/fiscal_number': `TINIT-${fiscalCode(i)}`,
  },
}))

describe('concurrency', () => {
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown) => unhandled.push(reason)
  before(() => {
    process.on('unhandledRejection', onUnhandled)
  })
  after(() => {
    process.off('unhandledRejection', onUnhandled)
  })

  it(`${USERS} concurrent logins of distinct users: each session holds its own user and level`, async () => {
    const stack = await startStack({ op: { users }, app: { redisUrl: sharedRedisUrl() } })
    try {
      const agents = users.map(() => new UserAgent())
      const done = await Promise.all(agents.map((ua, i) => login(ua, stack.appUrl, `level=${(i % 3) + 1}`, { user: `user${i}` })))
      assert.deepEqual(
        done.map((d) => d.status),
        Array(USERS).fill(302),
      )
      const views = await Promise.all(agents.map((ua) => me(ua, stack.appUrl)))
      views.forEach((view, i) => {
        const profile = view.profile as { fiscalNumber: string; givenName: string }
        assert.equal(profile.fiscalNumber, fiscalCode(i), `session ${i} holds user ${i}`)
        assert.equal(profile.givenName, `Utente${i}`)
        assert.equal(view.acr, LEVELS[i % 3], `session ${i} holds its own level`)
      })
      assert.equal(new Set(views.map((v) => (v.profile as { sub: string }).sub)).size, USERS, 'distinct pairwise subjects')
    } finally {
      await stack.app.sessions.close()
      await stack.close()
    }
  })

  it('answers every concurrent request 503 while Redis is down, and no 5xx other than that', async () => {
    const redis = await startPrivateRedis()
    const stack = await startStack({ app: { redisUrl: redis.url } })
    try {
      const agents = Array.from({ length: 10 }, () => new UserAgent())
      await Promise.all(agents.map((ua) => login(ua, stack.appUrl, 'level=1')))
      await redis.stop()
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => agents[i % 10]!.request(`${stack.appUrl}/level1`, { headers: { accept: 'application/json' } })),
      )
      assert.deepEqual([...new Set(answers.map((a) => a.status))], [503])
      assert.deepEqual([...new Set(answers.map((a) => JSON.parse(a.body).code))], ['ERR_SPID_STORE_UNAVAILABLE'])
    } finally {
      await redis.start()
      await stack.app.sessions.close()
      await stack.close()
      await redis.stop()
    }
  })

  it('left no unhandled promise rejection behind', () => {
    assert.deepEqual(unhandled, [])
  })
})
