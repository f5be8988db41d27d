/**
 * `npm start`: the example app on embedded defaults. With no SPID_PROVIDERS it starts the
 * bundled test OP too, so a login works with no external identity provider.
 *
 * Environment: PORT (3000), BASE_URL (http://localhost:$PORT), SPID_PROVIDERS (comma-separated
 * issuers), REDIS_URL (sessions in Redis), SESSION_SECRET.
 */
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { loadOrCreateDevKeys } from '../src/index.ts'
import { startTestOp } from '../src/test-op/index.ts'
import { createExampleApp } from './app.ts'

const port = Number(process.env.PORT ?? 3000)
const baseUrl = (process.env.BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, '')
const configured = (process.env.SPID_PROVIDERS ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean)

let providers = configured
let testOp: Awaited<ReturnType<typeof startTestOp>> | undefined
if (providers.length === 0) {
  testOp = await startTestOp({ port: Number(process.env.TEST_OP_PORT ?? 0) })
  providers = [testOp.issuer]
}

let sessionSecret = process.env.SESSION_SECRET
if (!sessionSecret) {
  sessionSecret = randomBytes(32).toString('base64url')
  console.warn('SESSION_SECRET is not set: using a random one, so sessions end when the app restarts.')
}

const keys = loadOrCreateDevKeys(fileURLToPath(new URL('../.dev-keys/', import.meta.url)))
const redisUrl = process.env.REDIS_URL
const { app, sessions } = createExampleApp({ baseUrl, providers, keys, sessionSecret, ...(redisUrl ? { redisUrl } : {}) })
const server = app.listen(port, () => {
  console.log(`Example app:  ${baseUrl}  (listening on port ${port})`)
  console.log(`Sessions:     ${redisUrl ? `Redis at ${new URL(redisUrl).host}` : 'in memory (set REDIS_URL for Redis)'}`)
  if (testOp) console.log(`Test SPID OP: ${testOp.issuer}  (users: Ada Lovelace, Lucrezia Borgia, SpidValidator AgID)`)
  else console.log(`OPs:          ${providers.join(', ')}`)
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    server.close()
    void sessions.close()
    void testOp?.close()
    process.exit(0)
  })
}
