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

  it('judges an IPv6 address that carries an IPv4 one (NAT64, 6to4, IPv4-compatible) by that IPv4 address', () => {
    const cases: [string, string | undefined][] = [
      ['64:ff9b::a9fe:a9fe', 'link-local'], // NAT64 for 169.254.169.254, the cloud metadata service
      ['64:ff9b::10.0.0.5', 'private'],
      ['64:ff9b::7f00:1', 'loopback'],
      ['64:ff9b:1::a00:1', 'private'], // local-use NAT64
      ['2002:a9fe:a9fe::1', 'link-local'], // 6to4
      ['::7f00:1', 'loopback'], // IPv4-compatible
      ['2001::1', 'reserved'], // Teredo
      ['fec0::1', 'private'], // site-local
      ['192.88.99.1', 'reserved'], // 6to4 relay anycast
      ['64:ff9b::808:808', undefined],
      ['2002:808:808::1', undefined],
    ]
    assert.deepEqual(
      cases.map(([address]) => [address, nonPublicKind(address)]),
      cases,
    )
  })
})
