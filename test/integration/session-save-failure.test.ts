/**
 * Redis lost in the middle of a request: the answer is already decided when express-session
 * saves the session at its end, and that save fails. A real Redis server, stopped by the route.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import express from 'express'
import { createSpidSession } from '../../src/index.ts'
import { startPrivateRedis } from '../fixtures/redis.ts'
import { captureLogger, closeServer, listenLater } from '../fixtures/stack.ts'

describe('a session save that fails after the answer', () => {
  it('is logged once, without reaching Express’s final handler (a stack trace), and the answer stands', async () => {
    const redis = await startPrivateRedis()
    const logger = captureLogger()
    const sessions = createSpidSession({ secret: 'a-session-secret-long-enough', redis: redis.url, encryptionKey: randomBytes(32).toString('base64'), logger })
    await sessions.ready()
    const app = express()
    app.use(sessions.handler)
    app.get('/write', async (req, res) => {
      await redis.stop()
      ;(req.session as unknown as { note: string }).note = 'changed'
      res.send('ok')
    })
    const listening = await listenLater()
    listening.handle(app)
    const printed: unknown[] = []
    const consoleError = console.error
    console.error = (...args: unknown[]) => void printed.push(args)
    try {
      const answer = await fetch(`${listening.url}/write`)
      assert.equal(answer.status, 200)
      assert.equal(await answer.text(), 'ok')
      await new Promise((resolve) => setTimeout(resolve, 200))
      const failed = logger.lines.filter((l) => (l.obj as { event?: string }).event === 'session.save_failed')
      assert.equal(failed.length, 1, JSON.stringify(logger.lines))
      assert.match(String((failed[0]?.obj as { reason?: string } | undefined)?.reason), /session store failed to set/)
      assert.deepEqual(printed, [], 'nothing printed by Express')
    } finally {
      console.error = consoleError
      await closeServer(listening.server)
      await sessions.close()
      await redis.stop()
    }
  })
})
