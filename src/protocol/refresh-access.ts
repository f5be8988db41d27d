import * as oidc from 'openid-client'
import { fromOpenidClient } from '../errors/from-openid-client.ts'
import { secretTag } from '../log/redact.ts'
import type { ResolvedProvider } from '../providers/provider-registry.ts'
import type { SpidAuthState } from '../session/auth-session.ts'
import { opClientFor } from './op-client.ts'
import type { ProtocolContext } from './protocol-context.ts'

/**
 * Rules L3, L4 (CIE id): a refresh token buys a new access token, for reading the attributes the
 * person consented to, and nothing else. No ID token is expected; one sent anyway is not used, so
 * the session keeps the level and authentication time of its interactive login. Only the newest
 * refresh token is kept.
 */
export async function refreshAccess(ctx: ProtocolContext, provider: ResolvedProvider, auth: SpidAuthState): Promise<SpidAuthState> {
  if (!auth.refreshToken) throw new TypeError('refreshAccess needs a refresh token')
  const config = await opClientFor(provider, 'token_endpoint', ctx.client)
  let tokens: Awaited<ReturnType<typeof oidc.refreshTokenGrant>>
  try {
    tokens = await oidc.refreshTokenGrant(config, auth.refreshToken)
  } catch (error) {
    throw fromOpenidClient(error, 'refresh request')
  }
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
  return {
    ...auth,
    accessToken: tokens.access_token,
    accessTokenExpiresAt: ctx.now() + (typeof tokens.expires_in === 'number' ? tokens.expires_in : 0),
    refreshToken: tokens.refresh_token ?? auth.refreshToken,
  }
}
