/**
 * The example app's audit contract, as `npm start` runs it: AUDIT_DIR and AUDIT_KEY enable the
 * audit log, two instances share one folder with a chain each, and the folder verifies whole.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { verifyAuditLog } from '../../src/index.ts'
import { login } from '../fixtures/login.ts'
import { UserAgent } from '../fixtures/user-agent.ts'
// @ts-expect-error: a plain .mjs helper shared with the test runner
import { freePort } from '../../scripts/provision.mjs'

const root = new URL('../../', import.meta.url).pathname

async function exampleApp(env: Record<string, string>) {
  const port: number = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', 'example-app/server.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), BASE_URL: `http://127.0.0.1:${port}`, SPID_PROVIDERS: '', REDIS_URL: '', NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const started = await new Promise<boolean>((resolve) => {
    const onData = (chunk: Buffer) => {
      output += chunk
      if (/Example app: /.test(output)) resolve(true)
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.on('exit', () => resolve(false))
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  return {
    url: `http://127.0.0.1:${port}`,
    started,
    output: () => output,
    child,
    stop: () => {
      child.kill('SIGTERM')
      return exited
    },
  }
}

describe('example app audit log', () => {
  const running: ChildProcess[] = []
  after(() => {
    for (const child of running) child.kill('SIGKILL')
  })

  it('writes one chain per instance into a shared AUDIT_DIR, sealed at shutdown, and the folder verifies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'example-audit-'))
    const key = randomBytes(32)
    const apps = [await exampleApp({ AUDIT_DIR: dir, AUDIT_KEY: key.toString('hex') }), await exampleApp({ AUDIT_DIR: dir, AUDIT_KEY: key.toString('hex') })]
    running.push(...apps.map((a) => a.child))
    for (const app of apps) {
      assert.ok(app.started, app.output())
      assert.equal((await login(new UserAgent(), app.url, 'level=2')).status, 302)
    }
    for (const app of apps) await app.stop()
    const report = verifyAuditLog(dir, key)
    assert.deepEqual(report.problems, [])
    assert.equal(report.chains.length, 2)
    assert.ok(
      report.chains.every((c) => c.closed && c.events >= 5),
      JSON.stringify(report.chains),
    )
    assert.equal(report.events.filter((e) => e.event.type === 'login.succeeded').length, 2)
    assert.equal(readdirSync(dir).filter((n) => n.endsWith('.lock')).length, 0, 'locks released')
  })

  it('stops at start-up when AUDIT_DIR has no AUDIT_KEY', async () => {
    const app = await exampleApp({ AUDIT_DIR: mkdtempSync(join(tmpdir(), 'example-audit-')) })
    assert.equal(app.started, false)
    assert.match(app.output(), /AUDIT_DIR needs AUDIT_KEY: 32 bytes as 64 hex characters/)
  })
})
