/**
 * Every error code the library raises, with its HTTP status and OAuth `error` value.
 * `code` is the documented contract: switch on it rather than on classes.
 */
export const ERROR_CODES = {
  ERR_SPID_CONFIG_INVALID: { status: 500, oauthError: 'server_error' },
  ERR_SPID_SESSION_MISSING: { status: 500, oauthError: 'server_error' },
  ERR_SPID_PROXY_NOT_TRUSTED: { status: 500, oauthError: 'server_error' },
  ERR_SPID_BAD_REQUEST: { status: 400, oauthError: 'invalid_request' },
  ERR_SPID_UNKNOWN_PROVIDER: { status: 400, oauthError: 'invalid_request' },
  ERR_SPID_STATE_MISSING: { status: 400, oauthError: 'invalid_request' },
  ERR_SPID_STATE_MISMATCH: { status: 400, oauthError: 'invalid_request' },
  ERR_SPID_TRANSACTION_EXPIRED: { status: 400, oauthError: 'invalid_request' },
  ERR_SPID_ISSUER_MISMATCH: { status: 400, oauthError: 'invalid_request' },
  ERR_SPID_LOGIN_CANCELLED: { status: 401, oauthError: 'access_denied' },
  ERR_SPID_OP_ERROR: { status: 400, oauthError: 'invalid_request' },
  ERR_SPID_TOKEN_REJECTED: { status: 400, oauthError: 'invalid_grant' },
  ERR_SPID_TOKEN_RESPONSE_INVALID: { status: 502, oauthError: 'server_error' },
  ERR_SPID_ID_TOKEN_INVALID: { status: 502, oauthError: 'server_error' },
  ERR_SPID_NONCE_MISMATCH: { status: 502, oauthError: 'server_error' },
  ERR_SPID_AT_HASH_MISMATCH: { status: 502, oauthError: 'server_error' },
  ERR_SPID_AUTH_TIME_INVALID: { status: 502, oauthError: 'server_error' },
  ERR_SPID_AZP_MISMATCH: { status: 502, oauthError: 'server_error' },
  ERR_SPID_ACR_MISSING: { status: 502, oauthError: 'server_error' },
  ERR_SPID_ACR_TOO_LOW: { status: 401, oauthError: 'insufficient_user_authentication' },
  ERR_SPID_USERINFO_INVALID: { status: 502, oauthError: 'server_error' },
  ERR_SPID_USERINFO_SUBJECT_MISMATCH: { status: 502, oauthError: 'server_error' },
  ERR_SPID_ATTRIBUTE_MISSING: { status: 403, oauthError: 'access_denied' },
  ERR_SPID_ACCESS_REFUSED: { status: 403, oauthError: 'access_denied' },
  ERR_SPID_METADATA_INVALID: { status: 502, oauthError: 'server_error' },
  ERR_SPID_METADATA_POLICY: { status: 502, oauthError: 'server_error' },
  ERR_SPID_TRUST_CHAIN_INVALID: { status: 502, oauthError: 'server_error' },
  ERR_SPID_NOT_AUTHENTICATED: { status: 401, oauthError: 'invalid_token' },
  ERR_SPID_STEP_UP_REQUIRED: { status: 401, oauthError: 'insufficient_user_authentication' },
  ERR_SPID_SUBJECT_CHANGED: { status: 401, oauthError: 'access_denied' },
  ERR_SPID_OP_UNAVAILABLE: { status: 503, oauthError: 'temporarily_unavailable' },
  ERR_SPID_STORE_UNAVAILABLE: { status: 503, oauthError: 'temporarily_unavailable' },
  ERR_SPID_AUDIT_UNAVAILABLE: { status: 503, oauthError: 'temporarily_unavailable' },
} as const satisfies Record<string, { status: number; oauthError: string }>

/** The literal union of every code: `switch (err.code)` narrows on it. */
export type SpidErrorCode = keyof typeof ERROR_CODES
