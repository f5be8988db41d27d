/**
 * The user as the app sees it: camelCase, normalized, one shape for every OP.
 * Fields the OP did not release are absent; every claim received is kept in `raw`.
 */
export interface SpidProfile {
  /** Pairwise subject: stable per user and OP, different at each OP. */
  sub: string
  /** The OP that authenticated the user. */
  issuer: string
  /** Codice fiscale without the `TINIT-` prefix, upper case. */
  fiscalNumber?: string
  givenName?: string
  familyName?: string
  email?: string
  /** Every claim received from UserInfo, as received. */
  raw: Record<string, unknown>
}
