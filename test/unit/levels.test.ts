import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SPID_L1, SPID_L2, SPID_L3, compareLevels, levelSatisfies, parseLevel } from '../../src/index.ts'
import { acrValuesFor, toLevel } from '../../src/levels.ts'

describe('levels', () => {
  it('parses numbers, digit strings and URIs, and nothing else', () => {
    assert.equal(parseLevel(1), SPID_L1)
    assert.equal(parseLevel('2'), SPID_L2)
    assert.equal(parseLevel(SPID_L3), SPID_L3)
    for (const bad of [0, 4, '4', '', 'SpidL2', 'https://www.spid.gov.it/SpidL4', null, undefined, {}, [2], 2.5]) {
      assert.equal(parseLevel(bad), undefined, `${JSON.stringify(bad)} is not a level`)
    }
  })

  it('orders SpidL1 < SpidL2 < SpidL3', () => {
    assert.ok(compareLevels(SPID_L1, SPID_L2) < 0)
    assert.ok(compareLevels(SPID_L3, SPID_L2) > 0)
    assert.equal(compareLevels(SPID_L2, SPID_L2), 0)
    assert.ok(levelSatisfies(SPID_L3, SPID_L1))
    assert.ok(!levelSatisfies(SPID_L1, SPID_L2))
  })

  it('builds acr_values most preferred first, ending with SpidL1 for offline logins (A9, L1)', () => {
    assert.equal(acrValuesFor(SPID_L2), SPID_L2)
    assert.equal(acrValuesFor(SPID_L3, true), `${SPID_L3} ${SPID_L1}`)
    assert.equal(acrValuesFor(SPID_L1, true), SPID_L1)
  })

  it('toLevel names the bad value', () => {
    assert.throws(() => toLevel(5 as 1), /not a SPID level: 5/)
  })
})
