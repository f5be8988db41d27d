import { createClient, createCluster, createSentinel } from 'redis'
import { UnavailableError } from '../errors/spid-error.ts'
import type { Logger } from '../log/logger.ts'

/**
 * The Redis commands this package uses. node-redis's client, cluster and sentinel clients all
 * have them; on a cluster every call names keys of one slot (the `{…}` hash tags of our keys).
 */
export interface RedisCommands {
  get(key: string): Promise<unknown>
  set(key: string, value: string, options?: object): Promise<unknown>
  del(keys: string | string[]): Promise<unknown>
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>
}

/** A connection this package opened, with what it needs to close it. */
export interface RedisConnection {
  readonly client: RedisCommands
  /**
   * For writes that wait for replicas (WAIT): WAIT blocks the connection it is sent on, so on a
   * Cluster or Sentinel they have a client of their own, and a slow replica holds up none of the
   * session reads.
   */
  readonly durable: RedisCommands
  readonly kind: 'single' | 'cluster' | 'sentinel'
  /** What it connects to, for a log line: `Redis cluster at h1:p1,h2:p2` (never a password). */
  readonly description: string
  /** Resolves once connected; rejects with ERR_SPID_STORE_UNAVAILABLE when not connected within `within` ms. */
  ready(within: number): Promise<void>
  close(): Promise<void>
}

/** What a `redis` URL names: `redis[s]://host:port`, `redis+cluster://h1:p1,h2:p2`, `redis+sentinel://h1:p1,h2:p2/<primary name>`. */
export function parseRedisUrl(url: string): { kind: RedisConnection['kind']; nodes: { host: string; port: number }[]; name?: string; password?: string } {
  const match = /^redis\+(cluster|sentinel):\/\/(?:(?:[^:@/]*):([^@/]*)@)?([^/?#]+)(?:\/([^/?#]*))?$/.exec(url)
  if (!match) return { kind: 'single', nodes: [] }
  const [, kind, password, hosts, name] = match as unknown as [string, 'cluster' | 'sentinel', string | undefined, string, string | undefined]
  const nodes = hosts.split(',').map((hostPort) => {
    const at = hostPort.lastIndexOf(':')
    return { host: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1)) }
  })
  return { kind, nodes, ...(name ? { name: decodeURIComponent(name) } : {}), ...(password ? { password: decodeURIComponent(password) } : {}) }
}

/** Problems with a `redis` URL, in words; empty when it can be used. */
export function checkRedisUrl(url: string): string | undefined {
  if (/^rediss?:\/\//.test(url)) return undefined
  if (!/^redis\+(cluster|sentinel):\/\//.test(url))
    return 'must be redis://, rediss://, redis+cluster://host:port,… or redis+sentinel://host:port,…/<primary name>'
  const parsed = parseRedisUrl(url)
  if (parsed.nodes.length === 0 || parsed.nodes.some((n) => !n.host || !Number.isInteger(n.port) || n.port <= 0)) return 'lists no valid host:port'
  if (parsed.kind === 'sentinel' && !parsed.name) return 'a sentinel URL ends with /<primary name> (e.g. /mymaster)'
  return undefined
}

/** While Redis stays unreachable, how often the outage is logged again. */
const OUTAGE_REMINDER_MS = 60_000
/** While a cluster node fails, how often the slot map is read again from a node that answers. */
const REDISCOVER_EVERY_MS = 1000

/**
 * Opens the connection a URL names. While disconnected, commands fail at once rather than queue
 * (a queued request would hang, not 503), each answers within `timeout` ms, and the client
 * reconnects by itself with backoff; a cluster follows slot moves, a sentinel client failovers.
 */
export function connectRedis(url: string, { timeout, logger }: { timeout: number; logger: Logger }): RedisConnection {
  const socket = { connectTimeout: timeout, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5000) }
  const clientOptions = { disableOfflineQueue: true, commandOptions: { timeout }, socket }
  const parsed = parseRedisUrl(url)
  type Client = ClosableClient & { connect(): Promise<unknown>; on(event: string, listener: (...args: unknown[]) => void): unknown }
  const open = (): Client => {
    if (parsed.kind === 'cluster') {
      const cluster = createCluster({
        rootNodes: parsed.nodes.map((n) => ({ socket: { host: n.host, port: n.port } })),
        defaults: { ...clientOptions, ...(parsed.password ? { password: parsed.password } : {}) },
      }) as unknown as Client
      followFailovers(cluster as unknown as ClusterWithSlots)
      return cluster
    }
    if (parsed.kind === 'sentinel') {
      return createSentinel({
        name: parsed.name as string,
        sentinelRootNodes: parsed.nodes,
        nodeClientOptions: { ...clientOptions, ...(parsed.password ? { password: parsed.password } : {}) },
        sentinelClientOptions: { socket },
      }) as unknown as Client
    }
    return createClient({ url, ...clientOptions }) as unknown as Client
  }
  const client = open()
  // One line when Redis cannot be reached (or is lost), then at most one a minute while it stays
  // so, and one when it is back: not one per retry. A cluster client announces a node back with
  // other events than a single client, and a sentinel client with none: for it the minute's
  // reminder is what says the outage goes on.
  const where = parsed.kind === 'single' ? new URL(url).host : parsed.nodes.map((n) => `${n.host}:${n.port}`).join(',')
  let state: 'connecting' | 'up' | 'down' = 'connecting'
  let lastOutageLine = 0
  client.on('error', (error: unknown) => {
    const now = Date.now()
    if (state === 'down' && now - lastOutageLine < OUTAGE_REMINDER_MS) return
    const reason = error instanceof Error ? error.message || error.name : String(error)
    const message =
      state === 'connecting'
        ? `Redis at ${where} is unreachable (${reason}): requests needing a session answer 503 until it is; retrying in the background`
        : state === 'up'
          ? `Redis at ${where} lost (${reason}): requests needing a session answer 503 until it is back; reconnecting`
          : `Redis at ${where} is still unreachable (${reason}); reconnecting`
    logger.error({ event: 'session.redis_unreachable', redis: where, reason }, message)
    state = 'down'
    lastOutageLine = now
  })
  const back = () => {
    if (state === 'down') logger.warn({ event: 'session.redis_ready', redis: where }, `Redis at ${where} is reachable again`)
    else if (state === 'connecting') logger.info({ event: 'session.redis_ready', redis: where, kind: parsed.kind }, 'Redis connected')
    state = 'up'
  }
  // "ready" is after the handshake; a single client's "connect" is only the TCP connection, which
  // a dying server may still accept. A cluster says "connect" once it has read the slots.
  for (const event of parsed.kind === 'cluster' ? ['connect', 'node-ready'] : ['ready']) client.on(event, back)
  const durable = parsed.kind === 'single' ? client : open()
  // The main client says when Redis is lost or back; the durable one would only repeat it.
  if (durable !== client) durable.on('error', () => undefined)
  let connected = false
  const connecting = Promise.all([client.connect(), durable !== client ? durable.connect() : undefined]).then(() => {
    connected = true
  })
  connecting.catch(() => undefined)
  return {
    client,
    durable,
    kind: parsed.kind,
    description: `Redis${parsed.kind === 'single' ? '' : ` ${parsed.kind}`} at ${where}`,
    ready: (within) => {
      if (connected) return Promise.resolve()
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new UnavailableError('ERR_SPID_STORE_UNAVAILABLE', `Redis at ${where} cannot be reached (waited ${within} ms)`)),
          within,
        )
      })
      const failed = connecting.catch((error: unknown) => {
        throw new UnavailableError(
          'ERR_SPID_STORE_UNAVAILABLE',
          `Redis at ${where} cannot be reached: ${error instanceof Error ? error.message : String(error)}`,
          {
            cause: error,
          },
        )
      })
      return Promise.race([failed, late]).finally(() => clearTimeout(timer))
    },
    close: async () => {
      await Promise.all([client, durable].map((c) => shutDown(c, CLOSE_GRACE_MS)))
    },
  }
}

/** How long closing waits for Redis to answer what is in flight before dropping the connections. */
const CLOSE_GRACE_MS = 1_000

type ClosableClient = RedisCommands & { close(): Promise<unknown>; destroy(): void; ping?(): Promise<unknown> }

/**
 * Closes a client without hanging on a Redis that no longer answers. node-redis's close() waits
 * for the reply to every command in flight, and a frozen or cut-off Redis (the TCP connection
 * still open) never sends it: close() would never end, and its open socket would keep the process
 * alive (a shutdown that never finishes; test processes that outlived their timeout). Redis answers
 * in order, so a PING answered now means nothing earlier is still waiting, and close() ends at
 * once; no answer within the grace period means nothing will come, and the connection is dropped
 * (destroy() rejects what was in flight).
 */
async function shutDown(client: ClosableClient, graceMs: number): Promise<void> {
  const answered = client.ping ? await settlesWithin(client.ping(), graceMs) : true
  if (answered && (await settlesWithin(client.close(), graceMs))) return
  try {
    client.destroy()
  } catch {
    // Already closed by close(): nothing more to release.
  }
}

/** True when the promise settles (either way) within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  return Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    late,
  ]).finally(() => clearTimeout(timer))
}

/** The part of node-redis's cluster client that reads the slot map again (public in its types). */
interface ClusterWithSlots {
  on(event: 'node-error', listener: () => void): unknown
  readonly masters: readonly { client?: { isReady: boolean } }[]
  readonly _slots: { rediscover(startWith: unknown): Promise<void> }
}

/**
 * node-redis reads the slot map again only on a MOVED or ASK answer. A primary that dies answers
 * nothing: the client keeps its slots on the dead node and says "The client is offline" for them
 * for good, though a replica took over seconds later. So while a node fails, the map is read again
 * (at most once a second) from a primary that answers; once the replica is promoted the dead node
 * drops out of the map and its client is closed.
 */
function followFailovers(cluster: ClusterWithSlots): void {
  let last = 0
  cluster.on('node-error', () => {
    const now = Date.now()
    if (now - last < REDISCOVER_EVERY_MS) return
    last = now
    const live = cluster.masters.find((node) => node.client?.isReady)?.client
    // With no live primary there is nothing to ask: the root nodes are tried once one answers.
    if (live) cluster._slots.rediscover(live).catch(() => undefined)
  })
}
