// What the test suite needs from the machine, provisioned on demand so that `npm test` works on
// a fresh machine: a Redis server of the run's own (started here on a free port, with no
// persistence) and Debian's redis-server and chromium packages (installed with apt-get when
// missing and running as root).
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const log = (message) => console.log(`[provision] ${message}`)

export function which(command) {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

let aptUpdated = false
/** Installs Debian packages when their command is missing; says so when it cannot. */
export function ensureDebianPackage(command, pkg) {
  if (which(command)) return true
  if (process.getuid?.() !== 0) {
    log(`${command} is missing and this is not root: install the Debian package ${pkg} to run every test`)
    return false
  }
  log(`installing Debian package ${pkg}`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  if (!aptUpdated) {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
    aptUpdated = true
  }
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], { stdio: ['ignore', 'ignore', 'inherit'], env })
  return Boolean(which(command))
}

/** True when a Redis server answers PING at host:port. */
export function redisAnswers(host, port, timeout = 1000) {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port })
    const done = (ok) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeout, () => done(false))
    socket.on('error', () => done(false))
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (data) => done(data.toString().startsWith('+PONG')))
  })
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

/** Starts redis-server on a free loopback port, without persistence. Resolves with its URL and a stop(). */
export async function startRedisServer() {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'spid-redis-'))
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' })
  for (let i = 0; i < 100 && !(await redisAnswers('127.0.0.1', port, 200)); i++) await new Promise((r) => setTimeout(r, 50))
  if (!(await redisAnswers('127.0.0.1', port))) throw new Error('redis-server did not start')
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') }
}

/**
 * Provisions what the tests need and returns the environment to run them with, plus a cleanup.
 * The tests get a Redis server of their own, started here on a free port and stopped after the
 * run (SPID_TEST_REDIS_URL): never one they did not start, which may hold someone's data.
 */
export async function provisionForTests(needs = new Set(['redis', 'chromium'])) {
  const env = {}
  const cleanups = []
  if (needs.has('redis')) {
    if (!ensureDebianPackage('redis-server', 'redis-server')) throw new Error('the tests need redis-server (Debian package redis-server)')
    // redis-cli sets up the Cluster and drives the Sentinel failover of the multi-instance tests.
    if (!ensureDebianPackage('redis-cli', 'redis-tools')) throw new Error('the tests need redis-cli (Debian package redis-tools)')
    const redis = await startRedisServer()
    env.SPID_TEST_REDIS_URL = redis.url
    cleanups.push(redis.stop)
    log(`started a Redis server for this run at ${redis.url}`)
  }
  if (needs.has('chromium') && !existsSync('/usr/bin/chromium')) ensureDebianPackage('chromium', 'chromium')
  return {
    env,
    cleanup: () => {
      for (const stop of cleanups) stop()
    },
  }
}
