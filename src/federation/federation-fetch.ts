import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { isIP, type LookupFunction } from 'node:net'
import { FederationError } from '../errors/spid-error.ts'
import { createOpFetch, type OpFetch, type OpFetchLimits } from '../protocol/op-fetch.ts'
import { nonPublicKind } from './public-address.ts'
import { quoted } from './resolution-budget.ts'

export interface FederationFetchOptions extends Omit<OpFetchLimits, 'lookup'> {
  /**
   * Origins the configuration names (trust anchors, OPs, the RP's superiors) or an anchor lists
   * as its OPs: requested as they are, http on loopback included where the options allow it.
   */
  isNamed(origin: string): boolean
}

/**
 * The HTTP client for trust-chain resolution. Federation members name the URLs it requests
 * (`authority_hints`, `federation_fetch_endpoint`) before any anchor has vouched for them, so
 * outside the origins the configuration names, a request goes only to https on the default port
 * of a host whose every address is public. The address is checked after DNS resolution, in the
 * connection's own lookup: the connection goes to the address checked, so a name that resolves
 * to a public address once and to an internal one next (DNS rebinding) gains nothing.
 */
export function createFederationFetch(options: FederationFetchOptions): OpFetch {
  const limits = { timeout: options.timeout, maxBytes: options.maxBytes }
  const named = createOpFetch(limits)
  const guarded = createOpFetch({ ...limits, lookup: publicOnlyLookup() })
  return async (url, init) => {
    const target = new URL(url)
    if (options.isNamed(target.origin)) return named(url, init)
    const why = refusedTarget(target)
    if (why) throw refused(url, why)
    return guarded(url, init)
  }
}

/** Why a URL no configuration names may not be requested, before any connection. */
function refusedTarget(url: URL): string | undefined {
  if (url.protocol !== 'https:') return `it is ${url.protocol.replace(/:$/, '')}, not https`
  if (url.port !== '') return `it names port ${url.port}, not the https default`
  if (url.username || url.password) return 'it carries credentials'
  const host = url.hostname.replace(/^\[|\]$/g, '')
  // An address written in the URL is never looked up: it is checked here.
  if (isIP(host)) {
    const kind = nonPublicKind(host)
    if (kind) return `${host} is a ${kind} address`
  }
  return undefined
}

type Resolve = (hostname: string, options: { all: true }, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void

/**
 * A connection's lookup: dns.lookup (or `resolve`), failing when any address of the name is not
 * public (a name with one internal address is not trusted for the others).
 */
export function publicOnlyLookup(resolve: Resolve = dnsLookup): LookupFunction {
  return (hostname, options, callback) =>
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0)
      const internal = addresses.map((a) => [a.address, nonPublicKind(a.address)] as const).find(([, kind]) => kind)
      if (internal) {
        return callback(refused(`https://${hostname}`, `${hostname} resolves to ${internal[0]}, a ${internal[1]} address`) as NodeJS.ErrnoException, '', 0)
      }
      if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0)
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses)
      const first = addresses[0] as LookupAddress
      callback(null, first.address, first.family)
    })
}

function refused(url: string, why: string): FederationError {
  return new FederationError(
    'ERR_SPID_TRUST_CHAIN_INVALID',
    `federation request to ${quoted(url)} refused: ${why} (outside the configured trust anchors and OPs, only https on the default port to public addresses)`,
  )
}
