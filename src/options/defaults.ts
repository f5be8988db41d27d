/**
 * Every default, in one place. Each comment is the option's documentation: its title,
 * what it does and why this value. The README options table is written from this file.
 */
export const DEFAULTS = {
  /** Path of the redirect URI under `clientId`, when `redirectUri` is not given. */
  callbackPath: '/auth/spid/callback',
  /** Level asked for when a login names none: SpidL2 is what most public services need. */
  defaultLevel: 2 as const,
  /** `consent login` forces a fresh authentication; `consent` lets the OP reuse its SSO session (rule A8). */
  prompt: 'consent login' as const,
  /** JWS algorithm for request objects and client assertions (rule F9: RS256 is mandatory to support). */
  signingAlg: 'RS256' as const,
  /** JWE key management algorithm the OP must use for UserInfo (rule U3). */
  userinfoEncryptionAlg: 'RSA-OAEP-256' as const,
  /** JWE content encryption the OP must use for UserInfo (rule U3). */
  userinfoEncryptionEnc: 'A256CBC-HS512' as const,
  /** Seconds a started login may take before its callback is refused (10 minutes). */
  transactionTtl: 600,
  /** Logins one browser session may have pending at once; the oldest is dropped beyond it. */
  maxPendingLogins: 5,
  /** Milliseconds to wait for any OP response before giving up with ERR_SPID_OP_UNAVAILABLE. */
  httpTimeout: 5000,
  /** Bytes read at most from any OP response; larger bodies are refused, not buffered. */
  maxResponseBytes: 512 * 1024,
  /** Seconds of clock difference tolerated on `iat`, `exp` and `nbf`. */
  clockTolerance: 60,
  /** Seconds the RP entity configuration is valid for (`exp` - `iat`; FED examples use 48 h). */
  entityConfigurationTtl: 48 * 3600,
  /** Seconds OP metadata and keys are cached per process before being fetched again. */
  metadataTtl: 3600,
  /**
   * Seconds each level stays valid after the login that reached it. SpidL2 and SpidL3 last as long
   * as the access token (15 minutes); SpidL1 as long as the session itself.
   */
  levelMaxAge: { 1: Number.POSITIVE_INFINITY, 2: 900, 3: 900 },
  /** Lifetime in seconds of the signed request object (rule A5: at most 5 minutes). */
  requestObjectTtl: 120,
  /** Attributes asked for: a preset (`minimal`, `registry`, `full`) or profile field names. An OP releases only what is asked. */
  attributes: 'minimal' as const,
  /** Attributes without which a login fails (marked essential in the request). */
  requiredAttributes: ['fiscalNumber'] as const,
  /** What a missing required attribute does: fail the login (`error`) or log a warning (`warn`). */
  missingAttributes: 'error' as const,
} as const

/** Upper bounds that are rules, not preferences. */
export const LIMITS = {
  /** Rule A5: a request object lives at most 5 minutes. */
  requestObjectMaxTtl: 300,
  /** Rule F9: RSA keys of at least 2048 bits. */
  rsaMinBits: 2048,
} as const
