/** `spid` or `cie`: the profile decides scopes, claims placement, refresh and logout rules. */
export type ProviderProfileName = 'spid' | 'cie'

/** One configured OP, normalized. */
export interface ProviderConfig {
  issuer: string
  /** Short id; the issuer when none was given. */
  id: string
  name: string | undefined
  profile: ProviderProfileName
  /** How UserInfo is asked for: GET (SPID, and the default), or POST with the token in the header (an option for CIE, rule U1). */
  userinfoMethod?: 'GET' | 'POST'
}
