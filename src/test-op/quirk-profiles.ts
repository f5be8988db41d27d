/**
 * The test OP's quirk names and profiles, apart from the code that plays them (quirks.ts), so the
 * public declarations of `passport-spid-oidc/test-op` never reach oidc-provider's types.
 */
/**
 * What real OPs do that the rules do not say, reproduced so tests and the README table can state
 * how the library answers each one. Found against AgID's spid-oidc-check-rp 1.3.3 (`check-rp`)
 * and the reference OP of italia/spid-cie-oidc-django (`django`).
 */
export type TestOpQuirk =
  /** check-rp: the OP entity configuration is signed without `typ: entity-statement+jwt`. */
  | 'entity-configuration-without-typ'
  /** check-rp: the UserInfo JWT is sent as a JSON string (`"eyJ…"`) under `application/jwt`. */
  | 'userinfo-json-quoted'
  /** check-rp: UserInfo (and ID tokens) encrypted with `enc` A128CBC-HS256, whatever was registered. */
  | 'jwe-enc-a128cbc-hs256'
  /** Django: UserInfo (and ID tokens) encrypted with `alg` RSA-OAEP, whatever was registered (RSA keys). */
  | 'jwe-alg-rsa-oaep'
  /** Django: the UserInfo JWS carries the person's claims and `sub` only: no `iss`, `aud`, `exp`, `iat`, `jti`. */
  | 'userinfo-without-protocol-claims'
  /** Django: ID tokens valid 33 minutes (rule T5 says 5). */
  | 'id-token-33-minutes'
  /** Django: authenticates at the last of the `acr_values` ("SpidL2 SpidL1" of an offline login gives SpidL1). */
  | 'last-acr-value'

/** The quirks of each real peer. */
export const QUIRK_PROFILES = {
  'check-rp': ['entity-configuration-without-typ', 'userinfo-json-quoted', 'jwe-enc-a128cbc-hs256'],
  django: ['jwe-alg-rsa-oaep', 'userinfo-without-protocol-claims', 'id-token-33-minutes', 'last-acr-value'],
} as const satisfies Record<string, readonly TestOpQuirk[]>

export type QuirkProfile = keyof typeof QUIRK_PROFILES

/** The quirks of a profile name, or the list as given. */
export function quirkSet(quirks: QuirkProfile | readonly TestOpQuirk[] | undefined): ReadonlySet<TestOpQuirk> {
  if (quirks === undefined) return new Set()
  return new Set(typeof quirks === 'string' ? QUIRK_PROFILES[quirks] : quirks)
}

/** A JWE pair the OP uses whatever the client registered; `undefined` members keep the registration. */
export interface ForcedEncryption {
  alg?: string
  enc?: string
}

/** The pair the quirks (or the `encryption` option, which wins) force. */
export function forcedEncryption(quirks: ReadonlySet<TestOpQuirk>, option: ForcedEncryption | undefined): ForcedEncryption {
  return {
    ...(quirks.has('jwe-alg-rsa-oaep') ? { alg: 'RSA-OAEP' } : {}),
    ...(quirks.has('jwe-enc-a128cbc-hs256') ? { enc: 'A128CBC-HS256' } : {}),
    ...option,
  }
}
