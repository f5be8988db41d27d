import { createPublicKey, type JsonWebKey } from 'node:crypto'
import type { JWK } from 'jose'
import { jwkThumbprint } from '../keys/rp-keys.ts'
import { LIMITS } from '../options/limits.ts'

/** One thing a registry or AgID's RP conformance tool would refuse in an RP entity configuration. */
export interface EntityConfigurationProblem {
  /** Where, as a path into the claims: `metadata.federation_entity.policy_uri`. */
  member: string
  message: string
  /** The strategy option that fills this member, when there is one. */
  option?: string
}

const FEDERATION_ENTITY_REQUIRED: [member: string, option: string][] = [
  ['organization_name', 'organizationName'],
  ['homepage_uri', 'homepageUri'],
  ['policy_uri', 'policyUri'],
  ['logo_uri', 'logoUri'],
  ['contacts', 'contacts'],
  ['federation_resolve_endpoint', ''],
]
const RP_REQUIRED = [
  'client_id',
  'client_registration_types',
  'redirect_uris',
  'response_types',
  'grant_types',
  'client_name',
  'contacts',
  'token_endpoint_auth_method',
  'id_token_signed_response_alg',
  'userinfo_signed_response_alg',
  'userinfo_encrypted_response_alg',
  'userinfo_encrypted_response_enc',
]
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

type Claims = Record<string, unknown>
const isObject = (v: unknown): v is Claims => typeof v === 'object' && v !== null && !Array.isArray(v)
const isFilled = (v: unknown) => (Array.isArray(v) ? v.length > 0 : typeof v === 'string' ? v.length > 0 : v !== undefined && v !== null)

/**
 * Rules F2-F4: what the SPID and CIE registries, and AgID's RP conformance tool, check in an RP
 * entity configuration, as plain-words problems. The same check runs on the RP's own claims at
 * start-up and on a fetched configuration in `doctor`.
 */
export function checkRpEntityConfiguration(claims: Claims, entityId: string): EntityConfigurationProblem[] {
  const problems: EntityConfigurationProblem[] = []
  const add = (member: string, message: string, option?: string) => problems.push({ member, message, ...(option ? { option } : {}) })

  if (claims.iss !== entityId || claims.sub !== entityId) add('iss', `iss and sub must both be the entity id ${entityId}`)
  if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number' || claims.exp <= claims.iat) add('exp', 'iat and exp must be numbers, exp after iat')

  const hints = claims.authority_hints
  if (!Array.isArray(hints) || hints.length === 0) {
    add(
      'authority_hints',
      'is empty: name the federation superior (https://registry.spid.gov.it for SPID) the registry will find this RP under',
      'authorityHints',
    )
  } else if (!hints.every((h) => typeof h === 'string' && URL.canParse(h))) {
    add('authority_hints', 'must be a list of entity ids (URLs)', 'authorityHints')
  }

  const federationKeys = checkJwks(claims.jwks, 'jwks', add)
  const metadata = isObject(claims.metadata) ? claims.metadata : {}
  const entity = isObject(metadata.federation_entity) ? metadata.federation_entity : undefined
  if (!entity) add('metadata.federation_entity', 'is missing')
  for (const [member, option] of FEDERATION_ENTITY_REQUIRED) {
    if (entity && !isFilled(entity[member])) add(`metadata.federation_entity.${member}`, 'is missing', option || undefined)
  }
  for (const member of ['homepage_uri', 'policy_uri', 'logo_uri', 'federation_resolve_endpoint']) {
    const url = entity?.[member]
    if (typeof url === 'string') checkUrl(url, `metadata.federation_entity.${member}`, add)
  }

  const rp = isObject(metadata.openid_relying_party) ? metadata.openid_relying_party : undefined
  if (!rp) {
    add('metadata.openid_relying_party', 'is missing')
  } else {
    for (const member of RP_REQUIRED) {
      // contacts fills both sections from one option: reported once.
      if (!isFilled(rp[member]) && !(member === 'contacts' && problems.some((p) => p.option === 'contacts'))) {
        add(`metadata.openid_relying_party.${member}`, 'is missing', member === 'contacts' ? 'contacts' : undefined)
      }
    }
    if (rp.client_id !== undefined && rp.client_id !== entityId) add('metadata.openid_relying_party.client_id', `must be the entity id ${entityId}`)
    if (rp.token_endpoint_auth_method !== undefined && rp.token_endpoint_auth_method !== 'private_key_jwt') {
      add('metadata.openid_relying_party.token_endpoint_auth_method', 'must be private_key_jwt')
    }
    if (Array.isArray(rp.redirect_uris)) for (const uri of rp.redirect_uris) checkUrl(String(uri), 'metadata.openid_relying_party.redirect_uris', add)
    if (!rp.jwks && !rp.signed_jwks_uri) add('metadata.openid_relying_party.jwks', 'is missing (CIE requires jwks; SPID accepts jwks or signed_jwks_uri)')
    const coreKeys = rp.jwks ? checkJwks(rp.jwks, 'metadata.openid_relying_party.jwks', add) : []
    const shared = coreKeys.filter((thumbprint) => federationKeys.includes(thumbprint))
    if (shared.length > 0) {
      add(
        'metadata.openid_relying_party.jwks',
        'publishes a federation key as a core key: federation keys must be distinct from signing and encryption keys (rule F2)',
      )
    }
    const uses = Array.isArray((rp.jwks as { keys?: unknown })?.keys) ? ((rp.jwks as { keys: JWK[] }).keys.map((k) => k.use) as unknown[]) : []
    if (rp.jwks && !uses.includes('sig')) add('metadata.openid_relying_party.jwks', 'has no signing key (use "sig")')
    if (rp.jwks && !uses.includes('enc')) add('metadata.openid_relying_party.jwks', 'has no encryption key (use "enc"): the OP cannot encrypt UserInfo')
  }

  const marks = claims.trust_marks
  if (marks !== undefined) {
    if (!Array.isArray(marks)) add('trust_marks', 'must be a list of { trust_mark_type (or id), trust_mark }')
    else
      marks.forEach((mark, i) => {
        if (!isObject(mark) || typeof mark.trust_mark !== 'string') add(`trust_marks[${i}]`, 'has no trust_mark JWT', 'trustMarks')
        else if (typeof (mark.trust_mark_type ?? mark.id) !== 'string') add(`trust_marks[${i}]`, 'names no trust_mark_type (nor id)', 'trustMarks')
      })
  }
  return problems
}

/** A published JWK set: public keys only, each with its own kid, RSA ≥ 2048 bits or EC. Returns the keys' thumbprints. */
function checkJwks(jwks: unknown, member: string, add: (member: string, message: string) => void): string[] {
  const keys = (jwks as { keys?: unknown } | undefined)?.keys
  if (!Array.isArray(keys) || keys.length === 0) {
    add(member, 'must be a JWK set with at least one key')
    return []
  }
  const kids = new Set<string>()
  const thumbprints: string[] = []
  keys.forEach((key: JWK, i) => {
    const at = `${member}.keys[${i}]`
    if (PRIVATE_MEMBERS.some((m) => m in key)) add(at, 'carries private key material: publish public keys only')
    if (typeof key.kid !== 'string' || key.kid === '') add(at, 'has no kid')
    else if (kids.has(key.kid)) add(at, `repeats kid ${key.kid}`)
    else kids.add(key.kid)
    if (key.kty !== 'RSA' && key.kty !== 'EC') {
      add(at, `kty ${String(key.kty)} is not RSA or EC`)
      return
    }
    try {
      const publicKey = createPublicKey({ key: key as JsonWebKey, format: 'jwk' })
      const bits = publicKey.asymmetricKeyDetails?.modulusLength
      if (key.kty === 'RSA' && (bits ?? 0) < LIMITS.rsaMinBits) add(at, `RSA key of ${bits} bits: at least ${LIMITS.rsaMinBits} are required (rule F9)`)
      thumbprints.push(jwkThumbprint(key))
    } catch {
      add(at, 'is not a readable public key')
    }
  })
  return thumbprints
}

/** Federation URLs are https; plain http only on loopback, which no registry can reach anyway. */
function checkUrl(url: string, member: string, add: (member: string, message: string) => void): void {
  if (!URL.canParse(url)) {
    add(member, `${url} is not an absolute URL`)
    return
  }
  const { protocol, hostname } = new URL(url)
  if (protocol !== 'https:' && !(protocol === 'http:' && LOOPBACK.has(hostname))) add(member, `${url} must be https`)
}
