export { SpidStrategy, type SpidAuthenticateOptions } from './strategy/spid-strategy.ts'
export type { SpidRuntime, HasSpidRuntime } from './core/spid-runtime.ts'
export type { ProtocolContext } from './protocol/protocol-context.ts'
export type { SpidLoginInfo, SpidRefusal, SpidVerified, SpidVerifyFunction, SpidVerifyFunctionWithRequest } from './strategy/verify.ts'
export type { SpidStrategyOptions, ProviderOptions } from './options/schema.ts'
export type { ResolvedOptions } from './options/resolve-options.ts'
export type { ProviderConfig, ProviderProfileName } from './providers/provider-config.ts'
export {
  SPID_L1,
  SPID_L2,
  SPID_L3,
  parseLevel,
  compareLevels,
  levelSatisfies,
  levelNumber,
  type SpidLevel,
  type SpidLevelInput,
} from './levels.ts'
export { requireSpidLevel, type RequireLevelOptions } from './middleware/require-level.ts'
export { spidContext, type SpidContextOptions, type SpidRequestContext } from './middleware/spid-context.ts'
export { introspectAccessToken } from './protocol/introspect.ts'
export { spidLogout, type LogoutOptions } from './middleware/logout.ts'
export { entityConfiguration, signedJwks } from './middleware/entity-configuration.ts'
export { resolveEndpoint, type ResolveEndpointOptions } from './middleware/resolve-endpoint.ts'
export { requestLanguage } from './middleware/language.ts'
export { checkReturnTo } from './checks/check-return-to.ts'
export { spidErrorHandler, renderDefaultErrorPage, type ErrorPageContext, type SpidErrorHandlerOptions } from './middleware/error-handler.ts'
export { serializeSpidUser, deserializeSpidUser } from './session/spid-user.ts'
export { createSpidSession, type SpidSession, type SpidSessionOptions } from './session/create-spid-session.ts'
export type { SpidAuthState } from './session/auth-session.ts'
export type { SpidProfile } from './profile/spid-profile.ts'
export type { SpidTypes, SpidAppUser } from './types/user.ts'
export { toProfile } from './profile/to-profile.ts'
export { lookUpPlace, withPlaceNames, type PlaceName } from './profile/place-names.ts'
export type { ProviderRegistry, ResolvedProvider, OpMetadata } from './providers/provider-registry.ts'
export { SPID_TRUST_ANCHOR, CIE_TRUST_ANCHOR } from './federation/anchors.ts'
export { FederationProviderRegistry, type FederationProviderRegistryOptions } from './federation/federation-provider-registry.ts'
export {
  resolveTrustChain,
  verifyTrustChain,
  type TrustAnchor,
  type TrustChain,
  type TrustChainOptions,
  type EntityStatementClaims,
} from './federation/trust-chain.ts'
export { applyMetadataPolicy, resolveMetadataPolicy, type MetadataPolicy } from './federation/metadata-policy.ts'
export { verifyTrustMarks, type VerifiedTrustMark } from './federation/trust-marks.ts'
export { redisChainCache, type FederationChainCache } from './federation/chain-cache.ts'
export { DEFAULT_RESOLUTION_LIMITS, type ResolutionLimits } from './federation/resolution-budget.ts'
export { createFederationFetch, type FederationFetchOptions } from './federation/federation-fetch.ts'
export { DefaultProviderRegistry } from './providers/default-provider-registry.ts'
export { loadOrCreateDevKeys, generateDevKeys, type DevKeySet } from './keys/dev-keys.ts'
export type { KeyRollover } from './keys/rp-keys.ts'
export type { Logger } from './log/logger.ts'
export type { AuditEvent, AuditEventType, AuditHealthChange, AuditSink } from './audit/audit-event.ts'
export { JsonLinesAuditSink, type JsonLinesAuditSinkOptions } from './audit/json-lines-sink.ts'
export { verifyAuditLog, type AuditReport, type AuditProblem, type ChainReport, type ChainHead, type VerifyOptions } from './audit/verify-audit-log.ts'
export { exportAuditLog, type AuditExport, type ExportFilter } from './audit/export-audit-log.ts'
export { LoggerAuditSink } from './audit/logger-sink.ts'
export * from './errors/index.ts'
export { runDoctor, type DoctorOptions } from './doctor/run-doctor.ts'
export { checkFederationSetup } from './doctor/check-federation-setup.ts'
export { formatDoctorReport, type DoctorReport, type DoctorStep } from './doctor/report.ts'
export { exportPublicKeys, type ExportedKeys } from './keys/export-keys.ts'
