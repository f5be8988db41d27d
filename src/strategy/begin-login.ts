import { createHash, randomUUID } from 'node:crypto'
import * as oidc from 'openid-client'
import { secretTag } from '../log/redact.ts'
import type { SpidLevel } from '../levels.ts'
import { opClientFor } from '../protocol/op-client.ts'
import { type AuthorizationParameters, buildSignedAuthorizationUrl } from '../protocol/request-object.ts'
import { NONCE_LENGTH, randomAlphanumeric, STATE_LENGTH } from '../protocol/random.ts'
import { providerProfile } from '../providers/provider-profile.ts'
import type { AuthorizationRequestRecord, KeepTransaction, LoginTransaction } from '../session/login-transaction.ts'
import type { SpidRuntime } from '../core/spid-runtime.ts'

export interface LoginRequest {
  issuer: string
  level: SpidLevel
  returnTo: string
  offline: boolean
  prompt: 'consent login' | 'consent'
  expectedSub?: string
  uiLocales?: string
}

/**
 * Starts a login (rules A1-A14): keeps the transaction for the callback (`keep`: the session, or
 * a sealed cookie), then returns the authorization URL carrying the signed request object.
 * `anonymous`: no one is logged in, so anyone can make as many of these as they like: the audit
 * log only counts them, and the login's callback records its request.
 */
export async function beginLogin(ctx: SpidRuntime, request: LoginRequest, keep: KeepTransaction, { anonymous }: { anonymous: boolean }): Promise<URL> {
  const { options } = ctx
  const provider = await ctx.registry.resolve(request.issuer)
  const profile = providerProfile(provider.config.profile)
  const now = ctx.now()
  const codeVerifier = oidc.randomPKCECodeVerifier()
  const tx: LoginTransaction = {
    state: randomAlphanumeric(STATE_LENGTH),
    issuer: provider.config.issuer,
    level: request.level,
    nonce: randomAlphanumeric(NONCE_LENGTH),
    codeVerifier,
    returnTo: request.returnTo,
    offline: request.offline,
    ...(request.expectedSub ? { expectedSub: request.expectedSub } : {}),
    expiresAt: now + options.transactionTtl,
  }
  const params: AuthorizationParameters = {
    response_type: 'code',
    scope: profile.scope(request.offline),
    redirect_uri: options.redirectUri,
    state: tx.state,
    nonce: tx.nonce,
    // Rule A7: S256. Hashed here rather than with WebCrypto, which costs a thread-pool round trip.
    code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
    code_challenge_method: 'S256',
    // Rule L1: a refresh token is issued only with a prompt containing consent; a step-up
    // (prompt=consent login) keeps it.
    prompt: request.offline && !request.expectedSub ? 'consent' : request.prompt,
    acr_values: profile.acrValues(request.level, request.offline),
    claims: profile.claims({ fields: options.attributes, required: options.requiredAttributes, userinfoClaims: options.userinfoClaims }),
    ...(request.uiLocales ? { ui_locales: request.uiLocales } : {}),
  }
  const jti = randomUUID()
  const config = await opClientFor(provider, 'token_endpoint', ctx.client)
  const url = await buildSignedAuthorizationUrl(config, params, { key: options.keys.signing, ttl: options.requestObjectTtl, now, jti })
  const record: AuthorizationRequestRecord = {
    jti,
    iat: now,
    exp: now + options.requestObjectTtl,
    acr: params.acr_values,
    scope: params.scope,
    prompt: params.prompt,
  }
  // Anyone can start logins: theirs are only counted here, and recorded in full at the callback.
  if (anonymous) tx.request = record
  await keep(tx, now)
  ctx.audit('authorization.requested', {
    iss: provider.config.issuer,
    ...record,
    state_hash: secretTag(tx.state),
    ...(request.expectedSub ? { sub: request.expectedSub, step_up: true } : {}),
    ...(anonymous ? { anonymous: true } : {}),
  })
  return url
}
