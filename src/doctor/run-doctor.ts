import type { JSONWebKeySet } from 'jose'
import { FederationProviderRegistry } from '../federation/federation-provider-registry.ts'
import { checkRpEntityConfiguration, type EntityConfigurationProblem } from '../federation/check-rp-entity-configuration.ts'
import { resolvePolicyApplied } from '../federation/resolve-response.ts'
import { type EntityStatementClaims, fetchEntityConfiguration, type TrustAnchor } from '../federation/trust-chain.ts'
import { verifyTrustMarks } from '../federation/trust-marks.ts'
import { silentLogger } from '../log/logger.ts'
import { createOpFetch, type OpFetch } from '../protocol/op-fetch.ts'
import type { DoctorReport, DoctorStep } from './report.ts'

export interface DoctorOptions {
  /** The relying party's entity id (its client_id): its entity configuration is fetched from there. */
  entityId: string
  /** The trust anchor to check the RP (and the OPs) against; its keys pinned when known. */
  anchor: { entityId: string; jwks?: JSONWebKeySet }
  /** Trust mark types the RP must carry (the registry's ids differ per federation and environment). */
  requiredTrustMarks?: readonly string[]
  /** Check the chain of each OP of the anchor's list too. Default true. */
  providers?: boolean
  fetch?: OpFetch
  /** Epoch seconds. */
  now?: number
  clockTolerance?: number
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

/** Which step reports a problem of the entity configuration, by where it is. */
const PROBLEM_STEPS: [prefix: string, step: string][] = [
  ['authority_hints', 'authority_hints'],
  ['metadata.federation_entity', 'federation_entity metadata'],
  ['metadata.openid_relying_party.jwks', 'keys'],
  ['jwks', 'keys'],
  ['metadata.openid_relying_party', 'openid_relying_party metadata'],
  ['trust_marks', 'trust marks'],
  ['', 'entity configuration claims'],
]

/**
 * What an onboarding reviewer and AgID's RP conformance tool check of a relying party's
 * federation set-up, as steps that pass or fail with the reason in plain words: its entity
 * configuration (served, signed, complete), its keys, `authority_hints`, its trust marks, its
 * trust chain through the anchor with the anchor's policy applied, and each OP's chain. Only
 * public information is fetched; nothing is changed anywhere.
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const steps: DoctorStep[] = []
  const add = (name: string, status: DoctorStep['status'], detail: string) => void steps.push({ name, status, detail })
  const context = {
    fetch: options.fetch ?? createOpFetch({ timeout: 10_000, maxBytes: 1024 * 1024 }),
    now: options.now ?? Math.floor(Date.now() / 1000),
    clockTolerance: options.clockTolerance ?? 60,
  }
  const report = (): DoctorReport => ({ ok: !steps.some((s) => s.status === 'fail'), entityId: options.entityId, trustAnchor: options.anchor.entityId, steps })

  add('entity id', ...checkEntityId(options.entityId))

  // 1. The entity configuration, as anyone fetches it.
  let claims: EntityStatementClaims
  try {
    const statement = await fetchEntityConfiguration(options.entityId, undefined, { anchors: [], ...context })
    claims = statement.claims
    const expires = new Date(claims.exp * 1000).toISOString()
    add(
      'entity configuration',
      'pass',
      `served at ${options.entityId}/.well-known/openid-federation as application/entity-statement+jwt, self-signed, valid until ${expires}`,
    )
  } catch (error) {
    add('entity configuration', 'fail', `${reason(error)}\nServe entityConfiguration(strategy) at /.well-known/openid-federation under the client id's path.`)
    for (const name of ['authority_hints', 'federation_entity metadata', 'openid_relying_party metadata', 'keys', 'trust marks', 'relying party trust chain'])
      add(name, 'skip', 'needs the entity configuration')
    return report()
  }

  // 2. Its contents, as the registry checks them.
  const problems = checkRpEntityConfiguration(claims, options.entityId)
  for (const name of ['authority_hints', 'federation_entity metadata', 'openid_relying_party metadata', 'keys', 'entity configuration claims']) {
    const mine = problems.filter((p) => stepOf(p) === name)
    if (mine.length > 0) add(name, 'fail', mine.map(describe).join('\n'))
    else if (name !== 'entity configuration claims') add(name, 'pass', passDetail(name, claims, options.anchor.entityId))
  }

  // 3. The anchor, with the pinned keys when given.
  let anchor: TrustAnchor
  let anchorClaims: EntityStatementClaims
  try {
    const statement = await fetchEntityConfiguration(options.anchor.entityId, options.anchor.jwks, { anchors: [], ...context })
    anchorClaims = statement.claims
    anchor = { entityId: options.anchor.entityId, jwks: options.anchor.jwks ?? statement.claims.jwks }
    if (options.anchor.jwks) add('trust anchor', 'pass', `${options.anchor.entityId} verifies with the pinned keys`)
    else
      add('trust anchor', 'warn', `${options.anchor.entityId} verified with its own keys only: pass --anchor-jwks with the keys from its official publication`)
  } catch (error) {
    add('trust anchor', 'fail', reason(error))
    add('trust marks', 'skip', 'needs the trust anchor')
    add('relying party trust chain', 'skip', 'needs the trust anchor')
    return report()
  }

  // 4. Trust marks: signed by an issuer the anchor lists, about this RP, not expired.
  add('trust marks', ...(await checkTrustMarks(claims, anchorClaims, problems, options.requiredTrustMarks ?? [], context)))

  // 5. The RP's chain through the anchor, and the anchor's policy applied to its metadata.
  try {
    const { chain } = await resolvePolicyApplied(options.entityId, anchor, ['openid_relying_party'], context)
    const through = chain.subordinateStatements.map((s) => s.iss).join(' → ')
    add(
      'relying party trust chain',
      'pass',
      `${through} vouches for the RP; the anchor's policy accepts its metadata; the chain expires ${new Date(chain.expiresAt * 1000).toISOString()}`,
    )
  } catch (error) {
    add('relying party trust chain', 'fail', explainChainFailure(reason(error), options.entityId, options.anchor.entityId))
  }

  // 6. The OPs of the anchor's list, through the same code the RP uses.
  if (options.providers !== false) {
    const registry = new FederationProviderRegistry({
      anchors: [anchor],
      providers: [],
      discover: true,
      fetch: context.fetch,
      clockTolerance: context.clockTolerance,
      now: () => context.now,
      logger: silentLogger,
    })
    try {
      await registry.refresh()
      for (const op of registry.list()) add(`OP ${op.issuer}`, 'pass', "trust chain verified, the anchor's policy applied, metadata complete")
      for (const [issuer, why] of registry.refused) add(`OP ${issuer}`, 'fail', why)
      if (registry.list().length === 0 && registry.refused.size === 0) add('OPs', 'warn', "the anchor's federation_list_endpoint lists no OP")
    } catch (error) {
      add('OPs', 'fail', `could not list the anchor's OPs: ${reason(error)}`)
    }
  }
  return report()
}

function checkEntityId(entityId: string): [DoctorStep['status'], string] {
  if (!URL.canParse(entityId)) return ['fail', `${entityId} is not an absolute URL`]
  const url = new URL(entityId)
  if (url.search || url.hash || (entityId.endsWith('/') && url.pathname !== '/')) return ['fail', `${entityId} must have no query, fragment or trailing slash`]
  if (url.protocol === 'https:') return ['pass', `${entityId} is an https URL`]
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return ['pass', `${entityId} is on loopback: fine for a local federation; a registry needs https`]
  return ['fail', `${entityId} must be https: registries and OPs refuse plain http`]
}

function stepOf(problem: EntityConfigurationProblem): string {
  return (PROBLEM_STEPS.find(([prefix]) => problem.member.startsWith(prefix)) as [string, string])[1]
}

function describe(problem: EntityConfigurationProblem): string {
  return `${problem.member} ${problem.message}${problem.option ? ` (strategy option ${problem.option})` : ''}`
}

function passDetail(step: string, claims: EntityStatementClaims, anchor: string): string {
  const rp = (claims.metadata?.openid_relying_party ?? {}) as { jwks?: { keys?: { kty?: string; use?: string }[] } }
  switch (step) {
    case 'authority_hints': {
      const hints = claims.authority_hints ?? []
      return hints.includes(anchor)
        ? `${hints.join(', ')}`
        : `${hints.join(', ')} (the anchor is not a direct superior: the chain step shows whether a hint leads to it)`
    }
    case 'federation_entity metadata':
      return 'organization_name, homepage_uri, policy_uri, logo_uri, contacts and federation_resolve_endpoint are all there'
    case 'openid_relying_party metadata':
      return 'client_id, redirect_uris, algorithms, private_key_jwt and the other required members are there'
    default: {
      const core = rp.jwks?.keys ?? []
      return `${claims.jwks.keys.length} federation key(s), ${core.filter((k) => k.use === 'sig').length} signing and ${core.filter((k) => k.use === 'enc').length} encryption key(s), all public, distinct, RSA ≥ 2048 bits or EC`
    }
  }
}

async function checkTrustMarks(
  claims: EntityStatementClaims,
  anchorClaims: EntityStatementClaims,
  problems: EntityConfigurationProblem[],
  required: readonly string[],
  context: { now: number; clockTolerance: number },
): Promise<[DoctorStep['status'], string]> {
  const shape = problems.filter((p) => p.member.startsWith('trust_marks')).map(describe)
  if (shape.length > 0) return ['fail', shape.join('\n')]
  const count = Array.isArray(claims.trust_marks) ? claims.trust_marks.length : 0
  const { valid, refused } = await verifyTrustMarks({
    subject: claims,
    anchor: anchorClaims,
    // The anchor's own marks verify with its keys; other issuers would need their chains, which registries do not use for RPs.
    issuerKeys: async (issuer) => (issuer === anchorClaims.sub ? anchorClaims.jwks : undefined),
    now: context.now,
    clockTolerance: context.clockTolerance,
  })
  const missing = required.filter((type) => !valid.some((m) => m.type === type))
  const lines = [
    ...valid.map((m) => `${m.type}: valid, issued by ${m.issuer}${m.expiresAt ? `, until ${new Date(m.expiresAt * 1000).toISOString()}` : ''}`),
    ...refused,
    ...missing.map((type) => `no valid trust mark of type ${type}, which is required`),
  ]
  if (refused.length > 0 || missing.length > 0) return ['fail', lines.join('\n')]
  if (count === 0) return ['warn', 'none yet: the registry issues the RP its trust mark at onboarding; add it to the trustMarks option']
  return ['pass', lines.join('\n')]
}

/** The chain errors name URLs and statuses; say what they mean for the person onboarding. */
function explainChainFailure(message: string, entityId: string, anchor: string): string {
  if (/statement about .* answered 404/.test(message)) {
    return `${message}\nThe anchor has no statement about ${entityId}: the RP is not registered with ${anchor} (yet), or under another entity id.`
  }
  return message
}

function reason(error: unknown): string {
  // The HTTP client speaks of OPs; here the server may be the RP or the anchor.
  return (error instanceof Error ? error.message : String(error)).replace(/^OP at (\S+)/, '$1')
}
