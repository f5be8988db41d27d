/**
 * An audit disk that fails under real logins, with the sink built as the README shows (no
 * `onError`): the operator reads one line when the log stops being written and one when it writes
 * again, not silence and not one line per record; the records held in memory stay bounded and
 * the dropped are counted into the chain, which `audit verify` reports. The failure is real and
 * hits root too: the audit folder replaced by a file (ENOTDIR on every append).
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { JsonLinesAuditSink, verifyAuditLog, type AuditEvent } from '../../src/index.ts'
import { login } from '../fixtures/login.ts'
import { startStack, type Stack } from '../fixtures/stack.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

const root = new URL('../../', import.meta.url).pathname
const key = randomBytes(32)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const cli = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'audit', ...args, '--key', key.toString('hex')], { cwd: root }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  )

/** The folder turned into a file; returns the repair. */
function breakFolder(dir: string): () => void {
  renameSync(dir, `${dir}.aside`)
  writeFileSync(dir, 'not a folder')
  return () => {
    rmSync(dir)
    renameSync(`${dir}.aside`, dir)
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await sleep(25)
  assert.ok(condition(), `timed out waiting until ${what}`)
}

describe('audit outage under real logins', () => {
  const stacks: Stack[] = []
  after(async () => {
    for (const stack of stacks) await stack.close()
  })
  const lines = (stack: Stack, event: string) => stack.logger.lines.filter((l) => (l.obj as { event?: string }).event === event)

  it('logs one line when the log stops being written and one when it writes again, while logins go on (auditFailure: log)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-outage-'))
    const sink = new JsonLinesAuditSink({ dir, key, instanceId: 'rp-1' })
    const stack = await startStack({ app: { strategy: { audit: sink } } })
    stacks.push(stack)
    const repair = breakFolder(dir)
    try {
      for (let i = 0; i < 3; i++) assert.equal((await login(new UserAgent(), stack.appUrl, 'level=2')).status, 302)
      await until(() => !sink.healthy, 'the sink noticed')
      // Retried at 0.2 s and 1.2 s: more failed attempts, still one line.
      await sleep(1500)
      const down = lines(stack, 'audit.unavailable')
      assert.equal(down.length, 1, stack.logger.lines.map((l) => JSON.stringify(l)).join('\n'))
      assert.equal(down[0]?.level, 'error')
      assert.equal((down[0]?.obj as { reason?: string } | undefined)?.reason, 'write failed: ENOTDIR')
      assert.deepEqual(lines(stack, 'audit.write_failed'), [], 'nothing per record')
    } finally {
      repair()
    }
    await until(() => sink.healthy, 'the sink writes again')
    assert.equal(lines(stack, 'audit.recovered').length, 1)
    assert.equal(lines(stack, 'audit.unavailable').length, 1)
    await sink.flush()
    const report = verifyAuditLog(dir, key)
    assert.deepEqual([report.problems, report.warnings], [[], []])
    assert.equal(report.events.filter((e) => e.event.type === 'login.succeeded').length, 3, 'held in memory, then written')
  })

  it('holds at most maxBacklog records while the disk is down, and verify reports the dropped as a gap in the chain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-outage-'))
    const sink = new JsonLinesAuditSink({ dir, key, instanceId: 'rp-1', maxQueue: 2, maxBacklog: 4 })
    const stack = await startStack({ app: { strategy: { audit: sink } } })
    stacks.push(stack)
    const repair = breakFolder(dir)
    let most = 0
    try {
      for (let i = 0; i < 4; i++) {
        assert.equal((await login(new UserAgent(), stack.appUrl, 'level=2')).status, 302)
        most = Math.max(most, sink.waiting)
      }
    } finally {
      repair()
    }
    assert.ok(most <= 5, `at most maxBacklog (+1 count) held, saw ${most}`)
    await until(() => sink.healthy, 'the sink writes again')
    assert.equal(lines(stack, 'audit.unavailable').length, 1)
    assert.equal(lines(stack, 'audit.recovered').length, 1)
    await sink.flush()
    const report = verifyAuditLog(dir, key)
    assert.deepEqual(report.problems, [])
    const dropped = report.chains[0]?.dropped ?? 0
    assert.ok(dropped > 0)
    assert.equal(report.events.length, 4, 'what the backlog held was written')
    const verified = await cli('verify', dir)
    assert.equal(verified.code, 3, verified.stdout)
    assert.match(verified.stdout, new RegExp(`WARNING audit-rp-1-.*\\.jsonl:\\d+ \\[rp-1\\] record \\d+: ${dropped} event\\(s\\) dropped between `))
  })
})

describe('audit verify: a tail cut off', () => {
  it('exits 3 with a warning for a chain cut at its tail, 0 for a cleanly closed one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-tail-'))
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000)
    const sink = new JsonLinesAuditSink({ dir, key, instanceId: 'rp-1', now: () => twoDaysAgo })
    const event: AuditEvent = { type: 'login.succeeded', time: twoDaysAgo.toISOString(), client_id: 'https://rp', iss: 'https://op', outcome: 'ok' }
    for (let i = 0; i < 5; i++) await sink.write(event)
    await sink.close()
    const closed = await cli('verify', dir)
    assert.deepEqual([closed.code, closed.stdout.trim().split('\n').at(-1)], [0, '7 records, every chain intact'])

    const file = join(dir, readdirSync(dir).find((n) => n.endsWith('.jsonl')) as string)
    writeFileSync(file, `${readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(0, -3).join('\n')}\n`)
    const cut = await cli('verify', dir)
    assert.equal(cut.code, 3, cut.stdout)
    assert.match(cut.stdout, /WARNING .*\[rp-1\] the chain is not closed and its last record \(4, .*\) is older than 86400 s: records cut off its tail/)
    assert.equal((await cli('verify', dir, '--max-open-age', '3d')).code, 0)
  })
})
