import type { RequestHandler } from 'express'
import type { HasSpidRuntime } from '../core/spid-runtime.ts'
import { buildEntityConfiguration, ENTITY_STATEMENT_CONTENT_TYPE } from '../federation/entity-configuration.ts'
import { buildSignedJwks, SIGNED_JWKS_CONTENT_TYPE } from '../federation/signed-jwks.ts'
import { signedStatement } from './signed-statement.ts'

/**
 * Serves the RP entity configuration (rule F1). Mount it at `/.well-known/openid-federation`
 * under the path of `clientId`.
 */
export function entityConfiguration(strategy: HasSpidRuntime): RequestHandler {
  return signedStatement(strategy, ENTITY_STATEMENT_CONTENT_TYPE, buildEntityConfiguration)
}

/** Serves the signed JWK set of the core keys at the `signedJwksUri` option's URL (rule F4). */
export function signedJwks(strategy: HasSpidRuntime): RequestHandler {
  return signedStatement(strategy, SIGNED_JWKS_CONTENT_TYPE, buildSignedJwks)
}
