import type { SpidLevel } from '../levels.ts'
import type { ProviderProfileName } from '../providers/provider-config.ts'
import { ERROR_CODES, type SpidErrorCode } from './codes.ts'

export interface SpidErrorOptions {
  /** Overrides the status of the code table (an OP's `server_error` becomes 502, say). */
  status?: number
  /** Overrides the OAuth `error` value (the OP's own, when it is on the R2 list). */
  oauthError?: string
  /** The lower-level error. Never rendered, never copied into the message: it can hold claims. */
  cause?: unknown
}

/**
 * Base of every error the library raises. `message` is written for developers and logs and
 * never contains tokens or personal data; the page shown to users comes from `errors/messages.ts`.
 */
export class SpidError extends Error {
  readonly code: SpidErrorCode
  readonly status: number
  readonly oauthError: string
  /** Whether `message` may be shown to the client: true below 500 (as oidc-provider does). */
  readonly expose: boolean

  constructor(code: SpidErrorCode, message: string, options: SpidErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.code = code
    this.status = options.status ?? ERROR_CODES[code].status
    this.oauthError = options.oauthError ?? ERROR_CODES[code].oauthError
    this.expose = this.status < 500
  }
}

/** Options that break a rule, listed all at once. Thrown at start-up, never at request time. */
export class SpidConfigError extends SpidError {
  readonly problems: readonly string[]
  constructor(problems: readonly string[]) {
    const head = `${problems.length} problem${problems.length === 1 ? '' : 's'} in passport-spid-oidc options`
    super('ERR_SPID_CONFIG_INVALID', [head, ...problems.map((p) => `  - ${p}`)].join('\n'))
    this.problems = problems
  }
}

/** A tampered, replayed, stale or malformed callback. */
export class TransactionError extends SpidError {}

/** The OP answered with an OAuth error, at the authorization or token endpoint. */
export class OpError extends SpidError {}

/** An OP response (ID token, UserInfo, metadata) failed a check. */
export class TokenValidationError extends SpidError {}

/** The session, or the login just made, is below the level required. */
export class InsufficientLevelError extends SpidError {
  /** The level URI the caller needs (sent as `acr_values` in RFC 9470 challenges). */
  readonly requiredLevel: string | undefined
  /** Where a browser or single-page app goes to log in or step up (sent as `login_url`). */
  readonly loginUrl: string | undefined
  /**
   * For a login that came back below the level asked: what a retry asks for, and where it returns.
   * `offline`: the login asked for a refresh token ("remember me"), which SPID asks with
   * `acr_values` ending in SpidL1 (rule L1); some OPs then authenticate at SpidL1, so the retry
   * asks without it. `provider`: that OP's profile, so the page names the level in its words.
   */
  retry?: { level: SpidLevel; returnTo: string; issuer: string; offline?: boolean; provider?: ProviderProfileName }
  constructor(code: SpidErrorCode, message: string, requiredLevel?: string, options: SpidErrorOptions & { loginUrl?: string } = {}) {
    super(code, message, options)
    this.requiredLevel = requiredLevel
    this.loginUrl = options.loginUrl
  }
}

/** The identity was verified, and the application's verify callback refused the person. */
export class AccessRefusedError extends SpidError {}

/** No SPID session at all. */
export class NotAuthenticatedError extends SpidError {}

/** OP metadata or entity configuration could not be trusted. */
export class FederationError extends SpidError {}

/** The OP or the session store is down or too slow. */
export class UnavailableError extends SpidError {}

/** True for any error raised by this library, even from a duplicate copy of it in a bundle. */
export function isSpidError(value: unknown): value is SpidError {
  return (
    value instanceof SpidError ||
    (value instanceof Error && typeof (value as unknown as { code?: unknown }).code === 'string' && (value as unknown as { code: string }).code in ERROR_CODES)
  )
}
