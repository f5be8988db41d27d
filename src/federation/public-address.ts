import { BlockList, isIP } from 'node:net'
import { ipv6Words } from '../net/ipv6.ts'

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
      ['fec0::', 10, 'ipv6'],
      ['64:ff9b:1::', 48, 'ipv6'],
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
      ['2001::', 32, 'ipv6'],
      ['192.88.99.0', 24, 'ipv4'],
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
 * The IPv4 address an IPv6 one carries, where a translator or tunnel would deliver to it: NAT64
 * (64:ff9b::/96), 6to4 (2002::/16) and the old IPv4-compatible form (::/96). A federation member
 * naming 64:ff9b::a9fe:a9fe reaches 169.254.169.254 on a NAT64 network.
 */
function embeddedIpv4(address: string): string | undefined {
  const words = ipv6Words(address)
  if (!words) return undefined
  const ipv4 = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`
  const zero = (from: number, to: number) => words.slice(from, to).every((w) => w === 0)
  if (words[0] === 0x64 && words[1] === 0xff9b && zero(2, 6)) return ipv4(words[6] as number, words[7] as number)
  if (words[0] === 0x2002) return ipv4(words[1] as number, words[2] as number)
  if (zero(0, 6) && (words[6] !== 0 || (words[7] as number) > 1)) return ipv4(words[6] as number, words[7] as number)
  return undefined
}

/**
 * Why `address` (an IP address, as DNS answered it) is not a public one: `loopback`, `private`,
 * `link-local` or `reserved`; undefined for a public address. An IPv6 address carrying an IPv4
 * one (IPv4-mapped `::ffff:127.0.0.1`, NAT64, 6to4) is judged by that IPv4 address too.
 */
export function nonPublicKind(address: string): string | undefined {
  const version = isIP(address)
  if (version === 0) return 'not an IP address'
  const family = version === 4 ? 'ipv4' : 'ipv6'
  const own = LISTS.find(([, list]) => list.check(address, family))?.[0]
  if (own || version === 4) return own
  const carried = embeddedIpv4(address)
  return carried ? nonPublicKind(carried) : undefined
}
