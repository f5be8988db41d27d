import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto'

/** The protected header of every record: JWE direct encryption with AES-256-GCM. */
const ALG = 'dir'
const ENC = 'A256GCM'

/** What a key encrypts: each purpose has a key of its own, derived from the configured one. */
export type CipherPurpose = 'session' | 'audit' | 'audit integrity' | 'login transaction'

/**
 * What a record is bound to, as authenticated data: the id it is stored under and the time it
 * stops being valid. A record copied under another id, or kept past its expiry (restored without
 * a TTL, say), does not decrypt.
 */
export interface RecordBinding {
  id: string
  /** Epoch seconds: written into the record, refused from then on. */
  expiresAt: number
}

/**
 * Encrypts whole sessions (and audit records) with AES-256-GCM before they reach the store, so a
 * Redis dump shows neither tokens nor personal data. Records are JWE compact serializations
 * (RFC 7516, `alg` `dir`, `enc` `A256GCM`, `kid`, and for bound records `sid` (a tag of the id)
 * and `exp`), readable by any JOSE library with the derived key. Done with node:crypto rather
 * than jose, which would make every session read a thread-pool round trip (WebCrypto is
 * asynchronous) on every request.
 *
 * The configured keys are never used directly: each purpose derives its own with HKDF-SHA256, so
 * a session record and an audit record can never be swapped. Several keys allow rotation: the
 * first encrypts, any of them decrypts.
 */
export class SessionCipher {
  readonly #keys: { id: string; key: Buffer }[]

  /** @param keys 32-byte keys, newest first. */
  constructor(keys: readonly Buffer[], purpose: CipherPurpose = 'session') {
    if (keys.length === 0) throw new TypeError('SessionCipher needs at least one key')
    this.#keys = keys.map((master) => {
      if (master.length !== 32) throw new TypeError('session encryption keys must be 32 bytes')
      const key = derivedKey(master, purpose)
      return { id: createHash('sha256').update(key).digest('base64url').slice(0, 8), key }
    })
  }

  encrypt(plaintext: string, binding?: RecordBinding): string {
    const { id, key } = this.#keys[0] as { id: string; key: Buffer }
    const fields = binding ? { alg: ALG, enc: ENC, kid: id, sid: idTag(binding.id), exp: binding.expiresAt } : { alg: ALG, enc: ENC, kid: id }
    const header = Buffer.from(JSON.stringify(fields)).toString('base64url')
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', key, iv)
    // JWE: the additional authenticated data is the encoded protected header.
    cipher.setAAD(Buffer.from(header, 'ascii'))
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    return `${header}..${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`
  }

  /**
   * The plaintext, or undefined when the record is not ours, was altered, its key was retired,
   * or (with `binding`) it belongs to another id or has expired. A bound record is only read
   * with a binding, an unbound one only without.
   */
  decrypt(record: string, binding?: { id: string; now: number }): string | undefined {
    const [header, encryptedKey, iv, ciphertext, tag, ...rest] = record.split('.')
    if (rest.length > 0 || !header || encryptedKey !== '' || !iv || ciphertext === undefined || !tag) return undefined
    const fields = readHeader(header)
    if (!fields) return undefined
    if (binding) {
      if (fields.sid !== idTag(binding.id) || fields.exp === undefined || fields.exp <= binding.now) return undefined
    } else if (fields.sid !== undefined) {
      return undefined
    }
    return this.#open(fields.kid, { aad: Buffer.from(header, 'ascii'), iv, tag, ciphertext })
  }

  #open(kid: string, parts: { aad: Buffer; iv: string; tag: string; ciphertext: string }): string | undefined {
    const entry = this.#keys.find((k) => k.id === kid)
    if (!entry) return undefined
    try {
      // A full 16-byte tag or nothing: GCM accepts shorter tags, and each byte cut off makes a
      // forgery 256 times cheaper (a login cookie is attacker input).
      const tag = Buffer.from(parts.tag, 'base64url')
      if (tag.length !== 16) return undefined
      const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(parts.iv, 'base64url'), { authTagLength: 16 })
      decipher.setAAD(parts.aad)
      decipher.setAuthTag(tag)
      return Buffer.concat([decipher.update(Buffer.from(parts.ciphertext, 'base64url')), decipher.final()]).toString('utf8')
    } catch {
      return undefined
    }
  }
}

/** The key a purpose uses: HKDF-SHA256 of the configured key, the purpose as `info`. */
export function derivedKey(master: Buffer, purpose: CipherPurpose): Buffer {
  const info = purpose === 'audit integrity' ? 'passport-spid-oidc audit integrity' : `passport-spid-oidc ${purpose} encryption`
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32))
}

/** The id as stored in a record header: a tag, not the session id itself, which is a bearer secret. */
function idTag(id: string): string {
  return createHash('sha256').update(id).digest('base64url').slice(0, 22)
}

/** The fields of a protected header that is exactly ours (`dir`, `A256GCM`; no `crit`, no `zip`). */
function readHeader(encoded: string): { kid: string; sid?: string; exp?: number } | undefined {
  try {
    const header = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Record<string, unknown>
    const names = Object.keys(header).sort().join()
    if (header.alg !== ALG || header.enc !== ENC || typeof header.kid !== 'string') return undefined
    if (names === 'alg,enc,kid') return { kid: header.kid }
    if (names === 'alg,enc,exp,kid,sid' && typeof header.sid === 'string' && Number.isInteger(header.exp)) {
      return { kid: header.kid, sid: header.sid, exp: header.exp as number }
    }
    return undefined
  } catch {
    return undefined
  }
}

/** Reads a key given as 64 hex characters or base64/base64url of 32 bytes. */
export function parseSessionKey(text: string): Buffer | undefined {
  const trimmed = text.trim()
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex')
  const decoded = Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64')
  return decoded.length === 32 ? decoded : undefined
}
