import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'

const VERSION = 'v1'

/**
 * Encrypts whole sessions with AES-256-GCM before they reach the store, so a Redis dump shows
 * neither tokens nor personal data. Several keys allow rotation: the first encrypts, any of them
 * decrypts (each record names its key by a short id).
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
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', key, iv)
    cipher.setAAD(Buffer.from(`${VERSION}.${id}`))
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    return [VERSION, id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.')
  }

  /** The plaintext, or undefined when the record is not ours, was altered, or its key was retired. */
  decrypt(record: string): string | undefined {
    const [version, id, iv, tag, ciphertext, ...rest] = record.split('.')
    if (version !== VERSION || rest.length > 0 || !iv || !tag || ciphertext === undefined) return undefined
    const entry = this.#keys.find((k) => k.id === id)
    if (!entry) return undefined
    try {
      const decipher = createDecipheriv('aes-256-gcm', entry.key, Buffer.from(iv, 'base64url'))
      decipher.setAAD(Buffer.from(`${VERSION}.${id}`))
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8')
    } catch {
      return undefined
    }
  }
}

/** Reads a key given as 64 hex characters or base64/base64url of 32 bytes. */
export function parseSessionKey(text: string): Buffer | undefined {
  const trimmed = text.trim()
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex')
  const decoded = Buffer.from(trimmed, trimmed.includes('-') || trimmed.includes('_') ? 'base64url' : 'base64')
  return decoded.length === 32 ? decoded : undefined
}
