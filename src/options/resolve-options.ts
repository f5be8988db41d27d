import { SpidConfigError } from '../errors/spid-error.ts'
import { loadRpKey, signingAlgFor, type RpKeys } from '../keys/rp-keys.ts'
import { SPID_L1, SPID_L2, SPID_L3, toLevel, type SpidLevel } from '../levels.ts'
import type { LevelMaxAge } from '../session/effective-level.ts'
import { ATTRIBUTE_PRESETS } from '../profile/attribute-table.ts'
import type { ProfileField } from '../profile/spid-profile.ts'
import { createDefaultLogger, type Logger } from '../log/logger.ts'
import type { ProviderRegistry } from '../providers/provider-registry.ts'
import type { AuditSink } from '../audit/audit-event.ts'
import { DEFAULTS } from './defaults.ts'
import { isLoopbackHttp, strategyOptionsSchema, type SpidStrategyOptions } from './schema.ts'

export type ProviderProfileName = 'spid' | 'cie'

/** One configured OP, normalized. */
export interface ProviderConfig {
  issuer: string
  /** Short id; the issuer when none was given. */
  id: string
  name: string | undefined
  profile: ProviderProfileName
}

/** The options after validation and defaults: frozen, with keys loaded. */
export interface ResolvedOptions {
  readonly clientId: string
  readonly redirectUri: string
  readonly keys: RpKeys
  readonly providers: readonly ProviderConfig[]
  readonly clientName: string
  readonly contacts: readonly string[]
  readonly organizationName: string | undefined
  readonly homepageUri: string | undefined
  readonly policyUri: string | undefined
  readonly logoUri: string | undefined
  readonly authorityHints: readonly string[]
  readonly trustMarks: readonly { id: string; trust_mark: string }[]
  readonly defaultLevel: SpidLevel
  readonly prompt: 'consent login' | 'consent'
  /** Profile fields asked for (presets expanded). */
  readonly attributes: readonly ProfileField[]
  readonly requiredAttributes: readonly ProfileField[]
  readonly missingAttributes: 'error' | 'warn'
  /** The expert override of `claims.userinfo`, when given. */
  readonly userinfoClaims: Readonly<Record<string, null | { essential?: boolean; value?: string; values?: string[] }>> | undefined
  readonly signingAlg: string
  readonly userinfoEncryption: { readonly alg: string; readonly enc: string }
  readonly levelMaxAge: LevelMaxAge
  readonly transactionTtl: number
  readonly maxPendingLogins: number
  readonly httpTimeout: number
  readonly maxResponseBytes: number
  readonly clockTolerance: number
  readonly entityConfigurationTtl: number
  readonly metadataTtl: number
  readonly requestObjectTtl: number
  /** True when some URL is plain http on loopback: openid-client must be told to allow it. */
  readonly allowHttpLoopback: boolean
  readonly logger: Logger
  readonly providerRegistry: ProviderRegistry | undefined
  readonly audit: AuditSink | undefined
  readonly auditPersonalData: boolean
}

/**
 * Validates options once, at start-up, and lists every problem in one SpidConfigError:
 * the user restarts once, not once per mistake.
 */
export function resolveOptions(input: SpidStrategyOptions): ResolvedOptions {
  const parsed = strategyOptionsSchema.safeParse(input ?? {}, { reportInput: true })
  if (!parsed.success) {
    throw new SpidConfigError(
      parsed.error.issues.map((issue) => {
        const path = issue.path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
          .join('')
          .replace(/^\./, '')
        const got =
          issue.code !== 'custom' && 'input' in issue && issue.input !== undefined && typeof issue.input !== 'object'
            ? ` (got ${JSON.stringify(issue.input)})`
            : ''
        return `${path || '(options)'}: ${issue.message}${got}`
      }),
    )
  }
  const o = parsed.data
  const attributes = o.attributes ?? DEFAULTS.attributes
  const logger = (o.logger as Logger | undefined) ?? createDefaultLogger()
  const signingAlg = signingAlgFor(o.keys.signing, o.signingAlg ?? DEFAULTS.signingAlg)
  const userinfoEncryption = o.userinfoEncryption ?? { alg: DEFAULTS.userinfoEncryptionAlg, enc: DEFAULTS.userinfoEncryptionEnc }
  const providers: ProviderConfig[] = o.providers.map((p) =>
    typeof p === 'string'
      ? { issuer: p, id: p, name: undefined, profile: 'spid' }
      : { issuer: p.issuer, id: p.id ?? p.issuer, name: p.name, profile: p.profile },
  )
  const redirectUri = o.redirectUri ?? `${o.clientId}${DEFAULTS.callbackPath}`
  const httpUrls = [o.clientId, redirectUri, ...providers.map((p) => p.issuer)].filter(isLoopbackHttp)
  if (!o.audit && process.env.NODE_ENV === 'production') {
    logger.warn({ event: 'config.no_audit' }, 'no audit sink: SPID asks relying parties to keep 24 months of authentication records (rule G1)')
  }
  if (httpUrls.length > 0) {
    logger.warn({ event: 'config.insecure', urls: httpUrls }, 'plain http on loopback accepted for development; SPID needs https in production')
  }

  return Object.freeze({
    clientId: o.clientId,
    redirectUri,
    keys: {
      federation: loadRpKey(o.keys.federation, 'sig', signingAlgFor(o.keys.federation, signingAlg)),
      signing: loadRpKey(o.keys.signing, 'sig', signingAlg),
      encryption: loadRpKey(o.keys.encryption, 'enc', userinfoEncryption.alg),
    },
    providers,
    clientName: o.clientName ?? new URL(o.clientId).host,
    contacts: o.contacts,
    organizationName: o.organizationName,
    homepageUri: o.homepageUri,
    policyUri: o.policyUri,
    logoUri: o.logoUri,
    authorityHints: o.authorityHints,
    trustMarks: o.trustMarks,
    defaultLevel: toLevel((o.defaultLevel ?? DEFAULTS.defaultLevel) as 1),
    prompt: o.prompt ?? DEFAULTS.prompt,
    attributes: typeof attributes === 'string' ? ATTRIBUTE_PRESETS[attributes] : attributes,
    requiredAttributes: o.requiredAttributes ?? DEFAULTS.requiredAttributes,
    missingAttributes: o.missingAttributes ?? DEFAULTS.missingAttributes,
    userinfoClaims: o.userinfoClaims,
    signingAlg,
    userinfoEncryption,
    levelMaxAge: {
      [SPID_L1]: o.levelMaxAge?.[1] ?? DEFAULTS.levelMaxAge[1],
      [SPID_L2]: o.levelMaxAge?.[2] ?? DEFAULTS.levelMaxAge[2],
      [SPID_L3]: o.levelMaxAge?.[3] ?? DEFAULTS.levelMaxAge[3],
    },
    transactionTtl: o.transactionTtl ?? DEFAULTS.transactionTtl,
    maxPendingLogins: o.maxPendingLogins ?? DEFAULTS.maxPendingLogins,
    httpTimeout: o.httpTimeout ?? DEFAULTS.httpTimeout,
    maxResponseBytes: o.maxResponseBytes ?? DEFAULTS.maxResponseBytes,
    clockTolerance: o.clockTolerance ?? DEFAULTS.clockTolerance,
    entityConfigurationTtl: o.entityConfigurationTtl ?? DEFAULTS.entityConfigurationTtl,
    metadataTtl: o.metadataTtl ?? DEFAULTS.metadataTtl,
    requestObjectTtl: o.requestObjectTtl ?? DEFAULTS.requestObjectTtl,
    allowHttpLoopback: httpUrls.length > 0,
    logger,
    providerRegistry: o.providerRegistry as ProviderRegistry | undefined,
    audit: o.audit as AuditSink | undefined,
    auditPersonalData: o.auditPersonalData ?? false,
  })
}
