import { createHash, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject, type webcrypto } from 'node:crypto'
import { importJWK, type JWK } from 'jose'

/** A private key of the RP with what the protocol needs of it. */
export interface RpKey {
  readonly kid: string
  readonly alg: string
  readonly use: 'sig' | 'enc'
  readonly privateKey: KeyObject
  /** The public half as published in the entity configuration. */
  readonly publicJwk: JWK
  /** The WebCrypto form openid-client wants for client assertions. */
  cryptoKey(): Promise<webcrypto.CryptoKey>
}

/** The roles an RP key plays: federation (entity statements), signing (request objects, client assertions), encryption (UserInfo). */
export const KEY_ROLES = ['federation', 'signing', 'encryption'] as const
export type KeyRole = (typeof KEY_ROLES)[number]

/**
 * The RP's keys: the current key of each role signs (or is the one OPs are told to encrypt to
 * first); `published` adds the next and previous keys of a rollover, which the entity
 * configuration publishes beside the current ones and which still decrypt.
 */
export interface RpKeys {
  federation: RpKey
  signing: RpKey
  encryption: RpKey
  /** Per role, the current key first, then `next`, then `previous`. */
  published: Readonly<Record<KeyRole, readonly RpKey[]>>
}

export type KeyInput = string | Record<string, unknown>

/** A role's keys during a rollover: add `next` beside the current one, later promote it and keep the old one as `previous`. */
export interface KeyRollover {
  current: KeyInput
  next?: KeyInput
  previous?: KeyInput
}

/** A role given as one key or as a rollover; a JWK is the object with a `kty`. */
export function isKeyRollover(input: unknown): input is KeyRollover {
  return typeof input === 'object' && input !== null && !('kty' in input) && ('current' in input || 'next' in input || 'previous' in input)
}

/** The keys of one role in publication order: current, next, previous. */
export function keysOfRole(input: KeyInput | KeyRollover): KeyInput[] {
  if (!isKeyRollover(input)) return [input]
  return [input.current, input.next, input.previous].filter((k): k is KeyInput => k !== undefined)
}

/** Turns a PEM or private JWK into an RpKey; the kid is the JWK's own, else its RFC 7638 thumbprint. */
export function loadRpKey(input: KeyInput, use: 'sig' | 'enc', alg: string): RpKey {
  const privateKey = createPrivateKey(typeof input === 'string' ? input : { key: input as JsonWebKey, format: 'jwk' })
  const exported = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK
  const givenKid = typeof input === 'object' && typeof input.kid === 'string' ? input.kid : undefined
  const kid = givenKid ?? jwkThumbprint(exported)
  const publicJwk: JWK = { ...exported, kid, use, alg }
  let imported: Promise<webcrypto.CryptoKey> | undefined
  return {
    kid,
    alg,
    use,
    privateKey,
    publicJwk,
    cryptoKey() {
      imported ??= importJWK({ ...(privateKey.export({ format: 'jwk' }) as JWK), alg }, alg) as Promise<webcrypto.CryptoKey>
      return imported
    },
  }
}

/** RFC 7638 JWK thumbprint (SHA-256), computed synchronously so options resolve without awaiting. */
export function jwkThumbprint(jwk: JWK): string {
  const members =
    jwk.kty === 'RSA'
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : jwk.kty === 'EC'
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
        : { crv: jwk.crv, kty: jwk.kty, x: jwk.x }
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url')
}

/** The JWS alg for a signing key: the configured one for RSA, the curve's for EC. */
export function signingAlgFor(input: KeyInput, rsaAlg: string): string {
  const key = createPrivateKey(typeof input === 'string' ? input : { key: input as JsonWebKey, format: 'jwk' })
  if (key.asymmetricKeyType !== 'ec') return rsaAlg
  const curve = key.asymmetricKeyDetails?.namedCurve
  return curve === 'secp521r1' ? 'ES512' : curve === 'secp384r1' ? 'ES384' : 'ES256'
}
