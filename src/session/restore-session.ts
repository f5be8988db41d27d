import { randomBytes } from 'node:crypto'
import type { Request } from 'express'
import type { SessionData } from 'express-session'
import { OpError, SpidError, UnavailableError, isSpidError } from '../errors/spid-error.ts'
import { secretTag } from '../log/redact.ts'
import type { ProtocolContext } from '../protocol/protocol-context.ts'
import { refreshAccess } from '../protocol/refresh-access.ts'
import { refreshSession } from '../protocol/refresh.ts'
import { providerProfile } from '../providers/provider-profile.ts'
import type { ResolvedProvider } from '../providers/provider-registry.ts'
import type { SharedState } from '../store/shared-state.ts'
import type { SpidAuthState } from './auth-session.ts'
import { endSession } from './end-session.ts'

/** Refreshes in flight in this process, by session id: concurrent requests of one session share one. */
export type RefreshesInFlight = Map<string, Promise<SpidAuthState | undefined>>

/** Milliseconds between two looks at a refresh another instance is making. */
const POLL_MS = 25

/** True when the access token has expired and the refresh token can restore the session (SPID, rule L2; never CIE, L3). */
export function restoreDue(auth: SpidAuthState | undefined, now: number): boolean {
  return refreshDue(auth, now) && providerProfile(auth.providerProfile).refreshRestoresSession
}

/** True when the access token has expired and the session holds a refresh token. */
function refreshDue(auth: SpidAuthState | undefined, now: number): auth is SpidAuthState {
  return !!auth?.refreshToken && auth.accessTokenExpiresAt <= now
}

/** What one refresh does with the refresh token, by profile: restore the session (SPID) or only renew access (CIE). */
interface RefreshKind {
  due(auth: SpidAuthState | undefined, now: number): boolean
  refresh(ctx: ProtocolContext, provider: ResolvedProvider, auth: SpidAuthState): Promise<SpidAuthState>
  /** Logged when done. */
  done: string
}

const RESTORE: RefreshKind = { due: restoreDue, refresh: refreshSession, done: 'session restored with the refresh token: SpidL1 only' }
const RENEW_ACCESS: RefreshKind = {
  due: refreshDue,
  refresh: refreshAccess,
  done: 'access token renewed with the refresh token: the level is unchanged (CIE id, rule L3)',
}

/**
 * The session policy when the access token has expired (rules L1-L4): restore it with the
 * refresh token, once per session however many requests ask at the same time, on however many
 * instances, at SpidL1 only. An OP that is down or failing leaves the session for the next try;
 * a refused refresh token ends the long session quietly; an answer that fails a check ends it
 * and is reported; a session ended meanwhile (logout elsewhere) stays ended.
 */
export function restoreSession(req: Request, ctx: ProtocolContext, inFlight: RefreshesInFlight, shared: SharedState): Promise<void> {
  return useRefreshToken(RESTORE, req, ctx, inFlight, shared)
}

/**
 * CIE id (rule L3): a new access token from the refresh token, to read the consented attributes
 * again; the session keeps its level. Once per session across requests and instances, as above;
 * a refused refresh token ends the session, as it does for SPID.
 */
export function renewAccess(req: Request, ctx: ProtocolContext, inFlight: RefreshesInFlight, shared: SharedState): Promise<void> {
  return useRefreshToken(RENEW_ACCESS, req, ctx, inFlight, shared)
}

async function useRefreshToken(kind: RefreshKind, req: Request, ctx: ProtocolContext, inFlight: RefreshesInFlight, shared: SharedState): Promise<void> {
  const auth = req.session.spid as SpidAuthState
  const key = req.sessionID
  let pending = inFlight.get(key)
  if (!pending) {
    pending = refreshOnce(kind, req, ctx, shared)
    inFlight.set(key, pending)
    pending.then(
      () => inFlight.delete(key),
      () => inFlight.delete(key),
    )
  }
  try {
    const refreshed = await pending
    if (!refreshed) {
      // Ended on another instance (logout, or a refused refresh there): end it here too.
      await endSession(req)
      return
    }
    req.session.spid = refreshed
  } catch (error) {
    const spidError = isSpidError(error) ? error : new SpidError('ERR_SPID_OP_ERROR', 'refresh failed', { status: 502, cause: error })
    ctx.options.logger.warn({ event: 'token.refresh_failed', code: spidError.code, issuer: auth.issuer }, spidError.message)
    if (spidError instanceof UnavailableError || (spidError instanceof OpError && spidError.status >= 500)) throw spidError
    await endSession(req)
    if (spidError.code !== 'ERR_SPID_TOKEN_REJECTED') throw spidError
  }
}

/**
 * One refresh per session across instances: a lease in the shared state (`SET NX PX`, released
 * only by its holder) decides who refreshes. The holder reads the stored session again first, in
 * case another instance refreshed it already, and stores the new tokens before it lets go, so
 * the refresh token is presented once. The others wait for the stored session to carry fresh
 * tokens and use them. Resolves with the state to use, or undefined when the session has ended.
 */
async function refreshOnce(kind: RefreshKind, req: Request, ctx: ProtocolContext, shared: SharedState): Promise<SpidAuthState | undefined> {
  const lease = `lease:refresh:${secretTag(req.sessionID)}`
  const holder = randomBytes(12).toString('base64url')
  // Longer than a refresh can take: the token request's timeout, and metadata resolution before it.
  const leaseMs = ctx.options.httpTimeout * 2 + 1000
  const giveUpAt = Date.now() + leaseMs * 2
  for (;;) {
    if (await shared.claim(lease, holder, leaseMs)) {
      try {
        const stored = await storedAuth(req)
        if (stored === null) return undefined
        const current = stored ?? (req.session.spid as SpidAuthState)
        if (!kind.due(current, ctx.now())) return current
        const provider = await ctx.registry.resolve(current.issuer)
        const refreshed = await kind.refresh(ctx, provider, current)
        req.session.spid = refreshed
        await saveSession(req)
        ctx.options.logger.info(
          { event: 'token.refreshed', issuer: refreshed.issuer, sub: refreshed.sub, acr: refreshed.acr, jti: refreshed.idTokenJti },
          kind.done,
        )
        return refreshed
      } finally {
        await shared.release(lease, holder).catch(() => undefined)
      }
    }
    // Another request holds the lease: wait for what it stores.
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    const stored = await storedAuth(req)
    if (stored === null) return undefined
    if (stored && !kind.due(stored, ctx.now())) return stored
    if (Date.now() > giveUpAt) throw new UnavailableError('ERR_SPID_OP_UNAVAILABLE', 'another request is refreshing this session and has not finished')
  }
}

/**
 * The SPID state of this session as stored now (another instance may have changed it): null
 * when the session or its login is gone, undefined when the store cannot tell (no store).
 */
async function storedAuth(req: Request): Promise<SpidAuthState | null | undefined> {
  const store = req.sessionStore
  if (!store) return undefined
  const data = await new Promise<SessionData | null | undefined>((resolve, reject) =>
    store.get(req.sessionID, (error: unknown, value?: SessionData | null) => (error ? reject(error) : resolve(value))),
  )
  return data?.spid ?? null
}

function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((error: unknown) => (error ? reject(error) : resolve())))
}
