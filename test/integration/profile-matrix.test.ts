/**
 * SPID and CIE id side by side (FED "differenze SPID/CIE"): the same cases against a SPID and a
 * CIE id test OP, each with the RP registering encrypted ID tokens and UserInfo, and the outcome
 * each profile's rules ask for. Where the profiles agree, the row says so; where they differ, the
 * two columns are the rule.
 */
import assert from 'node:assert/strict'
import { after, afterEach, before, describe, it } from 'node:test'
import { SignJWT, compactDecrypt, decodeJwt, decodeProtectedHeader, importJWK } from 'jose'
import { DEFAULT_TEST_USERS, type TestUser } from '../../src/test-op/index.ts'
import { SPID_L1, SPID_L2 } from '../../src/index.ts'
import { login, loginUntilCallback, me } from '../fixtures/login.ts'
import { startStack, type Stack } from '../fixtures/stack.ts'
import { startTamperingProxy } from '../fixtures/tampering-proxy.ts'
import { type Hop, UserAgent } from '../fixtures/user-agent.ts'

interface Expected {
  userinfoMethod: 'GET' | 'POST'
  /** A signed-only ID token although the RP registered encryption (rule I5). */
  signedOnlyIdToken: 'accepted' | 'refused'
  /** A callback without `iss` from an OP whose metadata does not promise it (rule R1). */
  callbackWithoutIss: 'accepted' | 'refused'
  /** After the access token expired, reading the attributes again with the refresh token (rules L2, L3). */
  refresh: { idToken: boolean; level: string; refreshed: boolean }
  /** A guarded request after the access token expired: does the refresh token restore the session? */
  guardRefreshes: boolean
  /** The refresh token at the OP after logout (rules X2, X3). */
  refreshTokenAfterLogout: 'revoked' | 'valid'
}

const MATRIX: Record<'spid' | 'cie', Expected> = {
  spid: {
    userinfoMethod: 'GET',
    signedOnlyIdToken: 'accepted',
    callbackWithoutIss: 'accepted',
    refresh: { idToken: true, level: SPID_L1, refreshed: true },
    guardRefreshes: true,
    refreshTokenAfterLogout: 'revoked',
  },
  cie: {
    userinfoMethod: 'POST',
    signedOnlyIdToken: 'refused',
    callbackWithoutIss: 'refused',
    refresh: { idToken: false, level: SPID_L2, refreshed: false },
    guardRefreshes: false,
    refreshTokenAfterLogout: 'valid',
  },
}

const ENCRYPTION = { alg: 'RSA-OAEP-256', enc: 'A256CBC-HS512' } as const

for (const [profile, expected] of Object.entries(MATRIX) as ['spid' | 'cie', Expected][]) {
  describe(`${profile.toUpperCase()} profile matrix`, () => {
    let stack: Stack
    let proxy: Awaited<ReturnType<typeof startTamperingProxy>>
    let shift = 0
    // Ada's claims at the OP, changed by the refresh case to see them read again.
    const users: TestUser[] = DEFAULT_TEST_USERS.map((u) => ({ ...u, claims: { ...u.claims } }))
    const query = `idp=${profile}&level=2&offline=1`
    const tokenResponses: Record<string, string>[] = []

    before(async () => {
      proxy = await startTamperingProxy()
      stack = await startStack({
        op: { issuer: proxy.url, profile, users, ttl: { accessToken: 300 } },
        app: {
          strategy: {
            providers: [{ issuer: proxy.url, id: profile, profile, ...(profile === 'cie' ? { userinfoMethod: 'POST' as const } : {}) }],
            userinfoEncryption: ENCRYPTION,
            idTokenEncryption: ENCRYPTION,
          },
        },
      })
      proxy.forwardTo(stack.op.server)
      stack.app.strategy.runtime.now = () => Math.floor(Date.now() / 1000) + shift
      proxy.rewrite('/token', recordTokens)
    })
    let metadataRewritten = false
    afterEach(async () => {
      shift = 0
      tokenResponses.length = 0
      proxy.rewrite('/token', recordTokens)
      if (metadataRewritten) {
        proxy.rewrite('/.well-known/openid-federation', undefined)
        await stack.app.strategy.runtime.registry.reload?.(proxy.url)
        metadataRewritten = false
      }
    })
    after(async () => {
      await stack.close()
      await proxy.close()
    })

    /** A login whose callback reaches the app without `iss`. */
    async function callbackWithoutIss(ua: UserAgent): Promise<Hop> {
      const callback = new URL(await loginUntilCallback(ua, stack.appUrl, query))
      callback.searchParams.delete('iss')
      return ua.request(callback.href, { headers: { accept: 'application/json' } })
    }

    /** The app's answer to a callback: logged in, or refused with `status` and `code` and no session. */
    async function expectLogin(ua: UserAgent, hop: Hop, outcome: 'accepted' | 'refused', status: number, code: string): Promise<void> {
      if (outcome === 'accepted') {
        assert.equal(hop.status, 302, hop.body.slice(0, 300))
        assert.equal((await me(ua, stack.appUrl)).authenticated, true)
        return
      }
      assert.equal(hop.status, status, hop.body.slice(0, 300))
      assert.equal(JSON.parse(hop.body).code, code)
      assert.equal((await me(ua, stack.appUrl)).authenticated, false)
    }

    function recordTokens(response: { body: string }) {
      tokenResponses.push(JSON.parse(response.body))
      return response as never
    }

    it(`logs in with an encrypted ID token and UserInfo by ${expected.userinfoMethod}`, async () => {
      const mark = proxy.seen.length
      const ua = new UserAgent()
      const done = await login(ua, stack.appUrl, query)
      assert.equal(done.status, 302, done.body.slice(0, 300))
      const idToken = tokenResponses[0]?.id_token as string
      assert.equal(idToken.split('.').length, 5, 'the ID token is a JWE')
      assert.equal(decodeProtectedHeader(idToken).cty, 'JWT')
      const userinfo = proxy.seen.slice(mark).filter((r) => r.path === '/me')
      assert.deepEqual(
        userinfo.map((r) => r.method),
        [expected.userinfoMethod],
      )
      const who = await me(ua, stack.appUrl)
      assert.equal(who.acr, SPID_L2)
      assert.equal((who.profile as { fiscalNumber: string }).fiscalNumber, 'LVLDAA85T50G702B')
    })

    it(`${expected.signedOnlyIdToken === 'accepted' ? 'accepts' : 'refuses'} a signed-only ID token although encryption is registered`, async () => {
      const opKey = (await importJWK(stack.op.signingKey, 'RS256')) as CryptoKey
      proxy.rewrite('/token', async (response) => {
        const body = JSON.parse(response.body)
        const { plaintext } = await compactDecrypt(body.id_token, stack.app.strategy.options.keys.encryption.privateKey)
        const claims = decodeJwt(new TextDecoder().decode(plaintext))
        body.id_token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: stack.op.signingKey.kid as string }).sign(opKey)
        return { ...response, body: JSON.stringify(body) }
      })
      const ua = new UserAgent()
      await expectLogin(ua, await login(ua, stack.appUrl, query), expected.signedOnlyIdToken, 502, 'ERR_SPID_ID_TOKEN_INVALID')
    })

    it('refuses a callback without iss from an OP whose metadata promises iss (RFC 9207)', async () => {
      const ua = new UserAgent()
      await expectLogin(ua, await callbackWithoutIss(ua), 'refused', 400, 'ERR_SPID_ISSUER_MISMATCH')
    })

    it(`${expected.callbackWithoutIss === 'accepted' ? 'accepts' : 'refuses'} a callback without iss from an OP whose metadata does not promise it`, async () => {
      const federationKey = (await importJWK(stack.op.federationKey, 'RS256')) as CryptoKey
      proxy.rewrite('/.well-known/openid-federation', async (response) => {
        const claims = decodeJwt(response.body) as { metadata: { openid_provider: Record<string, unknown> } }
        delete claims.metadata.openid_provider.authorization_response_iss_parameter_supported
        const body = await new SignJWT(claims)
          .setProtectedHeader({ alg: 'RS256', kid: decodeProtectedHeader(response.body).kid as string, typ: 'entity-statement+jwt' })
          .sign(federationKey)
        return { ...response, body }
      })
      metadataRewritten = true
      await stack.app.strategy.runtime.registry.reload?.(proxy.url)
      const ua = new UserAgent()
      await expectLogin(ua, await callbackWithoutIss(ua), expected.callbackWithoutIss, 400, 'ERR_SPID_ISSUER_MISMATCH')
    })

    it(`after the access token expires, a guarded request ${expected.guardRefreshes ? 'restores the session at SpidL1' : 'leaves the refresh token alone'}`, async () => {
      const ua = new UserAgent()
      assert.equal((await login(ua, stack.appUrl, query)).status, 302)
      const refreshesBefore = stack.op.tokenRequests.refresh_token
      shift = 301
      const l1 = await ua.request(`${stack.appUrl}/level1`, { headers: { accept: 'application/json' } })
      assert.equal(l1.status, 200)
      assert.equal(JSON.parse(l1.body).refreshed, expected.guardRefreshes)
      assert.equal(stack.op.tokenRequests.refresh_token - refreshesBefore, expected.guardRefreshes ? 1 : 0)
    })

    it(`reads the attributes again with the refresh token: ${expected.refresh.idToken ? 'an SpidL1 ID token, the session at SpidL1' : 'no ID token, the level unchanged'}`, async () => {
      const ada = users.find((u) => u.id === 'ada') as TestUser
      const ua = new UserAgent()
      assert.equal((await login(ua, stack.appUrl, query)).status, 302)
      const first = tokenResponses[0] as Record<string, string>
      ada.claims.email = 'ada.nuova@example.it'
      try {
        shift = 301
        const refreshed = await ua.request(`${stack.appUrl}/profile/refresh`, { method: 'POST', headers: { accept: 'application/json' } })
        assert.equal(refreshed.status, 200, refreshed.body.slice(0, 300))
        const body = JSON.parse(refreshed.body)
        assert.equal(body.profile.email, 'ada.nuova@example.it', 'the attributes were read again')
        assert.equal(body.acr, expected.refresh.level)
        assert.equal(body.refreshed, expected.refresh.refreshed)
        const second = tokenResponses[1] as Record<string, string>
        assert.ok(second, 'a refresh request was made')
        assert.equal('id_token' in second, expected.refresh.idToken)
        assert.ok(second.refresh_token && second.refresh_token !== first.refresh_token, 'the refresh token rotated')
        const old = await stack.op.provider.RefreshToken.find(first.refresh_token as string)
        assert.ok(!old || old.consumed, 'the old refresh token is spent')
        const who = await me(ua, stack.appUrl)
        assert.equal((who.profile as { email: string }).email, 'ada.nuova@example.it', 'the session user is the fresh profile')
        assert.equal(who.acr, expected.refresh.level)
      } finally {
        ada.claims.email = (DEFAULT_TEST_USERS[0] as TestUser).claims.email
      }
    })

    it(`logs out by revoking the access token; the refresh token is ${expected.refreshTokenAfterLogout} at the OP`, async () => {
      const ua = new UserAgent()
      assert.equal((await login(ua, stack.appUrl, query)).status, 302)
      const { access_token: accessToken, refresh_token: refreshToken } = tokenResponses[0] as Record<string, string>
      assert.ok(refreshToken, 'an offline login has a refresh token')
      const out = await ua.request(`${stack.appUrl}/logout`, { method: 'POST', form: {}, headers: { origin: stack.appUrl, accept: 'application/json' } })
      assert.equal(out.status, 200)
      assert.equal(await stack.op.provider.AccessToken.find(accessToken as string), undefined, 'the access token is revoked')
      const rt = await stack.op.provider.RefreshToken.find(refreshToken)
      const valid = Boolean(rt && !rt.isExpired && !rt.consumed)
      assert.equal(valid ? 'valid' : 'revoked', expected.refreshTokenAfterLogout)
      assert.equal((await me(ua, stack.appUrl)).authenticated, false)
    })
  })
}
