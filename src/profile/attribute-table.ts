import type { ParserName } from './parsers.ts'
import type { ProfileField } from './spid-profile.ts'

const EID = 'https://attributes.eid.gov.it/'
const SPID = 'https://attributes.spid.gov.it/'

/** One claim name an attribute may arrive under, and how to read it. */
export interface AttributeSource {
  claim: string
  parser: ParserName | 'placeCode'
  /** A second claim read together with this one (the province beside a legacy place of birth). */
  with?: string
}

export interface AttributeSpec {
  field: ProfileField
  /** The name to ask for in `claims` (rule U4's current name). */
  request: string
  /** Which OP profiles release it (seed 004). */
  releasedBy: readonly ('spid' | 'cie')[]
  /** Seed 004's category: registry (anagrafici) or extra. */
  category: 'registry' | 'extra'
  /** Names accepted in answers, first match wins: current, legacy SPID, aggregator (seed 002). */
  sources: readonly AttributeSource[]
}

const BOTH = ['spid', 'cie'] as const
const SPID_ONLY = ['spid'] as const
const CIE_ONLY = ['cie'] as const

/**
 * The attribute table: the one place that knows SPID and CIE claim names. The README's
 * attribute table is printed from it (`npm run docs:attributes`).
 */
export const ATTRIBUTES: readonly AttributeSpec[] = [
  {
    field: 'fiscalNumber',
    request: `${EID}fiscal_number`,
    releasedBy: BOTH,
    category: 'registry',
    sources: [
      { claim: `${EID}fiscal_number`, parser: 'fiscalNumber' },
      { claim: `${SPID}fiscal_number`, parser: 'fiscalNumber' },
      { claim: `${SPID}fiscalNumber`, parser: 'fiscalNumber' },
      { claim: `${SPID}fiscalCode`, parser: 'fiscalNumber' },
      { claim: 'nin', parser: 'fiscalNumber' },
    ],
  },
  {
    field: 'spidCode',
    request: `${EID}spid_code`,
    releasedBy: SPID_ONLY,
    category: 'registry',
    sources: [
      { claim: `${EID}spid_code`, parser: 'text' },
      { claim: `${SPID}spidCode`, parser: 'text' },
      { claim: 'idp_id', parser: 'text' },
    ],
  },
  {
    field: 'givenName',
    request: 'given_name',
    releasedBy: BOTH,
    category: 'registry',
    sources: [
      { claim: 'given_name', parser: 'text' },
      { claim: `${SPID}name`, parser: 'text' },
    ],
  },
  {
    field: 'familyName',
    request: 'family_name',
    releasedBy: BOTH,
    category: 'registry',
    sources: [
      { claim: 'family_name', parser: 'text' },
      { claim: `${SPID}familyName`, parser: 'text' },
    ],
  },
  {
    field: 'birthDate',
    request: 'birthdate',
    releasedBy: BOTH,
    category: 'registry',
    sources: [
      { claim: 'birthdate', parser: 'date' },
      { claim: `${SPID}dateOfBirth`, parser: 'date' },
    ],
  },
  {
    field: 'gender',
    request: 'gender',
    releasedBy: BOTH,
    category: 'registry',
    sources: [
      { claim: 'gender', parser: 'gender' },
      { claim: `${SPID}gender`, parser: 'gender' },
    ],
  },
  {
    field: 'placeOfBirth',
    request: 'place_of_birth',
    releasedBy: BOTH,
    category: 'registry',
    sources: [
      { claim: 'place_of_birth', parser: 'placeObject' },
      { claim: `${SPID}placeOfBirth`, parser: 'placeCode', with: `${SPID}countyOfBirth` },
      { claim: 'spid_place_of_birth', parser: 'placeCode', with: 'spid_county_of_birth' },
    ],
  },
  {
    field: 'email',
    request: 'email',
    releasedBy: BOTH,
    category: 'extra',
    sources: [
      { claim: 'email', parser: 'email' },
      { claim: `${SPID}email`, parser: 'email' },
    ],
  },
  { field: 'emailVerified', request: 'email_verified', releasedBy: CIE_ONLY, category: 'extra', sources: [{ claim: 'email_verified', parser: 'boolean' }] },
  {
    field: 'phoneNumber',
    request: 'phone_number',
    releasedBy: BOTH,
    category: 'extra',
    sources: [
      { claim: 'phone_number', parser: 'phone' },
      { claim: `${SPID}mobilePhone`, parser: 'phone' },
    ],
  },
  {
    field: 'phoneNumberVerified',
    request: 'phone_number_verified',
    releasedBy: CIE_ONLY,
    category: 'extra',
    sources: [{ claim: 'phone_number_verified', parser: 'boolean' }],
  },
  {
    field: 'landlineNumber',
    request: `${EID}landline_number`,
    releasedBy: CIE_ONLY,
    category: 'extra',
    sources: [{ claim: `${EID}landline_number`, parser: 'phone' }],
  },
  {
    field: 'address',
    request: 'address',
    releasedBy: BOTH,
    category: 'extra',
    sources: [
      { claim: 'address', parser: 'address' },
      { claim: `${SPID}address`, parser: 'address' },
    ],
  },
  {
    field: 'digitalAddress',
    request: `${EID}e_delivery_service`,
    releasedBy: BOTH,
    category: 'extra',
    sources: [
      { claim: `${EID}e_delivery_service`, parser: 'email' },
      { claim: `${SPID}digitalAddress`, parser: 'email' },
      { claim: 'spid_digital_address', parser: 'email' },
    ],
  },
  {
    field: 'document',
    request: 'document_details',
    releasedBy: BOTH,
    category: 'extra',
    sources: [
      { claim: 'document_details', parser: 'documentObject' },
      { claim: `${SPID}idCard`, parser: 'documentText' },
      { claim: 'spid_id_card', parser: 'documentText' },
    ],
  },
  {
    field: 'eidExpiresOn',
    request: `${EID}eid_exp_date`,
    releasedBy: SPID_ONLY,
    category: 'extra',
    sources: [
      { claim: `${EID}eid_exp_date`, parser: 'date' },
      { claim: `${SPID}expirationDate`, parser: 'date' },
      { claim: 'spid_expiration_date', parser: 'date' },
    ],
  },
  {
    field: 'companyName',
    request: `${EID}company_name`,
    releasedBy: SPID_ONLY,
    category: 'registry',
    sources: [
      { claim: `${EID}company_name`, parser: 'text' },
      { claim: `${SPID}companyName`, parser: 'text' },
      { claim: 'organisation', parser: 'text' },
    ],
  },
  {
    field: 'companyFiscalNumber',
    request: `${EID}company_fiscal_number`,
    releasedBy: SPID_ONLY,
    category: 'registry',
    sources: [
      { claim: `${EID}company_fiscal_number`, parser: 'fiscalNumber' },
      { claim: `${SPID}companyFiscalNumber`, parser: 'fiscalNumber' },
      { claim: 'spid_company_fiscal_number', parser: 'fiscalNumber' },
    ],
  },
  {
    field: 'vatNumber',
    request: `${EID}vat_number`,
    releasedBy: SPID_ONLY,
    category: 'registry',
    sources: [
      { claim: `${EID}vat_number`, parser: 'vatNumber' },
      { claim: `${SPID}ivaCode`, parser: 'vatNumber' },
      { claim: 'spid_iva_code', parser: 'vatNumber' },
    ],
  },
  {
    field: 'registeredOffice',
    request: `${EID}registered_office`,
    releasedBy: SPID_ONLY,
    category: 'extra',
    sources: [
      { claim: `${EID}registered_office`, parser: 'address' },
      { claim: `${SPID}registeredOffice`, parser: 'address' },
      { claim: 'spid_registered_office', parser: 'address' },
    ],
  },
]

/** Attribute presets for the `attributes` option. */
export const ATTRIBUTE_PRESETS = {
  /** What most services need to identify someone. */
  minimal: ['fiscalNumber', 'givenName', 'familyName', 'email'],
  /** Seed 004's registry (anagrafici) attributes. */
  registry: ATTRIBUTES.filter((a) => a.category === 'registry').map((a) => a.field),
  /** Everything the OP can release. */
  full: ATTRIBUTES.map((a) => a.field),
} as const satisfies Record<string, readonly ProfileField[]>

export type AttributePreset = keyof typeof ATTRIBUTE_PRESETS
export const PROFILE_FIELDS: readonly ProfileField[] = ATTRIBUTES.map((a) => a.field)

/** Profile fields that live under `company`. */
export const COMPANY_FIELDS: Partial<Record<ProfileField, 'name' | 'fiscalNumber' | 'vatNumber' | 'registeredOffice'>> = {
  companyName: 'name',
  companyFiscalNumber: 'fiscalNumber',
  vatNumber: 'vatNumber',
  registeredOffice: 'registeredOffice',
}
