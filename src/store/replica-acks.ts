import { UnavailableError } from '../errors/spid-error.ts'
import type { RedisCommands } from './redis-connection.ts'

/** How many replicas must hold a write before it counts, and how long to wait for them. */
export interface ReplicaAcks {
  replicas: number
  timeoutMs: number
}

type SendCommand = { sendCommand(...args: unknown[]): Promise<unknown> }
type ClusterClient = RedisCommands & SendCommand & { readonly masters: unknown }
/** A sentinel client lends one connection of its pool to `use`; its sendCommand takes `isReadonly` first. */
type SentinelClient = RedisCommands & { use<T>(fn: (client: RedisCommands & SendCommand) => Promise<T>): Promise<T> }

const isCluster = (client: RedisCommands): client is ClusterClient => 'masters' in client && 'sendCommand' in client
const isSentinel = (client: RedisCommands): client is SentinelClient => typeof (client as { use?: unknown }).use === 'function'

/** Whether a client given by the app reaches a deployment with replicas (a cluster or a sentinel set). */
export const hasReplicas = (client: RedisCommands): boolean => isCluster(client) || isSentinel(client)

/**
 * A write script that also answers how many replicas of its primary are in sync now (`online`; one
 * still loading its first copy could not take over anyway): `{ replicas, answer }`. The write must
 * not return a Lua nil (it would cut the array); false is fine.
 */
export function countingReplicas(script: string): string {
  return `local function write() ${script} end
local _, online = string.gsub(redis.call('info', 'replication'), 'state=online', '')
return { online, write() }`
}

/**
 * Runs `write` (a `countingReplicas` script), then `WAIT` on the same connection until `acks`
 * replicas hold it: Redis replicates asynchronously, and a write the primary took but no replica
 * holds is lost when a replica is promoted. Fewer replicas in sync than that is refused at once,
 * without waiting: a primary cut off from its replicas still takes writes, and a failover to one
 * of them would undo a logout reported done (the same holds after a failover left the new primary
 * alone: until a replica is back in sync, logouts and logins answer 503; `replicaAcks: 0` trades
 * that for the risk). Either way it is ERR_SPID_STORE_UNAVAILABLE naming what was not confirmed:
 * the caller must not report it done.
 *
 * WAIT counts the writes of the connection it is sent on: a cluster sends it to the node of `key`;
 * a sentinel client holds one connection of its pool for both.
 */
export async function writeConfirmed<T>(
  client: RedisCommands,
  key: string,
  acks: ReplicaAcks,
  what: string,
  write: (connection: RedisCommands) => Promise<unknown>,
  /** Whether this answer needs the replicas at all (a refused claim changed nothing). */
  changed: (answer: T) => boolean = () => true,
): Promise<T> {
  const confirm = async (connection: RedisCommands, send: (args: string[]) => Promise<unknown>): Promise<T> => {
    const [online, answer] = (await write(connection)) as [number, T]
    if (!changed(answer)) return answer
    const unconfirmed = (why: string) =>
      new UnavailableError(
        'ERR_SPID_STORE_UNAVAILABLE',
        `${what} not confirmed by a Redis replica (${why}): it could be lost if the primary fails now, so it is not reported done`,
      )
    if (Number(online) < acks.replicas) throw unconfirmed(`the primary has ${online} replicas in sync, replicaAcks asks ${acks.replicas}`)
    const confirmed = Number(await send(['WAIT', String(acks.replicas), String(acks.timeoutMs)]))
    if (confirmed < acks.replicas) throw unconfirmed(`${confirmed} of ${acks.replicas} within ${acks.timeoutMs} ms`)
    return answer
  }
  if (isCluster(client)) return confirm(client, (args) => client.sendCommand(key, false, args))
  if (isSentinel(client)) return client.use((connection) => confirm(connection, (args) => connection.sendCommand(false, args)))
  return confirm(client, (args) => (client as RedisCommands & SendCommand).sendCommand(args))
}
