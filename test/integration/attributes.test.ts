/** Required attributes against the real OP: the OP releases only what a user has. */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { decodeJwt } from 'jose'
import { login, me } from '../fixtures/login.ts'
import { startStack, type Stack } from '../fixtures/stack.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

describe('required attributes', () => {
  let strict: Stack
  let lenient: Stack
  before(async () => {
    const options = {
      attributes: ['fiscalNumber', 'givenName', 'familyName'] as ('fiscalNumber' | 'givenName' | 'familyName')[],
      requiredAttributes: ['fiscalNumber', 'digitalAddress'] as ('fiscalNumber' | 'digitalAddress')[],
    }
    strict = await startStack({ app: { strategy: options } })
    lenient = await startStack({ app: { strategy: { ...options, missingAttributes: 'warn' } } })
  })
  after(async () => {
    await strict.close()
    await lenient.close()
  })

  it('asks for required attributes as essential', async () => {
    const ua = new UserAgent()
    const hop = await ua.request(`${strict.appUrl}/auth/spid?level=1`)
    const claims = decodeJwt(new URL(hop.location as string).searchParams.get('request') as string).claims as { userinfo: Record<string, unknown> }
    assert.deepEqual(claims.userinfo['https://attributes.eid.gov.it/e_delivery_service'], { essential: true })
    assert.equal(claims.userinfo.given_name, null)
  })

  it('fails the login when a required attribute is not released (ERR_SPID_ATTRIBUTE_MISSING)', async () => {
    const ua = new UserAgent()
    const ok = await login(ua, strict.appUrl, 'level=1', { user: 'ada' })
    assert.equal(ok.status, 302, 'Ada has a PEC address')
    const lucrezia = new UserAgent()
    const hop = await login(lucrezia, strict.appUrl, 'level=1', { user: 'lucrezia' })
    assert.equal(hop.status, 403)
    assert.equal(JSON.parse(hop.body).code, 'ERR_SPID_ATTRIBUTE_MISSING')
    assert.equal((await me(lucrezia, strict.appUrl)).authenticated, false)
  })

  it('only warns when configured so', async () => {
    const ua = new UserAgent()
    const hop = await login(ua, lenient.appUrl, 'level=1', { user: 'lucrezia' })
    assert.equal(hop.status, 302)
    assert.equal((await me(ua, lenient.appUrl)).authenticated, true)
    const warned = lenient.logger.lines.find((l) => (l.obj as { event?: string }).event === 'login.attributes_missing')
    assert.ok(warned, 'a warning was logged')
    assert.deepEqual((warned.obj as { missing: string[] }).missing, ['digitalAddress'])
  })
})
