/**
 * Session store cost, measured against a baseline in the same process (these machines are noisy):
 *  - a guarded read-only GET with sessions in Redis (encrypted) vs in memory;
 *  - decrypting + parsing a stored session vs parsing the same JSON;
 *  - bytes per session, plain and encrypted.
 * Run: npx tsx bench/session-store.ts   (uses REDIS_URL, else 127.0.0.1:6379)
 */
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { SessionCipher } from '../src/session/session-cipher.ts'
import { login } from '../test/fixtures/login.ts'
import { startStack, type Stack } from '../test/fixtures/stack.ts'
import { UserAgent } from '../test/fixtures/user-agent.ts'

const ROUNDS = 10
const PER_ROUND = 100
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

async function loggedIn(stack: Stack): Promise<UserAgent> {
  const ua = new UserAgent()
  const done = await login(ua, stack.appUrl, 'level=2')
  if (done.status !== 302) throw new Error(`login failed: ${done.status}`)
  return ua
}

async function timeGets(stack: Stack, ua: UserAgent, n: number): Promise<number[]> {
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    const start = performance.now()
    const hop = await ua.request(`${stack.appUrl}/level2`, { headers: { accept: 'application/json' } })
    times.push(performance.now() - start)
    if (hop.status !== 200) throw new Error(`guarded GET answered ${hop.status}`)
  }
  return times
}

const memory = await startStack()
const redis = await startStack({ app: { redisUrl } })
try {
  const uaMemory = await loggedIn(memory)
  const uaRedis = await loggedIn(redis)
  await timeGets(memory, uaMemory, 50)
  await timeGets(redis, uaRedis, 50)
  const memoryTimes: number[] = []
  const redisTimes: number[] = []
  // Interleaved rounds, so drift in machine load hits both sides alike.
  for (let round = 0; round < ROUNDS; round++) {
    memoryTimes.push(...(await timeGets(memory, uaMemory, PER_ROUND)))
    redisTimes.push(...(await timeGets(redis, uaRedis, PER_ROUND)))
  }

  const sample = JSON.stringify({
    cookie: { originalMaxAge: 28_800_000, expires: new Date().toISOString(), httpOnly: true, path: '/', sameSite: 'lax' },
    passport: { user: { sub: 'x'.repeat(43), issuer: 'https://op.example.it', fiscalNumber: 'LVLDAA85T50G702B', givenName: 'Ada', familyName: 'Lovelace', email: 'aabyron@hotmail.com', raw: {} } },
    spid: { issuer: 'https://op.example.it', accessToken: 'a'.repeat(900), refreshToken: 'r'.repeat(43), acr: 'https://www.spid.gov.it/SpidL2' },
  })
  const cipher = new SessionCipher([randomBytes(32)])
  const record = cipher.encrypt(sample)
  const N = 20_000
  let t = performance.now()
  for (let i = 0; i < N; i++) JSON.parse(sample)
  const parseOnly = (performance.now() - t) / N
  t = performance.now()
  for (let i = 0; i < N; i++) JSON.parse(cipher.decrypt(record) as string)
  const decryptParse = (performance.now() - t) / N

  const m = median(memoryTimes)
  const r = median(redisTimes)
  console.log(`guarded GET, median of ${memoryTimes.length}: memory ${m.toFixed(3)} ms, Redis+AES-GCM ${r.toFixed(3)} ms, ratio ${(r / m).toFixed(2)}`)
  console.log(`stored session read: JSON.parse ${(parseOnly * 1000).toFixed(1)} µs, decrypt+parse ${(decryptParse * 1000).toFixed(1)} µs, ratio ${(decryptParse / parseOnly).toFixed(2)}`)
  console.log(`bytes per session (bench sample with a 900-byte JWT access token): ${Buffer.byteLength(sample)} plain, ${Buffer.byteLength(record)} encrypted, ratio ${(Buffer.byteLength(record) / Buffer.byteLength(sample)).toFixed(2)}`)
} finally {
  await redis.app.sessions.close()
  await redis.close()
  await memory.close()
}
