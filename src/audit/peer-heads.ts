import { closeSync, fstatSync, openSync, readSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { parseFileName } from './audit-record.ts'

/** Bytes read from the end of a peer's newest file: a record is far shorter. */
const TAIL_BYTES = 65_536

/**
 * The last sequence number of every other instance's chain in the folder, as its newest file
 * shows it now. Each chain records these in its own checkpoints, MACed, so a chain deleted whole
 * or cut short afterwards is shown by the chains of the other instances (`audit verify`).
 */
export function peerHeads(dir: string, self: string): Record<string, number> {
  const newest = new Map<string, string>()
  for (const name of readdirSync(dir).sort()) {
    const parsed = parseFileName(name)
    if (parsed && parsed.inst !== self) newest.set(parsed.inst, name)
  }
  const heads: Record<string, number> = {}
  for (const [inst, name] of newest) {
    const seq = lastSeq(join(dir, name))
    if (seq !== undefined) heads[inst] = seq
  }
  return heads
}

/** The sequence number of the last complete record of a file; a line being written is skipped. */
function lastSeq(path: string): number | undefined {
  let text: string
  try {
    const fd = openSync(path, 'r')
    try {
      const size = fstatSync(fd).size
      const length = Math.min(size, TAIL_BYTES)
      const buffer = Buffer.alloc(length)
      readSync(fd, buffer, 0, length, size - length)
      text = buffer.toString('utf8')
    } finally {
      closeSync(fd)
    }
  } catch {
    return undefined
  }
  const lines = text.split('\n').slice(0, -1)
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const seq = (JSON.parse(lines[i] as string) as { seq?: unknown }).seq
      if (typeof seq === 'number') return seq
    } catch {
      // Torn, or cut by the window: the one before.
    }
  }
  return undefined
}
