/**
 * `npm run bench`: what the library costs, each figure a ratio against a baseline measured in the
 * same run (alternating rounds, warm-up first; absolute numbers are printed for information only).
 * It starts its own redis-server on a free port and the bundled test OP; the relying parties run
 * in child processes so their CPU time is their own.
 *
 *   npm run bench                 table
 *   npm run bench -- --json       the table, then one JSON object on the last line
 *   npm run bench -- --quick      a few seconds: keeps the bench working (the test suite runs it)
 *   npm run bench -- --growth     adds the guarded-request ratio with 10⁶ other sessions vs 10³
 */
import { performance } from 'node:perf_hooks'
import { generateDevKeys } from '../src/index.ts'
import { startTestOp } from '../src/test-op/index.ts'
import { login } from '../test/fixtures/login.ts'
import { UserAgent } from '../test/fixtures/user-agent.ts'
import { createBenchApp } from './lib/bench-app.ts'
import { measureFederation } from './lib/federation.ts'
import { measureGuardCpu } from './lib/guard-cpu.ts'
import { requestsPerSecond } from './lib/http-load.ts'
import { startOwnRedis, total } from './lib/redis-server.ts'
import { measureAuditCost } from './lib/audit-cost.ts'
import { startRpProcess, type RpProcess } from './lib/rp-process.ts'
import { SESSION_KEY } from './lib/bench-app.ts'
import { readStoredSession, repeatedValues, sessionIdFromCookie } from './lib/stored-session.ts'
import { alternate, median, medianRatio, round } from './lib/stats.ts'

const args = new Set(process.argv.slice(2))
const quick = args.has('--quick')
const plan = quick
  ? { guardRounds: 3, guardPerRound: 2_000, loginRounds: 2, loginsPerRound: 3, loadRounds: 2, loadSeconds: 0.5 }
  : { guardRounds: 15, guardPerRound: 20_000, loginRounds: 8, loginsPerRound: 12, loadRounds: 16, loadSeconds: 0.75 }
const COOKIE = 'spid.sid'
const say = (line: string) => console.error(`[bench] ${line}`)

const started = performance.now()
const redis = await startOwnRedis()
const op = await startTestOp()
const backChannel = { count: 0 }
// Requests the browser makes (authorization, login interaction) are front channel; the rest
// reaches the OP from a relying party.
op.server.on('request', (req) => {
  if (!/^\/(auth|interaction)(\/|\?|$)/.test(req.url ?? '')) backChannel.count++
})
const children: RpProcess[] = []
const cleanups: (() => Promise<unknown>)[] = [() => redis.stop(), () => op.close()]

try {
  const rp = (store: 'memory' | 'redis', attributes: 'minimal' | 'full', redisUrl = redis.url) =>
    startRpProcess({ opIssuer: op.issuer, keys: generateDevKeys(), attributes, ...(store === 'redis' ? { redisUrl } : {}) }).then((p) => {
      children.push(p)
      return p
    })
  const [rpMemory, rpRedis, rpRedisFull] = await Promise.all([rp('memory', 'minimal'), rp('redis', 'minimal'), rp('redis', 'full')])

  const loggedIn = async (target: RpProcess) => {
    const ua = new UserAgent()
    const done = await login(ua, target.url, 'level=2')
    if (done.status !== 302) throw new Error(`login at ${target.url} answered ${done.status}: ${done.body.slice(0, 200)}`)
    return { ua, cookie: `${COOKIE}=${ua.cookieNamed(COOKIE)}` }
  }

  say('guard cost in process')
  const inProcess = createBenchApp({ baseUrl: 'http://127.0.0.1:9', opIssuer: op.issuer, keys: generateDevKeys(), attributes: 'minimal' })
  const guard = await measureGuardCpu(inProcess.strategy, { rounds: plan.guardRounds, perRound: plan.guardPerRound })

  say('login CPU against the crypto floor')
  for (let i = 0; i < 3; i++) await loggedIn(rpMemory)
  await rpMemory.floorMicros(5)
  await rpMemory.httpFloorMicros(20)
  const loginWall: number[] = []
  const httpFloors: number[] = []
  let warmLogins = 0
  const backChannelBefore = backChannel.count
  const logins = await alternate(
    plan.loginRounds,
    async () => {
      httpFloors.push((await rpMemory.httpFloorMicros(plan.loginsPerRound)) / plan.loginsPerRound / 1000)
      return (await rpMemory.floorMicros(plan.loginsPerRound)) / plan.loginsPerRound / 1000
    },
    async () => {
      const cpuBefore = await rpMemory.cpuMicros()
      const t = performance.now()
      for (let i = 0; i < plan.loginsPerRound; i++) await loggedIn(rpMemory)
      loginWall.push((performance.now() - t) / plan.loginsPerRound)
      warmLogins += plan.loginsPerRound
      return ((await rpMemory.cpuMicros()) - cpuBefore) / plan.loginsPerRound / 1000
    },
  )
  const opRequestsPerWarmLogin = (backChannel.count - backChannelBefore) / warmLogins

  say('Redis commands and bytes')
  await loggedIn(rpRedis)
  await redis.commandsSince()
  const { ua, cookie: redisCookie } = await loggedIn(rpRedis)
  const perLogin = await redis.commandsSince()
  const guardedCount = 20
  for (let i = 0; i < guardedCount; i++) {
    const hop = await ua.request(`${rpRedis.url}/guarded`)
    if (hop.status !== 200) throw new Error(`guarded GET answered ${hop.status}`)
  }
  const perGuarded = await redis.commandsSince()
  redis.stopCounting()
  const minimal = await readStoredSession(redis.client, sessionIdFromCookie(ua.cookieNamed(COOKIE) as string), SESSION_KEY)
  const full = await loggedIn(rpRedisFull)
  const fullStored = await readStoredSession(redis.client, sessionIdFromCookie(full.ua.cookieNamed(COOKIE) as string), SESSION_KEY)
  const repeated = [...repeatedValues(minimal.content), ...repeatedValues(fullStored.content)]

  say('HTTP throughput, guarded vs plain (autocannon)')
  const { cookie: memoryCookie } = await loggedIn(rpMemory)
  const throughput = async (target: RpProcess, cookie: string) => {
    await requestsPerSecond(`${target.url}/plain`, cookie, plan.loadSeconds)
    await requestsPerSecond(`${target.url}/guarded`, cookie, plan.loadSeconds)
    return alternate(
      plan.loadRounds,
      () => requestsPerSecond(`${target.url}/plain`, cookie, plan.loadSeconds),
      () => requestsPerSecond(`${target.url}/guarded`, cookie, plan.loadSeconds),
    )
  }
  const loadMemory = await throughput(rpMemory, memoryCookie)
  const loadRedis = await throughput(rpRedis, redisCookie)

  say('federation: requests and resolution time')
  const federation = await measureFederation({ rounds: quick ? 2 : 8 })

  let growth: { ratio: number; few: number; many: number } | undefined
  if (args.has('--growth')) {
    say('guarded requests with 10^6 other sessions vs 10^3')
    const few = await startOwnRedis(['--enable-debug-command', 'yes'])
    const many = await startOwnRedis(['--enable-debug-command', 'yes'])
    cleanups.push(
      () => few.stop(),
      () => many.stop(),
    )
    await few.client.sendCommand(['DEBUG', 'POPULATE', '1000', 'spid:sess:other', String(minimal.bytes)])
    await many.client.sendCommand(['DEBUG', 'POPULATE', '1000000', 'spid:sess:other', String(minimal.bytes)])
    const [rpFew, rpMany] = await Promise.all([rp('redis', 'minimal', few.url), rp('redis', 'minimal', many.url)])
    const [a, b] = [await loggedIn(rpFew), await loggedIn(rpMany)]
    await requestsPerSecond(`${rpFew.url}/guarded`, a.cookie, plan.loadSeconds)
    await requestsPerSecond(`${rpMany.url}/guarded`, b.cookie, plan.loadSeconds)
    const series = await alternate(
      plan.loadRounds,
      () => requestsPerSecond(`${rpFew.url}/guarded`, a.cookie, plan.loadSeconds),
      () => requestsPerSecond(`${rpMany.url}/guarded`, b.cookie, plan.loadSeconds),
    )
    growth = { ratio: medianRatio(series), few: median(series.baseline), many: median(series.subject) }
  }

  const loginCpuMillis = median(logins.subject)
  const cryptoFloorMillis = median(logins.baseline)
  say('audit log cost per login')
  const audit = await measureAuditCost({ rounds: quick ? 2 : 8, loginsPerRound: quick ? 20 : 100 })

  const result = {
    guardCpuOverheadMicros: round(guard.overheadMicros, 3),
    guardRatioMemory: round(medianRatio(loadMemory), 3),
    guardRatioRedis: round(medianRatio(loadRedis), 3),
    redisCommandsPerGuardedRequest: total(perGuarded) / guardedCount,
    redisCommandsPerLogin: total(perLogin),
    sessionBytes: minimal.bytes,
    sessionBytesFull: fullStored.bytes,
    repeatedSessionValues: repeated.length,
    loginCpuMillis: round(loginCpuMillis, 3),
    cryptoFloorMillis: round(cryptoFloorMillis, 3),
    loginCpuVsCryptoFloor: round(medianRatio(logins), 2),
    httpFloorMillis: round(median(httpFloors), 3),
    loginCpuVsCryptoAndHttpFloor: round(median(logins.subject.map((cpu, i) => cpu / ((logins.baseline[i] as number) + (httpFloors[i] as number)))), 2),
    loginsPerSecond: round(1000 / median(loginWall), 1),
    opRequestsPerWarmLogin: round(opRequestsPerWarmLogin, 2),
    federationRequestsCold: federation.requestsCold,
    federationRequestsWarm: federation.requestsWarm,
    federationResolveMillis1: round(federation.resolveMillis1, 1),
    federationResolveMillis15: round(federation.resolveMillis15, 1),
    auditMicrosPerLogin: Math.round(audit.clearMicros),
    auditMicrosPerLoginEncrypted: Math.round(audit.encryptedMicros),
    ...(growth ? { guardRatioGrowth: round(growth.ratio, 3) } : {}),
    info: {
      auditRecordsPerLogin: audit.recordsPerLogin,
      quick,
      guardMicros: { plain: round(guard.plainMicros, 3), guarded: round(guard.guardedMicros, 3) },
      requestsPerSecond: {
        memory: { plain: Math.round(median(loadMemory.baseline)), guarded: Math.round(median(loadMemory.subject)) },
        redis: { plain: Math.round(median(loadRedis.baseline)), guarded: Math.round(median(loadRedis.subject)) },
        ...(growth ? { growth: { sessions1e3: Math.round(growth.few), sessions1e6: Math.round(growth.many) } } : {}),
      },
      redisCommands: { perLogin, perGuardedRequests: perGuarded, guardedRequests: guardedCount },
      sessionPlainBytes: { minimal: minimal.plainBytes, full: fullStored.plainBytes },
      repeatedSessionValues: repeated.map((r) => r.paths.join(' = ')),
      seconds: round((performance.now() - started) / 1000, 1),
    },
  }
  printTable(result)
  if (args.has('--json')) console.log(JSON.stringify(result))
} finally {
  await Promise.all(children.map((child) => child.close()))
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {})
}

function printTable(r: Record<string, unknown> & { info: Record<string, unknown> }) {
  const rows: [string, string, string][] = [
    ['guardCpuOverheadMicros', 'µs per guarded request, in process, over req.isAuthenticated()', '≤ 2'],
    ['guardRatioMemory', 'HTTP req/s guarded ÷ plain, memory store', '≥ 0.97'],
    ['guardRatioRedis', 'HTTP req/s guarded ÷ plain, Redis store', '≥ 0.97'],
    ['redisCommandsPerGuardedRequest', 'Redis commands per guarded GET', '= 1'],
    ['redisCommandsPerLogin', 'Redis commands per login (start + callback)', '≤ 6'],
    ['sessionBytes', 'stored session, minimal attributes (encrypted)', '≤ 1100'],
    ['sessionBytesFull', 'stored session, every attribute (encrypted)', ''],
    ['repeatedSessionValues', 'values stored twice in a session', '= 0'],
    ['loginCpuMillis', 'RP CPU ms per login', ''],
    ['cryptoFloorMillis', 'the same crypto alone with jose, ms', ''],
    ['loginCpuVsCryptoFloor', 'login CPU ÷ crypto floor', '≤ 1.5'],
    ['httpFloorMillis', 'bare node:http: the RP side of 2 requests in, 2 out, ms', ''],
    ['loginCpuVsCryptoAndHttpFloor', 'login CPU ÷ (crypto floor + HTTP floor)', ''],
    ['loginsPerSecond', 'sequential logins per second (driver, OP and RP on 2 cores)', ''],
    ['opRequestsPerWarmLogin', 'back-channel requests at the OP per warm login', '= 2'],
    ['federationRequestsCold', 'federation requests to trust one OP, cold (its configuration, the anchor’s, the statement)', ''],
    ['federationRequestsWarm', 'the same, with the chain cached (every warm login)', '= 0'],
    ['federationResolveMillis1', 'ms to resolve 1 OP’s chain, cold (test federation over loopback HTTP)', ''],
    ['federationResolveMillis15', 'ms to resolve 15 OPs’ chains, cold, in parallel', ''],
    ['auditMicrosPerLogin', 'CPU µs the audit log costs a login (its 5 records, MAC chain, file write, fsync)', ''],
    ['auditMicrosPerLoginEncrypted', 'the same with every record encrypted', ''],
    ['guardRatioGrowth', 'guarded req/s with 10⁶ other sessions ÷ with 10³', '≥ 0.97'],
  ]
  const shown = rows.filter(([key]) => key in r)
  const width = Math.max(...shown.map(([key]) => key.length))
  console.log(`${'figure'.padEnd(width)}  ${'value'.padStart(9)}  ${'target'.padEnd(7)}  meaning`)
  for (const [key, meaning, target] of shown) console.log(`${key.padEnd(width)}  ${String(r[key]).padStart(9)}  ${target.padEnd(7)}  ${meaning}`)
  console.log(`\nfor information: ${JSON.stringify(r.info)}`)
}
