import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { SPID_L1, SPID_L2, SPID_L3 } from '../../src/index.ts'
import { login, loginUntilCallback, me } from '../fixtures/login.ts'
import { startStack, type Stack } from '../fixtures/stack.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

describe('login end to end against the bundled test OP', () => {
  let stack: Stack
  before(async () => {
    stack = await startStack()
  })
  after(async () => {
    await stack.close()
  })

  for (const [level, uri] of [
    [1, SPID_L1],
    [2, SPID_L2],
    [3, SPID_L3],
  ] as const) {
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

  it('takes the callback as a form POST too (response_mode form_post, rule A13)', async () => {
    const ua = new UserAgent()
    const callback = new URL(await loginUntilCallback(ua, stack.appUrl, 'level=2&returnTo=/level2'))
    const hop = await ua.request(`${stack.appUrl}/auth/spid/callback`, { form: Object.fromEntries(callback.searchParams) })
    assert.equal(hop.status, 302, hop.body)
    assert.equal(hop.location, `${stack.appUrl}/level2`)
    assert.equal((await me(ua, stack.appUrl)).acr, SPID_L2)
  })

  it('changes the session id at login (no session fixation)', async () => {
    const ua = new UserAgent()
    await login(ua, stack.appUrl, 'level=1')
    const before = ua.cookieNamed('spid.sid')
    assert.ok(before, 'the first login made a session')
    // Logged in, the next login (a step-up) is kept in that session: it must not survive it.
    await login(ua, stack.appUrl, 'level=2')
    const after = ua.cookieNamed('spid.sid')
    assert.ok(after && after !== before)
    const old = new UserAgent()
    old.cookies.push({ name: 'spid.sid', value: before, host: '127.0.0.1', path: '/' })
    assert.equal((await me(old, stack.appUrl)).authenticated, false, 'the pre-login session id grants nothing')
  })

  it('gives each OP a different pairwise sub and keeps the user apart from another user', async () => {
    const ada = new UserAgent()
    await login(ada, stack.appUrl, 'level=1', { user: 'ada' })
    const lucrezia = new UserAgent()
    await login(lucrezia, stack.appUrl, 'level=1', { user: 'lucrezia' })
    const a = (await me(ada, stack.appUrl)).profile as Record<string, string>
    const l = (await me(lucrezia, stack.appUrl)).profile as Record<string, string>
    assert.equal(l.fiscalNumber, 'BRGLRZ80D58H501Q')
    assert.notEqual(a.sub, l.sub)
    assert.notEqual(a.sub, 'ada', 'the OP account id is not leaked as sub')
  })

  it('logs out with a same-origin POST, revoking the access token at the OP', async () => {
    const ua = new UserAgent()
    await login(ua, stack.appUrl, 'level=2')
    const cross = await ua.request(`${stack.appUrl}/logout`, { method: 'POST', headers: { origin: 'https://evil.example' }, form: {} })
    assert.equal(cross.status, 403)
    assert.equal((await me(ua, stack.appUrl)).authenticated, true, 'a cross-site POST changes nothing')
    const out = await ua.request(`${stack.appUrl}/logout`, { method: 'POST', headers: { origin: stack.appUrl }, form: {} })
    assert.equal(out.status, 303)
    assert.equal(out.location, `${stack.appUrl}/?loggedOut=1`, 'home, with a confirmation')
    assert.equal((await me(ua, stack.appUrl)).authenticated, false)
    const revoked = stack.logger.lines.some((l) => (l.obj as { event?: string }).event === 'token.revoked')
    assert.ok(revoked, 'the access token was revoked at the OP')
  })

  it('maps the full attribute set the OP releases into the normalized profile (/me)', async () => {
    const ua = new UserAgent()
    await login(ua, stack.appUrl, 'level=2')
    const profile = (await me(ua, stack.appUrl)).profile as Record<string, unknown>
    assert.deepEqual(
      { ...profile, sub: undefined },
      {
        sub: undefined,
        issuer: stack.op.issuer,
        personType: 'natural',
        fiscalNumber: 'LVLDAA85T50G702B',
        spidCode: 'SPID0020020020',
        givenName: 'Ada',
        familyName: 'Lovelace',
        birthDate: '1985-12-10',
        gender: 'female',
        placeOfBirth: { belfioreCode: 'G702', province: 'PI', name: 'Pisa' },
        email: 'aabyron@hotmail.com',
        phoneNumber: '3939393939',
        address: {
          formatted: 'Via Listz 21, 00144 Roma RM, IT',
          streetAddress: 'Via Listz 21',
          postalCode: '00144',
          locality: 'Roma',
          region: 'RM',
          countryCode: 'IT',
        },
        digitalAddress: 'ada.lovelace@pec.example.it',
        document: { type: 'passaporto', number: 'KK1234567', issuer: 'Questura di Livorno', issuedOn: '2016-09-04', expiresOn: '2026-09-03' },
        eidExpiresOn: '2030-12-31',
      },
    )
  })

  it('maps a legal person, company attributes included', async () => {
    const ua = new UserAgent()
    await login(ua, stack.appUrl, 'level=2', { user: 'agid' })
    const profile = (await me(ua, stack.appUrl)).profile as Record<string, unknown>
    assert.equal(profile.personType, 'legal')
    assert.deepEqual(profile.company, {
      name: "Agenzia per l'Italia Digitale",
      fiscalNumber: '97735020584',
      vatNumber: '97735020584',
      registeredOffice: { formatted: 'Via Listz 21 00144 Roma' },
    })
  })
})
