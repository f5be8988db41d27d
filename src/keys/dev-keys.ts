import { generateKeyPairSync } from 'node:crypto'
import type { JWK } from 'jose'
import { jwkThumbprint } from './rp-keys.ts'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
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
 * private JWKs, files readable by the owner only). For development and tests: production keys
 * come from your secret store, and `dir` must be git-ignored.
 */
export function loadOrCreateDevKeys(dir: string): DevKeySet {
  const file = join(dir, 'rp-keys.json')
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DevKeySet
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const keys = generateDevKeys()
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 })
  chmodSync(file, 0o600)
  return keys
}

/** A fresh in-memory key set, each key's kid its RFC 7638 thumbprint (what registry portals expect). */
export function generateDevKeys(): DevKeySet {
  const make = () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    return { ...privateKey.export({ format: 'jwk' }), kty: 'RSA', kid: jwkThumbprint(publicKey.export({ format: 'jwk' }) as JWK) }
  }
  return { federation: make(), signing: make(), encryption: make() }
}
