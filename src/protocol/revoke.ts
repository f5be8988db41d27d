import * as oidc from 'openid-client'
import { secretTag } from '../log/redact.ts'
import type { SpidAuthState } from '../session/auth-session.ts'
import { opClientFor } from './op-client.ts'
import type { ProtocolContext } from './protocol-context.ts'

/**
 * Rules X1-X2: revokes the session's access token at the OP, with a client assertion aimed at the
 * revocation endpoint. For SPID this also ends the OP session and the linked refresh tokens.
 * Does nothing for an OP without a revocation endpoint; throws what openid-client throws.
 */
export async function revokeAccessToken(ctx: ProtocolContext, auth: SpidAuthState): Promise<void> {
  const provider = await ctx.registry.resolve(auth.issuer)
  if (!provider.metadata.revocation_endpoint) return
  const config = await opClientFor(provider, 'revocation_endpoint', ctx.client)
  try {
    await oidc.tokenRevocation(config, auth.accessToken, { token_type_hint: 'access_token' })
  } catch (error) {
    ctx.audit('token.revoked', { iss: auth.issuer, sub: auth.sub, token_hash: secretTag(auth.accessToken), outcome: 'error' })
    throw error
  }
  ctx.audit('token.revoked', { iss: auth.issuer, sub: auth.sub, token_hash: secretTag(auth.accessToken) })
  ctx.options.logger.info({ event: 'token.revoked', issuer: auth.issuer, sub: auth.sub }, 'access token revoked')
}
