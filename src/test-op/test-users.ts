/** A person the test OP can log in as. `claims` are released only when the RP asks for them. */
export interface TestUser {
  /** Account id at the OP (never sent: RPs get a pairwise `sub`). */
  id: string
  /** Shown on the login page. */
  label: string
  claims: Record<string, unknown>
}

const EID = 'https://attributes.eid.gov.it/'

/** The default test users. Ada Lovelace is the natural person of the SPID attribute examples. */
export const DEFAULT_TEST_USERS: readonly TestUser[] = [
  {
    id: 'ada',
    label: 'Ada Lovelace',
    claims: {
      given_name: 'Ada',
      family_name: 'Lovelace',
      email: 'aabyron@hotmail.com',
      birthdate: '1985-12-10',
      gender: 'female',
      phone_number: '3939393939',
      place_of_birth: { locality: 'G702', region: 'PI' },
      address: { street_address: 'Via Listz 21', postal_code: '00144', locality: 'Roma', region: 'RM', country_code: 'IT' },
      [`${EID}fiscal_number`]: 'TINIT-LVLDAA85T50G702B',
      [`${EID}spid_code`]: 'SPID0020020020',
      [`${EID}e_delivery_service`]: 'ada.lovelace@pec.example.it',
      [`${EID}eid_exp_date`]: '2030-12-31',
      document_details: {
        type: 'passaporto',
        document_number: 'KK1234567',
        issuer: { name: 'Questura di Livorno' },
        date_of_issuance: '2016-09-04',
        date_of_expiry: '2026-09-03',
      },
    },
  },
  {
    id: 'lucrezia',
    label: 'Lucrezia Borgia',
    claims: {
      given_name: 'Lucrezia',
      family_name: 'Borgia',
      email: 'luborgia@msn.com',
      birthdate: '1980-04-18',
      gender: 'female',
      phone_number: '3495555555',
      place_of_birth: { locality: 'H501', region: 'RM' },
      [`${EID}fiscal_number`]: 'TINIT-BRGLRZ80D58H501Q',
    },
  },
  {
    id: 'agid',
    label: 'SpidValidator AgID (persona giuridica)',
    claims: {
      given_name: 'SpidValidator',
      family_name: 'AgID',
      email: 'spid.tech@agid.gov.it',
      birthdate: '2000-01-01',
      gender: 'male',
      phone_number: '+393331234567',
      [`${EID}fiscal_number`]: 'TINIT-GDASDV00A01H501J',
      [`${EID}company_name`]: "Agenzia per l'Italia Digitale",
      [`${EID}company_fiscal_number`]: 'TINIT-97735020584',
      [`${EID}vat_number`]: 'VATIT-97735020584',
      [`${EID}registered_office`]: { formatted: 'Via Listz 21 00144 Roma' },
      [`${EID}e_delivery_service`]: 'pec@pecagid.gov.it',
    },
  },
]
