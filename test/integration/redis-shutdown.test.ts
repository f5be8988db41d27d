/**
 * Closing the sessions while Redis hangs (a real redis-server frozen with SIGSTOP: the connection
 * stays open and nothing is answered) ends within a couple of seconds and leaves no connection
 * open. node-redis's close() alone waits for the reply to the command in flight forever, and its
 * open socket kept test processes alive past the file timeout, with the blame on the last test.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createSpidSession, type SpidSession } from '../../src/index.ts'
import { silentLogger } from '../../src/log/logger.ts'
import { startPrivateRedis } from '../fixtures/redis.ts'

const KEY = Buffer.alloc(32, 7).toString('base64')

describe('closing the sessions while Redis hangs', () => {
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>
  let sessions: SpidSession
  before(async () => {
    redis = await startPrivateRedis()
    sessions = createSpidSession({
      secret: 'a secret of twenty characters',
      redis: redis.url,
      encryptionKey: KEY,
      clientId: 'http://localhost:3000',
      logger: silentLogger,
    })
    await sessions.ready()
  })
  after(async () => {
    redis.thaw()
    await redis.stop()
  })

  const openSocketsTo = (port: number) =>
    (process as unknown as { _getActiveHandles(): { remotePort?: number; destroyed?: boolean }[] })
      ._getActiveHandles()
      .filter((h) => h.remotePort === port && !h.destroyed).length

  it('ends within the grace period, with a read still in flight, and leaves no socket open', async () => {
    assert.ok(openSocketsTo(redis.port) > 0, 'connected before the freeze')
    redis.freeze()
    // A session read sent to the frozen server: the store answers the request with its timeout, the command stays in flight.
    const read = new Promise((resolve) => sessions.store.get('a-session-id', (error) => resolve(error)))
    assert.ok(await read, 'the read fails (store timeout) instead of hanging')
    const started = Date.now()
    let timer: NodeJS.Timeout | undefined
    const late = new Promise((resolve) => {
      timer = setTimeout(() => resolve('still closing after 10 s'), 10_000)
    })
    const closed = await Promise.race([sessions.close().then(() => 'closed'), late]).finally(() => clearTimeout(timer))
    assert.equal(closed, 'closed')
    assert.ok(Date.now() - started < 10_000)
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.equal(openSocketsTo(redis.port), 0, 'no connection to Redis is left open')
  })
})
