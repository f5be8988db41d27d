import { FederationError, isSpidError } from '../errors/spid-error.ts'
import { isLoopbackHttp } from '../options/schema.ts'
import type { ProviderConfig } from './provider-config.ts'
import type { OpMetadata } from './provider-registry.ts'

/**
 * What any registry checks before handing out an OP's metadata: the issuer is the configured one,
 * the endpoints the RP calls are URLs, https (or http on loopback when the issuer is too).
 */
export function checkMetadata(config: ProviderConfig, metadata: OpMetadata): void {
  if (metadata.issuer !== config.issuer) {
    throw invalid(config, `metadata issuer ${JSON.stringify(metadata.issuer)} differs from the configured issuer`)
  }
  for (const name of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint'] as const) {
    if (typeof metadata[name] !== 'string') throw invalid(config, `metadata lacks ${name}`)
    checkEndpoint(config, name, metadata[name])
  }
  for (const name of ['revocation_endpoint', 'introspection_endpoint'] as const) {
    const value = metadata[name]
    if (value !== undefined) checkEndpoint(config, name, value)
  }
}

/** An endpoint must be https, or http on loopback when the issuer itself is (development). */
export function checkEndpoint(config: ProviderConfig, name: string, value: unknown): void {
  if (typeof value !== 'string' || !URL.canParse(value)) throw invalid(config, `${name} is not a URL`)
  const url = new URL(value)
  if (url.protocol === 'https:') return
  if (isLoopbackHttp(value) && isLoopbackHttp(config.issuer)) return
  throw invalid(config, `${name} must be https`)
}

export function invalid(config: ProviderConfig, what: string, cause?: unknown): FederationError {
  if (isSpidError(cause) && cause.code === 'ERR_SPID_OP_UNAVAILABLE') return cause as FederationError
  return new FederationError('ERR_SPID_METADATA_INVALID', `OP ${config.issuer}: ${what}`, { cause })
}
