import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { describeCause } from '../../../src/log/describe-cause.ts'

describe('describeCause', () => {
  it('keeps name, code and message of each cause, and nothing else of the error', () => {
    const inner = Object.assign(new Error('"exp" claim timestamp check failed'), {
      code: 'ERR_JWT_EXPIRED',
      payload: { fiscalNumber: 'TINIT-RSSMRA80A01H501U' },
    })
    const outer = new Error('ID token refused', { cause: inner })
    assert.deepEqual(describeCause(outer), [
      { name: 'Error', message: 'ID token refused' },
      { name: 'Error', code: 'ERR_JWT_EXPIRED', message: '"exp" claim timestamp check failed' },
    ])
    assert.doesNotMatch(JSON.stringify(describeCause(outer)), /RSSMRA/)
  })

  it('does not log the snippet a JSON parse error quotes from what it read', () => {
    let parseError: unknown
    try {
      JSON.parse('RSSMRA80A01H501U is not JSON')
    } catch (error) {
      parseError = error
    }
    assert.match(String((parseError as Error).message), /RSSMRA/, 'Node quotes the input in the message')
    assert.deepEqual(describeCause(new Error('token response unreadable', { cause: parseError })), [
      { name: 'Error', message: 'token response unreadable' },
      { name: 'SyntaxError', message: 'not valid JSON' },
    ])
  })
})
