import * as oidc from 'openid-client'
import { checkIntrospection } from '../checks/check-introspection.ts'
import { fromOpenidClient } from '../errors/from-openid-client.ts'
import type { SpidAuthState } from '../session/auth-session.ts'
import type { ProtocolContext } from './protocol-context.ts'
import { opClientFor } from './op-client.ts'
import { secretTag } from '../log/redact.ts'

/**
 * Asks the OP whether the session's access token is still active (rule X5), with a client
 * assertion aimed at the introspection endpoint, and checks the answer is about this session.
 * Mobile-style apps use it at start-up before refreshing (rule L6).
 *
 * @returns true when active; false when the OP says it is not.
 */
export async function introspectAccessToken(strategy: { readonly runtime: ProtocolContext }, auth: SpidAuthState): Promise<boolean> {
  const ctx = strategy.runtime
  const provider = await ctx.registry.resolve(auth.issuer)
  if (!provider.metadata.introspection_endpoint) throw new TypeError(`${auth.issuer} has no introspection_endpoint`)
  const config = await opClientFor(provider, 'introspection_endpoint', ctx.client)
  let response: Record<string, unknown>
  try {
    response = (await oidc.tokenIntrospection(config, auth.accessToken, { token_type_hint: 'access_token' })) as Record<string, unknown>
  } catch (error) {
    throw fromOpenidClient(error, 'introspection request')
  }
  const active = checkIntrospection(response, { sub: auth.sub, clientId: ctx.options.clientId, issuer: auth.issuer })
  ctx.audit('token.introspected', { iss: auth.issuer, sub: auth.sub, token_hash: secretTag(auth.accessToken), active })
  return active
}
