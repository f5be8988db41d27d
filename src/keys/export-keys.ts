import type { JSONWebKeySet, JWK } from 'jose'
import { KEY_ROLES, type KeyInput, type KeyRole, type KeyRollover, keysOfRole } from './rp-keys.ts'
import { loadRpKeys } from './load-rp-keys.ts'

/** Certificate members of a JWK: the CIE federation portal refuses keys that carry them. */
const CERTIFICATE_MEMBERS = ['x5c', 'x5t', 'x5t#S256', 'x5u'] as const

export interface ExportedKeys {
  /** For the registry portal's federation key field: the keys of the entity configuration's `jwks`. */
  federation: JSONWebKeySet
  /** The core signing and encryption keys, as `metadata.openid_relying_party.jwks` publishes them. */
  core: JSONWebKeySet
}

/**
 * The public JWKs to paste into the SPID and CIE registry portals: exactly the keys (and kids)
 * the entity configuration publishes, rollover keys included, with no private member. Certificate
 * members (`x5c`, `x5t`...) are left out unless `withCertificates` is set and the key carried them.
 */
export function exportPublicKeys(
  keys: Record<KeyRole, KeyInput | KeyRollover>,
  { withCertificates = false, signingAlg = 'RS256', encryptionAlg = 'RSA-OAEP-256' } = {},
): ExportedKeys {
  const loaded = loadRpKeys(keys, { signingAlg, encryptionAlg })
  const withMembers = (role: KeyRole): JWK[] => {
    const inputs = keysOfRole(keys[role])
    return loaded.published[role].map((key, i) => {
      const input = inputs[i]
      if (!withCertificates || typeof input !== 'object') return key.publicJwk
      const certificates = Object.fromEntries(CERTIFICATE_MEMBERS.filter((m) => input[m] !== undefined).map((m) => [m, input[m]]))
      return { ...key.publicJwk, ...certificates }
    })
  }
  const [federation, signing, encryption] = KEY_ROLES.map(withMembers) as [JWK[], JWK[], JWK[]]
  return { federation: { keys: federation }, core: { keys: [...signing, ...encryption] } }
}
