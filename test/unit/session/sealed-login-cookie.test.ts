import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { describe, it } from 'node:test'
import express from 'express'
import { SPID_L2 } from '../../../src/index.ts'
import type { LoginTransaction } from '../../../src/session/login-transaction.ts'
import { LoginTransactionSeal, keepTransactionInCookie, takeTransactionFromCookie } from '../../../src/session/sealed-login-cookie.ts'

const STATE = 'S'.repeat(48)
const tx: LoginTransaction = {
  state: STATE,
  issuer: 'https://op.example.it',
  level: SPID_L2,
  nonce: 'N'.repeat(48),
  codeVerifier: 'v'.repeat(43),
  returnTo: '/level2',
  offline: false,
  expiresAt: 1000,
}
const SECRET = 'a-session-secret-of-sufficient-length'

describe('login transactions sealed in a cookie', () => {
  it('open to the same transaction under their state, before their expiry only', () => {
    const seal = LoginTransactionSeal.fromSessionSecrets([], [SECRET])
    const value = seal.seal(tx)
    assert.deepEqual(seal.open(STATE, value, 999), tx)
    assert.equal(seal.open(STATE, value, 1000), 'expired')
    assert.equal(seal.open('T'.repeat(48), value, 999), undefined, 'under another state')
  })

  it('do not open when altered or sealed with another key, and show nothing in the clear', () => {
    const seal = LoginTransactionSeal.fromSessionSecrets([], [SECRET])
    const value = seal.seal(tx)
    assert.ok(
      !value.includes(tx.nonce) &&
        !Buffer.from(value.split('.')[3] as string, 'base64url')
          .toString()
          .includes('op.example.it'),
    )
    const parts = value.split('.')
    const tag = Buffer.from(parts[4] as string, 'base64url')
    tag[0] = (tag[0] as number) ^ 1
    assert.equal(seal.open(STATE, [...parts.slice(0, 4), tag.toString('base64url')].join('.'), 999), undefined)
    assert.equal(LoginTransactionSeal.fromSessionSecrets([], ['another-secret-of-sufficient-length']).open(STATE, value, 999), undefined)
    assert.equal(seal.open(STATE, 'not.a.jwe', 999), undefined)
  })

  it('do not open with a shortened tag: GCM would accept one, making a forgery 2^32 tries for a 4-byte tag', () => {
    const seal = LoginTransactionSeal.fromSessionSecrets([], [SECRET])
    const parts = seal.seal(tx).split('.')
    const tag = Buffer.from(parts[4] as string, 'base64url')
    for (const length of [12, 8, 4]) {
      const cut = [...parts.slice(0, 4), tag.subarray(0, length).toString('base64url')].join('.')
      assert.equal(seal.open(STATE, cut, 999), undefined, `a ${length}-byte tag`)
    }
  })

  it('use the session encryption keys when there are, newest first, the older still opening', () => {
    const [older, newer] = [randomBytes(32), randomBytes(32)]
    const sealed = LoginTransactionSeal.fromSessionSecrets([older], [SECRET]).seal(tx)
    assert.deepEqual(LoginTransactionSeal.fromSessionSecrets([newer, older], [SECRET]).open(STATE, sealed, 999), tx)
    assert.equal(LoginTransactionSeal.fromSessionSecrets([], [SECRET]).open(STATE, sealed, 999), undefined, 'not from the secret then')
    const fromSecrets = LoginTransactionSeal.fromSessionSecrets([], ['newer-secret-of-sufficient-length', SECRET])
    assert.deepEqual(fromSecrets.open(STATE, LoginTransactionSeal.fromSessionSecrets([], [SECRET]).seal(tx), 999), tx, 'secret rotation')
  })
})

describe('the login cookie over https (behind a trusted proxy)', () => {
  it('is a Secure __Host- cookie on Path=/, found again under that name only', async () => {
    const seal = LoginTransactionSeal.fromSessionSecrets([], [SECRET])
    const app = express()
    app.set('trust proxy', true)
    app.get('/start', (req, res) => {
      keepTransactionInCookie(req, seal, tx, { max: 5, now: 900, ttl: 600 })
      res.end()
    })
    app.get('/callback', (req, res) => {
      try {
        res.json({ state: takeTransactionFromCookie(req, seal, STATE, 900)?.state ?? null })
      } catch (error) {
        res.status(400).json({ code: (error as { code?: string }).code })
      }
    })
    const server = app.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const https = { 'x-forwarded-proto': 'https' }
    try {
      const [cookie = ''] = (await fetch(`${url}/start`, { headers: https })).headers.getSetCookie()
      assert.match(cookie, new RegExp(`^__Host-spid\\.tx\\.${STATE}=`))
      for (const attribute of [/; Path=\/(;|$)/, /; Secure/, /; HttpOnly/, /; SameSite=Lax/, /; Max-Age=600(;|$)/]) assert.match(cookie, attribute)
      const pair = cookie.slice(0, cookie.indexOf(';'))
      const back = await fetch(`${url}/callback`, { headers: { ...https, cookie: pair } })
      assert.deepEqual(await back.json(), { state: STATE })
      assert.match(back.headers.getSetCookie()[0] ?? '', new RegExp(`^__Host-spid\\.tx\\.${STATE}=;.*Expires=Thu, 01 Jan 1970`), 'cleared')
      // Without the prefix over https: not ours (another host of the domain could have set it).
      const unprefixed = await fetch(`${url}/callback`, { headers: { ...https, cookie: pair.replace('__Host-', '') } })
      assert.deepEqual(await unprefixed.json(), { state: null })
    } finally {
      server.close()
    }
  })
})
