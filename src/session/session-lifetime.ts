import type { SpidAuthState } from './auth-session.ts'

/**
 * A login's absolute lifetime, counted from the authentication at the OP: activity does not
 * extend it. An offline login ("remember me") lives as long as its refresh chain may (rule L4).
 */
export function pastLifetime(auth: SpidAuthState, now: number, limits: { sessionMaxAge: number; offlineSessionMaxAge: number }): boolean {
  const limit = auth.refreshToken ? limits.offlineSessionMaxAge : limits.sessionMaxAge
  return now - auth.authTime > limit
}
