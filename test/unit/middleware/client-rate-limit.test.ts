import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ClientRateLimit, clientOf } from '../../../src/middleware/client-rate-limit.ts'

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

  it('keeps at most maxClients windows, forgetting the one used least recently: a flood from many addresses does not lock others out', () => {
    const limit = new ClientRateLimit({ max: 2, windowSeconds: 60, maxClients: 100 })
    assert.equal(limit.admit('198.51.100.7', 1000), undefined)
    assert.equal(limit.admit('198.51.100.7', 1000), undefined)
    assert.equal(typeof limit.admit('198.51.100.7', 1000), 'number', 'the regular client used its budget')
    for (let i = 0; i < 10_000; i++) limit.admit(`203.0.113.${i % 250}.${i}`, 1000)
    assert.equal(limit.admit('192.0.2.1', 1000), undefined, 'a new client after the flood has its own budget')
    assert.equal(limit.admit('198.51.100.7', 1000), undefined, 'the flood pushed the regular client out, it starts over: memory stays bounded')
  })

  it('counts the addresses of one IPv6 /64 as one client, and an IPv4-mapped address as its IPv4 one', () => {
    const limit = new ClientRateLimit({ max: 2, windowSeconds: 60 })
    assert.equal(limit.admit('2001:db8:1:2::1', 1000), undefined)
    assert.equal(limit.admit('2001:db8:1:2:ffff::9', 1000), undefined)
    assert.equal(typeof limit.admit('2001:db8:1:2:abcd:1:2:3', 1000), 'number', 'a third address of the same /64 waits')
    assert.equal(limit.admit('2001:db8:1:3::1', 1000), undefined, 'another /64 is another client')
    assert.equal(clientOf('::ffff:192.0.2.4'), '192.0.2.4')
    assert.equal(clientOf('2001:db8::1'), '2001:db8:0:0::/64')
  })
})
