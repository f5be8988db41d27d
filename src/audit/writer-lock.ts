import { randomBytes } from 'node:crypto'
import { readFileSync, readlinkSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'

export interface WriterLockOptions {
  /** A lock whose heartbeat is older than this is abandoned. Default 60 s. */
  staleMs?: number
  /** How often the holder refreshes the lock's mtime. Default 10 s. */
  heartbeatMs?: number
}

/** Who holds a lock: enough to tell whether its PID can be checked from here. */
interface Holder {
  writer: string
  host: string
  boot: string
  pidNs: string
  pid: number
}

/**
 * One writer per chain, across processes, containers and hosts sharing a folder. Node has no
 * portable OS file lock, and a PID means nothing outside its PID namespace (two containers on one
 * volume each see the other's PID as dead), so the lock names its holder by host, boot id, PID
 * namespace, PID and a random writer id, and the holder refreshes its mtime (heartbeat). A lock
 * held from this very PID namespace is taken over once its process is dead; one held from
 * anywhere else only once its heartbeat is stale. The holder checks the lock is still its own
 * before each batch, so a writer that lost it (stopped past `staleMs`, or a takeover race) stops
 * instead of forking the chain.
 */
export class WriterLock {
  readonly #path: string
  readonly #label: string
  readonly #staleMs: number
  readonly #me: Holder
  #heartbeat: NodeJS.Timeout | undefined

  /** @param label what the lock guards, for messages (`audit chain a in /var/log/spid-audit`) */
  constructor(path: string, label: string, options: WriterLockOptions = {}) {
    this.#path = path
    this.#label = label
    this.#staleMs = options.staleMs ?? 60_000
    this.#me = { writer: randomBytes(12).toString('hex'), ...thisProcess() }
    this.#take()
    this.#heartbeat = setInterval(() => this.#beat(), options.heartbeatMs ?? 10_000)
    // The heartbeat alone must not keep a process alive.
    this.#heartbeat.unref()
  }

  /** Throws unless the lock is still this writer's; a lock file removed meanwhile is taken again. */
  check(): void {
    let holder: Holder | undefined
    try {
      holder = parseHolder(readFileSync(this.#path, 'utf8'))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      // Removed by hand: nobody holds it, so it is ours again.
      writeFileSync(this.#path, JSON.stringify(this.#me), { flag: 'wx', mode: 0o600 })
      return
    }
    if (holder?.writer !== this.#me.writer) throw new LockLostError(`${this.#label}: its lock was taken over by ${describe(holder)}; this writer stops`)
  }

  /** Stops the heartbeat and removes the lock if it is still ours. */
  release(): void {
    clearInterval(this.#heartbeat)
    this.#heartbeat = undefined
    try {
      if (parseHolder(readFileSync(this.#path, 'utf8'))?.writer === this.#me.writer) unlinkSync(this.#path)
    } catch {
      // Already gone, or unreadable: nothing of ours to remove.
    }
  }

  #take(): void {
    try {
      writeFileSync(this.#path, JSON.stringify(this.#me), { flag: 'wx', mode: 0o600 })
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const text = readFileSync(this.#path, 'utf8')
    const holder = parseHolder(text)
    const ageMs = Date.now() - statSync(this.#path).mtimeMs
    if (!this.#abandoned(holder, text, ageMs)) {
      throw new Error(
        `${this.#label} is being written by ${describe(holder, text)}, its lock refreshed ${Math.round(ageMs / 1000)} s ago: give each instance its own instanceId`,
      )
    }
    // Replaced in one step, then read back: of two takers racing, the one that reads itself back wins.
    const temp = `${this.#path}.${this.#me.writer}`
    writeFileSync(temp, JSON.stringify(this.#me), { mode: 0o600 })
    renameSync(temp, this.#path)
    this.check()
  }

  #abandoned(holder: Holder | undefined, text: string, ageMs: number): boolean {
    // A lock of the versions that wrote only a PID: that PID, on this machine.
    if (!holder) return !isAlive(Number(text))
    const here = holder.host === this.#me.host && holder.boot === this.#me.boot && holder.pidNs === this.#me.pidNs
    if (here && !isAlive(holder.pid)) return true
    return ageMs > this.#staleMs
  }

  #beat(): void {
    try {
      this.check()
      const now = new Date()
      utimesSync(this.#path, now, now)
    } catch {
      // A lost lock or a failing disk: the check before the next batch says so.
    }
  }
}

function thisProcess(): Omit<Holder, 'writer'> {
  return { host: hostname(), boot: readOr('/proc/sys/kernel/random/boot_id'), pidNs: linkOr('/proc/self/ns/pid'), pid: process.pid }
}

function parseHolder(text: string): Holder | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<Holder>
    return typeof parsed === 'object' && parsed !== null && typeof parsed.writer === 'string' ? (parsed as Holder) : undefined
  } catch {
    return undefined
  }
}

function describe(holder: Holder | undefined, text = ''): string {
  return holder ? `process ${holder.pid} on host ${holder.host} (writer ${holder.writer.slice(0, 8)})` : `process ${text.trim().slice(0, 20)}`
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim()
  } catch {
    return ''
  }
}

function linkOr(path: string): string {
  try {
    return readlinkSync(path)
  } catch {
    return ''
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The lock is another writer's now: this one must stop for good. */
export class LockLostError extends Error {}
