/**
 * One test per refusal of the login flow (rules R1, I1-I4, U2-U3, A6). Each drives the real
 * test OP; where the OP must misbehave, the tampering proxy rewrites one of its answers.
 * Every test also checks that no session survives the failure.
 */
import assert from 'node:assert/strict'
import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'
import { CompactEncrypt, SignJWT, importJWK, type JWK } from 'jose'
import { login, loginUntilCallback, me } from '../fixtures/login.ts'
import type { Stack } from '../fixtures/stack.ts'
import { useTamperedStack } from '../fixtures/tampered-stack.ts'
import { resignIdToken } from '../fixtures/tampering-proxy.ts'
import { UserAgent, type Hop } from '../fixtures/user-agent.ts'

function errorCode(hop: Hop): string {
  assert.match(hop.contentType, /json/, `expected a JSON error, got ${hop.status} ${hop.contentType}: ${hop.body.slice(0, 200)}`)
  return (JSON.parse(hop.body) as { code: string }).code
}

async function assertNoSession(ua: UserAgent, stack: Stack): Promise<void> {
  const who = await me(ua, stack.appUrl)
  assert.equal(who.authenticated, false, 'a failed login must leave no session')
  const guarded = await ua.request(`${stack.appUrl}/level1`, { headers: { accept: 'application/json' } })
  assert.equal(guarded.status, 401)
}

describe('login refusals', () => {
  const env = useTamperedStack()

  /** Re-signs the ID token of a token response after `change`, with `key` (the OP's by default). */
  function rewriteIdToken(change: (claims: Record<string, unknown>) => void, key?: CryptoKey) {
    env.proxy.rewrite('/token', resignIdToken(change, key ?? env.opKey))
  }

  it('control: the proxied OP logs in normally', async () => {
    const ua = new UserAgent()
    const done = await login(ua, env.stack.appUrl, 'level=2')
    assert.equal(done.status, 302, done.body)
    assert.equal((await me(ua, env.stack.appUrl)).authenticated, true)
  })

  it('refuses a tampered state (ERR_SPID_STATE_MISMATCH)', async () => {
    const ua = new UserAgent()
    const callback = new URL(await loginUntilCallback(ua, env.stack.appUrl, 'level=2'))
    const state = callback.searchParams.get('state') as string
    callback.searchParams.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`)
    const hop = await ua.request(callback.href, { headers: { accept: 'application/json' } })
    assert.equal(hop.status, 400)
    assert.equal(errorCode(hop), 'ERR_SPID_STATE_MISMATCH')
    await assertNoSession(ua, env.stack)
  })

  it('refuses a callback with no state (ERR_SPID_STATE_MISSING)', async () => {
    const ua = new UserAgent()
    const callback = new URL(await loginUntilCallback(ua, env.stack.appUrl, 'level=2'))
    callback.searchParams.delete('state')
    const hop = await ua.request(callback.href, { headers: { accept: 'application/json' } })
    assert.equal(errorCode(hop), 'ERR_SPID_STATE_MISSING')
    await assertNoSession(ua, env.stack)
  })

  it('refuses a callback from another browser session: state is tied to the session', async () => {
    const victim = new UserAgent()
    const callback = await loginUntilCallback(victim, env.stack.appUrl, 'level=2')
    const attacker = new UserAgent()
    const hop = await attacker.request(callback, { headers: { accept: 'application/json' } })
    assert.equal(errorCode(hop), 'ERR_SPID_STATE_MISMATCH')
    await assertNoSession(attacker, env.stack)
  })

  it('refuses an iss that is not the OP the login was sent to (ERR_SPID_ISSUER_MISMATCH, rule R1)', async () => {
    const ua = new UserAgent()
    const callback = new URL(await loginUntilCallback(ua, env.stack.appUrl, 'level=2'))
    assert.equal(callback.searchParams.get('iss'), env.proxy.url, 'the OP sends iss (RFC 9207)')
    callback.searchParams.set('iss', 'https://evil-op.example')
    const mark = env.proxy.seen.length
    const hop = await ua.request(callback.href, { headers: { accept: 'application/json' } })
    assert.equal(hop.status, 400)
    assert.equal(errorCode(hop), 'ERR_SPID_ISSUER_MISMATCH')
    assert.equal(env.proxy.seen.slice(mark).filter((r) => r.path === '/token').length, 0, 'the code never reaches the token endpoint')
    await assertNoSession(ua, env.stack)
  })

  it('refuses a callback without the iss this OP says it sends (ERR_SPID_ISSUER_MISMATCH, RFC 9207)', async () => {
    const ua = new UserAgent()
    const callback = new URL(await loginUntilCallback(ua, env.stack.appUrl, 'level=2'))
    callback.searchParams.delete('iss')
    const hop = await ua.request(callback.href, { headers: { accept: 'application/json' } })
    assert.equal(errorCode(hop), 'ERR_SPID_ISSUER_MISMATCH')
    await assertNoSession(ua, env.stack)
  })

  it('consumes the transaction at the first callback: the same state never completes a login twice', async () => {
    const ua = new UserAgent()
    const genuine = new URL(await loginUntilCallback(ua, env.stack.appUrl, 'level=2'))
    // First use fails after the state was taken (the OP refuses a garbage code)...
    const broken = new URL(genuine)
    broken.searchParams.set('code', 'garbage-code')
    assert.equal(errorCode(await ua.request(broken.href, { headers: { accept: 'application/json' } })), 'ERR_SPID_TOKEN_REJECTED')
    // ...so the genuine callback with the same state, in the same session, is refused too.
    const second = await ua.request(genuine.href, { headers: { accept: 'application/json' } })
    assert.equal(errorCode(second), 'ERR_SPID_STATE_MISMATCH')
    await assertNoSession(ua, env.stack)
  })

  it('refuses a replayed authorization code under a fresh state (ERR_SPID_TOKEN_REJECTED)', async () => {
    const ua = new UserAgent()
    const used = new URL(await loginUntilCallback(ua, env.stack.appUrl, 'level=2'))
    assert.equal((await ua.request(used.href, { headers: { accept: 'application/json' } })).status, 302)
    // A second login in the same browser gives a valid pending state; pair it with the spent code.
    const fresh = new URL(await loginUntilCallback(ua, env.stack.appUrl, 'level=2'))
    fresh.searchParams.set('code', used.searchParams.get('code') as string)
    const hop = await ua.request(fresh.href, { headers: { accept: 'application/json' } })
    assert.equal(errorCode(hop), 'ERR_SPID_TOKEN_REJECTED')
  })

  it('refuses an ID token whose nonce is not the one sent (ERR_SPID_NONCE_MISMATCH, rule I2)', async () => {
    rewriteIdToken((claims) => {
      claims.nonce = 'N'.repeat(48)
    })
    const ua = new UserAgent()
    const hop = await login(ua, env.stack.appUrl, 'level=2')
    assert.equal(hop.status, 502)
    assert.equal(errorCode(hop), 'ERR_SPID_NONCE_MISMATCH')
    await assertNoSession(ua, env.stack)
  })

  it('refuses an acr lower than the level asked for (ERR_SPID_ACR_TOO_LOW, rule I4)', async () => {
    const ua = new UserAgent()
    // The tester tells the real OP that only SpidL1 was reached, for a SpidL2 request.
    const hop = await login(ua, env.stack.appUrl, 'level=2', { reached: 1 })
    assert.equal(hop.status, 401)
    assert.equal(errorCode(hop), 'ERR_SPID_ACR_TOO_LOW')
    await assertNoSession(ua, env.stack)
  })

  it('offers a browser whose login came back below the level a retry at that level, at the same OP and back to the same page', async () => {
    const ua = new UserAgent()
    const callback = await loginUntilCallback(ua, env.stack.appUrl, 'level=2&returnTo=%2Flevel2', { reached: 1 })
    const page = await ua.request(callback, { headers: { accept: 'text/html' } })
    assert.equal(page.status, 401)
    const retry = /<a class="btn btn-primary" href="([^"]+)">Riprova al livello 2<\/a>/.exec(page.body)?.[1]
    assert.ok(retry, page.body)
    const url = new URL(retry.replaceAll('&amp;', '&'), env.stack.appUrl)
    assert.equal(url.pathname, '/auth/spid')
    assert.deepEqual(Object.fromEntries(url.searchParams), { level: '2', returnTo: '/level2', idp: env.stack.op.issuer })
    await assertNoSession(ua, env.stack)
  })

  it('accepts an acr higher than asked (rule I4: higher is fine)', async () => {
    const ua = new UserAgent()
    const hop = await login(ua, env.stack.appUrl, 'level=1', { reached: 3 })
    assert.equal(hop.status, 302, hop.body)
    assert.equal((await me(ua, env.stack.appUrl)).acr, 'https://www.spid.gov.it/SpidL3')
  })

  for (const [what, change, expected] of [
    [
      'an acr of "3" instead of the level URI',
      (c: Record<string, unknown>) => {
        c.acr = '3'
      },
      'ERR_SPID_ACR_MISSING',
    ],
    [
      'an auth_time in the future',
      (c: Record<string, unknown>) => {
        c.auth_time = Math.floor(Date.now() / 1000) + 3600
      },
      'ERR_SPID_AUTH_TIME_INVALID',
    ],
    [
      'an azp naming another client',
      (c: Record<string, unknown>) => {
        c.azp = 'https://another-rp.example.it'
      },
      'ERR_SPID_AZP_MISMATCH',
    ],
  ] as const) {
    it(`refuses an ID token with ${what} (${expected})`, async () => {
      rewriteIdToken(change)
      const ua = new UserAgent()
      const hop = await login(ua, env.stack.appUrl, 'level=2')
      assert.equal(hop.status, 502)
      assert.equal(errorCode(hop), expected)
      await assertNoSession(ua, env.stack)
    })
  }

  it('keeps the earlier of auth_time and iat as the authentication time', async () => {
    const hourAgo = Math.floor(Date.now() / 1000) - 3600
    rewriteIdToken((c) => {
      c.auth_time = hourAgo
    })
    const ua = new UserAgent()
    assert.equal((await login(ua, env.stack.appUrl, 'level=1')).status, 302)
    assert.equal((await me(ua, env.stack.appUrl)).authTime, hourAgo)
  })

  it('refuses an ID token signed with another key (ERR_SPID_ID_TOKEN_INVALID, rule I1)', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const foreign = (await importJWK({ ...(privateKey.export({ format: 'jwk' }) as JWK) }, 'RS256')) as CryptoKey
    rewriteIdToken(() => {}, foreign)
    const ua = new UserAgent()
    const hop = await login(ua, env.stack.appUrl, 'level=2')
    assert.equal(hop.status, 502)
    assert.equal(errorCode(hop), 'ERR_SPID_ID_TOKEN_INVALID')
    await assertNoSession(ua, env.stack)
  })

  it('refuses an ID token whose at_hash does not match the access token (ERR_SPID_AT_HASH_MISMATCH, rule I3)', async () => {
    rewriteIdToken((claims) => {
      claims.at_hash = 'AAAAAAAAAAAAAAAAAAAAAA'
    })
    const ua = new UserAgent()
    const hop = await login(ua, env.stack.appUrl, 'level=2')
    assert.equal(errorCode(hop), 'ERR_SPID_AT_HASH_MISMATCH')
    await assertNoSession(ua, env.stack)
  })

  it('refuses an ID token with alg none (rule I1)', async () => {
    env.proxy.rewrite('/token', (response) => {
      const body = JSON.parse(response.body)
      const [, payload] = body.id_token.split('.')
      body.id_token = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`
      return { ...response, body: JSON.stringify(body) }
    })
    const ua = new UserAgent()
    const hop = await login(ua, env.stack.appUrl, 'level=2')
    assert.equal(hop.status, 502)
    assert.match(errorCode(hop), /^ERR_SPID_ID_TOKEN_INVALID$/)
    await assertNoSession(ua, env.stack)
  })

  it('refuses UserInfo sent as plain JSON (ERR_SPID_USERINFO_INVALID, rule U2)', async () => {
    env.proxy.rewrite('/me', (response) => ({
      status: 200,
      headers: { ...response.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'whoever', given_name: 'Mallory' }),
    }))
    const ua = new UserAgent()
    const hop = await login(ua, env.stack.appUrl, 'level=2')
    assert.equal(hop.status, 502)
    assert.equal(errorCode(hop), 'ERR_SPID_USERINFO_INVALID')
    await assertNoSession(ua, env.stack)
  })

  it('refuses UserInfo signed but not encrypted (rule U2)', async () => {
    env.proxy.rewrite('/me', async (response) => ({
      status: 200,
      headers: { ...response.headers, 'content-type': 'application/jwt' },
      body: await new SignJWT({ sub: 'x' })
        .setProtectedHeader({ alg: 'RS256', kid: env.stack.op.signingKey.kid as string })
        .setIssuer(env.proxy.url)
        .setAudience(env.stack.appUrl)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(env.opKey),
    }))
    const ua = new UserAgent()
    const hop = await login(ua, env.stack.appUrl, 'level=2')
    assert.equal(errorCode(hop), 'ERR_SPID_USERINFO_INVALID')
    await assertNoSession(ua, env.stack)
  })

  it('refuses UserInfo about another subject (ERR_SPID_USERINFO_SUBJECT_MISMATCH, rule U3)', async () => {
    const rpEncryptionKey = createPublicKey({ key: env.stack.keys.encryption as never, format: 'jwk' })
    env.proxy.rewrite('/me', async (response) => {
      const signed = await new SignJWT({ sub: 'someone-else', given_name: 'Mallory', jti: randomUUID() })
        .setProtectedHeader({ alg: 'RS256', kid: env.stack.op.signingKey.kid as string })
        .setIssuer(env.proxy.url)
        .setAudience(env.stack.appUrl)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(env.opKey)
      const encrypted = await new CompactEncrypt(new TextEncoder().encode(signed))
        .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256CBC-HS512', cty: 'JWT', kid: env.stack.keys.encryption.kid })
        .encrypt(rpEncryptionKey)
      return { status: 200, headers: { ...response.headers, 'content-type': 'application/jwt' }, body: encrypted }
    })
    const ua = new UserAgent()
    const hop = await login(ua, env.stack.appUrl, 'level=2')
    assert.equal(hop.status, 502)
    assert.equal(errorCode(hop), 'ERR_SPID_USERINFO_SUBJECT_MISMATCH')
    await assertNoSession(ua, env.stack)
  })

  it('turns a cancelled login at the OP into a failure with no session (rule R2)', async () => {
    const ua = new UserAgent()
    const callback = new URL(await loginUntilCallback(ua, env.stack.appUrl, 'level=2', { action: 'cancel' }))
    assert.equal(callback.searchParams.get('error'), 'access_denied')
    const hop = await ua.request(callback.href)
    assert.equal(hop.status, 302)
    const page = await ua.request(hop.location as string)
    assert.equal(page.status, 401)
    assert.match(page.body, /<h1 class="h3">Accesso annullato<\/h1>/)
    await assertNoSession(ua, env.stack)
  })

  it('never logs the authorization code, tokens or the fiscal number', async () => {
    const ua = new UserAgent()
    const callback = new URL(await loginUntilCallback(ua, env.stack.appUrl, 'level=2'))
    await ua.request(callback.href)
    const logged = JSON.stringify(env.stack.logger.lines)
    assert.ok(logged.includes('login.succeeded'), 'the login was logged')
    assert.ok(!logged.includes(callback.searchParams.get('code') as string), 'code not logged')
    assert.ok(!logged.includes('LVLDAA85T50G702B'), 'fiscal number not logged')
    assert.ok(!/eyJ[\w-]{10,}\./.test(logged), 'no JWT logged')
  })
})
