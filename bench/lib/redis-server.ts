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
  return {
    url,
    client,
    /** Commands run since the last call, by name, leaving out the counting itself. */
    async commandsSince(): Promise<Record<string, number>> {
      const info = await client.info('commandstats')
      await client.configResetStat()
      const counts: Record<string, number> = {}
      for (const m of info.matchAll(/^cmdstat_([\w|]+):calls=(\d+)/gm)) {
        const name = m[1] as string
        if (name === 'info' || name.startsWith('config')) continue
        counts[name] = Number(m[2])
      }
      return counts
    },
    async stop() {
      await client.quit().catch(() => {})
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0)
