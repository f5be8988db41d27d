import { createPrivateKey, createPublicKey, type JsonWebKey } from 'node:crypto'
import type { JWK } from 'jose'
import {
  KEY_ROLES,
  type KeyInput,
  type KeyRole,
  type KeyRollover,
  type RpKey,
  type RpKeys,
  isKeyRollover,
  jwkThumbprint,
  keysOfRole,
  loadRpKey,
  signingAlgFor,
} from './rp-keys.ts'

type KeysInput = Record<KeyRole, KeyInput | KeyRollover>

const SLOTS = ['current', 'next', 'previous'] as const

/** Every key given, named as in the options (`keys.signing.next`), with its RFC 7638 thumbprint; unreadable keys left out (reported elsewhere). */
function describeKeys(keys: KeysInput): { name: string; thumbprint: string; kid: string }[] {
  const found: { name: string; thumbprint: string; kid: string }[] = []
  for (const role of KEY_ROLES) {
    const given = keys[role]
    const entries: [string, KeyInput | undefined][] = isKeyRollover(given)
      ? SLOTS.map((slot): [string, KeyInput | undefined] => [`keys.${role}.${slot}`, given[slot]])
      : [[`keys.${role}`, given]]
    for (const [name, input] of entries) {
      if (input === undefined) continue
      try {
        const privateKey = createPrivateKey(typeof input === 'string' ? input : { key: input as JsonWebKey, format: 'jwk' })
        const thumbprint = jwkThumbprint(createPublicKey(privateKey).export({ format: 'jwk' }) as JWK)
        const kid = typeof input === 'object' && typeof input.kid === 'string' ? input.kid : thumbprint
        found.push({ name, thumbprint, kid })
      } catch {
        // An unreadable key has its own message.
      }
    }
  }
  return found
}

/**
 * Rule F2: federation keys are kept apart from the core keys, and a key signs or decrypts, never
 * both: the same key in two places is refused, as is one kid naming two keys (an OP picks keys by kid).
 */
export function checkDistinctKeys(keys: KeysInput): string[] {
  const problems: string[] = []
  const seen = describeKeys(keys)
  seen.forEach((key, i) => {
    const twin = seen.slice(0, i).find((other) => other.thumbprint === key.thumbprint)
    if (twin) {
      problems.push(`${twin.name} and ${key.name} are the same key: federation, signing and encryption keys must be distinct (generate one key per role)`)
      return
    }
    const sameKid = seen.slice(0, i).find((other) => other.kid === key.kid)
    if (sameKid) problems.push(`${sameKid.name} and ${key.name} have the same kid "${key.kid}": every published key needs its own`)
  })
  return problems
}

/** Loads every key of every role; the algs follow each key (RSA: the configured alg, EC: its curve's). */
export function loadRpKeys(keys: KeysInput, algs: { signingAlg: string; encryptionAlg: string }): RpKeys {
  const load = (role: KeyRole): RpKey[] =>
    keysOfRole(keys[role]).map((input) =>
      role === 'encryption' ? loadRpKey(input, 'enc', algs.encryptionAlg) : loadRpKey(input, 'sig', signingAlgFor(input, algs.signingAlg)),
    )
  const published = { federation: load('federation'), signing: load('signing'), encryption: load('encryption') }
  return {
    federation: published.federation[0] as RpKey,
    signing: published.signing[0] as RpKey,
    encryption: published.encryption[0] as RpKey,
    published,
  }
}
