import type { Request } from 'express'

/** Drops the SPID login and the passport user, and gives the browser a fresh session id. */
export function endSession(req: Request): Promise<void> {
  req.user = undefined
  if (!req.session) return Promise.resolve()
  return new Promise((resolve, reject) => req.session.regenerate((error: unknown) => (error ? reject(error) : resolve())))
}
