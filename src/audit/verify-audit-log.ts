import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { AuditEvent } from './audit-event.ts'
import { AuditKeys, GENESIS, type StoredRecord, parseFileName, readBindingOf } from './audit-record.ts'

/** Where a chain had got to: record `seq` with MAC `mac`. Keep a report's heads apart from the log to detect truncation later. */
export interface ChainHead {
  seq: number
  mac: string
}

export interface AuditProblem {
  file: string
  line: number
  instance: string
  seq?: number
  problem: string
}

export interface ChainReport {
  instance: string
  files: string[]
  records: number
  events: number
  /** The first record kept (later than 1 after pruning). */
  firstSeq: number
  head: ChainHead
  /** True when the last record is `chain.closed` (a clean stop); false while it runs, or after a crash. */
  closed: boolean
  /** Time of the newest record (its event's time, or the time a control record was written). */
  lastRecordAt?: string
  /** Events dropped while the writer's backlog was full, as counted by its `chain.gap` records. */
  dropped: number
}

export interface AuditReport {
  ok: boolean
  records: number
  chains: ChainReport[]
  problems: AuditProblem[]
  /**
   * Not proof of tampering, but evidence missing: events dropped (`chain.gap`), and chains not
   * closed whose last record is older than `maxOpenAge` (their tail cut off, or their instance
   * stopped without closing them).
   */
  warnings: AuditProblem[]
  /** Every event, decrypted, with its place in its chain. */
  events: { instance: string; seq: number; mac: string; event: AuditEvent }[]
}

export interface VerifyOptions {
  /** Heads recorded by an earlier report: a chain that no longer reaches one was truncated. */
  expectedHeads?: Record<string, ChainHead>
  /** Days files are kept: a missing file older than this was pruned, a younger one was deleted. Default 730. */
  retentionDays?: number
  /**
   * Seconds: a chain not closed whose last record is older than this is reported (a writer writes
   * at least a `chain.checkpoint` an hour, so only a cut tail or a stopped instance gets there).
   * Default 86 400 (a day).
   */
  maxOpenAge?: number
  /** Clock, for tests. */
  now?: () => Date
}

/**
 * Verifies every chain of an audit folder with the audit key(s): each record's MAC; sequence
 * numbers without gap, repeat or reversal; each `prev` the MAC before it; each file opened by a
 * hand-over from the file before it (so a deleted file shows, and a pruned one does not); every
 * event of an encrypted chain encrypted and decrypting bound to its place; records in the file
 * of their own instance; torn lines sealed. Each problem names the file, line and record.
 * Each chain's checkpoints name the other chains' heads: a chain deleted whole, or cut below a
 * head another chain saw, is a problem.
 * Warnings name what is missing without a broken chain: counted drops, and a tail cut off (an
 * open chain gone silent for longer than `maxOpenAge`).
 */
export function verifyAuditLog(dir: string, keys: Buffer | readonly Buffer[], options: VerifyOptions = {}): AuditReport {
  const auditKeys = new AuditKeys(Array.isArray(keys) ? keys : [keys as Buffer])
  const problems: AuditProblem[] = []
  const warnings: AuditProblem[] = []
  const events: AuditReport['events'] = []
  const chains: ChainReport[] = []
  const now = (options.now ?? (() => new Date()))()
  const prunedBefore = new Date(now.getTime() - (options.retentionDays ?? 730) * 86_400_000).toISOString().slice(0, 10)
  let records = 0
  /** Each chain's latest MAC-verified account of the other chains' heads. */
  const witnesses: { instance: string; seq: number; file: string; line: number; at: string; peers: Record<string, unknown> }[] = []

  for (const [instance, files] of filesByInstance(dir)) {
    const chain: ChainReport = { instance, files, records: 0, events: 0, firstSeq: 0, head: { seq: 0, mac: GENESIS }, closed: false, dropped: 0 }
    let previous: StoredRecord | undefined
    let encrypted = false
    let witness: (typeof witnesses)[number] | undefined
    files.forEach((file, fileIndex) => {
      const lines = readFileSync(join(dir, file), 'utf8').split('\n')
      if (lines.at(-1) === '') lines.pop()
      let pendingTorn: { line: number; text: string } | undefined
      lines.forEach((text, index) => {
        const line = index + 1
        const problem = (what: string, seq?: number) => problems.push({ file, line, instance, ...(seq !== undefined ? { seq } : {}), problem: what })
        let record: StoredRecord
        try {
          record = JSON.parse(text) as StoredRecord
          if (typeof record !== 'object' || record === null || typeof record.seq !== 'number') throw new Error('not a record')
        } catch {
          if (pendingTorn) problem('unreadable line, not sealed as torn')
          pendingTorn = { line, text }
          return
        }
        if (pendingTorn) {
          const sealed = record.kind === 'chain.torn' && record.control?.torn_sha256 === createHash('sha256').update(pendingTorn.text).digest('hex')
          if (!sealed) problems.push({ file, line: pendingTorn.line, instance, problem: 'unreadable line (torn, or altered), not sealed as torn' })
          pendingTorn = undefined
        }
        records++
        chain.records++
        const seq = record.seq
        if (record.inst !== instance) {
          problem(`a record of instance ${String(record.inst)} in the chain of ${instance} (spliced)`, seq)
        }
        const mac = auditKeys.check(record)
        if (mac === 'unknown key') problem(`record ${seq}: written with an unknown audit key (${String(record.kid)})`, seq)
        if (mac === 'bad mac') problem(`record ${seq}: its MAC does not verify (edited, or forged without the key)`, seq)

        if (!previous) {
          chain.firstSeq = seq
          const prunedStart =
            record.kind === 'chain.handover' && typeof record.control?.from_file === 'string' && !existsSync(join(dir, record.control.from_file as string))
          if (seq === 1 && record.prev === GENESIS) {
            // The chain's true start.
          } else if (prunedStart) {
            const fromDay = parseFileName(record.control?.from_file as string)?.day ?? ''
            if (fromDay >= prunedBefore)
              problem(`the chain starts after ${String(record.control?.from_file)}, which is missing before its retention ended (deleted)`, seq)
          } else {
            problem(`the chain starts at record ${seq} without a hand-over from a pruned file (records before it deleted)`, seq)
          }
        } else {
          if (seq === previous.seq + 1 && record.prev !== previous.mac)
            problem(`record ${seq}: does not follow record ${previous.seq} (prev differs: inserted or replaced)`, seq)
          if (seq > previous.seq + 1) problem(`records ${previous.seq + 1}-${seq - 1} missing (deleted) before record ${seq}`, seq)
          if (seq <= previous.seq) problem(`record ${seq} after record ${previous.seq}: out of order (moved or inserted)`, seq)
        }
        if (index === firstRecordIndex(lines) && fileIndex > 0) {
          const expected = files[fileIndex - 1]
          if (record.kind !== 'chain.handover') problem(`the file does not start with a hand-over from ${expected}`, seq)
          else if (record.control?.from_file !== expected)
            problem(`hand-over from ${String(record.control?.from_file)}, but the file before it is ${expected} (a file deleted)`, seq)
        }

        if (record.kind === 'chain.opened' || record.kind === 'chain.handover') encrypted = record.control?.encrypted === true
        if (record.kind === 'event') {
          chain.events++
          const event = readEvent(record, encrypted, auditKeys, problem)
          if (event) events.push({ instance, seq, mac: record.mac, event })
          if (typeof event?.time === 'string') chain.lastRecordAt = event.time
        } else if (typeof record.control?.at === 'string') chain.lastRecordAt = record.control.at
        const peers = record.control?.peers
        if (mac === 'ok' && (record.kind === 'chain.opened' || record.kind === 'chain.checkpoint') && typeof peers === 'object' && peers !== null)
          witness = { instance, seq, file, line, at: String(record.control?.at), peers: peers as Record<string, unknown> }
        if (record.kind === 'chain.gap') {
          const dropped = Number(record.control?.dropped)
          chain.dropped += dropped
          warnings.push({
            file,
            line,
            instance,
            seq,
            problem: `record ${seq}: ${dropped} event(s) dropped between ${String(record.control?.first_time)} and ${String(record.control?.last_time)} (the writer's backlog was full: its disk failed or was too slow)`,
          })
        }
        previous = record
      })
      if (pendingTorn)
        problems.push({ file, line: pendingTorn.line, instance, problem: 'unreadable last line (torn by a crash, or truncated), not yet sealed' })
    })
    if (previous) {
      chain.head = { seq: previous.seq, mac: previous.mac }
      chain.closed = previous.kind === 'chain.closed'
      const maxOpenAge = options.maxOpenAge ?? 86_400
      const lastAt = chain.lastRecordAt ? Date.parse(chain.lastRecordAt) : Number.NaN
      if (!chain.closed && (Number.isNaN(lastAt) || now.getTime() - lastAt > maxOpenAge * 1000))
        warnings.push({
          file: files.at(-1) ?? '',
          line: 0,
          instance,
          seq: previous.seq,
          problem: `the chain is not closed and its last record (${previous.seq}, ${chain.lastRecordAt ?? 'no time'}) is older than ${maxOpenAge} s: records cut off its tail, or its instance stopped without closing it`,
        })
    }
    const expected = options.expectedHeads?.[instance]
    if (expected && !reaches(dir, files, expected)) {
      problems.push({
        file: files.at(-1) ?? '',
        line: 0,
        instance,
        seq: expected.seq,
        problem: `record ${expected.seq}, recorded earlier as the head, is gone (truncated)`,
      })
    }
    chains.push(chain)
    if (witness) witnesses.push(witness)
  }
  for (const witness of witnesses) {
    // A witness older than the retention may name a chain pruned since.
    if (witness.at.slice(0, 10) < prunedBefore) continue
    for (const [peer, seen] of Object.entries(witness.peers)) {
      if (typeof seen !== 'number') continue
      const chain = chains.find((c) => c.instance === peer)
      const said = `chain ${witness.instance} saw it at record ${seen} (its record ${witness.seq}, ${witness.at})`
      if (!chain) problems.push({ file: '', line: 0, instance: peer, problem: `the whole chain is gone: ${said} (deleted)` })
      else if (chain.head.seq < seen)
        problems.push({
          file: chain.files.at(-1) ?? '',
          line: 0,
          instance: peer,
          seq: chain.head.seq,
          problem: `the chain ends at record ${chain.head.seq}, but ${said}: records cut off its tail`,
        })
    }
  }
  for (const instance of Object.keys(options.expectedHeads ?? {})) {
    if (!chains.some((c) => c.instance === instance)) problems.push({ file: '', line: 0, instance, problem: 'the whole chain is gone' })
  }
  return { ok: problems.length === 0, records, chains, problems, warnings, events }
}

/** An event record's content: encrypted (and bound to its place) in an encrypted chain, in clear otherwise. */
function readEvent(record: StoredRecord, encrypted: boolean, keys: AuditKeys, problem: (what: string, seq?: number) => void): AuditEvent | undefined {
  if (encrypted && record.enc === undefined) {
    problem(`record ${record.seq}: a plaintext record in an encrypted log`, record.seq)
    return undefined
  }
  if (record.enc === undefined) return record.event
  const plaintext = keys.cipher.decrypt(record.enc, readBindingOf(record.inst, record.seq, record.prev))
  if (plaintext === undefined) {
    problem(`record ${record.seq}: does not decrypt at this place in the chain (moved, or forged)`, record.seq)
    return undefined
  }
  return JSON.parse(plaintext) as AuditEvent
}

/** Whether the record of an expected head (any kind) is still in the files. */
function reaches(dir: string, files: string[], head: ChainHead): boolean {
  return files.some((file) => readFileSync(join(dir, file), 'utf8').includes(`"mac":"${head.mac}"`))
}

function firstRecordIndex(lines: string[]): number {
  return lines.findIndex((text) => text.trim() !== '')
}

function filesByInstance(dir: string): Map<string, string[]> {
  const byInstance = new Map<string, string[]>()
  if (!existsSync(dir)) return byInstance
  for (const name of readdirSync(dir).sort()) {
    const parsed = parseFileName(name)
    if (parsed) byInstance.set(parsed.inst, [...(byInstance.get(parsed.inst) ?? []), name])
  }
  return byInstance
}
