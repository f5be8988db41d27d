import type { RequestHandler } from 'express'
import { buildEntityConfiguration, ENTITY_STATEMENT_CONTENT_TYPE } from '../federation/entity-configuration.ts'
import type { HasSpidRuntime } from '../core/spid-runtime.ts'

/**
 * Serves the RP entity configuration (rule F1). Mount it at `/.well-known/openid-federation`
 * under the path of `clientId`. The signed statement is reused until a tenth of its life is left.
 */
export function entityConfiguration(strategy: HasSpidRuntime): RequestHandler {
  let cached: { jwt: string; refreshAt: number } | undefined
  const { runtime } = strategy
  const { options } = runtime
  return (_req, res, next) => {
    const now = runtime.now()
    const ready =
      cached && cached.refreshAt > now
        ? Promise.resolve(cached.jwt)
        : buildEntityConfiguration(options, now).then((jwt) => {
            cached = { jwt, refreshAt: now + Math.floor(options.entityConfigurationTtl * 0.9) }
            return jwt
          })
    ready.then((jwt) => {
      res.set('Content-Type', ENTITY_STATEMENT_CONTENT_TYPE)
      res.set('Cache-Control', 'public, max-age=300')
      res.send(jwt)
    }, next)
  }
}
