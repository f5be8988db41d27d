import type { RequestHandler } from 'express'
import type { HasSpidRuntime } from '../core/spid-runtime.ts'
import type { ResolvedOptions } from '../options/resolve-options.ts'

/**
 * Serves a statement the RP signs about itself, signed again once a tenth of its life is left:
 * a signature per request would cost a private-key operation each time a registry polls.
 */
export function signedStatement(
  strategy: HasSpidRuntime,
  contentType: string,
  build: (options: ResolvedOptions, now: number) => Promise<string>,
): RequestHandler {
  let cached: { jwt: string; refreshAt: number } | undefined
  const { runtime } = strategy
  const { options } = runtime
  return (_req, res, next) => {
    const now = runtime.now()
    const ready =
      cached && cached.refreshAt > now
        ? Promise.resolve(cached.jwt)
        : build(options, now).then((jwt) => {
            cached = { jwt, refreshAt: now + Math.floor(options.entityConfigurationTtl * 0.9) }
            return jwt
          })
    ready.then((jwt) => {
      res.set('Content-Type', contentType)
      res.set('Cache-Control', 'public, max-age=300')
      res.send(jwt)
    }, next)
  }
}
