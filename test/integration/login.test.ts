import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { SPID_L1, SPID_L2, SPID_L3 } from '../../src/index.ts'
import { login, me } from '../fixtures/login.ts'
import { startStack, type Stack } from '../fixtures/stack.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

describe('login end to end against the bundled test OP', () => {
  let stack: Stack
  before(async () => { stack = await startStack() })
  after(async () => { await stack.close() })

  for (const [level, uri] of [[1, SPID_L1], [2, SPID_L2], [3, SPID_L3]] as const) {
    it(`logs in at SpidL${level} and lands on the return path with the mapped profile`, async () => {
      const ua = new UserAgent()
      const done = await login(ua, stack.appUrl, `level=${level}&returnTo=/level${level}`)
      assert.equal(done.status, 302, done.body)
      assert.equal(done.location, `${stack.appUrl}/level${level}`)
      const page = await ua.request(`${stack.appUrl}/level${level}`, { headers: { accept: 'application/json' } })
      assert.equal(page.status, 200, page.body)
      const body = JSON.parse(page.body)
      assert.equal(body.acr, uri)
      assert.equal(body.profile.fiscalNumber, 'LVLDAA85T50G702B')
      assert.equal(body.profile.givenName, 'Ada')
      assert.equal(body.profile.familyName, 'Lovelace')
      assert.equal(body.profile.email, 'aabyron@hotmail.com')
      const who = await me(ua, stack.appUrl)
      assert.equal(who.authenticated, true)
      assert.equal(who.acr, uri)
    })
  }
})
