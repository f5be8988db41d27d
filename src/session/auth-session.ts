import type { SpidLevel } from '../levels.ts'
import type { ProviderProfileName } from '../providers/provider-config.ts'

/**
 * What a logged-in session holds besides the user (in `req.session.spid`): enough to decide
 * levels, refresh and revoke. Never rendered; the Redis store encrypts it at rest.
 */
export interface SpidAuthState {
  issuer: string
  providerProfile: ProviderProfileName
  sub: string
  /** The level of the last authentication event (`acr`), SpidL1 after a refresh (rule L2). */
  acr: SpidLevel
  /** Epoch seconds of the authentication at the OP (`auth_time`, else the ID token `iat`). */
  authTime: number
  accessToken: string
  /** Epoch seconds. */
  accessTokenExpiresAt: number
  refreshToken?: string
  /** True once the session has been restored with a refresh token: level is SpidL1 only. */
  refreshed: boolean
  /** The ID token `jti`, kept for the audit trail. */
  idTokenJti: string
}

/** The SPID login of this request: the session's state, when passport has a user for it. */
export function loggedInAuth(req: { user?: unknown; session?: { spid?: SpidAuthState } }): SpidAuthState | undefined {
  return req.user ? req.session?.spid : undefined
}

declare module 'express-session' {
  interface SessionData {
    spid?: SpidAuthState
    /** Where passport's `successReturnToOrRedirect` sends the user after login. */
    returnTo?: string
  }
}
