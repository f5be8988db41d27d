import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { JsonLinesAuditSink, verifyAuditLog, type AuditEvent } from '../../../src/index.ts'

const event = (n: number): AuditEvent => ({
  type: 'login.succeeded',
  time: new Date(0).toISOString(),
  client_id: 'https://rp',
  iss: 'https://op',
  sub: `s${n}`,
  outcome: 'ok',
})
const fresh = () => mkdtempSync(join(tmpdir(), 'audit-'))
const onlyFile = (dir: string) => join(dir, readdirSync(dir)[0] as string)

function writeFive(dir: string, key?: Buffer) {
  const sink = new JsonLinesAuditSink({ dir, ...(key ? { encryptionKey: key } : {}), now: () => new Date('2026-11-23T10:00:00Z') })
  for (let i = 1; i <= 5; i++) sink.write(event(i))
}

describe('JSON lines audit sink', () => {
  it('chains its records so the whole log verifies', () => {
    const dir = fresh()
    writeFive(dir)
    const result = verifyAuditLog(dir)
    assert.deepEqual([result.ok, result.records, result.problems], [true, 5, []])
    assert.deepEqual(
      result.events.map((e) => e.sub),
      ['s1', 's2', 's3', 's4', 's5'],
    )
  })

  it('detects an edited record', () => {
    const dir = fresh()
    writeFive(dir)
    const file = onlyFile(dir)
    writeFileSync(file, readFileSync(file, 'utf8').replace('"s3"', '"s9"'))
    const result = verifyAuditLog(dir)
    assert.equal(result.ok, false)
    assert.match(result.problems.join('\n'), /:3: content does not match its hash/)
  })

  it('detects a deleted record and a reordering', () => {
    const dir = fresh()
    writeFive(dir)
    const file = onlyFile(dir)
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n')
    writeFileSync(file, `${[lines[0], lines[1], lines[3], lines[4]].join('\n')}\n`)
    assert.match(verifyAuditLog(dir).problems.join('\n'), /record 3 missing/)
    writeFileSync(file, `${[lines[0], lines[2], lines[1], lines[3], lines[4]].join('\n')}\n`)
    assert.equal(verifyAuditLog(dir).ok, false)
  })

  it('continues the chain after a restart, and across daily files', () => {
    const dir = fresh()
    writeFive(dir)
    const later = new JsonLinesAuditSink({ dir, now: () => new Date('2026-11-24T00:00:01Z') })
    later.write(event(6))
    assert.equal(readdirSync(dir).length, 2)
    const result = verifyAuditLog(dir)
    assert.deepEqual([result.ok, result.records], [true, 6])
  })

  it('deletes files past retention, and verify says the chain starts later', () => {
    const dir = fresh()
    writeFive(dir)
    const sink = new JsonLinesAuditSink({ dir, retentionDays: 30, now: () => new Date('2027-01-30T00:00:00Z') })
    sink.write(event(6))
    assert.deepEqual(readdirSync(dir), ['audit-2027-01-30.jsonl'])
    assert.match(verifyAuditLog(dir).problems.join('\n'), /chain starts at record 6 \(earlier files removed by retention/)
  })

  it('encrypts records at rest when given a key', () => {
    const dir = fresh()
    const key = randomBytes(32)
    writeFive(dir, key)
    const text = readFileSync(onlyFile(dir), 'utf8')
    assert.ok(!text.includes('https://op') && !text.includes('"s3"'), 'no event in clear')
    const result = verifyAuditLog(dir, key)
    assert.deepEqual([result.ok, result.events.length], [true, 5])
    assert.equal(verifyAuditLog(dir).ok, true, 'the chain checks without the key')
    assert.match(verifyAuditLog(dir, randomBytes(32)).problems.join('\n'), /does not decrypt/)
  })
})
