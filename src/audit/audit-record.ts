import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { type RecordBinding, SessionCipher, derivedKey } from '../session/session-cipher.ts'
import type { AuditEvent } from './audit-event.ts'

/** The record format written by this version. */
export const AUDIT_FORMAT = 2
/** `prev` of the first record of a chain. */
export const GENESIS = '0'.repeat(64)
/** Audit records are bound to their place in the chain, not to a lifetime: they outlive any retention. */
const NEVER = 253_402_300_799

/**
 * What a line of the audit log holds. `event` records carry an authentication step (encrypted in
 * `enc`, or in clear in `event`); the others keep the chain readable across restarts, days and
 * crashes: `chain.opened` (an instance started; says whether its events are encrypted),
 * `chain.handover` (first record of each file: which file and record came before), `chain.torn`
 * (a line cut short by a crash, sealed), `chain.gap` (events dropped while the backlog was full:
 * how many, between which times), `chain.checkpoint` (an idle chain still alive), `chain.closed`
 * (a clean stop).
 */
export type RecordKind = 'event' | 'chain.opened' | 'chain.handover' | 'chain.torn' | 'chain.gap' | 'chain.checkpoint' | 'chain.closed'

export interface StoredRecord {
  v: typeof AUDIT_FORMAT
  /** The instance whose chain this is. */
  inst: string
  seq: number
  /** MAC of the record before it in this chain. */
  prev: string
  /** Id of the audit key this record's MAC (and encryption) used. */
  kid: string
  kind: RecordKind
  event?: AuditEvent
  enc?: string
  control?: Record<string, unknown>
  /** HMAC-SHA256 of everything above, with the audit integrity key. */
  mac: string
}

export type UnsealedRecord = Omit<StoredRecord, 'mac'>

/**
 * The audit keys derived from the configured key(s), newest first: one for integrity (HMAC),
 * one for encryption, each apart from the session keys (HKDF per purpose), so no record of one
 * kind can stand for another.
 */
export class AuditKeys {
  readonly #macKeys: { kid: string; key: Buffer }[]
  readonly cipher: SessionCipher

  constructor(masters: readonly Buffer[]) {
    if (masters.length === 0) throw new TypeError('the audit log needs a key')
    this.#macKeys = masters.map((master) => {
      if (master.length !== 32) throw new TypeError('audit keys must be 32 bytes')
      const key = derivedKey(master, 'audit integrity')
      return { kid: createHash('sha256').update(key).digest('base64url').slice(0, 8), key }
    })
    this.cipher = new SessionCipher(masters, 'audit')
  }

  get currentKid(): string {
    return (this.#macKeys[0] as { kid: string }).kid
  }

  seal(record: UnsealedRecord): StoredRecord {
    const key = this.#macKeys.find((k) => k.kid === record.kid) as { key: Buffer }
    return { ...record, mac: macOf(key.key, record) }
  }

  /** 'ok', or why not: an unknown key id, or a MAC that does not match (edited, forged). */
  check(record: StoredRecord): 'ok' | 'unknown key' | 'bad mac' {
    const key = this.#macKeys.find((k) => k.kid === record.kid)
    if (!key) return 'unknown key'
    const { mac, ...rest } = record
    const expected = Buffer.from(macOf(key.key, rest), 'hex')
    const given = Buffer.from(typeof mac === 'string' ? mac : '', 'hex')
    return given.length === expected.length && timingSafeEqual(given, expected) ? 'ok' : 'bad mac'
  }
}

/** The binding of an encrypted event: its instance, place and predecessor are authenticated data. */
export function bindingOf(inst: string, seq: number, prev: string): RecordBinding {
  return { id: `${inst}\n${seq}\n${prev}`, expiresAt: NEVER }
}

export function readBindingOf(inst: string, seq: number, prev: string): { id: string; now: number } {
  return { id: `${inst}\n${seq}\n${prev}`, now: 0 }
}

function macOf(key: Buffer, record: UnsealedRecord): string {
  const payload = record.enc ?? record.event ?? record.control ?? null
  return createHmac('sha256', key)
    .update(JSON.stringify([record.v, record.inst, record.seq, record.prev, record.kid, record.kind, payload]))
    .digest('hex')
}

/** File of one instance's chain for one UTC day. */
export const fileName = (inst: string, day: string) => `audit-${inst}-${day}.jsonl`
/** The instance and day of a file name of ours. */
export function parseFileName(name: string): { inst: string; day: string } | undefined {
  const match = /^audit-([A-Za-z0-9_.-]+)-(\d{4}-\d{2}-\d{2})\.jsonl$/.exec(name)
  return match ? { inst: match[1] as string, day: match[2] as string } : undefined
}
