/**
 * What the operator reads when Redis goes away and comes back (a real redis-server, stopped and
 * started again): one line when it is lost, one when it is back, not one per reconnection attempt.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { connectRedis } from '../../src/store/redis-connection.ts'
import { startPrivateRedis } from '../fixtures/redis.ts'
import { captureLogger } from '../fixtures/stack.ts'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const events = (logger: ReturnType<typeof captureLogger>, event: string) => logger.lines.filter((l) => (l.obj as { event?: string }).event === event)

describe('Redis outage log', () => {
  it('says once that Redis is lost, once that it is back, and again when it is lost a second time', async () => {
    const redis = await startPrivateRedis()
    const logger = captureLogger()
    const connection = connectRedis(redis.url, { timeout: 500, logger })
    try {
      await connection.ready(5000)
      for (const round of [1, 2]) {
        await redis.stop()
        // Noticed (a loaded machine may take a while), then several reconnection attempts (100 ms,
        // 200 ms, 400 ms, … of backoff) while it stays down.
        for (let i = 0; i < 100 && events(logger, 'session.redis_unreachable').length < round; i++) await sleep(100)
        await sleep(1500)
        const lost = events(logger, 'session.redis_unreachable')
        assert.equal(lost.length, round, `one line per outage, not per retry:\n${lost.map((l) => l.msg).join('\n')}`)
        assert.match(lost[round - 1]?.msg ?? '', new RegExp(`Redis at 127\\.0\\.0\\.1:${redis.port} lost \\(`))
        await redis.start()
        for (let i = 0; i < 100 && events(logger, 'session.redis_ready').filter((l) => l.level === 'warn').length < round; i++) await sleep(100)
        const back = events(logger, 'session.redis_ready').filter((l) => l.level === 'warn')
        assert.equal(back.length, round, 'one line when it is back')
        assert.equal(back[round - 1]?.msg, `Redis at 127.0.0.1:${redis.port} is reachable again`)
      }
    } finally {
      await connection.close()
      await redis.stop()
    }
  })
})
