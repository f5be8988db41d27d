import { BlockList, isIP } from 'node:net'

/** Address ranges no federation member may send the RP to, by the name a message gives them. */
const RANGES: [kind: string, ranges: [address: string, prefix: number, family: 'ipv4' | 'ipv6'][]][] = [
  [
    'loopback',
    [
      ['127.0.0.0', 8, 'ipv4'],
      ['::1', 128, 'ipv6'],
    ],
  ],
  [
    'private',
    [
      ['10.0.0.0', 8, 'ipv4'],
      ['172.16.0.0', 12, 'ipv4'],
      ['192.168.0.0', 16, 'ipv4'],
      ['100.64.0.0', 10, 'ipv4'],
      ['fc00::', 7, 'ipv6'],
    ],
  ],
  [
    'link-local',
    [
      ['169.254.0.0', 16, 'ipv4'],
      ['fe80::', 10, 'ipv6'],
    ],
  ],
  [
    'reserved',
    [
      ['0.0.0.0', 8, 'ipv4'],
      ['192.0.0.0', 24, 'ipv4'],
      ['192.0.2.0', 24, 'ipv4'],
      ['198.18.0.0', 15, 'ipv4'],
      ['198.51.100.0', 24, 'ipv4'],
      ['203.0.113.0', 24, 'ipv4'],
      ['224.0.0.0', 4, 'ipv4'],
      ['240.0.0.0', 4, 'ipv4'],
      ['::', 128, 'ipv6'],
      ['100::', 64, 'ipv6'],
      ['2001:db8::', 32, 'ipv6'],
      ['ff00::', 8, 'ipv6'],
    ],
  ],
]

const LISTS = RANGES.map(([kind, ranges]) => {
  const list = new BlockList()
  for (const [address, prefix, family] of ranges) list.addSubnet(address, prefix, family)
  return [kind, list] as const
})

/**
 * Why `address` (an IP address, as DNS answered it) is not a public one: `loopback`, `private`,
 * `link-local` or `reserved`; undefined for a public address. An IPv4-mapped IPv6 address
 * (`::ffff:127.0.0.1`) is judged by its IPv4 address (BlockList does so).
 */
export function nonPublicKind(address: string): string | undefined {
  const version = isIP(address)
  if (version === 0) return 'not an IP address'
  const family = version === 4 ? 'ipv4' : 'ipv6'
  return LISTS.find(([, list]) => list.check(address, family))?.[0]
}
