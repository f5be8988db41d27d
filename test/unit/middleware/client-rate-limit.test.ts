import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ClientRateLimit } from '../../../src/middleware/client-rate-limit.ts'

describe('ClientRateLimit', () => {
  it('admits max requests per window and client, then says how long to wait; a new window starts over', () => {
    const limit = new ClientRateLimit({ max: 3, windowSeconds: 60 })
    assert.deepEqual(
      [1, 2, 3, 4].map(() => limit.admit('a', 1000)),
      [undefined, undefined, undefined, 60],
    )
    assert.equal(limit.admit('a', 1030), 30)
    assert.equal(limit.admit('b', 1030), undefined, 'another client has its own budget')
    assert.equal(limit.admit('a', 1060), undefined, 'the next window')
  })

  it('keeps at most maxClients windows: beyond them, new clients share one budget until old windows end', () => {
    const limit = new ClientRateLimit({ max: 2, windowSeconds: 60, maxClients: 100 })
    for (let i = 0; i < 100; i++) assert.equal(limit.admit(`client-${i}`, 1000), undefined)
    // 1,000 more addresses in the same window: two requests between them, not two each.
    const admitted = Array.from({ length: 1000 }, (_, i) => limit.admit(`other-${i}`, 1000)).filter((wait) => wait === undefined)
    assert.equal(admitted.length, 2)
    assert.equal(limit.admit('client-5', 1000), undefined, 'a tracked client keeps its own budget')
    assert.equal(limit.admit('late', 1061), undefined, 'once the old windows end, a new client is tracked again')
    assert.equal(limit.admit('late', 1061), undefined)
    assert.equal(typeof limit.admit('late', 1061), 'number')
  })
})
