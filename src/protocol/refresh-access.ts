import { secretTag } from '../log/redact.ts'
import type { ResolvedProvider } from '../providers/provider-registry.ts'
import type { SpidAuthState } from '../session/auth-session.ts'
import { refreshTokenGrant, withNewTokens } from './refresh-token-grant.ts'
import type { ProtocolContext } from './protocol-context.ts'

/**
 * Rules L3, L4 (CIE id): a refresh token buys a new access token, for reading the attributes the
 * person consented to, and nothing else. No ID token is expected; one sent anyway is not used, so
 * the session keeps the level and authentication time of its interactive login. Only the newest
 * refresh token is kept.
 */
export async function refreshAccess(ctx: ProtocolContext, provider: ResolvedProvider, auth: SpidAuthState): Promise<SpidAuthState> {
  const tokens = await refreshTokenGrant(ctx, provider, auth)
  if (tokens.id_token) {
    ctx.options.logger.warn(
      { event: 'token.refresh_id_token_ignored', issuer: auth.issuer },
      'the CIE id OP sent an ID token on refresh; it is not used (rule L3): the session keeps its level',
    )
  }
  ctx.audit('token.refreshed', {
    iss: auth.issuer,
    sub: auth.sub,
    acr: auth.acr,
    purpose: 'attributes',
    ...(tokens.refresh_token ? { refresh_token_hash: secretTag(tokens.refresh_token) } : {}),
  })
  return { ...auth, ...withNewTokens(auth, tokens, ctx.now()) }
}
