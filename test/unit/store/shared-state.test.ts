import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { UnavailableError } from '../../../src/errors/spid-error.ts'
import { memorySharedState, redisSharedState } from '../../../src/store/shared-state.ts'

describe('shared state in memory (one process)', () => {
  it('lets exactly one of simultaneous claims win, until the claim expires', async () => {
    let now = 1_000
    const shared = memorySharedState(() => now)
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => shared.claim('once:tx:abc', String(i), 5000)))
    assert.equal(results.filter(Boolean).length, 1)
    now += 5001
    assert.equal(await shared.claim('once:tx:abc', 'later', 5000), true, 'free again once expired')
  })

  it('releases a lease only for its holder', async () => {
    const shared = memorySharedState()
    assert.equal(await shared.claim('lease', 'holder', 5000), true)
    await shared.release('lease', 'someone else')
    assert.equal(await shared.claim('lease', 'other', 5000), false, 'still held')
    await shared.release('lease', 'holder')
    assert.equal(await shared.claim('lease', 'other', 5000), true)
  })
})

describe('shared state on Redis', () => {
  // A stand-in client: a real Redis cannot be made to fail between a session read and the next
  // command of the same request, which is the case this covers.
  const failing = {
    get: async () => null,
    del: async () => 0,
    set: async () => Promise.reject(new Error('connection lost')),
    eval: async () => Promise.reject(new Error('connection lost')),
  }

  it('turns a Redis failure into ERR_SPID_STORE_UNAVAILABLE, never into "not used yet"', async () => {
    const shared = redisSharedState(failing)
    await assert.rejects(
      shared.claim('once:tx:abc', '1', 1000),
      (error: unknown) => error instanceof UnavailableError && error.code === 'ERR_SPID_STORE_UNAVAILABLE',
    )
    await assert.rejects(shared.release('lease', 'x'), UnavailableError)
  })
})
