import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { nonPublicKind } from '../../../src/federation/public-address.ts'

describe('nonPublicKind', () => {
  it('names loopback, private, link-local and reserved addresses, IPv4-mapped ones by their IPv4 address', () => {
    const cases: [string, string | undefined][] = [
      ['127.0.0.1', 'loopback'],
      ['127.255.0.9', 'loopback'],
      ['::1', 'loopback'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['10.1.2.3', 'private'],
      ['172.16.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['100.64.0.1', 'private'],
      ['fd12:3456::1', 'private'],
      ['::ffff:10.0.0.1', 'private'],
      ['169.254.169.254', 'link-local'],
      ['fe80::1', 'link-local'],
      ['0.0.0.0', 'reserved'],
      ['::', 'reserved'],
      ['224.0.0.1', 'reserved'],
      ['255.255.255.255', 'reserved'],
      ['not-an-ip', 'not an IP address'],
      ['8.8.8.8', undefined],
      ['172.32.0.1', undefined],
      ['151.101.1.69', undefined],
      ['2a00:1450:4002::65', undefined],
      ['::ffff:8.8.8.8', undefined],
    ]
    assert.deepEqual(
      cases.map(([address]) => [address, nonPublicKind(address)]),
      cases,
    )
  })
})
