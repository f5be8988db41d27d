import type { Request } from 'express'
import { SpidError } from '../errors/spid-error.ts'

/**
 * An https relying party reached over plain http: almost always a TLS-terminating proxy in front
 * of an app without Express `trust proxy`. The Secure session cookie is then silently not sent
 * back, and the login ends in a state mismatch nobody can explain; so the login stops here with
 * an error that says what to set. Resolves when the request is fine.
 */
export async function checkTransport(req: Request, clientId: string): Promise<void> {
  if (!clientId.startsWith('https:') || req.secure) return
  const forwarded = req.get('x-forwarded-proto')
  const hint = forwarded
    ? `it came through a proxy (X-Forwarded-Proto: ${forwarded}) that Express does not trust: set app.set('trust proxy', …) to your proxy's hops or addresses`
    : "serve it over https, or behind a proxy that sends X-Forwarded-Proto with app.set('trust proxy', …)"
  throw new SpidError('ERR_SPID_PROXY_NOT_TRUSTED', `the client_id is https but this request reached the app over plain http: ${hint}`)
}
