/** What a login left in Redis: the record's size as stored, and its content decrypted. */
import { SessionCipher, parseSessionKey } from '../../src/session/session-cipher.ts'
import type { RedisInspector } from './redis-server.ts'

/** The session id inside an express-session cookie value (`s:<id>.<signature>`, URL-encoded). */
export function sessionIdFromCookie(cookie: string): string {
  const value = decodeURIComponent(cookie)
  if (!value.startsWith('s:')) throw new Error('not a signed express-session cookie')
  return value.slice(2, value.lastIndexOf('.'))
}

export async function readStoredSession(redis: RedisInspector, sid: string, key: string, prefix = 'spid:sess:') {
  // The session id is the key's hash tag, so a record and its tombstone share a Cluster slot.
  const record = await redis.get(`${prefix}{${sid}}`)
  if (record === null) throw new Error(`no session ${sid} in Redis`)
  const plaintext = new SessionCipher([parseSessionKey(key) as Buffer]).decrypt(record, { id: sid, now: Math.floor(Date.now() / 1000) })
  if (plaintext === undefined) throw new Error('stored session does not decrypt with the benchmark key')
  return { bytes: Buffer.byteLength(record), plainBytes: Buffer.byteLength(plaintext), content: JSON.parse(plaintext) as Record<string, unknown> }
}

/**
 * Values stored more than once in one session (the cookie's own fields aside): every string of 3
 * characters or more, so a claim kept both raw and normalized (`Ada`, a birth date, a `sub`)
 * shows, with the paths where it stands.
 */
export function repeatedValues(content: unknown): { value: string; paths: string[] }[] {
  const seen = new Map<string, string[]>()
  const walk = (node: unknown, path: string) => {
    if (path === 'cookie') return
    if (typeof node === 'string' && node.length >= 3) seen.set(node, [...(seen.get(node) ?? []), path])
    if (node && typeof node === 'object') for (const [name, child] of Object.entries(node)) walk(child, path ? `${path}.${name}` : name)
  }
  walk(content, '')
  return [...seen].filter(([, paths]) => paths.length > 1).map(([value, paths]) => ({ value, paths }))
}
