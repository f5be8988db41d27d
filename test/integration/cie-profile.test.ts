/** The CIE id profile (FED "differenze SPID/CIE"): other scopes, and a refresh token never restores a session (rule L3). */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { decodeJwt } from 'jose'
import { login, me } from '../fixtures/login.ts'
import { startStack, type Stack } from '../fixtures/stack.ts'
import { startTamperingProxy } from '../fixtures/tampering-proxy.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

describe('CIE id provider profile', () => {
  let stack: Stack
  let proxy: Awaited<ReturnType<typeof startTamperingProxy>>
  let shift = 0

  before(async () => {
    proxy = await startTamperingProxy()
    stack = await startStack({
      op: { issuer: proxy.url, profile: 'cie', ttl: { accessToken: 300 } },
      app: { strategy: { providers: [{ issuer: proxy.url, id: 'cie', name: 'CIE id', profile: 'cie' }] } },
    })
    proxy.forwardTo(stack.op.server)
    stack.app.strategy.runtime.now = () => Math.floor(Date.now() / 1000) + shift
  })
  after(async () => {
    await stack.close()
    await proxy.close()
  })

  it('asks for the profile and email scopes', async () => {
    const ua = new UserAgent()
    const hop = await ua.request(`${stack.appUrl}/auth/spid?idp=cie&level=2&offline=1`)
    const url = new URL(hop.location as string)
    assert.equal(url.searchParams.get('scope'), 'openid profile email offline_access')
    assert.equal(decodeJwt(url.searchParams.get('request') as string).scope, 'openid profile email offline_access')
  })

  it('logs in, and never uses the refresh token to restore the session', async () => {
    const ua = new UserAgent()
    assert.equal((await login(ua, stack.appUrl, 'idp=cie&level=2&offline=1')).status, 302)
    const who = await me(ua, stack.appUrl)
    assert.equal(who.offline, true)
    assert.equal((who.profile as { fiscalNumber: string }).fiscalNumber, 'LVLDAA85T50G702B')
    shift = 301
    const mark = proxy.seen.length
    const l1 = await ua.request(`${stack.appUrl}/level1`, { headers: { accept: 'application/json' } })
    assert.equal(l1.status, 200)
    assert.equal(JSON.parse(l1.body).refreshed, false)
    assert.equal(proxy.seen.slice(mark).filter((r) => r.path === '/token').length, 0, 'no refresh request')
  })
})
