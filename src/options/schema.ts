import { createPrivateKey, type JsonWebKey } from 'node:crypto'
import type { JSONWebKeySet } from 'jose'
import { z } from 'zod'
import type { AuditSink } from '../audit/audit-event.ts'
import { isKeyRollover } from '../keys/rp-keys.ts'
import { checkDistinctKeys, loadRpKeys } from '../keys/load-rp-keys.ts'
import { type LevelMaxAge, SPID_L1, SPID_L2, SPID_L3, type SpidLevel, toLevel } from '../levels.ts'
import { createDefaultLogger, type Logger } from '../log/logger.ts'
import { ATTRIBUTE_PRESETS, PROFILE_FIELDS } from '../profile/attribute-table.ts'
import type { ProfileField } from '../profile/spid-profile.ts'
import type { FederationChainCache } from '../federation/chain-cache.ts'
import type { ProviderConfig } from '../providers/provider-config.ts'
import type { ProviderRegistry } from '../providers/provider-registry.ts'
import { JWS_ALGS, USERINFO_ENCRYPTION, isEcdhAlg } from '../algorithms.ts'
import { isProductionEnv } from './environment.ts'
import { CALLBACK_PATH, LIMITS } from './limits.ts'

/**
 * Every option of `new SpidStrategy(options, verify?)`, declared once: its check, its default,
 * cross-field rules, and the text of the README options table (`meta`: `doc`, and `shown` for a
 * default that is not a plain value). `ResolvedOptions` is what it outputs.
 */

const production = () => process.env.NODE_ENV === 'production'
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/** README text of an option: what it does, and its default when that is not a plain value. */
const doc = (text: string, shown?: string) => ({ doc: text, ...(shown ? { shown } : {}) })

/** An entity id (client_id, OP issuer): checked on its own, so every bad one is reported. */
const entityUrl = (opts: { allowQuery?: boolean; own?: boolean } = {}) =>
  z.string().superRefine((value, ctx) => {
    const problem = checkEntityUrl(value, production(), opts)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  })

type PrivateKeyInput = string | { kty: string; [member: string]: unknown }

/**
 * One role's private key as a JWK object (with `d`) or a PKCS#8 / PKCS#1 / SEC1 PEM string, or a
 * rollover `{ current, next?, previous? }` of such keys.
 */
const keyRole = z.unknown().superRefine((value, ctx) => {
  if (!isKeyRollover(value)) {
    const problem = checkPrivateKey(value)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
    return
  }
  for (const member of Object.keys(value)) {
    if (!ROLLOVER_MEMBERS.has(member)) ctx.addIssue({ code: 'custom', path: [member], message: 'is not current, next or previous' })
  }
  for (const member of ROLLOVER_MEMBERS) {
    const key = (value as unknown as Record<string, unknown>)[member]
    if (key === undefined && member !== 'current') continue
    const problem = checkPrivateKey(key)
    if (problem) ctx.addIssue({ code: 'custom', path: [member], message: problem })
  }
}) as z.ZodType<PrivateKeyInput | { current: PrivateKeyInput; next?: PrivateKeyInput; previous?: PrivateKeyInput }>
const ROLLOVER_MEMBERS = new Set(['current', 'next', 'previous'])

const absoluteUrl = z.string().refine((v) => URL.canParse(v), 'must be an absolute URL')
const profileField = z.enum(PROFILE_FIELDS as [ProfileField, ...ProfileField[]])
const claimRequest = z.union([
  z.null(),
  z.strictObject({ essential: z.boolean().optional(), value: z.string().optional(), values: z.array(z.string()).optional() }),
])
const withMethod = <T>(method: string, message: string) =>
  z.custom<T>((v) => typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)[method] === 'function', message)

const provider = z.strictObject({
  /** REQUIRED. The OP's issuer identifier, exactly as its metadata states it. */
  issuer: entityUrl(),
  /** A short id for URLs and buttons (`?idp=<id>`); the issuer always works too. */
  id: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, "_", "." or "-"')
    .optional(),
  /** Display name; default: the OP metadata's `organization_name`/`op_name`, else the host. */
  name: z.string().min(1).optional(),
  /** `spid` (default) or `cie`: the profile decides scopes, claims placement and refresh rules. */
  profile: z.enum(['spid', 'cie']).default('spid'),
  /** `GET` (default) or `POST`: how UserInfo is asked for (CIE accepts POST, rule U1). */
  userinfoMethod: z.enum(['GET', 'POST']).optional(),
})

const fields = {
  clientId: entityUrl({ own: true }).meta(doc('RP entity id and OAuth `client_id`: https URL without query, fragment or trailing slash.', 'REQUIRED')),
  keys: z
    .strictObject({ federation: keyRole, signing: keyRole, encryption: keyRole })
    .superRefine((keys, ctx) => {
      for (const problem of checkDistinctKeys(keys)) ctx.addIssue({ code: 'custom', message: problem })
    })
    .meta(
      doc(
        "`{ federation, signing, encryption }` private keys (JWK with `d`, or PEM), three distinct keys; RSA ≥ 2048 bits or EC. The kid is the JWK's, else its RFC 7638 thumbprint. A role may be `{ current, next, previous }` during a rollover (see Key rollover).",
        'REQUIRED',
      ),
    ),
  providers: z
    .array(z.union([entityUrl(), provider]))
    .default([])
    .transform((list): ProviderConfig[] =>
      list.map((p) =>
        typeof p === 'string'
          ? { issuer: p, id: p, name: undefined, profile: 'spid' }
          : { issuer: p.issuer, id: p.id ?? p.issuer, name: p.name, profile: p.profile, ...(p.userinfoMethod ? { userinfoMethod: p.userinfoMethod } : {}) },
      ),
    )
    .meta(
      doc(
        "OP issuers, or `{ issuer, id, name, profile: 'spid' \\| 'cie', userinfoMethod: 'GET' \\| 'POST' }`. With `trustAnchors`, optional: they must resolve through an anchor too.",
        'REQUIRED without `trustAnchors`',
      ),
    ),
  trustAnchors: z
    .array(
      z.strictObject({
        entityId: entityUrl(),
        jwks: z.custom<JSONWebKeySet>(
          (v) =>
            Array.isArray((v as JSONWebKeySet)?.keys) &&
            (v as JSONWebKeySet).keys.length > 0 &&
            (v as JSONWebKeySet).keys.every((k) => typeof k?.kty === 'string' && !('d' in k)),
          'must be a JWK set with at least one public key (no private members)',
        ),
      }),
    )
    .default([])
    .meta(
      doc(
        'Trust anchors `{ entityId, jwks }` with their public keys pinned from the official publication (no trust on first use): OPs are then trusted only through a verified trust chain, with the metadata policy applied (rules F5-F7).',
      ),
    ),
  discoverProviders: z
    .boolean()
    .default(true)
    .meta(doc("With `trustAnchors`: offer the OPs of the anchors' `federation_list_endpoint` (call `strategy.providers.refresh()` at start-up).")),
  federationCache: withMethod<FederationChainCache>('set', 'must implement FederationChainCache (get, set)')
    .optional()
    .meta(
      doc(
        'With `trustAnchors`: where instances share resolved trust chains (`createSpidSession(…).federationCache` on its Redis); each instance verifies a shared chain again before use.',
        'per process',
      ),
    ),
  federationLimits: z
    .strictObject({
      maxFetches: z.number().int().min(3).max(1000).default(30),
      maxAuthorityHints: z.number().int().min(1).max(50).default(5),
      timeout: z.number().int().min(100).max(120_000).default(10_000),
      failureTtl: z.number().int().min(0).max(3600).default(30),
    })
    .prefault({})
    .meta(
      doc(
        "With `trustAnchors`: bounds on resolving one trust chain, whose `authority_hints` federation members write: `maxFetches` requests (each statement fetched once), `maxAuthorityHints` hints tried per entity, `timeout` milliseconds in all; a failed chain is answered from memory for `failureTtl` seconds. Requests go as they are only to the origins the configuration names (`clientId`, `trustAnchors`, `providers`, `authorityHints`) and the OPs an anchor lists; any other URL a member names must be https on the default port of a host whose addresses are all public (checked after DNS resolution), and a superior's `federation_fetch_endpoint` must be on its own origin. A local test federation on `http://127.0.0.1` therefore works when its anchor and OPs are configured or listed, and nothing else on loopback is reachable through it.",
        '`{ maxFetches: 30, maxAuthorityHints: 5, timeout: 10000, failureTtl: 30 }`',
      ),
    ),
  requiredTrustMarks: z
    .array(z.string().min(1))
    .default([])
    .meta(
      doc(
        "With `trustAnchors`: trust mark types (`trust_mark_type`, or the registries' older `id`) every OP must carry, issued by an issuer the anchor lists (rule F6). The ids are configuration: they differ between the SPID and CIE registries and their environments.",
      ),
    ),
  redirectUri: entityUrl({ allowQuery: true })
    .optional()
    .meta(doc('Redirect URI published in the entity configuration.', `\`<clientId>${CALLBACK_PATH}\``)),
  clientName: z.string().min(1).optional().meta(doc('`client_name` in the entity configuration.', 'host of `clientId`')),
  contacts: z.array(z.string().min(3)).default([]).meta(doc('`contacts` (a PEC address for SPID).')),
  organizationName: z
    .string()
    .min(1)
    .optional()
    .meta(doc('`federation_entity.organization_name` (rule F3). This and the next three are required in production, warned about otherwise.')),
  homepageUri: absoluteUrl.optional().meta(doc('`federation_entity.homepage_uri`.')),
  policyUri: absoluteUrl.optional().meta(doc('`federation_entity.policy_uri`: the privacy policy.')),
  logoUri: absoluteUrl.optional().meta(doc('`federation_entity.logo_uri` (an SVG).')),
  authorityHints: z
    .array(absoluteUrl)
    .default([])
    .meta(doc('Federation superiors, e.g. `["https://registry.spid.gov.it"]` (rule F2). Empty is a start-up error in production.')),
  trustMarks: z
    .array(
      z
        .looseObject({ trust_mark: z.string().min(1), trust_mark_type: z.string().min(1).optional(), id: z.string().min(1).optional() })
        .refine((m) => m.trust_mark_type !== undefined || m.id !== undefined, 'needs trust_mark_type (or the older id)'),
    )
    .default([])
    .meta(
      doc(
        'Trust marks the registry issued to this RP, published as given: `{ trust_mark_type, trust_mark }` or the older `{ id, trust_mark }` (rule F6). Checked at start-up: about this RP, of the type named, not expired.',
      ),
    ),
  signedJwksUri: absoluteUrl
    .optional()
    .meta(doc('Publishes `signed_jwks_uri` beside `jwks` (SPID accepts either; CIE requires `jwks`): serve `signedJwks(strategy)` at this URL.')),
  defaultLevel: z
    .union([z.literal(1), z.literal(2), z.literal(3), z.enum([SPID_L1, SPID_L2, SPID_L3])], {
      error: 'must be 1, 2, 3 or a https://www.spid.gov.it/SpidL<n> URI',
    })
    .default(2)
    .transform((v): SpidLevel => toLevel(v))
    .meta(doc('Level asked for when a login names none: SpidL2 is what most public services need.')),
  prompt: z
    .enum(['consent login', 'consent'])
    .default('consent login')
    .meta(doc('`consent login` forces a fresh authentication; `consent` lets the OP reuse its SSO session (rule A8).')),
  attributes: z
    .union([z.enum(['minimal', 'registry', 'full']), z.array(profileField)])
    .default('minimal')
    .transform((v): readonly ProfileField[] => (typeof v === 'string' ? ATTRIBUTE_PRESETS[v] : v))
    .meta(doc('Attributes to ask for: `minimal`, `registry`, `full`, or profile field names (see Attributes).')),
  requiredAttributes: z.array(profileField).default(['fiscalNumber']).meta(doc('Attributes without which a login fails; sent as essential.')),
  missingAttributes: z.enum(['error', 'warn']).default('error').meta(doc('`warn` logs a missing required attribute instead of failing the login.')),
  userinfoClaims: z
    .record(z.string(), claimRequest)
    .optional()
    .meta(doc('Expert override: the exact `claims.userinfo` object to send instead of `attributes` (rule A11).')),
  signingAlg: z
    .enum(JWS_ALGS)
    .default('RS256')
    .meta(doc("JWS alg of request objects and client assertions (RSA keys; EC keys use their curve's). RS256 is mandatory to support (rule F9).")),
  userinfoEncryption: z
    .strictObject({ alg: z.enum(USERINFO_ENCRYPTION.alg), enc: z.enum(USERINFO_ENCRYPTION.enc) })
    .default({ alg: 'RSA-OAEP-256', enc: 'A256CBC-HS512' })
    .meta(doc('JWE the OP must use for UserInfo (rule U3).')),
  idTokenEncryption: z
    .strictObject({ alg: z.enum(USERINFO_ENCRYPTION.alg), enc: z.enum(USERINFO_ENCRYPTION.enc) })
    .optional()
    .meta(
      doc(
        "CIE: registers `id_token_encrypted_response_alg`/`_enc`; ID tokens must then be a JWE(JWS), decrypted with the encryption key, and a signed-only one is refused. `alg` as `userinfoEncryption`'s: one encryption key serves both.",
      ),
    ),
  jweAlgorithms: z
    .enum(['rules', 'registered'])
    .default('rules')
    .meta(
      doc(
        '`rules`: UserInfo and ID-token JWEs decrypt with any `alg`/`enc` pair the SPID/CIE rules list for the encryption key type (RSA: RSA-OAEP, RSA-OAEP-256; EC: ECDH-ES, ECDH-ES+A128KW, ECDH-ES+A256KW; `enc` A128CBC-HS256, A256CBC-HS512), as real OPs ignore the registration; another pair than the registered one logs `interop.jwe_algorithms_differ` once per OP and pair. `registered`: only the registered pair. Anything else (RSA1_5, `dir`, GCM) is always refused.',
      ),
    ),
  levelMaxAge: z
    .strictObject({ 1: z.number().positive().optional(), 2: z.number().positive().optional(), 3: z.number().positive().optional() })
    .default({})
    .transform((v): LevelMaxAge => ({ [SPID_L1]: v[1] ?? Number.POSITIVE_INFINITY, [SPID_L2]: v[2] ?? 900, [SPID_L3]: v[3] ?? 900 }))
    .meta(
      doc(
        'Seconds each level stays valid after the login that reached it; then the session counts one level lower. SpidL2 and SpidL3 last as long as the access token.',
        '`{ 1: Infinity, 2: 900, 3: 900 }`',
      ),
    ),
  sessionMaxAge: z
    .number()
    .int()
    .min(60)
    .default(12 * 3600)
    .meta(doc('Seconds a login lasts at most, counted from the authentication at the OP, however active the session: then a new login.')),
  offlineSessionMaxAge: z
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600, 'at most 30 days, the SPID refresh token lifetime (rule L4)')
    .default(30 * 24 * 3600)
    .meta(
      doc(
        'The same for SPID "remember me" (offline) logins, kept alive by the refresh token: at most its 30 days. A CIE id refresh token never keeps a login alive (rule L3): CIE logins last `sessionMaxAge`.',
      ),
    ),
  transactionTtl: z.number().int().min(30).max(3600).default(600).meta(doc('Seconds a started login may take before its callback is refused.')),
  maxPendingLogins: z
    .number()
    .int()
    .min(1)
    .max(50)
    .default(5)
    .meta(doc('Logins one browser may have in flight (as login cookies at most 5); the oldest is dropped beyond it.')),
  httpTimeout: z.number().int().min(100).max(60_000).default(5000).meta(doc('Milliseconds to wait for any OP response.')),
  maxResponseBytes: z
    .number()
    .int()
    .min(1024)
    .max(16 * 1024 * 1024)
    .default(512 * 1024)
    .meta(doc('Bytes read at most from any OP response; larger bodies are refused, not buffered.')),
  clockTolerance: z.number().int().min(0).max(300).default(60).meta(doc('Seconds of clock skew tolerated on `iat`, `exp`, `nbf` and `auth_time`.')),
  entityConfigurationTtl: z
    .number()
    .int()
    .min(60)
    .default(48 * 3600)
    .meta(doc('Seconds the entity configuration is valid for (`exp` - `iat`).')),
  metadataTtl: z.number().int().min(0).default(3600).meta(doc('Seconds OP metadata and keys are cached per process.')),
  requestObjectTtl: z
    .number()
    .int()
    .min(10)
    .max(LIMITS.requestObjectMaxTtl, 'rule A5: at most 300 seconds')
    .default(120)
    .meta(doc('Lifetime of the request object in seconds (rule A5: at most 300).')),
  logger: withMethod<Logger>('warn', 'must have pino-style debug/info/warn/error methods')
    .default(() => createDefaultLogger())
    .meta(doc('pino-shaped logger (`warn(obj, msg)`); warnings and errors by default.', 'JSON lines on stderr')),
  audit: withMethod<AuditSink>('write', 'must implement AuditSink (write)')
    .optional()
    .meta(doc('`AuditSink` receiving one record per step of every login (see Audit log).', 'none (warning in production)')),
  auditFailure: z
    .enum(['log', 'refuse-logins'])
    .default('log')
    .meta(
      doc(
        "While the audit sink cannot write (`healthy` false): `log` lets logins go on and logs one line at each change of `healthy` (records wait in the sink's queue and are retried); `refuse-logins` answers 503 `ERR_SPID_AUDIT_UNAVAILABLE` to new logins until it writes again, for administrations that may not authenticate without a record.",
      ),
    ),
  auditPersonalData: z.boolean().default(false).meta(doc('Adds a tag (SHA-256) of the fiscal number to `login.succeeded` records; never the number.')),
  acceptCheckRpQuirks: z
    .boolean()
    .default(false)
    .refine(
      (on) => !on || !isProductionEnv(),
      'is for certification with AgID spid-oidc-check-rp only: refused unless NODE_ENV is development or test (an unset or other NODE_ENV counts as production)',
    )
    .meta(
      doc(
        "Certification only: accepts the two quirks of AgID's RP conformance tool (spid-oidc-check-rp 1.3.3): an OP entity configuration without the `typ` header, and a UserInfo JWT sent as a JSON-quoted string. Every other check still applies; each use logs a warning. Refused unless `NODE_ENV` is `development` or `test`.",
      ),
    ),
  passReqToCallback: z.boolean().default(false).meta(doc('Passes the request first to the verify function.')),
  providerRegistry: withMethod<ProviderRegistry>('get', 'must implement ProviderRegistry (list, get, resolve)')
    .optional()
    .meta(doc('How OP metadata is found (see Extension points).', '`DefaultProviderRegistry`')),
}

/** The options object of `new SpidStrategy(options, verify?)`, checked and completed. */
export const strategyOptionsSchema = z
  .strictObject(fields)
  // Checked even when other options have problems, so that every problem is listed at once.
  .refine((o) => typeof o !== 'object' || o === null || (o.providers?.length ?? 0) > 0 || (o.trustAnchors?.length ?? 0) > 0, {
    path: ['providers'],
    message: 'list at least one OP issuer, or configure trustAnchors to learn the OPs from',
    when: () => true,
  })
  .superRefine((o, ctx) => {
    for (const problem of checkEncryptionKey(o.keys.encryption, o.userinfoEncryption.alg, o.idTokenEncryption)) ctx.addIssue({ code: 'custom', ...problem })
    const ids = o.providers.flatMap((p) => (p.id === p.issuer ? [p.issuer] : [p.issuer, p.id]))
    const dup = ids.find((id, i) => ids.indexOf(id) !== i)
    if (dup) ctx.addIssue({ code: 'custom', path: ['providers'], message: `"${dup}" names two providers: issuers and ids must be unique (rule R1)` })
  })
  .transform((o) => {
    const redirectUri = o.redirectUri ?? `${o.clientId}${CALLBACK_PATH}`
    const httpUrls = [o.clientId, redirectUri, ...o.providers.map((p) => p.issuer)].filter(isLoopbackHttp)
    const keys = loadRpKeys(o.keys, { signingAlg: o.signingAlg, encryptionAlg: o.userinfoEncryption.alg })
    const signingAlg = keys.signing.alg
    const warnings: { event: string; message: string; urls?: string[] }[] = []
    if (!o.audit && production()) {
      warnings.push({ event: 'config.no_audit', message: 'no audit sink: SPID asks relying parties to keep 24 months of authentication records (rule G1)' })
    }
    if (o.acceptCheckRpQuirks) {
      warnings.push({
        event: 'config.check_rp_quirks',
        message: "acceptCheckRpQuirks is on: two quirks of AgID's conformance tool are accepted; never in production",
      })
    }
    if (httpUrls.length > 0) {
      warnings.push({ event: 'config.insecure', message: 'plain http on loopback accepted for development; SPID needs https in production', urls: httpUrls })
    }
    return {
      ...o,
      redirectUri,
      clientName: o.clientName ?? new URL(o.clientId).host,
      signingAlg,
      keys,
      /** True when some URL is plain http on loopback: openid-client must be told to allow it. */
      allowHttpLoopback: httpUrls.length > 0,
      /** Legal but risky settings, logged once at start-up. */
      warnings,
    }
  })

/**
 * What callers pass to `new SpidStrategy(options, verify)`. `passReqToCallback` is added by the
 * constructor's overloads, which tie it to the verify function's signature.
 */
export type SpidStrategyOptions = Omit<z.input<typeof strategyOptionsSchema>, 'passReqToCallback'>
/** One entry of `providers`, in object form. */
export type ProviderOptions = z.input<typeof provider>
/** The options after validation and defaults: frozen, with keys loaded. */
export type ResolvedOptions = Readonly<z.output<typeof strategyOptionsSchema>>

/** The README options table: one row per option, from the schema itself. */
export function optionsTable(): string {
  const rows = Object.entries(fields).map(([name, schema]) => {
    const meta = (schema.meta() ?? {}) as { doc?: string; shown?: string }
    return `| \`${name}\` | ${meta.shown ?? shownDefault(schema)} | ${meta.doc ?? ''} |`
  })
  return ['| Option | Default | Meaning |', '|---|---|---|', ...rows].join('\n')
}

function shownDefault(schema: z.ZodType): string {
  const parsed = (schema as z.ZodType).safeParse(undefined)
  if (!parsed.success || parsed.data === undefined) return 'none'
  const raw = findDefault(schema)
  return `\`${typeof raw === 'string' ? raw : JSON.stringify(raw)}\``
}

/** The value given to `.default()`, before any transform, for display. */
function findDefault(schema: z.ZodType): unknown {
  const def = (schema as unknown as { def: { type: string; defaultValue?: unknown; in?: z.ZodType; innerType?: z.ZodType } }).def
  if (def.type === 'default') return def.defaultValue
  const inner = def.in ?? def.innerType
  return inner ? findDefault(inner) : undefined
}

/**
 * Entity ids (client_id, OP issuers) are https URLs without query or fragment (rule F4).
 * Outside production, http is tolerated for loopback hosts so a local test OP works.
 */
function checkEntityUrl(value: string, production: boolean, { allowQuery = false, own = false } = {}): string | undefined {
  const got = `(got ${JSON.stringify(value)})`
  if (!URL.canParse(value)) return `must be an absolute https URL ${got}`
  const url = new URL(value)
  if (!allowQuery && (url.search || url.hash || value.includes('?') || value.includes('#'))) {
    return `must have no query or fragment ${got}`
  }
  // The RP's own id: every URL it publishes is appended to it, so "…/" would give "…//auth/spid/callback".
  if (own && value.endsWith('/')) return `must not end with "/": use ${JSON.stringify(value.replace(/\/+$/, ''))} ${got}`
  if (!allowQuery && value.endsWith('/') && url.pathname !== '/') return `must not end with "/" ${got}`
  if (url.protocol === 'https:') return undefined
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) {
    return production ? `must be https in production ${got}` : undefined
  }
  return `must be an https URL (http is accepted only for localhost, 127.0.0.1 and [::1] outside production) ${got}`
}

/** The encryption key must suit the registered algorithms: EC (P-256) for ECDH-ES, RSA otherwise; one key and one alg for UserInfo and ID tokens. */
function checkEncryptionKey(role: unknown, alg: string, idToken: { alg: string } | undefined): { path: PropertyKey[]; message: string }[] {
  const problems: { path: PropertyKey[]; message: string }[] = []
  if (idToken && idToken.alg !== alg) {
    problems.push({ path: ['idTokenEncryption', 'alg'], message: `must be the userinfoEncryption alg (${alg}): one encryption key serves both` })
  }
  for (const key of isKeyRollover(role) ? [role.current, role.next, role.previous] : [role]) {
    if (key === undefined) continue
    try {
      const type = createPrivateKey(typeof key === 'string' ? key : { key: key as JsonWebKey, format: 'jwk' }).asymmetricKeyType
      if (isEcdhAlg(alg) && type !== 'ec') problems.push({ path: ['keys', 'encryption'], message: `${alg} needs an EC (P-256) encryption key (got ${type})` })
      if (!isEcdhAlg(alg) && type !== 'rsa') problems.push({ path: ['keys', 'encryption'], message: `${alg} needs an RSA encryption key (got ${type})` })
    } catch {
      // An unreadable key has its own message.
    }
  }
  return problems
}

function checkPrivateKey(input: unknown): string | undefined {
  try {
    const key = createPrivateKey(typeof input === 'string' ? input : { key: input as JsonWebKey, format: 'jwk' })
    if (key.asymmetricKeyType === 'rsa') {
      const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
      if (bits < LIMITS.rsaMinBits) return `RSA keys need at least ${LIMITS.rsaMinBits} bits (rule F9; got ${bits})`
      return undefined
    }
    if (key.asymmetricKeyType === 'ec') return undefined
    return `must be an RSA or EC private key (got ${key.asymmetricKeyType})`
  } catch {
    return 'is not a readable private key (give a private JWK with "d", or a PEM string)'
  }
}

export function isLoopbackHttp(url: string): boolean {
  const u = new URL(url)
  return u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname)
}
