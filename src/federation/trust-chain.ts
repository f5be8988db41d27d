import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose'
import { JWS_ALGS } from '../algorithms.ts'
import { FederationError, isSpidError } from '../errors/spid-error.ts'
import type { OpFetch } from '../protocol/op-fetch.ts'
import { type MetadataPolicy, resolveMetadataPolicy } from './metadata-policy.ts'
import { bounded, quoted, ResolutionBudget, type ResolutionLimits, ResolutionStopped } from './resolution-budget.ts'
import { kidOf } from '../protocol/kid-of.ts'
import { ENTITY_STATEMENT_CONTENT_TYPE } from './entity-configuration.ts'

/** A trust anchor the RP trusts: its entity id and its public keys, pinned from the official publication. */
export interface TrustAnchor {
  entityId: string
  jwks: JSONWebKeySet
}

/** An entity statement, verified: the JWT as received and its claims. */
export interface VerifiedStatement {
  jwt: string
  claims: EntityStatementClaims
}

export interface EntityStatementClaims extends JWTPayload {
  iss: string
  sub: string
  iat: number
  exp: number
  jwks: JSONWebKeySet
  authority_hints?: string[]
  metadata?: Record<string, Record<string, unknown>>
  metadata_policy?: MetadataPolicy
  metadata_policy_crit?: string[]
  constraints?: { max_path_length?: number }
  trust_marks?: unknown[]
}

/**
 * A verified trust chain (OpenID Federation 1.0 section 4): the subject's entity configuration,
 * the subordinate statements up to the trust anchor (immediate superior's first), and the
 * anchor's entity configuration.
 */
export interface TrustChain {
  subject: EntityStatementClaims
  /** Immediate superior's statement about the subject first, the anchor's last. */
  subordinateStatements: EntityStatementClaims[]
  anchor: EntityStatementClaims
  /** The JWTs in chain order: subject configuration, subordinate statements, anchor configuration (rule G1 keeps them). */
  statements: string[]
  /** The earliest `exp` of the chain: it must be resolved again by then. */
  expiresAt: number
  /** The chain's metadata policy, merged from the anchor down. */
  policy: MetadataPolicy
}

export interface TrustChainOptions {
  anchors: readonly TrustAnchor[]
  fetch: OpFetch
  /** Epoch seconds. */
  now: number
  clockTolerance: number
  /** Intermediates allowed at most between the subject and an anchor, whatever the statements say. */
  maxIntermediates?: number
  /** Requests, hints per entity and time one resolution may use (DEFAULT_RESOLUTION_LIMITS). */
  limits?: Partial<ResolutionLimits>
}

const TYP = 'entity-statement+jwt'
const DEFAULT_MAX_INTERMEDIATES = 3

/**
 * Resolves and verifies the trust chain of `subject` up to one of the configured anchors:
 * its self-signed entity configuration, then for each `authority_hints` entry in order the
 * superior's entity configuration and its subordinate statement about the entity below (from its
 * `federation_fetch_endpoint`), each verified with the keys of the level above, the anchor's with
 * the pinned keys, until an anchor is reached. Loops, chains longer than allowed and
 * `max_path_length` are refused. When every hint fails, the error lists why each one did.
 *
 * Bounded, since federation members write the hints: each URL is fetched once per resolution,
 * at most `limits.maxFetches` requests and `limits.maxAuthorityHints` hints per entity are used,
 * the whole resolution stops at `limits.timeout`, and the error message is cut to a few KB. A
 * superior's `federation_fetch_endpoint` must be on its own origin, unless it is an anchor.
 *
 * `leafConfiguration`: the subject's entity configuration when the caller has it (the RP's own,
 * built locally), instead of fetching it.
 */
export async function resolveTrustChain(subject: string, options: TrustChainOptions, leafConfiguration?: string): Promise<TrustChain> {
  const anchors = new Map(options.anchors.map((a) => [a.entityId, a]))
  if (anchors.has(subject)) throw chainError(subject, 'is a trust anchor, not an entity that resolves through one')
  const budget = new ResolutionBudget(options.limits)
  const leaf =
    leafConfiguration === undefined
      ? await fetchEntityConfiguration(subject, undefined, options, budget)
      : await verifyStatement(
          leafConfiguration,
          selfStatedKeys(leafConfiguration, subject),
          { iss: subject, sub: subject, ...options },
          'with its own keys (self-signed)',
        )
  const maxIntermediates = options.maxIntermediates ?? DEFAULT_MAX_INTERMEDIATES
  const maxHints = budget.limits.maxAuthorityHints

  /** Chains from `current` (already verified) up to an anchor: subordinate statements bottom-up, plus the anchor. */
  async function climb(
    current: VerifiedStatement,
    visited: Set<string>,
    intermediates: number,
  ): Promise<{ statements: VerifiedStatement[]; anchor: VerifiedStatement }> {
    const declared = Array.isArray(current.claims.authority_hints) ? current.claims.authority_hints : []
    if (declared.length === 0) throw chainError(current.claims.sub, 'has no authority_hints and is not a configured trust anchor')
    const hints = declared.slice(0, maxHints)
    const failures: string[] = []
    for (const hint of hints) {
      try {
        if (typeof hint !== 'string' || !URL.canParse(hint))
          throw chainError(current.claims.sub, `authority_hints entry ${quoted(JSON.stringify(hint) ?? '')} is not a URL`)
        if (visited.has(hint)) throw chainError(hint, `appears twice in the chain (authority_hints loop through ${[...visited].map(quoted).join(' → ')})`)
        const anchor = anchors.get(hint)
        if (!anchor && intermediates + 1 > maxIntermediates)
          throw chainError(hint, `would be intermediate number ${intermediates + 1}, more than the ${maxIntermediates} allowed`)
        const superior = await fetchEntityConfiguration(hint, anchor?.jwks, options, budget)
        const statement = await fetchSubordinateStatement(superior, current.claims.sub, options, budget, anchor !== undefined)
        // The superior vouches for the keys of the entity below: its configuration must verify with them.
        await verifyStatement(
          current.jwt,
          statement.claims.jwks,
          { iss: current.claims.sub, sub: current.claims.sub, ...options },
          'with the keys its superior states for it',
        )
        if (anchor) return { statements: [statement], anchor: superior }
        const above = await climb(superior, new Set([...visited, hint]), intermediates + 1)
        return { statements: [statement, ...above.statements], anchor: above.anchor }
      } catch (error) {
        if (error instanceof ResolutionStopped) throw error.about(subject, failures)
        const reason = isSpidError(error) ? error.message : `${quoted(String(hint))}: ${error instanceof Error ? error.message : String(error)}`
        // A failure one level up already lists its own failures: each is cut, so that nesting cannot multiply them.
        failures.push(bounded(reason, 600).replaceAll('\n', '\n    '))
      }
    }
    if (declared.length > hints.length) failures.push(`${declared.length - hints.length} more authority_hints not tried (at most ${maxHints} per entity)`)
    if (failures.length === 1) throw chainError(current.claims.sub, `no trust chain: ${failures[0]}`)
    throw chainError(current.claims.sub, bounded(`no trust chain through any of its ${declared.length} authority_hints:\n  - ${failures.join('\n  - ')}`))
  }

  const { statements, anchor } = await climb(leaf, new Set([subject]), 0)
  // The path found, checked once more as the specification states a chain (section 4): each
  // statement signed by a key its superior states, which for an intermediate's statements means
  // the keys the level above vouches for, not only those the intermediate publishes itself.
  return verifyTrustChain(
    subject,
    [leaf, ...statements, anchor].map((s) => s.jwt),
    options,
  )
}

function selfStatedKeys(jwt: string, subject: string): JSONWebKeySet {
  try {
    return decodeJwt(jwt).jwks as JSONWebKeySet
  } catch (cause) {
    throw chainError(subject, 'entity configuration is not a JWT', cause)
  }
}

/** The chain from its verified parts: path lengths checked, policies merged from the anchor down. */
function assembleChain(leaf: VerifiedStatement, statements: VerifiedStatement[], anchor: VerifiedStatement): TrustChain {
  checkPathLengths(statements.map((s) => s.claims))
  const subordinateStatements = statements.map((s) => s.claims)
  const critical = new Set(subordinateStatements.flatMap((s) => s.metadata_policy_crit ?? []))
  // Policies merge from the anchor down: the subordinate statements in reverse.
  const policy = resolveMetadataPolicy(
    [...subordinateStatements].reverse().map((s) => s.metadata_policy),
    critical,
  )
  const all = [leaf, ...statements, anchor]
  return {
    subject: leaf.claims,
    subordinateStatements,
    anchor: anchor.claims,
    statements: all.map((s) => s.jwt),
    expiresAt: Math.min(...all.map((s) => s.claims.exp)),
    policy,
  }
}

/**
 * Verifies a trust chain given as its statements (`TrustChain.statements`, as kept in a shared
 * cache), without fetching anything: the anchor's configuration with the pinned keys, each
 * statement with the keys of the next, the subject's configuration self-signed and with the keys
 * its superior states, `iss`/`sub` linked all the way, nothing expired. Throws like
 * resolveTrustChain when any of it fails.
 */
export async function verifyTrustChain(subject: string, jwts: readonly string[], options: Omit<TrustChainOptions, 'fetch'>): Promise<TrustChain> {
  if (jwts.length < 3) throw chainError(subject, `a trust chain has at least 3 statements, not ${jwts.length}`)
  const maxIntermediates = options.maxIntermediates ?? DEFAULT_MAX_INTERMEDIATES
  if (jwts.length - 3 > maxIntermediates) throw chainError(subject, `${jwts.length - 3} intermediates, more than the ${maxIntermediates} allowed`)
  const anchorId = (() => {
    try {
      return decodeJwt(jwts[jwts.length - 1] as string).iss
    } catch {
      return undefined
    }
  })()
  const pinned = options.anchors.find((a) => a.entityId === anchorId)
  if (!pinned) throw chainError(subject, `the chain ends at ${anchorId ?? '(unreadable)'}, not at a configured trust anchor`)
  const anchor = await verifyStatement(
    jwts[jwts.length - 1] as string,
    pinned.jwks,
    { iss: pinned.entityId, sub: pinned.entityId, ...options },
    'with the pinned trust anchor keys',
  )
  const statements: VerifiedStatement[] = []
  let above = anchor
  // From the anchor's statement down to the one about the subject.
  for (let j = jwts.length - 2; j >= 1; j--) {
    const about = j === 1 ? subject : decodeJwt(jwts[j - 1] as string).iss
    if (typeof about !== 'string') throw chainError(subject, `statement ${j - 1} has no iss`)
    const statement = await verifyStatement(jwts[j] as string, above.claims.jwks, { iss: above.claims.sub, sub: about, ...options }, "with the issuer's keys")
    statements.unshift(statement)
    // An intermediate's own configuration is not part of the chain: its keys are those its
    // superior states in this statement, whose subject it is.
    above = statement
  }
  const leaf = await verifyLeaf(jwts[0] as string, subject, statements[0] as VerifiedStatement, options)
  return assembleChain(leaf, statements, anchor)
}

/** The subject's configuration: self-signed, and signed with the keys its superior states for it. */
async function verifyLeaf(
  jwt: string,
  subject: string,
  superiorStatement: VerifiedStatement,
  options: Omit<TrustChainOptions, 'fetch'>,
): Promise<VerifiedStatement> {
  let ownKeys: JSONWebKeySet
  try {
    ownKeys = decodeJwt(jwt).jwks as JSONWebKeySet
  } catch (cause) {
    throw chainError(subject, 'entity configuration is not a JWT', cause)
  }
  const expected = { iss: subject, sub: subject, ...options }
  const leaf = await verifyStatement(jwt, ownKeys, expected, 'with its own keys (self-signed)')
  await verifyStatement(jwt, superiorStatement.claims.jwks, expected, 'with the keys its superior states for it')
  return leaf
}

/**
 * `constraints.max_path_length` of each subordinate statement: intermediates allowed between its
 * issuer and the chain subject. Statement i (0 = about the subject) has i intermediates below it.
 */
function checkPathLengths(statements: readonly EntityStatementClaims[]): void {
  statements.forEach((statement, below) => {
    const max = statement.constraints?.max_path_length
    if (max !== undefined && (typeof max !== 'number' || max < 0 || below > max)) {
      throw chainError(
        statement.iss,
        `statement about ${statement.sub}: max_path_length ${JSON.stringify(max)} allows fewer than the ${below} intermediates of this chain`,
      )
    }
  })
}

/** The entity configuration at `<entity>/.well-known/openid-federation`, self-signed (or with the pinned keys of an anchor). */
export async function fetchEntityConfiguration(
  entityId: string,
  pinnedKeys: JSONWebKeySet | undefined,
  options: TrustChainOptions,
  budget = new ResolutionBudget(options.limits),
): Promise<VerifiedStatement> {
  const url = `${entityId.replace(/\/$/, '')}/.well-known/openid-federation`
  const jwt = await fetchStatement(url, entityId, 'entity configuration', options.fetch, budget)
  const keys = pinnedKeys ?? selfStatedKeys(jwt, entityId)
  const what = pinnedKeys ? 'with the pinned trust anchor keys' : 'with its own keys (self-signed)'
  return verifyStatement(jwt, keys, { iss: entityId, sub: entityId, ...options }, what)
}

/**
 * The superior's subordinate statement about `subject`, from its `federation_fetch_endpoint`,
 * verified with the superior's keys. The endpoint is whatever the superior's self-signed
 * configuration says, read before any anchor has vouched for it: unless the superior is a pinned
 * anchor, it must be on the superior's own origin, so that a member cannot make the RP request
 * any URL it likes.
 */
async function fetchSubordinateStatement(
  superior: VerifiedStatement,
  subject: string,
  options: TrustChainOptions,
  budget: ResolutionBudget,
  isAnchor: boolean,
): Promise<VerifiedStatement> {
  const issuer = superior.claims.sub
  const endpoint = (superior.claims.metadata?.federation_entity as { federation_fetch_endpoint?: unknown } | undefined)?.federation_fetch_endpoint
  if (typeof endpoint !== 'string' || !URL.canParse(endpoint)) throw chainError(issuer, 'entity configuration has no federation_fetch_endpoint')
  const url = new URL(endpoint)
  if (!isAnchor && url.origin !== new URL(issuer).origin) {
    throw chainError(issuer, `federation_fetch_endpoint ${quoted(endpoint)} is not on the entity's own origin ${new URL(issuer).origin}: not requested`)
  }
  url.searchParams.set('sub', subject)
  const jwt = await fetchStatement(url.href, issuer, `statement about ${quoted(subject)}`, options.fetch, budget)
  return verifyStatement(jwt, superior.claims.jwks, { iss: issuer, sub: subject, ...options }, "with the issuer's keys")
}

async function fetchStatement(url: string, issuer: string, what: string, fetch: OpFetch, budget: ResolutionBudget): Promise<string> {
  return budget.once(url, issuer, async (signal) => {
    const response = await fetch(url, { headers: { accept: ENTITY_STATEMENT_CONTENT_TYPE }, signal })
    const type = (response.header('content-type') ?? '').split(';')[0]?.trim()
    if (!response.ok) throw chainError(issuer, `${what}: ${quoted(url)} answered ${response.status}`)
    if (type !== ENTITY_STATEMENT_CONTENT_TYPE)
      throw chainError(issuer, `${what}: ${quoted(url)} answered with content type ${quoted(type || '(none)')}, not ${ENTITY_STATEMENT_CONTENT_TYPE}`)
    return response.body.toString('utf8').trim()
  })
}

/** Signature with `keys`, `typ`, `iss`, `sub`, `iat`, `exp` and a `jwks`: every check says which statement and which value. */
async function verifyStatement(
  jwt: string,
  keys: JSONWebKeySet | undefined,
  expected: { iss: string; sub: string; now: number; clockTolerance: number },
  whose: string,
): Promise<VerifiedStatement> {
  const label = expected.iss === expected.sub ? `entity configuration of ${expected.iss}` : `statement of ${expected.iss} about ${expected.sub}`
  if (!keys || !Array.isArray(keys.keys) || keys.keys.length === 0) throw chainError(expected.iss, `${label}: no keys to verify it ${whose}`)
  try {
    const { payload } = await jwtVerify(jwt, createLocalJWKSet(keys), {
      typ: TYP,
      issuer: expected.iss,
      subject: expected.sub,
      algorithms: [...JWS_ALGS],
      clockTolerance: expected.clockTolerance,
      currentDate: new Date(expected.now * 1000),
      requiredClaims: ['iss', 'sub', 'iat', 'exp'],
    })
    const claims = payload as EntityStatementClaims
    if (!claims.jwks || !Array.isArray(claims.jwks.keys)) throw new Error('it has no jwks')
    if (claims.iat > expected.now + expected.clockTolerance) throw new Error(`iat ${claims.iat} is in the future`)
    return { jwt, claims }
  } catch (cause) {
    if (isSpidError(cause)) throw cause
    const reason = describe(cause, whose, kidOf(jwt))
    throw chainError(expected.iss, `${label}: ${reason}`, cause)
  }
}

/** jose's error as a reason a person can act on. */
function describe(error: unknown, whose: string, kid: string | undefined): string {
  const code = (error as { code?: string }).code
  const claim = (error as { claim?: string }).claim
  if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') {
    return `signature does not verify ${whose}${kid ? ` (kid ${kid})` : ''}`
  }
  if (code === 'ERR_JWT_EXPIRED') return 'it has expired (exp)'
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') return `claim ${claim} is not the expected value`
  if (code === 'ERR_JOSE_ALG_NOT_ALLOWED') return 'its alg is not allowed'
  return error instanceof Error ? error.message : String(error)
}

function chainError(entity: string, message: string, cause?: unknown): FederationError {
  return new FederationError('ERR_SPID_TRUST_CHAIN_INVALID', `${quoted(entity)}: ${message}`, cause === undefined ? {} : { cause })
}
