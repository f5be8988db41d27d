import { generateKeyPairSync, randomBytes } from 'node:crypto'
import type { JWK } from 'jose'
import { jwkThumbprint } from './rp-keys.ts'
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** A private JWK as produced by node:crypto, with its kid. */
export type PrivateJwk = { kty: string; kid: string; [member: string]: unknown }

export interface DevKeySet {
  federation: PrivateJwk
  signing: PrivateJwk
  encryption: PrivateJwk
}

/**
 * Returns the development key set kept in `dir`, creating it on first use (three RSA-2048
 * private JWKs, files readable by the owner only). Instances started together from one directory
 * get the same keys: the set is written whole to a file of its own, then linked into place,
 * which fails if another instance got there first; the loser reads the winner's set. For
 * development and tests: production keys come from your secret store, and `dir` must be
 * git-ignored.
 */
export function loadOrCreateDevKeys(dir: string): DevKeySet {
  const file = join(dir, 'rp-keys.json')
  if (existsSync(file)) return readKeys(file)
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const draft = join(dir, `.rp-keys.${process.pid}.${randomBytes(6).toString('hex')}.json`)
  writeFileSync(draft, `${JSON.stringify(generateDevKeys(), null, 2)}\n`, { mode: 0o600, flag: 'wx' })
  try {
    // link() never replaces an existing file: exactly one instance's set becomes rp-keys.json.
    linkSync(draft, file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  } finally {
    unlinkSync(draft)
  }
  return readKeys(file)
}

function readKeys(file: string): DevKeySet {
  return JSON.parse(readFileSync(file, 'utf8')) as DevKeySet
}

/** A fresh in-memory key set, each key's kid its RFC 7638 thumbprint (what registry portals expect). */
export function generateDevKeys(): DevKeySet {
  const make = () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    return { ...privateKey.export({ format: 'jwk' }), kty: 'RSA', kid: jwkThumbprint(publicKey.export({ format: 'jwk' }) as JWK) }
  }
  return { federation: make(), signing: make(), encryption: make() }
}
