/**
 * Place codes in words, through the ANPR/ISTAT list that @marketto/belfiore-connector-embedded
 * ships (a real dependency, no stand-in): towns with their province, foreign countries, codes the
 * list does not know left as codes.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { lookUpPlace, toProfile, withPlaceNames } from '../../../src/index.ts'
import { DEFAULT_TEST_USERS } from '../../../src/test-op/test-users.ts'
import { profileFacts } from '../../../src/ui/index.ts'

describe('place names from the Belfiore list', () => {
  it('names a town and its province, and a foreign country with its ISO code', async () => {
    assert.deepEqual(await lookUpPlace('G702'), { name: 'Pisa', province: 'PI' })
    assert.deepEqual(await lookUpPlace('h501'), { name: 'Roma', province: 'RM' })
    assert.deepEqual(await lookUpPlace('Z112'), { name: 'Germania', countryCode: 'DE' })
  })

  it('reads back the few names the list stores mis-encoded', async () => {
    assert.equal((await lookUpPlace('C744'))?.name, 'Città della Pieve')
    assert.equal((await lookUpPlace('M273'))?.name, 'Santa Maria la Carità')
  })

  it('leaves a code the list does not know, or that is no code, unnamed', async () => {
    assert.equal(await lookUpPlace('X999'), undefined)
    assert.equal(await lookUpPlace('Pisa'), undefined)
  })

  it('gives the profile its birthplace in words: "Pisa (PI)" for G702, not the code', async () => {
    const ada = DEFAULT_TEST_USERS.find((u) => u.id === 'ada')
    assert.ok(ada)
    const bare = toProfile({ sub: 's', ...ada.claims }, 'https://op.example.it')
    assert.equal(profileFacts(bare, 'it').find((f) => f.field === 'placeOfBirth')?.value, 'G702 (PI)')
    const named = await withPlaceNames(bare)
    assert.deepEqual(named.placeOfBirth, { belfioreCode: 'G702', province: 'PI', name: 'Pisa' })
    assert.equal(profileFacts(named, 'it').find((f) => f.field === 'placeOfBirth')?.value, 'Pisa (PI)')
    assert.equal(profileFacts(named, 'en').find((f) => f.field === 'placeOfBirth')?.value, 'Pisa (PI)')
  })

  it('adds the province the code implies, the country of a foreign birthplace, and keeps a name the OP sent', async () => {
    const noProvince = await withPlaceNames(toProfile({ sub: 's', place_of_birth: { locality: 'F205' } }, 'https://op.example.it'))
    assert.deepEqual(noProvince.placeOfBirth, { belfioreCode: 'F205', province: 'MI', name: 'Milano' })
    const abroad = await withPlaceNames(toProfile({ sub: 's', place_of_birth: { locality: 'Z112' } }, 'https://op.example.it'))
    assert.deepEqual(abroad.placeOfBirth, { belfioreCode: 'Z112', name: 'Germania', countryCode: 'DE' })
    assert.equal(profileFacts(abroad, 'it').find((f) => f.field === 'placeOfBirth')?.value, 'Germania')
    const text = toProfile({ sub: 's', place_of_birth: { locality: 'Roma', region: 'RM' } }, 'https://op.example.it')
    assert.equal(await withPlaceNames(text), text)
  })
})
