import * as oidc from 'openid-client'
import type { CallbackParameters } from '../checks/check-callback-parameters.ts'
import { checkIdToken } from '../checks/check-id-token.ts'
import { missingAttributes, missingAttributesError } from '../checks/check-required-attributes.ts'
import { fromOpenidClient } from '../errors/from-openid-client.ts'
import { InsufficientLevelError, OpError, SpidError, TokenValidationError, TransactionError } from '../errors/spid-error.ts'
import { verifyFromOp } from '../protocol/op-keys.ts'
import { secretTag } from '../log/redact.ts'
import { opClientFor } from '../protocol/op-client.ts'
import { PROTOCOL_CLAIMS, readUserinfo } from '../protocol/read-userinfo.ts'
import { signedIdToken } from '../protocol/signed-id-token.ts'
import { withPlaceNames } from '../profile/place-names.ts'
import { toProfile } from '../profile/to-profile.ts'
import type { ResolvedProvider } from '../providers/provider-registry.ts'
import type { SpidAuthState } from '../session/auth-session.ts'
import type { LoginTransaction } from '../session/login-transaction.ts'
import type { SpidProfile } from '../profile/spid-profile.ts'
import type { SpidRuntime } from '../core/spid-runtime.ts'
import type { SharedState } from '../store/shared-state.ts'
import { useIdToken, useTransaction } from '../store/single-use.ts'

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
 * The transaction of the callback's `state`, removed from where it was kept (a sealed cookie, or
 * the session): a TransactionError when there is none, or it expired.
 */
export type TakeTransaction = (state: string | undefined, now: number) => LoginTransaction

/**
 * Completes a login from the callback parameters. The checks run in this order:
 * state (consumed first, so the callback cannot be replayed) → OP error (R2) → iss (R1) →
 * code exchange with PKCE and nonce (T1, via openid-client) → ID token signature (I1) →
 * iat, jti, sub (I2) → auth_time → azp → at_hash (I3) → acr ≥ level asked (I4) → jti not
 * replayed → same person on a step-up → UserInfo JWE(JWS) (U1-U3) → UserInfo sub → required
 * attributes. Each step is a function of its own; the audit records are written between them.
 */
export async function finishLogin(
  ctx: SpidRuntime,
  takeTransaction: TakeTransaction,
  params: CallbackParameters,
  { previous, shared }: { previous?: SpidAuthState | undefined; shared: SharedState },
): Promise<FinishedLogin> {
  const tx = takeTransaction(params.state, ctx.now())
  try {
    // Taking it from this request's copy of the session, or from its cookie, is not enough: the
    // same callback, cookie and all, may be running on another instance. Exactly one goes on.
    await useTransaction(shared, tx.state, tx.expiresAt - ctx.now() + ctx.options.clockTolerance)
    // A login started by someone not logged in: its start was only counted (anyone can make them).
    if (tx.request) ctx.audit('authorization.requested', { iss: tx.issuer, ...tx.request, state_hash: secretTag(tx.state), recorded_at_callback: true })
    return await completeLogin(ctx, tx, params, previous, shared)
  } catch (error) {
    // Recorded here, where the OP of the transaction is known (rule G2 indexes by iss).
    ctx.audit('login.failed', { iss: tx.issuer, state_hash: secretTag(tx.state), outcome: 'error', error_code: (error as { code?: string }).code ?? 'unknown' })
    // The error page can offer the same login again, at the level this page needs.
    if (error instanceof InsufficientLevelError && error.code === 'ERR_SPID_ACR_TOO_LOW') {
      const provider = ctx.registry.get(tx.issuer)?.profile
      error.retry = { level: tx.level, returnTo: tx.returnTo, issuer: tx.issuer, offline: tx.offline, ...(provider ? { provider } : {}) }
    }
    if (error && typeof error === 'object') AUDITED_FAILURES.add(error)
    throw error
  }
}

async function completeLogin(
  ctx: SpidRuntime,
  tx: LoginTransaction,
  params: CallbackParameters,
  previous: SpidAuthState | undefined,
  shared: SharedState,
): Promise<FinishedLogin> {
  const now = ctx.now()
  const { options } = ctx
  ctx.audit('authorization.answered', {
    iss: tx.issuer,
    state_hash: secretTag(tx.state),
    ...(params.code ? { code_hash: secretTag(params.code) } : {}),
    ...(params.error ? { outcome: 'error' as const, error: params.error } : {}),
  })
  // 1. The OP's answer: a code, or an error (rule R2).
  const code = checkCallbackOutcome(params)

  // 2. The code exchange (T1), after openid-client checked the callback's iss (R1) and state.
  const provider = await ctx.registry.resolve(tx.issuer)
  checkIssPresent(provider, params.iss)
  const tokens = await exchangeCode(ctx, provider, tx, code, params.iss)
  if (!tokens.id_token) throw new TokenValidationError('ERR_SPID_TOKEN_RESPONSE_INVALID', 'the token response has no id_token (rule T4)')

  // 3. The ID token: signature with the OP's keys (I1), then the SPID rules (I2-I4), then replay.
  const { payload: idClaims, alg } = await verifyFromOp(ctx.opKeys, provider, signedIdToken(ctx.options, provider, tokens), {
    audience: options.clientId,
    clockTolerance: options.clockTolerance,
    now,
    what: 'ID token',
  })
  ctx.audit('token.issued', {
    iss: provider.config.issuer,
    sub: idClaims.sub,
    jti: idClaims.jti,
    iat: idClaims.iat,
    exp: idClaims.exp,
    acr: idClaims.acr as string,
    code_hash: secretTag(code),
    at_hash: idClaims.at_hash as string,
    ...(tokens.refresh_token ? { refresh_token_hash: secretTag(tokens.refresh_token) } : {}),
  })
  const idToken = checkIdToken(idClaims, {
    now,
    clockTolerance: options.clockTolerance,
    clientId: options.clientId,
    accessToken: tokens.access_token,
    alg,
    level: tx.level,
  })
  await useIdToken(shared, provider.config.issuer, idToken.jti, idToken.exp - now + options.clockTolerance)
  checkStepUpSubject(tx.expectedSub, idToken.sub)

  // 4. UserInfo: JWE(JWS) from the OP, about the same person (U1-U3).
  const userinfo = await readUserinfo(ctx, provider, tokens.access_token, idToken.sub)

  // 5. The profile, and the attributes the service cannot do without.
  // CIE ID tokens may carry attributes too (rule I5); UserInfo wins where both have one.
  const claims = provider.config.profile === 'cie' ? { ...withoutProtocolClaims(idClaims), ...userinfo } : userinfo
  const profile = await withPlaceNames(toProfile(claims, provider.config.issuer))
  checkProfile(ctx, provider.config.issuer, profile)

  const auth: SpidAuthState = {
    issuer: provider.config.issuer,
    providerProfile: provider.config.profile,
    sub: idToken.sub,
    acr: idToken.acr,
    authTime: idToken.authTime,
    accessToken: tokens.access_token,
    accessTokenExpiresAt: now + (typeof tokens.expires_in === 'number' ? tokens.expires_in : 0),
    ...refreshTokenToKeep(tokens.refresh_token, previous, provider.config.issuer, idToken.sub),
    refreshed: false,
    idTokenJti: idToken.jti,
  }
  ctx.audit('login.succeeded', {
    iss: provider.config.issuer,
    sub: idToken.sub,
    acr: idToken.acr,
    jti: idToken.jti,
    iat: idToken.authTime,
    state_hash: secretTag(tx.state),
    // Rule G1: the trust chain this login relied on (subject configuration, statements, anchor configuration).
    ...(provider.trustChain ? { trust_chain_hashes: provider.trustChain.map(secretTag) } : {}),
    ...(options.auditPersonalData && profile.fiscalNumber ? { fiscal_number_hash: secretTag(profile.fiscalNumber) } : {}),
  })
  return { profile, auth, transaction: tx, idTokenClaims: idClaims }
}

/** Rule R2: the OP answered with an error (reported as such), or with a code. */
function checkCallbackOutcome(params: CallbackParameters): string {
  if (params.error !== undefined) throw opErrorFrom(params.error)
  if (!params.code) throw new SpidError('ERR_SPID_BAD_REQUEST', 'callback has neither code nor error')
  return params.code
}

/** Rule R1: a CIE callback always carries `iss`; a SPID one must when the OP says it sends it (openid-client checks that). */
function checkIssPresent(provider: ResolvedProvider, iss: string | undefined): void {
  if (provider.config.profile === 'cie' && iss === undefined) {
    throw new TransactionError('ERR_SPID_ISSUER_MISMATCH', 'a CIE id callback must carry iss (rule R1); this one has none')
  }
}

/** A step-up must come back as the person whose session it raises. */
function checkStepUpSubject(expectedSub: string | undefined, sub: string): void {
  if (expectedSub !== undefined && expectedSub !== sub) {
    throw new InsufficientLevelError('ERR_SPID_SUBJECT_CHANGED', 'step-up came back with another subject than the session', undefined, {
      oauthError: 'access_denied',
    })
  }
}

/** Required attributes missing: an error, or a warning (`missingAttributes`); refused values are logged. */
function checkProfile(ctx: SpidRuntime, issuer: string, profile: SpidProfile): void {
  const missing = missingAttributes(profile, ctx.options.requiredAttributes)
  if (missing.length > 0) {
    if (ctx.options.missingAttributes === 'error') throw missingAttributesError(missing)
    ctx.options.logger.warn({ event: 'login.attributes_missing', issuer, missing }, 'required attributes missing')
  }
  if (profile.problems) {
    ctx.options.logger.warn(
      { event: 'login.attributes_invalid', issuer, problems: profile.problems.map((p) => ({ field: p.field, reason: p.reason })) },
      'attributes refused by normalization',
    )
  }
}

/** Rule T1: the code exchange, with PKCE, redirect_uri and a client assertion aimed at the token endpoint. */
async function exchangeCode(ctx: SpidRuntime, provider: ResolvedProvider, tx: LoginTransaction, code: string, iss: string | undefined) {
  const config = await opClientFor(provider, 'token_endpoint', ctx.client)
  // openid-client derives redirect_uri from this URL, so it is the configured one plus the
  // response; it validates `iss` (rule R1, RFC 9207, required when the OP says it sends it) and
  // `state` before it sends the token request.
  const callbackUrl = new URL(ctx.options.redirectUri)
  callbackUrl.searchParams.set('code', code)
  callbackUrl.searchParams.set('state', tx.state)
  if (iss !== undefined) callbackUrl.searchParams.set('iss', iss)
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
