/**
 * The audit trail of the example app's real logins, as an administration runs it: a burst of
 * logins queued with back-pressure, logins refused while the sink cannot write (the fail-closed
 * policy) and accepted again after, bots at the callback aggregated, and an extract for the
 * auditor that round-trips through the CLI.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { JsonLinesAuditSink, exportAuditLog, verifyAuditLog } from '../../src/index.ts'
import { login } from '../fixtures/login.ts'
import { startStack, type Stack } from '../fixtures/stack.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

const root = new URL('../../', import.meta.url).pathname
const JSON_ACCEPT = { accept: 'application/json' }

describe('audit trail of real logins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-trail-'))
  const key = randomBytes(32)
  let sink: JsonLinesAuditSink
  let stack: Stack
  const events = () => verifyAuditLog(dir, key).events.map((e) => e.event)
  const cli = (...args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'audit', ...args, '--key', key.toString('hex')], { cwd: root }).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    )

  before(async () => {
    sink = new JsonLinesAuditSink({ dir, key, instanceId: 'rp-1', maxQueue: 10 })
    stack = await startStack({ app: { strategy: { audit: sink, auditFailure: 'refuse-logins' } } })
  })
  after(async () => {
    await sink.close()
    await stack.close()
  })

  it('queues a burst of 100 logins with back-pressure, records every one, and the chain verifies', async () => {
    const answers = await Promise.all(Array.from({ length: 100 }, () => login(new UserAgent(), stack.appUrl, 'level=2')))
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([302]))
    await sink.flush()
    assert.ok(sink.maxQueued <= 10, `queue held at most 10, saw ${sink.maxQueued}`)
    const report = verifyAuditLog(dir, key)
    assert.deepEqual(report.problems, [])
    assert.equal(report.events.filter((e) => e.event.type === 'login.succeeded').length, 100)
  })

  it('refuses logins while the audit log cannot be written (refuse-logins), and takes them again once it can', async () => {
    const file = join(dir, readdirSync(dir).find((n) => n.endsWith('.jsonl')) as string)
    renameSync(file, `${file}.aside`)
    mkdirSync(file)
    try {
      // This login is checked before its records fail to be written: it goes on. (A login start
      // alone may write nothing: past 10 a minute, anonymous starts are only counted.)
      assert.equal((await login(new UserAgent(), stack.appUrl, 'level=2')).status, 302)
      for (let i = 0; i < 100 && sink.healthy; i++) await new Promise((r) => setTimeout(r, 10))
      assert.equal(sink.healthy, false)
      const refused = await new UserAgent().request(`${stack.appUrl}/auth/spid?level=2`, { headers: JSON_ACCEPT })
      assert.equal(refused.status, 503)
      assert.equal(JSON.parse(refused.body).code, 'ERR_SPID_AUDIT_UNAVAILABLE')
      assert.equal(refused.headers.get('set-cookie'), null, 'no session for a refused login')
    } finally {
      rmSync(file, { recursive: true })
      renameSync(`${file}.aside`, file)
    }
    for (let i = 0; i < 200 && !sink.healthy; i++) await new Promise((r) => setTimeout(r, 25))
    assert.equal(sink.healthy, true)
    assert.equal((await login(new UserAgent(), stack.appUrl, 'level=2')).status, 302)
    await sink.flush()
    assert.deepEqual(verifyAuditLog(dir, key).problems, [], 'the records held back during the failure are in the chain')
  })

  it('records at most 10 failures a minute for callbacks that carry no login', async () => {
    const before = events().filter((e) => e.type === 'login.failed' && e.iss === '').length
    for (let i = 0; i < 30; i++) await new UserAgent().request(`${stack.appUrl}/auth/spid/callback?state=bot${i}&code=x`, { headers: JSON_ACCEPT })
    await sink.flush()
    assert.equal(events().filter((e) => e.type === 'login.failed' && e.iss === '').length - before, 10)
  })

  it('exports a verified, decrypted extract of one person for the auditor, the same through the CLI', async () => {
    const ua = new UserAgent()
    await login(ua, stack.appUrl, 'level=2', { user: 'lucrezia' })
    await sink.flush()
    const sub = events()
      .filter((e) => e.type === 'login.succeeded')
      .at(-1)?.sub as string
    const today = new Date().toISOString().slice(0, 10)
    const extract = exportAuditLog(dir, key, { from: today, to: today, sub })
    assert.equal(extract.integrity.ok, true)
    assert.ok(extract.records.length >= 3)
    assert.ok(extract.records.every((r) => r.event.sub === sub))
    assert.ok(extract.records.some((r) => r.event.type === 'login.succeeded'))
    const viaCli = await cli('export', dir, '--from', today, '--to', today, '--sub', sub)
    assert.equal(viaCli.code, 0)
    const printed = JSON.parse(viaCli.stdout)
    assert.deepEqual(
      printed.records.map((r: { seq: number; mac: string }) => [r.seq, r.mac]),
      extract.records.map((r) => [r.seq, r.mac]),
    )
    const verified = await cli('verify', dir, '--json')
    assert.equal(verified.code, 0)
    assert.equal(JSON.parse(verified.stdout).ok, true)
  })
})
