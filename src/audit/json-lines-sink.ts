import { createHash } from 'node:crypto'
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, unlinkSync, writeSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { UnavailableError } from '../errors/spid-error.ts'
import type { AuditEvent, AuditHealthChange, AuditSink } from './audit-event.ts'
import { AUDIT_FORMAT, AuditKeys, GENESIS, type RecordKind, type StoredRecord, bindingOf, fileName, parseFileName } from './audit-record.ts'
import { peerHeads } from './peer-heads.ts'
import { LockLostError, WriterLock } from './writer-lock.ts'

export interface JsonLinesAuditSinkOptions {
  /** Folder of the log: one file per instance and UTC day, `audit-<instance>-YYYY-MM-DD.jsonl`. Several instances may share it. */
  dir: string
  /** REQUIRED. 32-byte key(s), newest first: the MAC chain and the encryption keys are derived from it (rules G3). */
  key: Buffer | readonly Buffer[]
  /** Encrypt each event (default true): a log on disk then shows only the chain, never who logged in. */
  encrypt?: boolean
  /** This instance's chain: unique among the instances writing to `dir`, and kept across restarts. Default the host name. */
  instanceId?: string
  /** Days a file is kept; older ones are deleted. Default 730 (24 months, rule G1). */
  retentionDays?: number
  /** Records queued for the writer at most; beyond, `write` waits for room (back-pressure). Default 10 000. */
  maxQueue?: number
  /**
   * Records held in memory at most, queued or waiting for room (hard bound, at least `maxQueue`).
   * Beyond, a record is dropped (its `write` rejects with `ERR_SPID_AUDIT_UNAVAILABLE`) and
   * counted: a `chain.gap` record in the chain says how many were dropped, and between which
   * times; `healthy` is false until it is written. Default 50 000 (about 45 MB).
   */
  maxBacklog?: number
  /** `batch` (default): fdatasync after each batch, before `write` resolves. `never`: leave it to the OS. */
  fsync?: 'batch' | 'never'
  /** Told of each failed write (then retried). The strategy logs each change of `healthy` by itself. */
  onError?: (error: unknown) => void
  /**
   * A `chain.checkpoint` record is written this often, with the heads of the other instances'
   * chains in the folder: an idle chain then does not look truncated, and a chain deleted or cut
   * short later is shown by the others (`audit verify`). Default 1 h.
   */
  checkpointMs?: number
  /** A lock whose holder (in another container, host or boot) has not refreshed it for this long is taken over. Default 60 s. */
  lockStaleMs?: number
  /** Clock, for tests. */
  now?: () => Date
}

/** What waits for the writer: an event, a count of dropped events, or a checkpoint. */
type Waiting =
  | { kind: 'event'; event: AuditEvent; done: (error?: unknown) => void }
  | { kind: 'gap'; dropped: number; first: string; last: string; inBatch: boolean }
  | { kind: 'checkpoint' }

const RETRY_MS = [200, 1000, 5000]

/**
 * The audit log as JSON lines with a keyed integrity chain per instance (HMAC-SHA256 under a key
 * derived from the audit key), events encrypted bound to their place in the chain, daily files
 * that start with a hand-over record, and a crash-torn last line sealed at start-up.
 *
 * Writes never block a request: `write` queues the event and returns a promise settled once it
 * is on disk; a single writer appends batches in order. The queue is bounded: beyond `maxQueue`
 * `write` waits for room, and beyond `maxBacklog` records are dropped and counted into a
 * `chain.gap` record, so a dead disk costs bounded memory. A failed write is retried with the same
 * records (the chain does not move on), and `healthy` is false until one succeeds and no dropped
 * record is left uncounted: the strategy logs each change and its `auditFailure` option decides
 * whether logins are refused meanwhile.
 */
export class JsonLinesAuditSink implements AuditSink {
  readonly #dir: string
  readonly #keys: AuditKeys
  readonly #encrypt: boolean
  readonly #inst: string
  readonly #retentionDays: number
  readonly #maxQueue: number
  readonly #maxBacklog: number
  readonly #fsync: boolean
  readonly #onError: (error: unknown) => void
  readonly #now: () => Date
  readonly #lock: WriterLock
  readonly #healthWatchers = new Set<(change: AuditHealthChange) => void>()
  readonly #checkpoints: NodeJS.Timeout
  #queue: Waiting[] = []
  #waitingForRoom: Waiting[] = []
  #seq = 0
  #prev = GENESIS
  #day = ''
  #writing: Promise<void> | undefined
  #failures = 0
  #lastError: unknown
  #gapsPending = 0
  #healthy = true
  #closed = false
  /** The most records ever queued at once: the bench and tests read it. */
  maxQueued = 0

  constructor(options: JsonLinesAuditSinkOptions) {
    this.#dir = options.dir
    this.#keys = new AuditKeys(Array.isArray(options.key) ? options.key : [options.key as Buffer])
    this.#encrypt = options.encrypt ?? true
    this.#inst = (options.instanceId ?? hostname()).replace(/[^A-Za-z0-9_.-]/g, '_')
    this.#retentionDays = options.retentionDays ?? 730
    this.#maxQueue = options.maxQueue ?? 10_000
    this.#maxBacklog = Math.max(this.#maxQueue, options.maxBacklog ?? 50_000)
    this.#fsync = (options.fsync ?? 'batch') === 'batch'
    this.#onError = options.onError ?? (() => {})
    this.#now = options.now ?? (() => new Date())
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 })
    this.#lock = new WriterLock(join(this.#dir, `audit-${this.#inst}.lock`), `audit chain ${this.#inst} in ${this.#dir}`, {
      staleMs: options.lockStaleMs ?? 60_000,
    })
    try {
      this.#resume()
    } catch (error) {
      this.#lock.release()
      throw error
    }
    this.#checkpoints = setInterval(() => this.#checkpoint(), options.checkpointMs ?? 3_600_000)
    this.#checkpoints.unref()
  }

  /** False while the last write failed (until a retry succeeds) or dropped records are not yet counted in the chain. */
  get healthy(): boolean {
    return this.#healthy
  }

  /** Records held in memory: queued, or waiting for room. Never more than `maxBacklog` (+1 for the count of the dropped). */
  get waiting(): number {
    return this.#queue.length + this.#waitingForRoom.length
  }

  /** Calls `listener` at each change of `healthy`; returns the unsubscribe function. The strategy logs through it. */
  watchHealth(listener: (change: AuditHealthChange) => void): () => void {
    this.#healthWatchers.add(listener)
    return () => this.#healthWatchers.delete(listener)
  }

  /** The instance id of this chain. */
  get instanceId(): string {
    return this.#inst
  }

  write(event: AuditEvent): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('audit sink closed'))
    return new Promise((resolve, reject) => {
      const waiting: Waiting = { kind: 'event', event, done: (error?: unknown) => (error ? reject(error) : resolve()) }
      if (this.#queue.length < this.#maxQueue) this.#enqueue(waiting)
      else if (this.waiting < this.#maxBacklog) this.#waitingForRoom.push(waiting)
      else {
        this.#drop(event)
        reject(new UnavailableError('ERR_SPID_AUDIT_UNAVAILABLE', 'audit backlog full: record dropped, counted in a chain.gap record'))
      }
    })
  }

  /** Resolves once everything written so far is on disk. */
  async flush(): Promise<void> {
    while (this.#writing || this.#queue.length > 0 || this.#waitingForRoom.length > 0) {
      if (this.#writing) await this.#writing
      // A failed write is retried on its own schedule, not in a tight loop here.
      else if (this.#failures === 0) this.#kick()
      else await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  /** Writes what is queued, seals the chain with `chain.closed`, and releases the instance's lock. */
  async close(): Promise<void> {
    clearInterval(this.#checkpoints)
    await this.flush()
    this.#closed = true
    try {
      await this.#append([this.#record('chain.closed', { control: { at: this.#now().toISOString() } })])
    } finally {
      this.#lock.release()
    }
  }

  /** The newest record of a drop run counts it; a new run starts after any record that was kept. */
  #drop(event: AuditEvent): void {
    const at = typeof event.time === 'string' ? event.time : this.#now().toISOString()
    const last = this.#waitingForRoom.at(-1) ?? this.#queue.at(-1)
    if (last?.kind === 'gap' && !last.inBatch) {
      last.dropped++
      last.last = at
      return
    }
    this.#waitingForRoom.push({ kind: 'gap', dropped: 1, first: at, last: at, inBatch: false })
    this.#gapsPending++
    this.#updateHealth()
  }

  #updateHealth(): void {
    const healthy = this.#failures === 0 && this.#gapsPending === 0
    if (healthy === this.#healthy) return
    this.#healthy = healthy
    const change: AuditHealthChange = healthy
      ? { healthy, waiting: this.waiting }
      : {
          healthy,
          waiting: this.waiting,
          reason: this.#failures > 0 ? `write failed: ${reasonOf(this.#lastError)}` : `backlog full (${this.#maxBacklog} records): records dropped and counted`,
        }
    for (const watcher of this.#healthWatchers) {
      try {
        watcher(change)
      } catch {
        // A watcher's fault is not the audit log's.
      }
    }
  }

  /** The chain is another writer's now: nothing queued here can ever be written to it. */
  #abandon(error: LockLostError): void {
    this.#closed = true
    this.#failures++
    clearInterval(this.#checkpoints)
    const dropped = [...this.#queue, ...this.#waitingForRoom]
    this.#queue = []
    this.#waitingForRoom = []
    for (const waiting of dropped) if (waiting.kind === 'event') waiting.done(error)
    this.#updateHealth()
  }

  /** The chain says it is alive (its last record stays recent unless its tail is cut) and witnesses the others. */
  #checkpoint(): void {
    if (!this.#closed && this.#failures === 0) this.#enqueue({ kind: 'checkpoint' })
  }

  #enqueue(waiting: Waiting): void {
    this.#queue.push(waiting)
    this.maxQueued = Math.max(this.maxQueued, this.#queue.length)
    this.#kick()
  }

  #kick(): void {
    if (this.#writing || this.#queue.length === 0) return
    this.#writing = this.#drain().finally(() => {
      this.#writing = undefined
      if (this.#queue.length > 0 && this.#failures === 0) this.#kick()
    })
  }

  async #drain(): Promise<void> {
    const batch = this.#queue.slice(0, 500)
    const mark = { seq: this.#seq, prev: this.#prev, day: this.#day }
    try {
      const records = this.#dayChange()
      for (const waiting of batch) records.push(this.#waitingRecord(waiting))
      await this.#append(records)
      this.#queue.splice(0, batch.length)
      this.#failures = 0
      for (const waiting of batch) {
        if (waiting.kind === 'event') waiting.done()
        if (waiting.kind === 'gap') this.#gapsPending--
      }
      while (this.#queue.length < this.#maxQueue && this.#waitingForRoom.length > 0) this.#enqueue(this.#waitingForRoom.shift() as Waiting)
      this.#updateHealth()
    } catch (error) {
      // The chain does not move on: the same records are written again, to the same place.
      this.#seq = mark.seq
      this.#prev = mark.prev
      this.#day = mark.day
      for (const waiting of batch) if (waiting.kind === 'gap') waiting.inBatch = false
      this.#lastError = error
      this.#onError(error)
      if (error instanceof LockLostError) return this.#abandon(error)
      const delay = RETRY_MS[Math.min(this.#failures++, RETRY_MS.length - 1)] as number
      this.#updateHealth()
      setTimeout(() => {
        try {
          // A failed append may have left half a line: sealed before the chain goes on.
          this.#sealTornTail()
        } catch (reason) {
          this.#onError(reason)
        }
        this.#kick()
        // Not unref'd: records waiting to be written are work the process still has to do.
      }, delay)
    }
  }

  /** A new UTC day: a new file, opened with a hand-over record naming the file and record before it. */
  #dayChange(): StoredRecord[] {
    const day = this.#now().toISOString().slice(0, 10)
    if (day === this.#day) return []
    const from = this.#day ? fileName(this.#inst, this.#day) : undefined
    this.#day = day
    this.#expire()
    if (this.#seq === 0) return []
    return [
      this.#record('chain.handover', { control: { from_file: from ?? null, from_seq: this.#seq, encrypted: this.#encrypt, at: this.#now().toISOString() } }),
    ]
  }

  #waitingRecord(waiting: Waiting): StoredRecord {
    if (waiting.kind === 'event') return this.#eventRecord(waiting.event)
    const at = this.#now().toISOString()
    if (waiting.kind === 'checkpoint') return this.#record('chain.checkpoint', { control: { at, peers: peerHeads(this.#dir, this.#inst) } })
    // Counted up to here: a drop from now on starts a new count after this one.
    waiting.inBatch = true
    return this.#record('chain.gap', { control: { dropped: waiting.dropped, first_time: waiting.first, last_time: waiting.last, at } })
  }

  #eventRecord(event: AuditEvent): StoredRecord {
    if (!this.#encrypt) return this.#record('event', { event })
    const seq = this.#seq + 1
    return this.#record('event', { enc: this.#keys.cipher.encrypt(JSON.stringify(event), bindingOf(this.#inst, seq, this.#prev)) })
  }

  #record(kind: RecordKind, body: Pick<StoredRecord, 'event' | 'enc' | 'control'>): StoredRecord {
    const record = this.#keys.seal({ v: AUDIT_FORMAT, inst: this.#inst, seq: this.#seq + 1, prev: this.#prev, kid: this.#keys.currentKid, kind, ...body })
    this.#seq = record.seq
    this.#prev = record.mac
    return record
  }

  /**
   * Opened per batch, not kept open: a file moved away or replaced (by an operator, a backup, a
   * failing disk) is then noticed at the next batch instead of written into unseen.
   */
  async #append(records: StoredRecord[]): Promise<void> {
    if (records.length === 0) return
    // Still ours? A writer that lost its lock (stopped too long, or raced) must not fork the chain.
    this.#lock.check()
    const file = await open(join(this.#dir, fileName(this.#inst, this.#day)), 'a', 0o600)
    try {
      await file.appendFile(records.map((r) => `${JSON.stringify(r)}\n`).join(''))
      if (this.#fsync) await file.datasync()
    } finally {
      await file.close()
    }
  }

  #expire(): void {
    const cutoff = new Date(this.#now().getTime() - this.#retentionDays * 86_400_000).toISOString().slice(0, 10)
    for (const name of readdirSync(this.#dir)) {
      const parsed = parseFileName(name)
      if (parsed && parsed.inst === this.#inst && parsed.day < cutoff) unlinkSync(join(this.#dir, name))
    }
  }

  /** Picks the chain up where the last run left it, sealing a line a crash cut short, and says so. */
  #resume(): void {
    const last = chainFiles(this.#dir, this.#inst).at(-1)
    if (last) {
      this.#day = parseFileName(last)?.day ?? ''
      this.#sealTornTail()
    }
    const records = this.#dayChange()
    this.#expire()
    records.push(
      this.#record('chain.opened', {
        control: { pid: process.pid, encrypted: this.#encrypt, at: this.#now().toISOString(), peers: peerHeads(this.#dir, this.#inst) },
      }),
    )
    // Written at once, synchronously: this is start-up, not a request.
    const fd = openSync(join(this.#dir, fileName(this.#inst, this.#day)), 'a', 0o600)
    try {
      writeSync(fd, records.map((r) => `${JSON.stringify(r)}\n`).join(''))
    } finally {
      closeSync(fd)
    }
  }

  /** The last record of the chain on disk; a torn last line is terminated and sealed with a `chain.torn` record. */
  #sealTornTail(): void {
    const path = join(this.#dir, fileName(this.#inst, this.#day))
    if (!this.#day || !existsSync(path)) return
    const text = readFileSync(path, 'utf8')
    const cut = text.endsWith('\n') ? text.length : text.lastIndexOf('\n') + 1
    const lines = text.slice(0, cut).split('\n').filter(Boolean)
    const lastGood = lines.length ? (JSON.parse(lines.at(-1) as string) as StoredRecord) : undefined
    if (lastGood) {
      this.#seq = lastGood.seq
      this.#prev = lastGood.mac
    }
    const torn = text.slice(cut)
    if (torn === '') return
    const seal = this.#record('chain.torn', {
      control: { torn_bytes: Buffer.byteLength(torn), torn_sha256: createHash('sha256').update(torn).digest('hex'), at: this.#now().toISOString() },
    })
    this.#lock.check()
    const fd = openSync(path, 'a', 0o600)
    try {
      writeSync(fd, `\n${JSON.stringify(seal)}\n`)
    } finally {
      closeSync(fd)
    }
  }
}

/** One instance's files, oldest first. */
export function chainFiles(dir: string, inst: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => parseFileName(name)?.inst === inst)
        .sort()
    : []
}

function reasonOf(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? (error instanceof Error ? error.message : String(error))
}
