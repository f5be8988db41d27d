import { createHash } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { SessionCipher } from '../session/session-cipher.ts'
import type { AuditEvent, AuditSink } from './audit-event.ts'

const FILE = /^audit-(\d{4}-\d{2}-\d{2})\.jsonl$/
const GENESIS = '0'.repeat(64)

export interface JsonLinesAuditSinkOptions {
  /** Folder of the log files, one per UTC day: `audit-YYYY-MM-DD.jsonl`. */
  dir: string
  /** Days a file is kept; older ones are deleted at rotation. Default 730 (24 months, rule G1). */
  retentionDays?: number
  /** 32-byte key: records are then stored AES-256-GCM encrypted (rule G3). */
  encryptionKey?: Buffer
  /** Clock, for tests. */
  now?: () => Date
}

/** A stored line: the chain fields in clear, the event in clear or encrypted. */
interface Line {
  seq: number
  prev: string
  hash: string
  event?: AuditEvent
  enc?: string
}

/**
 * Audit records as JSON lines, with an integrity chain: each line carries the hash of the one
 * before it (across files), so `verifyAuditLog` finds any edited, reordered or deleted record.
 * Writes are appended synchronously, in order.
 */
export class JsonLinesAuditSink implements AuditSink {
  readonly #dir: string
  readonly #retentionDays: number
  readonly #cipher: SessionCipher | undefined
  readonly #now: () => Date
  #seq = 0
  #prev = GENESIS
  #day = ''

  constructor(options: JsonLinesAuditSinkOptions) {
    this.#dir = options.dir
    this.#retentionDays = options.retentionDays ?? 730
    // The same AES-256-GCM record format as sessions (key id, version), so keys rotate alike.
    this.#cipher = options.encryptionKey ? new SessionCipher([options.encryptionKey], 'audit') : undefined
    this.#now = options.now ?? (() => new Date())
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 })
    const last = lastLine(this.#dir)
    if (last) {
      this.#seq = last.seq
      this.#prev = last.hash
    }
  }

  write(event: AuditEvent): void {
    const day = this.#now().toISOString().slice(0, 10)
    if (day !== this.#day) {
      this.#day = day
      this.#expire()
    }
    const seq = this.#seq + 1
    const body = this.#cipher ? { enc: this.#cipher.encrypt(JSON.stringify(event)) } : { event }
    const hash = chainHash(seq, this.#prev, body)
    const line: Line = { seq, prev: this.#prev, hash, ...body }
    appendFileSync(join(this.#dir, `audit-${day}.jsonl`), `${JSON.stringify(line)}\n`, { mode: 0o600 })
    this.#seq = seq
    this.#prev = hash
  }

  #expire(): void {
    const cutoff = new Date(this.#now().getTime() - this.#retentionDays * 86_400_000).toISOString().slice(0, 10)
    for (const name of readdirSync(this.#dir)) {
      const day = FILE.exec(name)?.[1]
      if (day && day < cutoff) unlinkSync(join(this.#dir, name))
    }
  }
}

export interface AuditVerification {
  ok: boolean
  records: number
  problems: string[]
  /** Decrypted events, when a key was given (or the log is in clear). */
  events: AuditEvent[]
}

/**
 * Checks the whole chain of an audit folder: sequence numbers without gaps, each `prev` equal to
 * the hash before it, each hash matching its content (and each record decrypting, with a key).
 * Files removed by retention leave a gap at the start, which is reported as such, not as tampering.
 */
export function verifyAuditLog(dir: string, encryptionKey?: Buffer): AuditVerification {
  const problems: string[] = []
  const events: AuditEvent[] = []
  const cipher = encryptionKey ? new SessionCipher([encryptionKey], 'audit') : undefined
  let records = 0
  let expectedSeq: number | undefined
  let prev: string | undefined
  for (const name of auditFiles(dir)) {
    const lines = readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean)
    lines.forEach((text, i) => {
      const where = `${name}:${i + 1}`
      let line: Line
      try {
        line = JSON.parse(text) as Line
      } catch {
        problems.push(`${where}: not JSON`)
        return
      }
      records++
      if (expectedSeq === undefined) {
        if (line.seq !== 1) problems.push(`${where}: chain starts at record ${line.seq} (earlier files removed by retention, or deleted)`)
      } else if (line.seq !== expectedSeq) {
        const gap = line.seq > expectedSeq + 1 ? `records ${expectedSeq}-${line.seq - 1}` : `record ${expectedSeq}`
        problems.push(`${where}: ${gap} missing or out of order (found ${line.seq})`)
      }
      if (prev !== undefined && line.prev !== prev) problems.push(`${where}: does not follow the record before it (prev hash differs)`)
      const body = line.enc !== undefined ? { enc: line.enc } : { event: line.event }
      if (chainHash(line.seq, line.prev, body) !== line.hash) problems.push(`${where}: content does not match its hash (edited)`)
      if (line.enc !== undefined && cipher) {
        const plain = cipher.decrypt(line.enc)
        if (plain === undefined) problems.push(`${where}: does not decrypt with the key given`)
        else events.push(JSON.parse(plain) as AuditEvent)
      } else if (line.event) {
        events.push(line.event)
      }
      expectedSeq = line.seq + 1
      prev = line.hash
    })
  }
  return { ok: problems.length === 0, records, problems, events }
}

function chainHash(seq: number, prev: string, body: object): string {
  return createHash('sha256')
    .update(`${seq}\n${prev}\n${JSON.stringify(body)}`)
    .digest('hex')
}

function auditFiles(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => FILE.test(n))
        .sort()
    : []
}

function lastLine(dir: string): Line | undefined {
  const files = auditFiles(dir)
  for (let i = files.length - 1; i >= 0; i--) {
    const lines = readFileSync(join(dir, files[i] as string), 'utf8')
      .split('\n')
      .filter(Boolean)
    if (lines.length) return JSON.parse(lines[lines.length - 1] as string) as Line
  }
  return undefined
}
