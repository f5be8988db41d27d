import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { NONCE_LENGTH, STATE_LENGTH, randomAlphanumeric } from '../../../src/protocol/random.ts'

describe('randomAlphanumeric (rule A6)', () => {
  it('gives state and nonce of at least 32 alphanumerics', () => {
    assert.ok(STATE_LENGTH >= 32 && NONCE_LENGTH >= 32)
    for (let i = 0; i < 200; i++) assert.match(randomAlphanumeric(STATE_LENGTH), /^[A-Za-z0-9]{48}$/)
  })
  it('uses the whole alphabet without repeating itself', () => {
    const sample = Array.from({ length: 400 }, () => randomAlphanumeric(48))
    assert.equal(new Set(sample).size, sample.length)
    assert.equal(new Set(sample.join('')).size, 62)
  })
})
