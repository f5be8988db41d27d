/** A postal address, structured; `formatted` is always present. */
export interface SpidAddress {
  formatted: string
  streetAddress?: string
  postalCode?: string
  locality?: string
  region?: string
  countryCode?: string
}

/** An identity document (SPID `idCard`, CIE/SPID `document_details`). Dates are `YYYY-MM-DD`. */
export interface SpidDocument {
  /** `cartaIdentita`, `passaporto`, `patenteGuida`, … */
  type?: string
  number?: string
  /** Issuing body, e.g. `ComuneRoma`, `questuraLivorno`. */
  issuer?: string
  issuedOn?: string
  expiresOn?: string
}

/** Place of birth. */
export interface SpidPlaceOfBirth {
  /** Cadastral (Belfiore) code of the town or foreign country, e.g. `G702`. */
  belfioreCode?: string
  /** Province code, e.g. `PI`. */
  province?: string
  /**
   * The place in words: the town or foreign country the Belfiore code names (from the ANPR/ISTAT
   * list, as on the birth date), or the text the OP sent instead of a code.
   */
  name?: string
  /** ISO 3166 alpha-2 code, when the code names a foreign country. */
  countryCode?: string
}

/** A legal person the user acts for. */
export interface SpidCompany {
  name?: string
  /** Without `TINIT-`. */
  fiscalNumber?: string
  /** Without `VATIT-`. */
  vatNumber?: string
  registeredOffice?: SpidAddress
}

/** A value received but refused by normalization (a bad check character, an impossible date). */
export interface ProfileProblem {
  field: string
  claim: string
  reason: string
}

/**
 * The user as the app sees it: camelCase, normalized, one shape for every OP and every naming
 * style (current, legacy `attributes.spid.gov.it`, aggregators). Fields the OP did not release
 * are absent. At login every claim received is also in `raw`; the session keeps the
 * normalized fields only.
 */
export interface SpidProfile {
  /** Pairwise subject: stable per user and OP, different at each OP. */
  sub: string
  /** The OP that authenticated the user. */
  issuer: string
  /** `legal` when company attributes are present. */
  personType: 'natural' | 'legal'
  /** Codice fiscale without `TINIT-`, upper case, check character verified. */
  fiscalNumber?: string
  /** SPID identification code (`<codIdP><10 chars>`). */
  spidCode?: string
  givenName?: string
  familyName?: string
  /** `YYYY-MM-DD`. */
  birthDate?: string
  gender?: 'female' | 'male'
  placeOfBirth?: SpidPlaceOfBirth
  email?: string
  emailVerified?: boolean
  /** Mobile number, digits (and a leading `+`) only. */
  phoneNumber?: string
  phoneNumberVerified?: boolean
  landlineNumber?: string
  address?: SpidAddress
  /** PEC / qualified e-delivery address. */
  digitalAddress?: string
  document?: SpidDocument
  /** Expiry of the digital identity, `YYYY-MM-DD`. */
  eidExpiresOn?: string
  company?: SpidCompany
  /** Values received but refused (see ProfileProblem); absent when there were none. */
  problems?: ProfileProblem[]
  /** Every claim received, as received: on the profile handed over at login, not kept in the session. */
  raw?: Record<string, unknown>
}

/** Profile fields that can be requested from an OP. */
export type ProfileField =
  | 'fiscalNumber'
  | 'spidCode'
  | 'givenName'
  | 'familyName'
  | 'birthDate'
  | 'gender'
  | 'placeOfBirth'
  | 'email'
  | 'emailVerified'
  | 'phoneNumber'
  | 'phoneNumberVerified'
  | 'landlineNumber'
  | 'address'
  | 'digitalAddress'
  | 'document'
  | 'eidExpiresOn'
  | 'companyName'
  | 'companyFiscalNumber'
  | 'vatNumber'
  | 'registeredOffice'
