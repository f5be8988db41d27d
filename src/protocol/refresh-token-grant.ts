import * as oidc from 'openid-client'
import { fromOpenidClient } from '../errors/from-openid-client.ts'
import type { ResolvedProvider } from '../providers/provider-registry.ts'
import type { SpidAuthState } from '../session/auth-session.ts'
import { opClientFor } from './op-client.ts'
import type { ProtocolContext } from './protocol-context.ts'

export type RefreshTokens = Awaited<ReturnType<typeof oidc.refreshTokenGrant>>

/** Rule T2: the refresh request, with the client assertion aimed at the token endpoint; OP refusals as typed errors. */
export async function refreshTokenGrant(ctx: ProtocolContext, provider: ResolvedProvider, auth: SpidAuthState): Promise<RefreshTokens> {
  if (!auth.refreshToken) throw new TypeError('a refresh needs a refresh token')
  const config = await opClientFor(provider, 'token_endpoint', ctx.client)
  try {
    return await oidc.refreshTokenGrant(config, auth.refreshToken)
  } catch (error) {
    throw fromOpenidClient(error, 'refresh request')
  }
}

/** The session's new tokens. Rotation (rule L4): the newest refresh token replaces the old one. */
export function withNewTokens(
  auth: SpidAuthState,
  tokens: RefreshTokens,
  now: number,
): Pick<SpidAuthState, 'accessToken' | 'accessTokenExpiresAt' | 'refreshToken'> {
  return {
    accessToken: tokens.access_token,
    accessTokenExpiresAt: now + (typeof tokens.expires_in === 'number' ? tokens.expires_in : 0),
    refreshToken: tokens.refresh_token ?? auth.refreshToken,
  }
}
