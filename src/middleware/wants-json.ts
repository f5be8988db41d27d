import type { Request } from 'express'

/** API clients (Accept: application/json) get status codes and JSON; browsers get pages and redirects. */
export function wantsJson(req: Request): boolean {
  return req.accepts(['html', 'json']) === 'json'
}
