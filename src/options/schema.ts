import { createPrivateKey } from 'node:crypto'
import { z } from 'zod'
import { parseLevel } from '../levels.ts'
import { LIMITS } from './defaults.ts'
import { PROFILE_FIELDS } from '../profile/attribute-table.ts'
import type { ProfileField } from '../profile/spid-profile.ts'

const SIGNING_ALGS = ['RS256', 'RS512', 'PS256', 'PS512', 'ES256', 'ES512'] as const
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

const production = () => process.env.NODE_ENV === 'production'

/** An entity id (client_id, OP issuer): checked on its own, so every bad one is reported. */
const entityUrl = (opts: { allowQuery?: boolean } = {}) =>
  z.string().superRefine((value, ctx) => {
    const problem = checkEntityUrl(value, production(), opts)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  })

/** A private key as a JWK object (with `d`) or a PKCS#8 / PKCS#1 / SEC1 PEM string. */
const keyInput = z.unknown().superRefine((value, ctx) => {
  const problem = checkPrivateKey(value)
  if (problem) ctx.addIssue({ code: 'custom', message: problem })
}) as z.ZodType<string | { kty: string; [member: string]: unknown }>

const absoluteUrl = z.string().refine((v) => URL.canParse(v), 'must be an absolute URL')

const claimRequest = z.union([
  z.null(),
  z.strictObject({ essential: z.boolean().optional(), value: z.string().optional(), values: z.array(z.string()).optional() }),
])

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
})

/** The options object of `new SpidStrategy(options, verify?)`. */
export const strategyOptionsSchema = z
  .strictObject({
    /** REQUIRED. The RP entity id and OAuth `client_id`: an https URL without query or fragment. */
    clientId: entityUrl(),
    /** The redirect URI registered in the entity configuration. Default `<clientId>/auth/spid/callback`. */
    redirectUri: entityUrl({ allowQuery: true }).optional(),
    /** REQUIRED. The RP's private keys: federation signing, core signing, core encryption (RSA ≥ 2048 or EC). */
    keys: z.strictObject({ federation: keyInput, signing: keyInput, encryption: keyInput }),
    /** REQUIRED. The OPs users may log in with: issuer URLs, or objects with `issuer`, `id`, `name`, `profile`. */
    providers: z.array(z.union([entityUrl(), provider])).min(1, 'list at least one OP issuer'),
    /** `client_name` in the entity configuration. Default: the host of `clientId`. */
    clientName: z.string().min(1).optional(),
    /** `contacts` in the entity configuration (a PEC address for SPID). */
    contacts: z.array(z.string().min(3)).default([]),
    /** `federation_entity` fields of the entity configuration (rule F3). */
    organizationName: z.string().min(1).optional(),
    homepageUri: absoluteUrl.optional(),
    policyUri: absoluteUrl.optional(),
    logoUri: absoluteUrl.optional(),
    /** Superiors in the federation: `["https://registry.spid.gov.it"]` in production (rule F2). */
    authorityHints: z.array(z.string()).default([]),
    /** Trust marks issued to this RP, published as they are (rule F6). */
    trustMarks: z.array(z.looseObject({ id: z.string(), trust_mark: z.string() })).default([]),
    /** Level asked for when a login names none: 1, 2, 3 or a level URI. */
    defaultLevel: z.custom<1 | 2 | 3 | string>((v) => parseLevel(v) !== undefined, 'must be 1, 2, 3 or a https://www.spid.gov.it/SpidL<n> URI').optional(),
    /** `prompt` of the authorization request (rule A8): `consent login` or `consent`. */
    prompt: z.enum(['consent login', 'consent']).optional(),
    /** Attributes to ask for: `minimal`, `registry`, `full`, or profile field names. */
    attributes: z.union([z.enum(['minimal', 'registry', 'full']), z.array(z.enum(PROFILE_FIELDS as [ProfileField, ...ProfileField[]]))]).optional(),
    /** Attributes without which a login fails; they are marked essential. */
    requiredAttributes: z.array(z.enum(PROFILE_FIELDS as [ProfileField, ...ProfileField[]])).optional(),
    /** `error` (default) fails a login missing a required attribute; `warn` logs it and goes on. */
    missingAttributes: z.enum(['error', 'warn']).optional(),
    /** Expert override: the exact `claims.userinfo` object to send (rule A11), instead of `attributes`. */
    userinfoClaims: z.record(z.string(), claimRequest).optional(),
    /** JWS algorithm for request objects and client assertions. */
    signingAlg: z.enum(SIGNING_ALGS).optional(),
    /** JWE `alg`/`enc` the OP must use for UserInfo, published in the entity configuration. */
    userinfoEncryption: z.strictObject({ alg: z.enum(['RSA-OAEP', 'RSA-OAEP-256']), enc: z.enum(['A128CBC-HS256', 'A256CBC-HS512']) }).optional(),
    /** Seconds each level stays valid after the login that reached it: `{ 1?, 2?, 3? }`. */
    levelMaxAge: z.strictObject({ 1: z.number().positive().optional(), 2: z.number().positive().optional(), 3: z.number().positive().optional() }).optional(),
    transactionTtl: z.number().int().min(30).max(3600).optional(),
    maxPendingLogins: z.number().int().min(1).max(50).optional(),
    httpTimeout: z.number().int().min(100).max(60_000).optional(),
    maxResponseBytes: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .optional(),
    clockTolerance: z.number().int().min(0).max(300).optional(),
    entityConfigurationTtl: z.number().int().min(60).optional(),
    metadataTtl: z.number().int().min(0).optional(),
    requestObjectTtl: z.number().int().min(10).max(LIMITS.requestObjectMaxTtl, 'rule A5: at most 300 seconds').optional(),
    /** A logger with pino's shape (`warn(obj, msg)`). Default: warnings and errors as JSON lines on stderr. */
    logger: z
      .custom<unknown>(
        (v) => typeof v === 'object' && v !== null && typeof (v as { warn?: unknown }).warn === 'function',
        'must have pino-style debug/info/warn/error methods',
      )
      .optional(),
    /** Where audit records go (rules G1-G3): JsonLinesAuditSink, LoggerAuditSink, or your own. Default: none. */
    audit: z
      .custom<unknown>((v) => typeof v === 'object' && v !== null && typeof (v as { write?: unknown }).write === 'function', 'must implement AuditSink (write)')
      .optional(),
    /** Adds a tag of the fiscal number to audit records (never the number itself). Default false. */
    auditPersonalData: z.boolean().optional(),
    /** Passes the request as the first argument of the verify function. */
    passReqToCallback: z.boolean().optional(),
    /** Replaces how OP metadata is found (e.g. trust-chain resolution). Default: DefaultProviderRegistry. */
    providerRegistry: z
      .custom<unknown>(
        (v) => typeof v === 'object' && v !== null && typeof (v as { get?: unknown }).get === 'function',
        'must implement ProviderRegistry (list, get)',
      )
      .optional(),
  })
  .superRefine((o, ctx) => {
    const ids = o.providers.flatMap((e) => (typeof e === 'string' ? [e] : [e.issuer, ...(e.id ? [e.id] : [])]))
    const dup = ids.find((id, i) => ids.indexOf(id) !== i)
    if (dup) ctx.addIssue({ code: 'custom', path: ['providers'], message: `"${dup}" names two providers: issuers and ids must be unique (rule R1)` })
  })

/**
 * What callers pass to `new SpidStrategy(options, verify)`. `passReqToCallback` is added by the
 * constructor's overloads, which tie it to the verify function's signature.
 */
export type SpidStrategyOptions = Omit<z.input<typeof strategyOptionsSchema>, 'passReqToCallback'>
/** One entry of `providers`, in object form. */
export type ProviderOptions = z.input<typeof provider>
export type ParsedOptions = z.output<typeof strategyOptionsSchema>

/**
 * Entity ids (client_id, OP issuers) are https URLs without query or fragment (rule F4).
 * Outside production, http is tolerated for loopback hosts so a local test OP works.
 */
function checkEntityUrl(value: string, production: boolean, { allowQuery = false } = {}): string | undefined {
  const got = `(got ${JSON.stringify(value)})`
  if (!URL.canParse(value)) return `must be an absolute https URL ${got}`
  const url = new URL(value)
  if (!allowQuery && (url.search || url.hash || value.includes('?') || value.includes('#'))) {
    return `must have no query or fragment ${got}`
  }
  if (!allowQuery && value.endsWith('/') && url.pathname !== '/') return `must not end with "/" ${got}`
  if (url.protocol === 'https:') return undefined
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) {
    return production ? `must be https in production ${got}` : undefined
  }
  return `must be an https URL (http is accepted only for localhost, 127.0.0.1 and [::1] outside production) ${got}`
}

function checkPrivateKey(input: unknown): string | undefined {
  try {
    const key = createPrivateKey(typeof input === 'string' ? input : { key: input as import('node:crypto').JsonWebKey, format: 'jwk' })
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
