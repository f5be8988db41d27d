import * as oidc from 'openid-client'
import { checkAcrSatisfies } from '../checks/check-acr-satisfies.ts'
import { checkAtHash } from '../checks/check-at-hash.ts'
import { checkAuthTime } from '../checks/check-auth-time.ts'
import { checkAzp } from '../checks/check-azp.ts'
import type { CallbackParameters } from '../checks/check-callback-parameters.ts'
import { checkIdTokenClaims } from '../checks/check-id-token-claims.ts'
import { checkUserinfoSubject } from '../checks/check-userinfo-subject.ts'
import { missingAttributes, missingAttributesError } from '../checks/check-required-attributes.ts'
import { fromOpenidClient } from '../errors/from-openid-client.ts'
import { InsufficientLevelError, OpError, SpidError, TokenValidationError, TransactionError } from '../errors/spid-error.ts'
import { verifyOpJwt } from '../protocol/id-token.ts'
import { secretTag } from '../log/redact.ts'
import { opClientFor } from '../protocol/op-client.ts'
import { fetchUserinfo } from '../protocol/userinfo.ts'
import { toProfile } from '../profile/to-profile.ts'
import type { ResolvedProvider } from '../providers/provider-registry.ts'
import type { SpidAuthState } from '../session/auth-session.ts'
import { takeTransaction, type LoginTransaction } from '../session/login-transaction.ts'
import type { SpidProfile } from '../profile/spid-profile.ts'
import type { SpidRuntime } from '../core/spid-runtime.ts'

/** Rule R2: OP error codes; anything else is reported as a generic OP error. */
const OP_ERROR_CODES = new Set([
  'access_denied',
  'unauthorized_client',
  'invalid_request',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
  'unsupported_response_type',
  'login_required',
  'consent_required',
  'request_uri_not_supported',
  'registration_not_supported',
  'invalid_request_object',
  'invalid_client',
  'not_found',
])

/** Failures already written to the audit log here, so the strategy does not write them twice. */
export const AUDITED_FAILURES = new WeakSet<object>()

export interface FinishedLogin {
  profile: SpidProfile
  auth: SpidAuthState
  transaction: LoginTransaction
  idTokenClaims: Readonly<Record<string, unknown>>
}

/**
 * Completes a login from the callback parameters. The checks run in this order:
 * state (consumed first, so the callback cannot be replayed) → OP error → iss (R1) →
 * code exchange with PKCE and nonce (T1, via openid-client) → ID token signature (I1) →
 * iat, jti, sub (I2) → auth_time → azp → jti not replayed → at_hash (I3) → acr ≥ level asked (I4) →
 * UserInfo JWE(JWS) (U1-U3) → UserInfo sub.
 */
export async function finishLogin(ctx: SpidRuntime, session: unknown, params: CallbackParameters, previous?: SpidAuthState): Promise<FinishedLogin> {
  const tx = takeTransaction(session, params.state, ctx.now())
  try {
    return await completeLogin(ctx, tx, params, previous)
  } catch (error) {
    // Recorded here, where the OP of the transaction is known (rule G2 indexes by iss).
    ctx.audit('login.failed', { iss: tx.issuer, state_hash: secretTag(tx.state), outcome: 'error', error_code: (error as { code?: string }).code ?? 'unknown' })
    if (error && typeof error === 'object') AUDITED_FAILURES.add(error)
    throw error
  }
}

async function completeLogin(ctx: SpidRuntime, tx: LoginTransaction, params: CallbackParameters, previous: SpidAuthState | undefined): Promise<FinishedLogin> {
  const now = ctx.now()
  ctx.audit('authorization.answered', {
    iss: tx.issuer,
    state_hash: secretTag(tx.state),
    ...(params.code ? { code_hash: secretTag(params.code) } : {}),
    ...(params.error ? { outcome: 'error' as const, error: params.error } : {}),
  })
  if (params.error !== undefined) throw opErrorFrom(params.error)
  if (!params.code) throw new SpidError('ERR_SPID_BAD_REQUEST', 'callback has neither code nor error')

  const provider = await ctx.registry.resolve(tx.issuer)
  const tokens = await exchangeCode(ctx, provider, tx, params)
  const idToken = tokens.id_token
  if (!idToken) throw new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', 'token response has no ID token')

  const { payload: idClaims, alg } = await verifyOpJwt(idToken, {
    jwks: provider.jwks,
    issuer: provider.config.issuer,
    audience: ctx.options.clientId,
    clockTolerance: ctx.options.clockTolerance,
    now,
    what: 'ID token',
  })
  const clock = { now, clockTolerance: ctx.options.clockTolerance }
  checkIdTokenClaims(idClaims, clock)
  const authTime = checkAuthTime(idClaims, clock)
  checkAzp(idClaims.azp, ctx.options.clientId)
  ctx.replay.checkAndRemember(idClaims.jti as string, idClaims.exp as number, now)
  ctx.audit('token.issued', {
    iss: provider.config.issuer,
    sub: idClaims.sub as string,
    jti: idClaims.jti as string,
    iat: idClaims.iat as number,
    exp: idClaims.exp as number,
    acr: idClaims.acr as string,
    code_hash: secretTag(params.code),
    at_hash: idClaims.at_hash as string,
    ...(tokens.refresh_token ? { refresh_token_hash: secretTag(tokens.refresh_token) } : {}),
  })
  checkAtHash(idClaims.at_hash, tokens.access_token, alg)
  const acr = checkAcrSatisfies(idClaims.acr, tx.level)
  const sub = idClaims.sub as string
  if (tx.expectedSub !== undefined && tx.expectedSub !== sub) {
    throw new InsufficientLevelError('ERR_SPID_SUBJECT_CHANGED', 'step-up came back with another subject than the session', undefined, {
      oauthError: 'access_denied',
    })
  }

  const userinfo = await fetchUserinfo({
    endpoint: provider.metadata.userinfo_endpoint,
    accessToken: tokens.access_token,
    clientId: ctx.options.clientId,
    issuer: provider.config.issuer,
    opKeys: provider.jwks,
    encryptionKey: ctx.options.keys.encryption,
    // Only what the RP registered in its metadata: an OP may not pick another.
    allowedEncryption: { alg: [ctx.options.userinfoEncryption.alg], enc: [ctx.options.userinfoEncryption.enc] },
    clockTolerance: ctx.options.clockTolerance,
    now,
    fetch: ctx.fetch,
  })
  checkUserinfoSubject(userinfo.sub, sub)
  ctx.audit('userinfo.received', {
    iss: provider.config.issuer,
    sub,
    jti: userinfo.jti as string | undefined,
    iat: userinfo.iat as number | undefined,
    exp: userinfo.exp as number | undefined,
    claims_released: Object.keys(userinfo)
      .filter((name) => !PROTOCOL_CLAIMS.has(name))
      .sort(),
  })

  const auth: SpidAuthState = {
    issuer: provider.config.issuer,
    providerProfile: provider.config.profile,
    sub,
    acr,
    authTime,
    accessToken: tokens.access_token,
    accessTokenExpiresAt: now + (typeof tokens.expires_in === 'number' ? tokens.expires_in : 0),
    ...refreshTokenToKeep(tokens.refresh_token, previous, provider.config.issuer, sub),
    refreshed: false,
    idTokenJti: idClaims.jti as string,
  }
  // CIE ID tokens may carry attributes too (rule I5); UserInfo wins where both have one.
  const claims = provider.config.profile === 'cie' ? { ...withoutProtocolClaims(idClaims), ...userinfo } : userinfo
  const profile = toProfile(claims, provider.config.issuer)
  const missing = missingAttributes(profile, ctx.options.requiredAttributes)
  if (missing.length > 0) {
    if (ctx.options.missingAttributes === 'error') throw missingAttributesError(missing)
    ctx.options.logger.warn({ event: 'login.attributes_missing', issuer: provider.config.issuer, missing }, 'required attributes missing')
  }
  if (profile.problems) {
    ctx.options.logger.warn(
      { event: 'login.attributes_invalid', issuer: provider.config.issuer, problems: profile.problems.map((p) => ({ field: p.field, reason: p.reason })) },
      'attributes refused by normalization',
    )
  }
  ctx.audit('login.succeeded', {
    iss: provider.config.issuer,
    sub,
    acr,
    jti: auth.idTokenJti,
    iat: auth.authTime,
    state_hash: secretTag(tx.state),
    ...(ctx.options.auditPersonalData && profile.fiscalNumber ? { fiscal_number_hash: secretTag(profile.fiscalNumber) } : {}),
  })
  return { profile, auth, transaction: tx, idTokenClaims: idClaims }
}

/** Rule T1: the code exchange, with PKCE, redirect_uri and a client assertion aimed at the token endpoint. */
async function exchangeCode(ctx: SpidRuntime, provider: ResolvedProvider, tx: LoginTransaction, params: CallbackParameters) {
  const config = await opClientFor(provider, 'token_endpoint', ctx.client)
  // openid-client derives redirect_uri from this URL, so it is the configured one plus the
  // response; it validates `iss` (rule R1, RFC 9207, required when the OP says it sends it) and
  // `state` before it sends the token request.
  const callbackUrl = new URL(ctx.options.redirectUri)
  callbackUrl.searchParams.set('code', params.code as string)
  callbackUrl.searchParams.set('state', tx.state)
  if (params.iss !== undefined) callbackUrl.searchParams.set('iss', params.iss)
  try {
    return await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: tx.codeVerifier,
      expectedNonce: tx.nonce,
      expectedState: tx.state,
      idTokenExpected: true,
    })
  } catch (error) {
    throw issuerMismatch(error, provider.config.issuer) ?? fromOpenidClient(error, 'token request')
  }
}

/**
 * Rule R1: openid-client refuses a callback whose `iss` is not the OP's (a mix-up attack), or that
 * lacks the `iss` the OP says it sends, as an invalid response naming the expected issuer (or no
 * expected value at all); a `state` mismatch names the state instead.
 */
function issuerMismatch(error: unknown, issuer: string): SpidError | undefined {
  if ((error as { code?: unknown })?.code !== 'OAUTH_INVALID_RESPONSE') return undefined
  // openid-client wraps oauth4webapi's error, whose cause holds the details.
  type Detail = { expected?: unknown; parameters?: unknown; cause?: Detail }
  const wrapped = (error as { cause?: Detail }).cause
  const detail = wrapped?.cause ?? wrapped
  if (!detail?.parameters || (detail.expected !== undefined && detail.expected !== issuer)) return undefined
  return new TransactionError('ERR_SPID_ISSUER_MISMATCH', 'callback iss is missing or differs from the issuer the login was sent to', { cause: error })
}

const PROTOCOL_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'nonce', 'acr', 'amr', 'auth_time', 'at_hash', 'c_hash', 'azp', 'sid'])

function withoutProtocolClaims(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([name]) => !PROTOCOL_CLAIMS.has(name)))
}

/**
 * A step-up without offline access keeps the long session of the login it raises: the same OP
 * and the same person, so "remember me" survives a trip to a higher level.
 */
function refreshTokenToKeep(fresh: string | undefined, previous: SpidAuthState | undefined, issuer: string, sub: string): { refreshToken?: string } {
  if (fresh) return { refreshToken: fresh }
  if (previous?.refreshToken && previous.issuer === issuer && previous.sub === sub) return { refreshToken: previous.refreshToken }
  return {}
}

function opErrorFrom(error: string): SpidError {
  const known = OP_ERROR_CODES.has(error) ? error : 'server_error'
  if (known === 'access_denied') return new OpError('ERR_SPID_LOGIN_CANCELLED', 'the user cancelled the login or refused consent', { oauthError: known })
  const status = known === 'server_error' ? 502 : known === 'temporarily_unavailable' ? 503 : 400
  return new OpError('ERR_SPID_OP_ERROR', `OP answered the authorization request with ${known}`, { status, oauthError: known })
}
