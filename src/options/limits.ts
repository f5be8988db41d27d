/** Upper and lower bounds that are rules, not preferences. */
export const LIMITS = {
  /** Rule A5: a request object lives at most 5 minutes. */
  requestObjectMaxTtl: 300,
  /** Rule F9: RSA keys of at least 2048 bits. */
  rsaMinBits: 2048,
} as const

/** Path of the redirect URI under `clientId`, when `redirectUri` is not given. */
export const CALLBACK_PATH = '/auth/spid/callback'
