/**
 * Two audit writers of one chain in two PID namespaces, as two containers sharing a volume run
 * them (each sees the other's PID as dead): the second is refused while the first lives, and the
 * chain verifies clean. The second runs under `unshare --pid --fork --mount-proc` (util-linux; the
 * tests run as root) in a PID namespace of its own.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { JsonLinesAuditSink, verifyAuditLog, type AuditEvent } from '../../src/index.ts'

const root = new URL('../../', import.meta.url).pathname
const key = randomBytes(32)
const event = (sub: string): AuditEvent => ({
  type: 'login.succeeded',
  time: new Date().toISOString(),
  client_id: 'https://rp',
  iss: 'https://op',
  sub,
  outcome: 'ok',
})

/** The fixture writer, in a new PID namespace: its exit code and what it printed. */
function writerInOtherNamespace(dir: string, instance: string, events: number): Promise<{ code: number; stdout: string }> {
  const args = [
    '--pid',
    '--fork',
    '--mount-proc',
    process.execPath,
    '--import',
    'tsx',
    'test/fixtures/audit-writer.ts',
    dir,
    key.toString('hex'),
    instance,
    String(events),
  ]
  return promisify(execFile)('unshare', args, { cwd: root, timeout: 20_000 }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  )
}

describe('audit writer lock across PID namespaces', () => {
  it('refuses a second writer in another PID namespace while the first lives, and the chain verifies clean', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-lock-'))
    const first = new JsonLinesAuditSink({ dir, key, instanceId: 'shared' })
    // The first writer keeps writing while the second tries, as a live instance does.
    let writing = true
    const writes: Promise<void>[] = []
    const ticker = (async () => {
      for (let i = 0; writing; i++) {
        writes.push(first.write(event(`first-${i}`)))
        await new Promise((r) => setTimeout(r, 20))
      }
    })()
    const second = await writerInOtherNamespace(dir, 'shared', 50)
    writing = false
    await ticker
    await Promise.all(writes)
    await first.close()

    assert.equal(second.code, 3, second.stdout)
    assert.match(second.stdout, /^refused: audit chain shared in .* is being written by process \d+ on host .*: give each instance its own instanceId/)
    const report = verifyAuditLog(dir, key)
    assert.deepEqual([report.problems, report.warnings], [[], []])
    assert.equal(report.events.length, writes.length)
    assert.ok(report.events.every((e) => e.event.sub?.startsWith('first-')))

    // Closed, the lock is released: the next writer (another container) carries the chain on.
    const next = await writerInOtherNamespace(dir, 'shared', 5)
    assert.deepEqual([next.code, next.stdout.trim()], [0, 'written'])
    const after = verifyAuditLog(dir, key)
    assert.deepEqual([after.problems, after.warnings], [[], []])
    assert.equal(after.events.length, writes.length + 5)
  })

  it('takes over the lock of a writer from another PID namespace only once its heartbeat is stale', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'audit-lock-'))
    // A writer in another namespace that dies without closing: SIGKILL leaves its lock behind.
    const dead = execFile('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child=SIGKILL', process.execPath, '--import', 'tsx', '-e', holdForever(dir)], {
      cwd: root,
    })
    const lock = join(dir, 'audit-held.lock')
    await waitFor(() => existsSyncSafe(lock), 'the other writer took the lock')
    dead.kill('SIGKILL')
    await new Promise((r) => dead.once('exit', r))
    // Its PID (1 in its own namespace) says nothing here: only the lock's age does.
    assert.throws(() => new JsonLinesAuditSink({ dir, key, instanceId: 'held', lockStaleMs: 1500 }), /is being written by process 1 on host/)
    await new Promise((r) => setTimeout(r, 1700))
    const taker = new JsonLinesAuditSink({ dir, key, instanceId: 'held', lockStaleMs: 1500 })
    await taker.write(event('taker'))
    await taker.close()
    assert.deepEqual(verifyAuditLog(dir, key).problems, [])
  })
})

function holdForever(dir: string): string {
  return `import('${root}src/index.ts').then(({ JsonLinesAuditSink }) => { new JsonLinesAuditSink({ dir: ${JSON.stringify(dir)}, key: Buffer.from('${key.toString('hex')}', 'hex'), instanceId: 'held' }); setInterval(() => {}, 1000) })`
}

function existsSyncSafe(path: string): boolean {
  try {
    return statSync(path).size > 0
  } catch {
    return false
  }
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 50))
  assert.ok(condition(), `timed out waiting until ${what}`)
}
