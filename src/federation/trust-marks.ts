import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, jwtVerify } from 'jose'
import { JWS_ALGS } from '../algorithms.ts'
import { FederationError } from '../errors/spid-error.ts'
import type { EntityStatementClaims } from './trust-chain.ts'

/** A trust mark that verified: its type and issuer. */
export interface VerifiedTrustMark {
  type: string
  issuer: string
  /** Epoch seconds; absent when the mark does not expire. */
  expiresAt: number | undefined
}

export interface TrustMarkCheck {
  /** The entity whose configuration carries the marks. */
  subject: EntityStatementClaims
  /** The anchor's entity configuration: its `trust_mark_issuers` says who may issue which type. */
  anchor: EntityStatementClaims
  /** The public keys of each accepted issuer, by entity id (the anchor's are its own). */
  issuerKeys: (issuer: string) => Promise<JSONWebKeySet | undefined>
  now: number
  clockTolerance: number
}

/**
 * Rule F6: the trust marks in an entity configuration that verify: each `trust_mark` is a JWT of
 * `typ` `trust-mark+jwt`, issued by an issuer the anchor lists in `trust_mark_issuers` for its
 * type, signed with that issuer's keys, about this entity (`sub`), not expired. The type is read
 * from `trust_mark_type`, or the older `id` / `trust_mark_id` of the SPID and CIE registries.
 * Returns the valid marks, and why each other one was refused.
 */
export async function verifyTrustMarks(check: TrustMarkCheck): Promise<{ valid: VerifiedTrustMark[]; refused: string[] }> {
  const entries = Array.isArray(check.subject.trust_marks) ? check.subject.trust_marks : []
  const issuersByType = (check.anchor as { trust_mark_issuers?: Record<string, unknown> }).trust_mark_issuers ?? {}
  const valid: VerifiedTrustMark[] = []
  const refused: string[] = []
  for (const entry of entries) {
    const declared = typeOf(entry)
    const jwt = (entry as { trust_mark?: unknown })?.trust_mark
    try {
      if (typeof jwt !== 'string') throw new Error('entry has no trust_mark JWT')
      const claims = decodeJwt(jwt)
      const type = typeOf(claims)
      if (!type) throw new Error('the JWT names no trust_mark_type (nor id)')
      if (declared && declared !== type) throw new Error(`the entry says ${declared}, the JWT ${type}`)
      const issuer = claims.iss
      if (typeof issuer !== 'string') throw new Error('the JWT has no iss')
      const allowed = issuersByType[type]
      if (!Array.isArray(allowed) || !allowed.includes(issuer)) throw new Error(`${issuer} is not among the anchor's trust_mark_issuers for ${type}`)
      const keys = await check.issuerKeys(issuer)
      if (!keys) throw new Error(`no keys of issuer ${issuer}`)
      await jwtVerify(jwt, createLocalJWKSet(keys), {
        typ: 'trust-mark+jwt',
        issuer,
        subject: check.subject.sub,
        algorithms: [...JWS_ALGS],
        clockTolerance: check.clockTolerance,
        currentDate: new Date(check.now * 1000),
        requiredClaims: ['iss', 'sub', 'iat'],
      })
      // jose checks iat only against a maxTokenAge: a mark dated in the future would otherwise pass.
      if (typeof claims.iat !== 'number' || claims.iat > check.now + check.clockTolerance) {
        throw new Error(`its iat ${String(claims.iat)} is in the future (beyond the ${check.clockTolerance} s clock tolerance)`)
      }
      valid.push({ type, issuer, expiresAt: typeof claims.exp === 'number' ? claims.exp : undefined })
    } catch (error) {
      const reason = (error as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'it has expired' : error instanceof Error ? error.message : String(error)
      refused.push(`trust mark ${declared ?? '(no type)'} of ${check.subject.sub}: ${reason}`)
    }
  }
  return { valid, refused }
}

/** Throws unless every type in `required` has a valid mark. */
export function checkRequiredTrustMarks(subject: string, required: readonly string[], result: { valid: VerifiedTrustMark[]; refused: string[] }): void {
  const missing = required.filter((type) => !result.valid.some((mark) => mark.type === type))
  if (missing.length === 0) return
  const reasons = result.refused.length ? ` (${result.refused.join('; ')})` : ''
  throw new FederationError('ERR_SPID_TRUST_CHAIN_INVALID', `${subject}: no valid trust mark of type ${missing.join(', ')}${reasons}`)
}

function typeOf(value: unknown): string | undefined {
  const v = value as { trust_mark_type?: unknown; id?: unknown; trust_mark_id?: unknown } | undefined
  const type = v?.trust_mark_type ?? v?.id ?? v?.trust_mark_id
  return typeof type === 'string' ? type : undefined
}
