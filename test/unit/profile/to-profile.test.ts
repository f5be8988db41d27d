import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { toProfile } from '../../../src/index.ts'
import { ATTRIBUTES, COMPANY_FIELDS, type AttributeSource } from '../../../src/profile/attribute-table.ts'
import { isValidFiscalNumber } from '../../../src/profile/fiscal-number.ts'
import type { SpidProfile } from '../../../src/profile/spid-profile.ts'
import { ADA_FULL, ADA_SPID_ONLY, ORGANISATION } from '../../fixtures/seeds/seed-002.ts'

const ISSUER = 'https://op.example.it'
const EID = 'https://attributes.eid.gov.it/'

/** A sample value per parser, and what the profile must hold for it. */
const SAMPLES: Record<AttributeSource['parser'], { input: unknown; expected: unknown }> = {
  text: { input: '  Mario Rossi ', expected: 'Mario Rossi' },
  fiscalNumber: { input: 'TINIT-rssmra85t10a562s', expected: 'RSSMRA85T10A562S' },
  vatNumber: { input: 'VATIT-97735020584', expected: '97735020584' },
  date: { input: '24/09/2002 00:00:00', expected: '2002-09-24' },
  gender: { input: 'M', expected: 'male' },
  email: { input: 'nome@dominio.it', expected: 'nome@dominio.it' },
  phone: { input: '+39 333 123 4567', expected: '+393331234567' },
  boolean: { input: true, expected: true },
  address: {
    input: { street_address: 'Via Liszt 21', postal_code: '00144', locality: 'Roma', region: 'RM', country_code: 'IT' },
    expected: {
      formatted: 'Via Liszt 21, 00144 Roma RM, IT',
      streetAddress: 'Via Liszt 21',
      postalCode: '00144',
      locality: 'Roma',
      region: 'RM',
      countryCode: 'IT',
    },
  },
  placeObject: { input: { locality: 'F205', region: 'MI' }, expected: { belfioreCode: 'F205', province: 'MI' } },
  placeCode: { input: 'F205', expected: { belfioreCode: 'F205', province: 'MI' } },
  documentObject: {
    input: {
      type: 'cartaIdentita',
      document_number: 'AS09452389',
      issuer: { name: 'ComuneRoma' },
      date_of_issuance: '2013-01-02',
      date_of_expiry: '2013-01-31',
    },
    expected: { type: 'cartaIdentita', number: 'AS09452389', issuer: 'ComuneRoma', issuedOn: '2013-01-02', expiresOn: '2013-01-31' },
  },
  documentText: {
    input: 'passaporto KK1234567 questuraLivorno 2016-09-04 2026-09-03',
    expected: { type: 'passaporto', number: 'KK1234567', issuer: 'questuraLivorno', issuedOn: '2016-09-04', expiresOn: '2026-09-03' },
  },
}

function fieldValue(profile: SpidProfile, field: (typeof ATTRIBUTES)[number]['field']): unknown {
  const companyKey = COMPANY_FIELDS[field]
  return companyKey ? profile.company?.[companyKey] : (profile as unknown as Record<string, unknown>)[field]
}

describe('toProfile: every source name in the table', () => {
  for (const spec of ATTRIBUTES) {
    for (const source of spec.sources) {
      it(`${source.claim} → ${spec.field}`, () => {
        const sample = SAMPLES[source.parser]
        const claims: Record<string, unknown> = { sub: 's', [source.claim]: sample.input }
        if (source.with) claims[source.with] = 'MI'
        const profile = toProfile(claims, ISSUER)
        assert.deepEqual(fieldValue(profile, spec.field), sample.expected)
        assert.equal(profile.problems, undefined)
        assert.equal(profile.personType, COMPANY_FIELDS[spec.field] ? 'legal' : 'natural')
      })
    }
  }

  it('prefers the current name over legacy ones', () => {
    const profile = toProfile({ given_name: 'Current', 'https://attributes.spid.gov.it/name': 'Legacy' }, ISSUER)
    assert.equal(profile.givenName, 'Current')
  })
})

describe('toProfile: the seed 002 examples, verbatim', () => {
  it('natural person, scope spid', () => {
    const p = toProfile(ADA_SPID_ONLY, ISSUER)
    assert.deepEqual(
      { ...p, raw: undefined },
      {
        sub: 'HIDhYNt8ZaSa8dtg-hrljCnhiMXYhF54gFudp-warQM=',
        issuer: ISSUER,
        personType: 'natural',
        raw: undefined,
        spidCode: 'SPID-002',
        givenName: 'Ada',
        familyName: 'Lovelace',
        birthDate: '1985-12-10',
        gender: 'female',
        placeOfBirth: { belfioreCode: 'G702', province: 'PI' },
        document: { type: 'passaporto', number: 'KK1234567', issuer: 'questuraLivorno', issuedOn: '2016-09-04', expiresOn: '2026-09-03' },
      },
    )
    assert.deepEqual(p.raw, ADA_SPID_ONLY, 'every claim kept, unknown ones (idp_issuer) included')
  })

  it('natural person, scopes spid nin spid-extra', () => {
    const p = toProfile(ADA_FULL, ISSUER)
    assert.equal(p.fiscalNumber, 'LVLDAA85T50G702B')
    assert.equal(p.spidCode, 'SPID-0020020020')
    assert.equal(p.phoneNumber, '3939393939')
    assert.equal(p.eidExpiresOn, '2018-02-02')
    assert.equal(p.email, 'aabyron@hotmail.com')
    assert.deepEqual(p.address, {
      formatted: 'Via Listz 21, Roma, RM, 00144, IT',
      streetAddress: 'Via Listz 21',
      postalCode: '00144',
      locality: 'Roma',
      region: 'RM',
      countryCode: 'IT',
    })
    assert.equal(p.personType, 'natural')
    assert.equal(p.problems, undefined)
  })

  it('organisation', () => {
    const p = toProfile(ORGANISATION, ISSUER)
    assert.equal(p.personType, 'legal')
    assert.deepEqual(p.company, {
      name: "Agenzia per l'Italia Digitale",
      fiscalNumber: 'GDASDV00A01H501J',
      vatNumber: '97735020584',
      registeredOffice: { formatted: 'Via Listz 21 00144 Roma' },
    })
    assert.deepEqual(p.placeOfBirth, { name: 'Roma', province: 'RM' }, 'a town name is not passed off as a Belfiore code')
    assert.equal(p.digitalAddress, 'pec@pecagid.gov.it')
    assert.equal(p.eidExpiresOn, '2028-01-01')
    assert.equal(p.gender, 'male')
    assert.deepEqual(p.document, { type: 'CartaIdentità', number: 'AA00000000', issuer: 'ComuneRoma', issuedOn: '2018-01-01', expiresOn: '2028-01-01' })
    assert.equal(p.fiscalNumber, undefined)
    assert.equal(p.raw?.sub_legacy, ORGANISATION.sub_legacy)
  })
})

describe('toProfile: the seed 004 examples', () => {
  const p = toProfile(
    {
      sub: 's',
      [`${EID}spid_code`]: 'ABCD123456789A',
      given_name: 'Giovanni Mario',
      family_name: 'Bianchi Verdi',
      place_of_birth: { region: 'MI', locality: 'F205' },
      birthdate: '2002-09-24',
      gender: 'female',
      [`${EID}company_name`]: "Agenzia per l'Italia Digitale",
      [`${EID}registered_office`]: { formatted: 'via Listz 21 00144 Roma' },
      [`${EID}fiscal_number`]: 'TINIT-ABCXYZ00W00Z000Z',
      [`${EID}company_fiscal_number`]: 'TINIT-ABCXYZ00W00Z000Z',
      [`${EID}vat_number`]: 'VATIT-12345678901',
      document_details: {
        type: 'cartaIdentita',
        document_number: 'AS09452389',
        issuer: { name: 'ComuneRoma' },
        date_of_issuance: '2013-01-02',
        date_of_expiry: '2013-01-31',
      },
      phone_number: '12345678901',
      [`${EID}landline_number`]: '12345678901',
      email: 'name@domain.it',
      [`${EID}e_delivery_service`]: 'name@pecdomain.it',
      [`${EID}eid_exp_date`]: '2002-09-24',
      address: { street_address: 'Via Liszt 21', postal_code: '00144', locality: 'Roma', region: 'RM', country_code: 'IT' },
    },
    ISSUER,
  )

  it('maps the valid examples', () => {
    assert.equal(p.spidCode, 'ABCD123456789A')
    assert.equal(p.givenName, 'Giovanni Mario')
    assert.deepEqual(p.placeOfBirth, { belfioreCode: 'F205', province: 'MI' })
    assert.equal(p.gender, 'female')
    assert.deepEqual(p.document, { type: 'cartaIdentita', number: 'AS09452389', issuer: 'ComuneRoma', issuedOn: '2013-01-02', expiresOn: '2013-01-31' })
    assert.equal(p.landlineNumber, '12345678901')
    assert.equal(p.digitalAddress, 'name@pecdomain.it')
    assert.equal(p.eidExpiresOn, '2002-09-24')
    assert.equal(p.address?.formatted, 'Via Liszt 21, 00144 Roma RM, IT')
    assert.deepEqual(p.company?.registeredOffice, { formatted: 'via Listz 21 00144 Roma' })
  })

  it('reports its placeholder fiscal and VAT numbers as invalid instead of accepting them', () => {
    assert.equal(p.fiscalNumber, undefined)
    assert.equal(p.company?.fiscalNumber, undefined)
    assert.equal(p.company?.vatNumber, undefined)
    assert.deepEqual(p.problems?.map((x) => x.field).sort(), ['companyFiscalNumber', 'fiscalNumber', 'vatNumber'])
  })
})

describe('fiscal numbers', () => {
  it('accepts valid codes and 11-digit numbers', () => {
    for (const code of ['LVLDAA85T50G702B', 'BRGLRZ80D58H501Q', 'GDASDV00A01H501J', 'RSSMRA85T10A562S', '97735020584']) {
      assert.ok(isValidFiscalNumber(code), code)
    }
  })
  it('refuses a wrong check character, a bad shape or a bad check digit', () => {
    for (const code of ['LVLDAA85T50G702C', 'RSSMRA85T10A562', 'RSSMRA85Z10A562S', '1234567890X', '97735020585', '']) {
      assert.ok(!isValidFiscalNumber(code), code)
    }
  })
  it('reports an invalid fiscal number in problems and leaves the field out', () => {
    const p = toProfile({ [`${EID}fiscal_number`]: 'TINIT-LVLDAA85T50G702C' }, ISSUER)
    assert.equal(p.fiscalNumber, undefined)
    assert.deepEqual(p.problems, [{ field: 'fiscalNumber', claim: `${EID}fiscal_number`, reason: 'invalid fiscal number (check character)' }])
  })
  it('falls back to a valid legacy value when the current one is invalid', () => {
    const p = toProfile({ [`${EID}fiscal_number`]: 'TINIT-LVLDAA85T50G702C', nin: 'TINIT-LVLDAA85T50G702B' }, ISSUER)
    assert.equal(p.fiscalNumber, 'LVLDAA85T50G702B')
    assert.equal(p.problems?.length, 1)
  })
})

describe('normalization refusals', () => {
  for (const [claims, field] of [
    [{ birthdate: '1985-02-30' }, 'birthDate'],
    [{ birthdate: 'yesterday' }, 'birthDate'],
    [{ gender: 'X' }, 'gender'],
    [{ email: 'not-an-address' }, 'email'],
    [{ phone_number: 'call me' }, 'phoneNumber'],
    [{ 'https://attributes.spid.gov.it/idCard': 'passaporto KK1234567' }, 'document'],
  ] as const) {
    it(`refuses ${JSON.stringify(claims)}`, () => {
      const p = toProfile(claims, ISSUER)
      assert.equal((p as unknown as Record<string, unknown>)[field], undefined)
      assert.equal(p.problems?.[0]?.field, field)
    })
  }
})

describe('toProfile properties (fast-check)', () => {
  const names = ATTRIBUTES.flatMap((a) => a.sources.flatMap((s) => [s.claim, ...(s.with ? [s.with] : [])]))
  const claimsArbitrary = fc.dictionary(fc.oneof(fc.constantFrom(...names, 'sub'), fc.string()), fc.jsonValue(), { maxKeys: 12 })

  it('never throws on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        toProfile(value as Record<string, unknown>, ISSUER)
      }),
      { numRuns: 1000 },
    )
    fc.assert(
      fc.property(claimsArbitrary, (claims) => {
        toProfile(claims, ISSUER)
      }),
      { numRuns: 1000 },
    )
  })

  it('never invents a value: every field set has one of its source claims in the input', () => {
    fc.assert(
      fc.property(claimsArbitrary, (claims) => {
        const profile = toProfile(claims, ISSUER)
        for (const spec of ATTRIBUTES) {
          if (fieldValue(profile, spec.field) === undefined) continue
          assert.ok(
            spec.sources.some((s) => Object.hasOwn(claims, s.claim)),
            `${spec.field} set without a source claim`,
          )
        }
        assert.equal(profile.personType === 'legal', profile.company !== undefined)
        assert.deepEqual(profile.raw, { ...claims })
      }),
      { numRuns: 1000 },
    )
  })

  it('copies text attributes as received, only trimmed', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (name) => {
        const profile = toProfile({ given_name: name }, ISSUER)
        assert.equal(profile.givenName, name.trim() === '' ? undefined : name.trim())
      }),
      { numRuns: 500 },
    )
  })
})

describe('VAT numbers (partita IVA)', () => {
  const vat = (value: unknown) => toProfile({ sub: 's', [`${EID}vat_number`]: value }, ISSUER)

  it('accepts 11 digits with the right check digit, with the VATIT-, IT or no prefix', () => {
    for (const input of ['VATIT-97735020584', 'IT97735020584', 'it 97735020584', '97735020584']) {
      const p = vat(input)
      assert.equal(p.company?.vatNumber, '97735020584', input)
      assert.equal(p.problems, undefined, input)
    }
  })

  it('refuses a wrong check digit, a wrong length or letters with a problem entry naming the reason', () => {
    for (const [input, reason] of [
      ['VATIT-97735020585', /check digit/],
      ['IT97735020585', /check digit/],
      ['VATIT-12345', /not 11 digits/],
      ['VATIT-977350205841', /not 11 digits/],
      ['VATDE-123456789', /not 11 digits/],
      ['TEST - 97735020584', /not 11 digits/],
    ] as const) {
      const p = vat(input)
      assert.equal(p.company?.vatNumber, undefined, input)
      assert.equal(p.problems?.[0]?.field, 'vatNumber', input)
      assert.match(String(p.problems?.[0]?.reason), reason, input)
    }
  })
})
