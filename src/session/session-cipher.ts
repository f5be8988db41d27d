import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

/** The protected header of every record, but for the key id: JWE direct encryption with AES-256-GCM. */
const ALG = 'dir'
const ENC = 'A256GCM'
/** Records written before the JWE format; still read, so that sessions survive an upgrade. */
const LEGACY_VERSION = 'v1'

/**
 * Encrypts whole sessions (and audit records) with AES-256-GCM before they reach the store, so a
 * Redis dump shows neither tokens nor personal data. Records are JWE compact serializations
 * (RFC 7516, `alg` `dir`, `enc` `A256GCM`, `kid`): any JOSE library reads them with the key
 * (jose's `compactDecrypt` does, and a test proves it). Done with node:crypto rather than jose,
 * which would make every session read a thread-pool round trip (WebCrypto is asynchronous) on
 * every request. Several keys allow rotation: the first encrypts, any of them decrypts.
 */
export class SessionCipher {
  readonly #keys: { id: string; key: Buffer }[]

  /** @param keys 32-byte keys, newest first. */
  constructor(keys: readonly Buffer[]) {
    if (keys.length === 0) throw new TypeError('SessionCipher needs at least one key')
    this.#keys = keys.map((key) => {
      if (key.length !== 32) throw new TypeError('session encryption keys must be 32 bytes')
      return { id: createHash('sha256').update(key).digest('base64url').slice(0, 8), key }
    })
  }

  encrypt(plaintext: string): string {
    const { id, key } = this.#keys[0] as { id: string; key: Buffer }
    const header = Buffer.from(JSON.stringify({ alg: ALG, enc: ENC, kid: id })).toString('base64url')
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', key, iv)
    // JWE: the additional authenticated data is the encoded protected header.
    cipher.setAAD(Buffer.from(header, 'ascii'))
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    return `${header}..${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`
  }

  /** The plaintext, or undefined when the record is not ours, was altered, or its key was retired. */
  decrypt(record: string): string | undefined {
    if (record.startsWith(`${LEGACY_VERSION}.`)) return this.#decryptLegacy(record)
    const [header, encryptedKey, iv, ciphertext, tag, ...rest] = record.split('.')
    if (rest.length > 0 || !header || encryptedKey !== '' || !iv || ciphertext === undefined || !tag) return undefined
    const kid = readHeader(header)
    if (!kid) return undefined
    return this.#open(kid, { aad: Buffer.from(header, 'ascii'), iv, tag, ciphertext })
  }

  #decryptLegacy(record: string): string | undefined {
    const [, id, iv, tag, ciphertext, ...rest] = record.split('.')
    if (rest.length > 0 || !id || !iv || !tag || ciphertext === undefined) return undefined
    return this.#open(id, { aad: Buffer.from(`${LEGACY_VERSION}.${id}`), iv, tag, ciphertext })
  }

  #open(kid: string, parts: { aad: Buffer; iv: string; tag: string; ciphertext: string }): string | undefined {
    const entry = this.#keys.find((k) => k.id === kid)
    if (!entry) return undefined
    try {
      const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(parts.iv, 'base64url'))
      decipher.setAAD(parts.aad)
      decipher.setAuthTag(Buffer.from(parts.tag, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(parts.ciphertext, 'base64url')), decipher.final()]).toString('utf8')
    } catch {
      return undefined
    }
  }
}

/** The key id of a protected header that is exactly ours (`dir`, `A256GCM`, no `crit`, no `zip`). */
function readHeader(encoded: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Record<string, unknown>
    const names = Object.keys(header).sort().join()
    if (names !== 'alg,enc,kid' || header.alg !== ALG || header.enc !== ENC || typeof header.kid !== 'string') return undefined
    return header.kid
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
