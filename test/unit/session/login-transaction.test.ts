import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SPID_L2 } from '../../../src/index.ts'
import { keepTransactionInSession, putTransaction, takeTransaction, type LoginTransaction } from '../../../src/session/login-transaction.ts'

const tx = (state: string, expiresAt: number): LoginTransaction => ({
  state,
  issuer: 'https://op',
  level: SPID_L2,
  nonce: 'n',
  codeVerifier: 'v',
  returnTo: '/',
  offline: false,
  expiresAt,
})
const codeOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (e) {
    return (e as { code: string }).code
  }
  return 'none'
}

describe('login transactions in the session', () => {
  it('are single use', () => {
    const session = {}
    putTransaction(session, tx('a', 200), { max: 5, now: 100 })
    assert.equal(takeTransaction(session, 'a', 100).state, 'a')
    assert.equal(
      codeOf(() => takeTransaction(session, 'a', 100)),
      'ERR_SPID_STATE_MISMATCH',
    )
  })

  it('expire, and an expired one is consumed all the same', () => {
    const session = {}
    putTransaction(session, tx('a', 200), { max: 5, now: 100 })
    assert.equal(
      codeOf(() => takeTransaction(session, 'a', 200)),
      'ERR_SPID_TRANSACTION_EXPIRED',
    )
    assert.equal(
      codeOf(() => takeTransaction(session, 'a', 150)),
      'ERR_SPID_STATE_MISMATCH',
    )
  })

  it('are capped per session, dropping the oldest and the expired', () => {
    const session = {} as { spidLogins?: Record<string, LoginTransaction> }
    putTransaction(session, tx('stale', 150), { max: 3, now: 100 })
    for (const [i, s] of ['a', 'b', 'c', 'd'].entries()) putTransaction(session, tx(s, 300 + i), { max: 3, now: 160 })
    assert.deepEqual(Object.keys(session.spidLogins ?? {}).sort(), ['b', 'c', 'd'])
  })

  it('refuse a missing state and prototype names', () => {
    const session = {}
    assert.equal(
      codeOf(() => takeTransaction(session, undefined, 0)),
      'ERR_SPID_STATE_MISSING',
    )
    assert.equal(
      codeOf(() => takeTransaction(session, '__proto__', 0)),
      'ERR_SPID_STATE_MISMATCH',
    )
    assert.equal(
      codeOf(() => takeTransaction(session, 'constructor', 0)),
      'ERR_SPID_STATE_MISMATCH',
    )
  })

  it('need express-session', () => {
    assert.equal(
      codeOf(() => putTransaction(undefined, tx('a', 1), { max: 1, now: 0 })),
      'ERR_SPID_SESSION_MISSING',
    )
  })

  it('kept in the session are saved before the browser leaves, and undone when the save fails', async () => {
    const session = {} as { spidLogins?: Record<string, LoginTransaction> }
    let saved = 0
    await keepTransactionInSession(session, async () => void saved++, 5)(tx('a', 200), 100)
    assert.equal(saved, 1)
    assert.deepEqual(Object.keys(session.spidLogins ?? {}), ['a'])
    const failing = keepTransactionInSession(
      session,
      async () => {
        throw new Error('store down')
      },
      5,
    )
    await assert.rejects(failing(tx('b', 200), 100), /store down/)
    assert.deepEqual(Object.keys(session.spidLogins ?? {}), ['a'], 'as it was')
  })
})
