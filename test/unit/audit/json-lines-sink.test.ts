/**
 * The audit log as a tamperer and a crash would try it, on real files: every way of changing a
 * record, the chain or the folder is found and named; two instances share a folder; a torn line
 * is sealed; writes are queued with back-pressure and retried after a failure.
 */
import assert from 'node:assert/strict'
import { createHmac, randomBytes } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { JsonLinesAuditSink, verifyAuditLog, type AuditEvent } from '../../../src/index.ts'
import { FailureAggregator } from '../../../src/audit/failure-aggregator.ts'

const key = randomBytes(32)
const event = (n: number): AuditEvent => ({
  type: 'login.succeeded',
  time: new Date(Date.UTC(2026, 10, 23, 10, 0, n)).toISOString(),
  client_id: 'https://rp',
  iss: 'https://op',
  sub: `s${n}`,
  outcome: 'ok',
})
const fresh = () => mkdtempSync(join(tmpdir(), 'audit-'))
const day = (iso: string) => () => new Date(iso)
const fileOf = (dir: string, inst = 'a') => join(dir, readdirSync(dir).find((n) => n.startsWith(`audit-${inst}-`) && n.endsWith('.jsonl')) as string)
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean)
const problems = (dir: string, options = {}) => verifyAuditLog(dir, key, options).problems.map((p) => `${p.instance}#${p.seq ?? '-'}: ${p.problem}`)

async function writeChain(dir: string, { inst = 'a', n = 5, encrypt = true, now = day('2026-11-23T10:00:00Z') } = {}) {
  const sink = new JsonLinesAuditSink({ dir, key, instanceId: inst, encrypt, now })
  for (let i = 1; i <= n; i++) void sink.write(event(i))
  await sink.flush()
  return sink
}

describe('audit log: keyed chain', () => {
  it('verifies whole, with every event decrypted, and reports each chain head', async () => {
    const dir = fresh()
    await (await writeChain(dir)).close()
    const report = verifyAuditLog(dir, key)
    assert.deepEqual(report.problems, [])
    assert.deepEqual(
      report.events.map((e) => e.event.sub),
      ['s1', 's2', 's3', 's4', 's5'],
    )
    const [chain] = report.chains
    assert.deepEqual([chain?.instance, chain?.records, chain?.events, chain?.closed, chain?.head.seq], ['a', 7, 5, true, 7])
    assert.ok(!readFileSync(fileOf(dir), 'utf8').includes('"sub":"s3"'), 'events are encrypted on disk')
  })

  it('needs the key: another key verifies nothing', async () => {
    const dir = fresh()
    await writeChain(dir)
    assert.match(verifyAuditLog(dir, randomBytes(32)).problems[0]?.problem ?? '', /unknown audit key/)
  })

  it('names an edited record even when the chain after it was recomputed (without the key)', async () => {
    const dir = fresh()
    await writeChain(dir, { encrypt: false })
    const file = fileOf(dir)
    const records = lines(file).map((l) => JSON.parse(l))
    records[3].event.sub = 'someone else'
    // What a tamperer without the key can do: recompute every MAC from the edit on with a key of his own.
    const forgedKey = randomBytes(32)
    for (let i = 3; i < records.length; i++) {
      if (i > 0) records[i].prev = records[i - 1].mac
      const { mac: _old, ...rest } = records[i]
      records[i].mac = createHmac('sha256', forgedKey).update(JSON.stringify(rest)).digest('hex')
    }
    writeFileSync(file, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`)
    const found = problems(dir)
    assert.ok(found.includes('a#4: record 4: its MAC does not verify (edited, or forged without the key)'), found.join('\n'))
  })

  it('names a deleted record', async () => {
    const dir = fresh()
    await writeChain(dir)
    const file = fileOf(dir)
    const kept = lines(file)
    kept.splice(2, 1)
    writeFileSync(file, `${kept.join('\n')}\n`)
    assert.ok(problems(dir).includes('a#4: records 3-3 missing (deleted) before record 4'), problems(dir).join('\n'))
  })

  it('names swapped records', async () => {
    const dir = fresh()
    await writeChain(dir)
    const file = fileOf(dir)
    const all = lines(file)
    ;[all[2], all[3]] = [all[3] as string, all[2] as string]
    writeFileSync(file, `${all.join('\n')}\n`)
    assert.ok(
      problems(dir).some((p) => p.startsWith('a#3: record 3 after record 4: out of order')),
      problems(dir).join('\n'),
    )
  })

  it('names a plaintext record inserted into an encrypted log', async () => {
    const dir = fresh()
    await writeChain(dir)
    const file = fileOf(dir)
    const all = lines(file)
    const before = JSON.parse(all[2] as string)
    const forged = { ...before, seq: before.seq + 1, prev: before.mac, enc: undefined, event: { ...event(9), sub: 'forged' }, mac: 'f'.repeat(64) }
    all.splice(3, 0, JSON.stringify(forged))
    writeFileSync(file, `${all.join('\n')}\n`)
    const found = problems(dir)
    assert.ok(found.includes(`a#${forged.seq}: record ${forged.seq}: a plaintext record in an encrypted log`), found.join('\n'))
    assert.ok(found.includes(`a#${forged.seq}: record ${forged.seq}: its MAC does not verify (edited, or forged without the key)`))
  })

  it('names a forged encrypted record inserted without the key', async () => {
    const dir = fresh()
    await writeChain(dir)
    const file = fileOf(dir)
    const all = lines(file)
    const other = fresh()
    await writeChain(other) // the same kind of record, made with the key of another log... here the same key, at another place
    const foreign = JSON.parse(lines(fileOf(other))[4] as string)
    const before = JSON.parse(all[2] as string)
    all.splice(3, 0, JSON.stringify({ ...foreign, seq: before.seq + 1, prev: before.mac }))
    writeFileSync(file, `${all.join('\n')}\n`)
    const found = problems(dir)
    assert.ok(found.includes(`a#${before.seq + 1}: record ${before.seq + 1}: its MAC does not verify (edited, or forged without the key)`), found.join('\n'))
    assert.ok(found.includes(`a#${before.seq + 1}: record ${before.seq + 1}: does not decrypt at this place in the chain (moved, or forged)`))
  })

  it('names a truncated chain against the head an earlier report recorded', async () => {
    const dir = fresh()
    await writeChain(dir)
    const earlier = verifyAuditLog(dir, key)
    const heads = Object.fromEntries(earlier.chains.map((c) => [c.instance, c.head]))
    const file = fileOf(dir)
    writeFileSync(file, `${lines(file).slice(0, -2).join('\n')}\n`)
    assert.deepEqual(problems(dir), [], 'a cut tail alone looks like a chain still being written')
    assert.deepEqual(problems(dir, { expectedHeads: heads }), [
      `a#${earlier.chains[0]?.head.seq}: record ${earlier.chains[0]?.head.seq}, recorded earlier as the head, is gone (truncated)`,
    ])
  })

  it('names a record spliced from another instance’s chain', async () => {
    const dir = fresh()
    await writeChain(dir, { inst: 'a' })
    await writeChain(dir, { inst: 'b' })
    const fileA = fileOf(dir, 'a')
    const all = lines(fileA)
    all.splice(3, 1, lines(fileOf(dir, 'b'))[3] as string)
    writeFileSync(fileA, `${all.join('\n')}\n`)
    assert.ok(
      problems(dir).some((p) => p.startsWith('a#4: a record of instance b in the chain of a (spliced)')),
      problems(dir).join('\n'),
    )
  })
})

describe('audit log: instances, days, crashes', () => {
  it('keeps one chain per instance in a shared folder, verified together', async () => {
    const dir = fresh()
    const [a, b] = [new JsonLinesAuditSink({ dir, key, instanceId: 'a' }), new JsonLinesAuditSink({ dir, key, instanceId: 'b' })]
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).write(event(i))))
    await Promise.all([a.close(), b.close()])
    const report = verifyAuditLog(dir, key)
    assert.deepEqual(report.problems, [])
    assert.deepEqual(
      report.chains.map((c) => [c.instance, c.events]),
      [
        ['a', 10],
        ['b', 10],
      ],
    )
  })

  it('refuses a second writer of one chain', async () => {
    const dir = fresh()
    await writeChain(dir)
    assert.throws(
      () => new JsonLinesAuditSink({ dir, key, instanceId: 'a' }),
      /is being written by process \d+ on host .*: give each instance its own instanceId/,
    )
  })

  it('opens each day with a hand-over, prunes past retention and still verifies, and names a deleted day', async () => {
    const dir = fresh()
    for (const [date, n] of [
      ['2026-11-20T10:00:00Z', 2],
      ['2026-11-21T10:00:00Z', 2],
      ['2026-11-22T10:00:00Z', 2],
    ] as const) {
      const sink = await writeChain(dir, { n, now: day(date) })
      await sink.close()
    }
    assert.deepEqual(problems(dir), [])
    assert.equal(JSON.parse(lines(join(dir, 'audit-a-2026-11-21.jsonl'))[0] as string).kind, 'chain.handover')
    // Retention of one day, as of the 22nd: at its next start the instance prunes the 20th.
    const later = { retentionDays: 1, now: day('2026-11-22T12:00:00Z') }
    await new JsonLinesAuditSink({ dir, key, instanceId: 'a', ...later }).close()
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.endsWith('.jsonl')),
      ['audit-a-2026-11-21.jsonl', 'audit-a-2026-11-22.jsonl'],
    )
    assert.deepEqual(problems(dir, later), [], 'a chain that starts at a hand-over from a pruned file')
    rmSync(join(dir, 'audit-a-2026-11-21.jsonl'))
    assert.ok(
      problems(dir, later).some((p) => p.includes('audit-a-2026-11-21.jsonl, which is missing before its retention ended (deleted)')),
      problems(dir, later).join('\n'),
    )
  })

  it('seals a line torn by a crash at the next start, and the chain goes on', async () => {
    const dir = fresh()
    await writeChain(dir)
    // The process died mid-write: half a record at the end, no lock released.
    const torn = '{"v":2,"inst":"a","seq":8,"prev":"ab'
    appendFileSync(fileOf(dir), torn)
    writeFileSync(join(dir, 'audit-a.lock'), '999999999')
    assert.ok(problems(dir).some((p) => p.includes('unreadable last line (torn by a crash, or truncated), not yet sealed')))
    const restarted = new JsonLinesAuditSink({ dir, key, instanceId: 'a', now: day('2026-11-23T11:00:00Z') })
    await restarted.write(event(6))
    await restarted.close()
    assert.deepEqual(problems(dir), [])
    const kinds = lines(fileOf(dir)).map((l) => (l === torn ? 'torn' : JSON.parse(l).kind))
    assert.deepEqual(kinds.slice(-6), ['event', 'torn', 'chain.torn', 'chain.opened', 'event', 'chain.closed'])
    assert.equal(verifyAuditLog(dir, key).events.length, 6)
  })

  it('queues with back-pressure: 100 writes at once never hold more than maxQueue, and land in order', async () => {
    const dir = fresh()
    const sink = new JsonLinesAuditSink({ dir, key, instanceId: 'a', maxQueue: 5 })
    await Promise.all(Array.from({ length: 100 }, (_, i) => sink.write(event(i))))
    assert.ok(sink.maxQueued <= 5, `at most 5 queued, saw ${sink.maxQueued}`)
    await sink.close()
    const report = verifyAuditLog(dir, key)
    assert.deepEqual(report.problems, [])
    assert.deepEqual(
      report.events.map((e) => e.event.sub),
      Array.from({ length: 100 }, (_, i) => `s${i}`),
    )
  })

  it('retries a failed write with the same records, unhealthy meanwhile, and the chain stays whole', async () => {
    const dir = fresh()
    const errors: unknown[] = []
    const sink = new JsonLinesAuditSink({ dir, key, instanceId: 'a', onError: (e) => errors.push(e) })
    await sink.write(event(1))
    // The disk "fails": the day file is moved away and a folder stands in its place.
    const file = fileOf(dir)
    await sink.close().catch(() => undefined)
    const reopened = new JsonLinesAuditSink({ dir, key, instanceId: 'a', onError: (e) => errors.push(e) })
    renameSync(file, `${file}.aside`)
    mkdirSync(file)
    const pending = reopened.write(event(2))
    for (let i = 0; i < 200 && reopened.healthy; i++) await new Promise((r) => setTimeout(r, 10))
    assert.equal(reopened.healthy, false)
    assert.ok(errors.length > 0)
    rmSync(file, { recursive: true })
    renameSync(`${file}.aside`, file)
    await pending
    assert.equal(reopened.healthy, true)
    await reopened.close()
    assert.deepEqual(problems(dir), [])
    assert.equal(verifyAuditLog(dir, key).events.length, 2)
  })
})

describe('failures without a transaction', () => {
  it('are recorded one by one up to a limit, then counted into one aggregate per window', async () => {
    const written: Record<string, unknown>[] = []
    const aggregator = new FailureAggregator((fields) => written.push(fields), { windowMs: 50, individual: 3 })
    const admitted = Array.from({ length: 20 }, () => aggregator.admit('ERR_SPID_STATE_MISMATCH')).filter(Boolean).length
    assert.equal(admitted, 3)
    for (let i = 0; i < 100 && written.length === 0; i++) await new Promise((r) => setTimeout(r, 20))
    assert.deepEqual(
      written.map((w) => [w.error_code, w.count]),
      [['ERR_SPID_STATE_MISMATCH', 17]],
    )
  })
})

/** A real disk failure that hits root too: the day file replaced by a folder (EISDIR on every append). */
function breakDayFile(dir: string, inst = 'a'): () => void {
  const file = fileOf(dir, inst)
  renameSync(file, `${file}.aside`)
  mkdirSync(file)
  return () => {
    rmSync(file, { recursive: true })
    renameSync(`${file}.aside`, file)
  }
}
const until = async (condition: () => boolean, what: string) => {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10))
  assert.ok(condition(), `timed out waiting until ${what}`)
}

describe('audit log: outages', () => {
  it('tells its watchers once per change of healthy, not once per failed retry', async () => {
    const dir = fresh()
    const errors: unknown[] = []
    const sink = new JsonLinesAuditSink({ dir, key, instanceId: 'a', onError: (e) => errors.push(e) })
    const changes: { healthy: boolean; reason?: string }[] = []
    sink.watchHealth((change) => changes.push(change))
    const repair = breakDayFile(dir)
    const pending = Promise.all([sink.write(event(1)), sink.write(event(2))])
    // Several failed attempts (at 0, 0.2 and 1.2 s; each retry also fails to re-read the tail), each told to onError.
    await until(() => errors.length >= 5, 'three attempts failed')
    assert.deepEqual(
      changes.map((c) => [c.healthy, c.reason]),
      [[false, 'write failed: EISDIR']],
    )
    repair()
    await pending
    assert.deepEqual(
      changes.map((c) => c.healthy),
      [false, true],
    )
    await sink.close()
    assert.deepEqual(problems(dir), [])
  })

  it('holds at most maxBacklog records while the disk fails, and counts the dropped into a chain.gap record that verifies', async () => {
    const dir = fresh()
    const sink = new JsonLinesAuditSink({ dir, key, instanceId: 'a', maxQueue: 10, maxBacklog: 50, now: day('2026-11-23T10:00:00Z') })
    const repair = breakDayFile(dir)
    const at = (n: number) => new Date(Date.UTC(2026, 10, 23, 11, 0, 0, n)).toISOString()
    const outcomes = Array.from({ length: 5000 }, (_, n) =>
      sink.write({ ...event(n), time: at(n) }).then(
        () => 'written',
        (error: { code?: string }) => error.code,
      ),
    )
    assert.ok(sink.waiting <= 51, `at most maxBacklog (+1 count) records held, saw ${sink.waiting}`)
    assert.equal(sink.healthy, false, 'dropping records is not healthy')
    await until(() => !sink.healthy && sink.waiting === 51, 'the write failed')
    repair()
    await sink.flush()
    const settled = await Promise.all(outcomes)
    assert.equal(settled.filter((o) => o === 'written').length, 50)
    assert.equal(settled.filter((o) => o === 'ERR_SPID_AUDIT_UNAVAILABLE').length, 4950)
    assert.equal(sink.healthy, true)
    await sink.close()

    const gap = lines(fileOf(dir))
      .map((l) => JSON.parse(l))
      .find((r) => r.kind === 'chain.gap')
    assert.deepEqual(gap.control, { dropped: 4950, first_time: at(50), last_time: at(4999), at: '2026-11-23T10:00:00.000Z' })
    const report = verifyAuditLog(dir, key)
    assert.deepEqual(report.problems, [], 'the gap record is chained and MACed like any other')
    assert.equal(report.chains[0]?.dropped, 4950)
    assert.deepEqual(
      report.warnings.map((w) => w.problem),
      [`record ${gap.seq}: 4950 event(s) dropped between ${at(50)} and ${at(4999)} (the writer's backlog was full: its disk failed or was too slow)`],
    )
    assert.equal(report.events.length, 50)
  })

  it('a writer whose lock was taken over writes nothing more into the chain', async () => {
    const dir = fresh()
    const sink = new JsonLinesAuditSink({ dir, key, instanceId: 'a' })
    await sink.write(event(1))
    const before = readFileSync(fileOf(dir), 'utf8')
    // What a writer in another container leaves when it takes the lock over.
    const taker = { writer: 'f'.repeat(24), host: 'other-host', boot: 'other-boot', pidNs: 'pid:[1]', pid: 7 }
    writeFileSync(join(dir, 'audit-a.lock'), JSON.stringify(taker))
    await assert.rejects(sink.write(event(2)), /its lock was taken over by process 7 on host other-host/)
    assert.equal(sink.healthy, false)
    assert.equal(readFileSync(fileOf(dir), 'utf8'), before, 'not one more byte')
    await assert.rejects(sink.close(), /taken over/)
    assert.equal(JSON.parse(readFileSync(join(dir, 'audit-a.lock'), 'utf8')).writer, taker.writer, 'the new holder keeps its lock')
  })
})

describe('audit log: tails', () => {
  const later = (iso: string) => ({ now: day(iso) })

  it('warns about a chain cut at its tail once it is older than maxOpenAge, not about a closed one', async () => {
    const dir = fresh()
    await (await writeChain(dir)).close()
    assert.deepEqual(verifyAuditLog(dir, key, later('2026-11-26T10:00:00Z')).warnings, [], 'closed: never stale')
    const file = fileOf(dir)
    writeFileSync(file, `${lines(file).slice(0, -2).join('\n')}\n`)
    assert.deepEqual(verifyAuditLog(dir, key, later('2026-11-23T12:00:00Z')).warnings, [], 'open and recent: a chain being written')
    const report = verifyAuditLog(dir, key, later('2026-11-26T10:00:00Z'))
    assert.deepEqual(report.problems, [])
    assert.deepEqual(
      report.warnings.map((w) => w.problem),
      [
        'the chain is not closed and its last record (5, 2026-11-23T10:00:04.000Z) is older than 86400 s: records cut off its tail, or its instance stopped without closing it',
      ],
    )
    assert.deepEqual(verifyAuditLog(dir, key, { ...later('2026-11-26T10:00:00Z'), maxOpenAge: 4 * 86_400 }).warnings, [])
  })

  it('names a chain deleted whole, or cut below the head another chain saw, without an earlier report', async () => {
    const dir = fresh()
    await (await writeChain(dir, { inst: 'b' })).close()
    // a starts later and records the head of b it sees (7: opened, five events, closed).
    await (await writeChain(dir, { inst: 'a', n: 1 })).close()
    assert.deepEqual(problems(dir), [])
    const fileB = fileOf(dir, 'b')
    const whole = readFileSync(fileB, 'utf8')
    writeFileSync(fileB, `${lines(fileB).slice(0, -2).join('\n')}\n`)
    assert.deepEqual(problems(dir), [
      'b#5: the chain ends at record 5, but chain a saw it at record 7 (its record 1, 2026-11-23T10:00:00.000Z): records cut off its tail',
    ])
    rmSync(fileB)
    assert.deepEqual(problems(dir), ['b#-: the whole chain is gone: chain a saw it at record 7 (its record 1, 2026-11-23T10:00:00.000Z) (deleted)'])
    writeFileSync(fileB, whole)
    assert.deepEqual(problems(dir), [])
  })

  it('an idle chain writes checkpoints, so it does not look cut off', async () => {
    const dir = fresh()
    let clock = new Date('2026-11-23T10:00:00Z')
    const sink = new JsonLinesAuditSink({ dir, key, instanceId: 'a', checkpointMs: 20, now: () => clock })
    await sink.write(event(1))
    clock = new Date('2026-11-24T10:00:00Z')
    const kinds = () => lines(join(dir, 'audit-a-2026-11-24.jsonl')).map((l) => JSON.parse(l).kind)
    await until(() => existsSync(join(dir, 'audit-a-2026-11-24.jsonl')) && kinds().includes('chain.checkpoint'), 'a checkpoint was written')
    const report = verifyAuditLog(dir, key, later('2026-11-24T11:00:00Z'))
    assert.deepEqual([report.problems, report.warnings], [[], []])
    assert.equal(report.chains[0]?.lastRecordAt, '2026-11-24T10:00:00.000Z')
    await sink.close()
  })
})
