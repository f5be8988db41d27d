import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ATTRIBUTE_PRESETS } from '../../../src/profile/attribute-table.ts'
import { buildClaimsRequest } from '../../../src/profile/claims-request.ts'
import { providerProfile } from '../../../src/providers/provider-profile.ts'

const EID = 'https://attributes.eid.gov.it/'

describe('claims requests (rule A11)', () => {
  it('asks for the minimal preset by current names, essential where required', () => {
    assert.deepEqual(buildClaimsRequest(ATTRIBUTE_PRESETS.minimal, ['fiscalNumber'], 'spid'), {
      [`${EID}fiscal_number`]: { essential: true },
      given_name: null,
      family_name: null,
      email: null,
    })
  })

  it('leaves out what the profile never releases', () => {
    const spid = buildClaimsRequest(ATTRIBUTE_PRESETS.full, [], 'spid')
    const cie = buildClaimsRequest(ATTRIBUTE_PRESETS.full, [], 'cie')
    assert.ok(!('email_verified' in spid) && !(`${EID}landline_number` in spid))
    assert.ok('email_verified' in cie && !(`${EID}company_name` in cie) && !(`${EID}spid_code` in cie))
  })

  it('adds required fields even when not listed', () => {
    assert.deepEqual(buildClaimsRequest(['email'], ['birthDate'], 'spid'), { birthdate: { essential: true }, email: null })
  })

  it('puts SPID claims under userinfo only', () => {
    const claims = providerProfile('spid').claims({ fields: ATTRIBUTE_PRESETS.registry, required: ['fiscalNumber'] })
    assert.deepEqual(Object.keys(claims), ['userinfo'])
  })
})
