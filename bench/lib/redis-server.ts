/** A redis-server of the benchmark's own on a free loopback port: never a Redis it did not start. */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from 'redis'
// @ts-expect-error: a plain .mjs helper shared with the test runner
import { ensureDebianPackage, freePort, redisAnswers } from '../../scripts/provision.mjs'

export type RedisInspector = ReturnType<typeof createClient>

export async function startOwnRedis(extraArgs: string[] = []) {
  if (!ensureDebianPackage('redis-server', 'redis-server')) throw new Error('redis-server is not installed (Debian package redis-server)')
  const port: number = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'spid-bench-redis-'))
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs], {
    stdio: 'ignore',
  })
  for (let i = 0; i < 100 && !(await redisAnswers('127.0.0.1', port, 200)); i++) await new Promise((r) => setTimeout(r, 50))
  const url = `redis://127.0.0.1:${port}`
  const client = createClient({ url })
  await client.connect()
  // MONITOR sees each command a client sends, and marks the ones a script runs inside as "lua":
  // counting the others counts round trips, whatever the scripts do inside. It slows Redis down,
  // so it runs only from the first count to stopCounting().
  const ownAddress = String((await client.sendCommand(['CLIENT', 'INFO'])) ?? '').match(/addr=(\S+)/)?.[1]
  let watcher: ReturnType<typeof client.duplicate> | undefined
  let seen: string[] = []
  const startCounting = async () => {
    watcher = client.duplicate()
    await watcher.connect()
    await watcher.monitor((line: string) => {
      const match = /^[\d.]+ \[\d+ ([^\]]+)\] "([^"]+)"/.exec(line)
      if (!match || match[1] === 'lua' || match[1] === ownAddress) return
      seen.push((match[2] as string).toLowerCase())
    })
  }
  const stopCounting = () => {
    watcher?.destroy()
    watcher = undefined
  }
  return {
    url,
    client,
    /** Commands the app sent since the last call (the first call starts counting), by name (a script is one `eval`), this inspector's own left out. */
    async commandsSince(): Promise<Record<string, number>> {
      if (!watcher) await startCounting()
      // MONITOR lines trail the commands a little.
      await client.ping()
      await new Promise((resolve) => setTimeout(resolve, 50))
      const counts: Record<string, number> = {}
      for (const name of seen) counts[name] = (counts[name] ?? 0) + 1
      seen = []
      return counts
    },
    stopCounting,
    async stop() {
      stopCounting()
      await client.quit().catch(() => {})
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0)
