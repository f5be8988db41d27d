import type { Request } from 'express'
import { OpError, SpidError, UnavailableError, isSpidError } from '../errors/spid-error.ts'
import type { ProtocolContext } from '../protocol/protocol-context.ts'
import { refreshSession } from '../protocol/refresh.ts'
import { providerProfile } from '../providers/provider-profile.ts'
import type { SpidAuthState } from './auth-session.ts'
import { endSession } from './end-session.ts'

/** Refreshes in flight, by session id: concurrent requests of one session share one refresh. */
export type RefreshesInFlight = Map<string, Promise<SpidAuthState>>

/** True when the access token has expired and the refresh token can restore the session (SPID, rule L2; never CIE, L3). */
export function restoreDue(auth: SpidAuthState | undefined, now: number): boolean {
  if (!auth?.refreshToken || auth.accessTokenExpiresAt > now) return false
  return providerProfile(auth.providerProfile).refreshRestoresSession
}

/**
 * The session policy when the access token has expired (rules L1-L4): restore it with the
 * refresh token, once per session however many requests ask at the same time, at SpidL1 only.
 * An OP that is down or failing leaves the session for the next try; a refused refresh token
 * ends the long session quietly; an answer that fails a check ends it and is reported.
 */
export async function restoreSession(req: Request, ctx: ProtocolContext, inFlight: RefreshesInFlight): Promise<void> {
  const auth = req.session.spid as SpidAuthState
  const key = req.sessionID
  let pending = inFlight.get(key)
  if (!pending) {
    pending = ctx.registry.resolve(auth.issuer).then((provider) => refreshSession(ctx, provider, auth))
    inFlight.set(key, pending)
    pending.then(
      () => inFlight.delete(key),
      () => inFlight.delete(key),
    )
  }
  try {
    const refreshed = await pending
    req.session.spid = refreshed
    ctx.options.logger.info(
      { event: 'token.refreshed', issuer: refreshed.issuer, sub: refreshed.sub, acr: refreshed.acr, jti: refreshed.idTokenJti },
      'session restored with the refresh token: SpidL1 only',
    )
  } catch (error) {
    const spidError = isSpidError(error) ? error : new SpidError('ERR_SPID_OP_ERROR', 'refresh failed', { status: 502, cause: error })
    ctx.options.logger.warn({ event: 'token.refresh_failed', code: spidError.code, issuer: auth.issuer }, spidError.message)
    if (spidError instanceof UnavailableError || (spidError instanceof OpError && spidError.status >= 500)) throw spidError
    await endSession(req)
    if (spidError.code !== 'ERR_SPID_TOKEN_REJECTED') throw spidError
  }
}
