import { checkAtHash } from '../checks/check-at-hash.ts'
import { checkAuthTime } from '../checks/check-auth-time.ts'
import { checkAzp } from '../checks/check-azp.ts'
import { checkIdTokenClaims } from '../checks/check-id-token-claims.ts'
import { checkRefreshedIdToken } from '../checks/check-refreshed-id-token.ts'
import { TokenValidationError } from '../errors/spid-error.ts'
import type { ResolvedProvider } from '../providers/provider-registry.ts'
import type { SpidAuthState } from '../session/auth-session.ts'
import type { ProtocolContext } from './protocol-context.ts'
import { verifyFromOp } from './op-keys.ts'
import { secretTag } from '../log/redact.ts'
import { refreshTokenGrant, withNewTokens } from './refresh-token-grant.ts'
import { signedIdToken } from './signed-id-token.ts'

/**
 * Rules T2, L2, L4, I6: restores a session with its refresh token. The client assertion is aimed
 * at the token endpoint; only the newest refresh token is kept; the result counts as SpidL1.
 */
export async function refreshSession(ctx: ProtocolContext, provider: ResolvedProvider, auth: SpidAuthState): Promise<SpidAuthState> {
  const tokens = await refreshTokenGrant(ctx, provider, auth)
  if (!tokens.id_token) throw new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', 'refresh response has no ID token (rule L2)')
  const { payload, alg } = await verifyFromOp(ctx.opKeys, provider, signedIdToken(ctx.options, provider, tokens), {
    audience: ctx.options.clientId,
    clockTolerance: ctx.options.clockTolerance,
    now: ctx.now(),
    what: 'ID token',
  })
  const clock = { now: ctx.now(), clockTolerance: ctx.options.clockTolerance }
  checkIdTokenClaims(payload, clock)
  checkAuthTime(payload, clock)
  checkAzp(payload.azp, ctx.options.clientId)
  checkAtHash(payload.at_hash, tokens.access_token, alg)
  const acr = checkRefreshedIdToken(payload, { sub: auth.sub, authTime: auth.authTime, clockTolerance: ctx.options.clockTolerance })
  ctx.audit('token.refreshed', {
    iss: auth.issuer,
    sub: auth.sub,
    jti: payload.jti as string,
    iat: payload.iat as number,
    exp: payload.exp as number,
    acr,
    op_acr: payload.acr as string,
    ...(tokens.refresh_token ? { refresh_token_hash: secretTag(tokens.refresh_token) } : {}),
  })
  if (payload.acr !== acr) {
    ctx.options.logger.warn(
      { event: 'token.refreshed', issuer: auth.issuer, acr: payload.acr },
      'OP returned a level above SpidL1 on refresh; the session counts as SpidL1 (rule L2)',
    )
  }
  return {
    ...auth,
    acr,
    refreshed: true,
    ...withNewTokens(auth, tokens, ctx.now()),
    idTokenJti: payload.jti as string,
  }
}
