import { providerProfile } from '../providers/provider-profile.ts'
import type { SpidAuthState } from './auth-session.ts'

/**
 * A login's absolute lifetime, counted from the authentication at the OP: activity does not
 * extend it. A SPID offline login ("remember me") lives as long as its refresh chain may (rule
 * L4); a CIE id refresh token never keeps a session alive (rule L3), so its logins live as long as
 * any other.
 */
export function pastLifetime(auth: SpidAuthState, now: number, limits: { sessionMaxAge: number; offlineSessionMaxAge: number }): boolean {
  const long = auth.refreshToken !== undefined && providerProfile(auth.providerProfile).refreshRestoresSession
  const limit = long ? limits.offlineSessionMaxAge : limits.sessionMaxAge
  return now - auth.authTime > limit
}
