/**
 * What the RP puts on the wire, observed at a proxy in front of the real OP: the authorization
 * request (rules A3-A12), the token request (T1, T3) and the UserInfo request (U1).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { randomUUID } from 'node:crypto'
import { SignJWT, createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose'
import { SPID_L1, SPID_L2, SPID_L3 } from '../../src/index.ts'
import { login } from '../fixtures/login.ts'
import { startStack, type Stack } from '../fixtures/stack.ts'
import { startTamperingProxy } from '../fixtures/tampering-proxy.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

describe('what the RP sends', () => {
  let stack: Stack
  let proxy: Awaited<ReturnType<typeof startTamperingProxy>>

  before(async () => {
    proxy = await startTamperingProxy()
    stack = await startStack({ op: { issuer: proxy.url } })
    proxy.forwardTo(stack.op.server)
  })
  after(async () => {
    await stack.close()
    await proxy.close()
  })

  async function authorizationRequest(query: string): Promise<URL> {
    const ua = new UserAgent()
    const hop = await ua.request(`${stack.appUrl}/auth/spid?${query}`)
    assert.equal(hop.status, 302)
    return new URL(hop.location as string)
  }

  it('sends a signed request object with the SPID claims, repeating client_id, response_type and scope (A3-A8, A14)', async () => {
    const url = await authorizationRequest('level=2')
    const q = url.searchParams
    assert.equal(q.get('client_id'), stack.appUrl)
    assert.equal(q.get('response_type'), 'code')
    assert.equal(q.get('scope'), 'openid')
    const jwt = q.get('request') as string
    const header = decodeProtectedHeader(jwt)
    assert.equal(header.alg, 'RS256')
    assert.equal(header.kid, stack.keys.signing.kid)
    const rpKeys = stack.app.strategy.options.keys
    const { payload } = await jwtVerify(jwt, createLocalJWKSet({ keys: [rpKeys.signing.publicJwk] }))
    assert.equal(payload.iss, stack.appUrl)
    assert.equal(payload.aud, proxy.url, 'aud is the OP issuer as a string (A5)')
    assert.equal(payload.sub, undefined, 'no sub (A5)')
    assert.match(String(payload.jti), /^[0-9a-f-]{36}$/)
    assert.ok((payload.exp as number) - (payload.iat as number) <= 300, 'exp at most 5 minutes after iat (A5)')
    assert.equal(payload.client_id, q.get('client_id'))
    assert.equal(payload.response_type, 'code')
    assert.equal(payload.scope, q.get('scope'))
    assert.equal(payload.redirect_uri, `${stack.appUrl}/auth/spid/callback`)
    assert.match(String(payload.state), /^[A-Za-z0-9]{32,}$/, 'state: ≥32 alphanumerics (A6)')
    assert.match(String(payload.nonce), /^[A-Za-z0-9]{32,}$/, 'nonce: ≥32 alphanumerics (A6)')
    assert.notEqual(payload.state, payload.nonce)
    assert.equal(payload.code_challenge_method, 'S256')
    assert.match(String(payload.code_challenge), /^[\w-]{43}$/)
    assert.equal(payload.prompt, 'consent login')
    assert.equal(payload.acr_values, SPID_L2)
    const claims = payload.claims as Record<string, Record<string, unknown>>
    assert.deepEqual(Object.keys(claims), ['userinfo'], 'SPID asks claims under userinfo only (A11)')
    assert.ok('https://attributes.eid.gov.it/fiscal_number' in claims.userinfo!)
    assert.ok('given_name' in claims.userinfo! && 'family_name' in claims.userinfo! && 'email' in claims.userinfo!)
  })

  it('asks for the level requested first (A9) and defaults to SpidL2', async () => {
    for (const [query, acr] of [
      ['level=1', SPID_L1],
      ['level=3', SPID_L3],
      ['', SPID_L2],
    ] as const) {
      const url = await authorizationRequest(query)
      assert.equal(decodeJwt(url.searchParams.get('request') as string).acr_values, acr)
    }
  })

  it('asks offline logins for offline_access with prompt=consent and acr_values ending in SpidL1 (L1)', async () => {
    const url = await authorizationRequest('level=2&offline=1')
    assert.equal(url.searchParams.get('scope'), 'openid offline_access')
    const payload = decodeJwt(url.searchParams.get('request') as string)
    assert.equal(payload.scope, 'openid offline_access')
    assert.equal(payload.prompt, 'consent')
    assert.equal(payload.acr_values, `${SPID_L2} ${SPID_L1}`)
  })

  it('uses a fresh state, nonce and PKCE verifier for every login', async () => {
    const a = decodeJwt((await authorizationRequest('level=2')).searchParams.get('request') as string)
    const b = decodeJwt((await authorizationRequest('level=2')).searchParams.get('request') as string)
    assert.notEqual(a.state, b.state)
    assert.notEqual(a.nonce, b.nonce)
    assert.notEqual(a.code_challenge, b.code_challenge)
    assert.notEqual(a.jti, b.jti)
  })

  it('exchanges the code with private_key_jwt aimed at the token endpoint, PKCE and redirect_uri, as plain form-urlencoded (T1, T3)', async () => {
    const before = proxy.seen.length
    const ua = new UserAgent()
    assert.equal((await login(ua, stack.appUrl, 'level=2')).status, 302)
    const token = proxy.seen.slice(before).find((r) => r.path === '/token' && r.method === 'POST')
    assert.ok(token, 'a token request went to the OP')
    assert.equal(token.headers['content-type'], 'application/x-www-form-urlencoded', 'no ;charset suffix')
    const form = new URLSearchParams(token.body)
    assert.equal(form.get('grant_type'), 'authorization_code')
    assert.equal(form.get('client_id'), stack.appUrl)
    assert.equal(form.get('redirect_uri'), `${stack.appUrl}/auth/spid/callback`)
    assert.match(form.get('code_verifier') ?? '', /^[\w.~-]{43,128}$/)
    assert.equal(form.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
    const assertion = form.get('client_assertion') as string
    const rpKeys = stack.app.strategy.options.keys
    const { payload } = await jwtVerify(assertion, createLocalJWKSet({ keys: [rpKeys.signing.publicJwk] }))
    assert.equal(payload.iss, stack.appUrl)
    assert.equal(payload.sub, stack.appUrl)
    assert.equal(payload.aud, `${proxy.url}/token`, 'aud is the token endpoint URL, not the issuer')
    assert.ok(typeof payload.jti === 'string' && payload.jti.length >= 22, 'jti of at least 128 bits')
    assert.ok((payload.exp as number) > (payload.iat as number) && (payload.exp as number) - (payload.iat as number) <= 300)

    const userinfo = proxy.seen.slice(before).find((r) => r.path === '/me')
    assert.ok(userinfo, 'UserInfo was called')
    assert.equal(userinfo.method, 'GET', 'SPID UserInfo is GET only (U1)')
    assert.match(String(userinfo.headers.authorization), /^Bearer \S+$/)
  })

  it('makes the OP refuse a client assertion aimed at the issuer: the test OP is strict about T3', async () => {
    const key = stack.app.strategy.options.keys.signing
    const tokenRequest = async (aud: string) => {
      const assertion = await new SignJWT({ jti: randomUUID() })
        .setProtectedHeader({ alg: 'RS256', kid: key.kid })
        .setIssuer(stack.appUrl)
        .setSubject(stack.appUrl)
        .setAudience(aud)
        .setIssuedAt()
        .setExpirationTime('1m')
        .sign(key.privateKey)
      const res = await fetch(`${proxy.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: 'unknown',
          redirect_uri: `${stack.appUrl}/auth/spid/callback`,
          code_verifier: 'v'.repeat(43),
          client_id: stack.appUrl,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        }),
      })
      return (await res.json()) as { error: string }
    }
    assert.equal((await tokenRequest(proxy.url)).error, 'invalid_client', 'aud = issuer is refused')
    // Control: the same assertion aimed at the endpoint authenticates, and fails later on the unknown code.
    assert.equal((await tokenRequest(`${proxy.url}/token`)).error, 'invalid_grant')
  })

  it('makes the OP refuse an authorization request without a signed request object (A12)', async () => {
    const url = await authorizationRequest('level=2')
    url.searchParams.delete('request')
    url.searchParams.set('redirect_uri', `${stack.appUrl}/auth/spid/callback`)
    const ua = new UserAgent()
    const hop = await ua.follow(url.href, { stopAt: (next) => next.href.startsWith(stack.appUrl) })
    const landed = new URL(hop.location ?? hop.url)
    assert.equal(landed.searchParams.get('error') ?? (hop.status >= 400 ? 'invalid_request' : null), 'invalid_request')
  })
})
