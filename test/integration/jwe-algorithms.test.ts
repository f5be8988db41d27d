/**
 * JWE algorithms by the SPID/CIE rules, not by the registration (rules U3, I5, F9): real OPs
 * (AgID's check-rp, the Django OP) encrypt with a listed pair other than the registered one. The
 * test OP is told which pair to use, as those OPs choose theirs; pairs no real OP should use
 * (RSA1_5, `dir`, AES-GCM) are forged through the tampering proxy, since oidc-provider will not
 * produce them for this client.
 */
import assert from 'node:assert/strict'
import { createPublicKey, generateKeyPairSync } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { CompactEncrypt, compactDecrypt, decodeProtectedHeader } from 'jose'
import { generateDevKeys, type SpidStrategyOptions } from '../../src/index.ts'
import type { ForcedEncryption } from '../../src/test-op/index.ts'
import { login, me } from '../fixtures/login.ts'
import { startStack, type Stack } from '../fixtures/stack.ts'
import { startTamperingProxy } from '../fixtures/tampering-proxy.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

type Proxy = Awaited<ReturnType<typeof startTamperingProxy>>

const ecKey = () => ({ ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kty: 'EC' })

/** A stack behind the tampering proxy, so tests can see (and forge) the JWE headers on the wire. */
async function stackBehindProxy(op: { profile?: 'spid' | 'cie'; encryption?: ForcedEncryption }, strategy: Partial<SpidStrategyOptions> = {}) {
  const proxy = await startTamperingProxy()
  const profile = op.profile ?? 'spid'
  const stack = await startStack({
    op: { issuer: proxy.url, ...op },
    app: { strategy: { providers: [{ issuer: proxy.url, id: 'op', profile }], ...strategy } },
  })
  proxy.forwardTo(stack.op.server)
  return { stack, proxy }
}

const warnings = (stack: Stack) => stack.logger.lines.filter((l) => (l.obj as { event?: string }).event === 'interop.jwe_algorithms_differ')
const failure = (stack: Stack) => stack.logger.lines.findLast((l) => (l.obj as { event?: string }).event === 'login.failed')

/** Records the protected header of each UserInfo JWE on its way to the RP. */
function recordUserinfoHeaders(proxy: Proxy): Record<string, unknown>[] {
  const headers: Record<string, unknown>[] = []
  proxy.rewrite('/me', (response) => {
    if (response.status === 200) headers.push(decodeProtectedHeader(response.body))
    return response
  })
  return headers
}

describe('SPID, RSA encryption key: UserInfo with each listed pair the OP may choose', () => {
  for (const [alg, enc] of [
    ['RSA-OAEP', 'A128CBC-HS256'],
    ['RSA-OAEP', 'A256CBC-HS512'],
    ['RSA-OAEP-256', 'A128CBC-HS256'],
    ['RSA-OAEP-256', 'A256CBC-HS512'],
  ] as const) {
    const registered = alg === 'RSA-OAEP-256' && enc === 'A256CBC-HS512'
    it(`logs in when the OP encrypts with ${alg} / ${enc}${registered ? ' (the registered pair: no warning)' : ', with exactly one warning over three logins'}`, async () => {
      const { stack, proxy } = await stackBehindProxy({ encryption: { alg, enc } })
      try {
        const seen = recordUserinfoHeaders(proxy)
        for (let i = 0; i < 3; i++) {
          const ua = new UserAgent()
          const done = await login(ua, stack.appUrl, 'level=2')
          assert.equal(done.status, 302, done.body.slice(0, 300))
          assert.equal((await me(ua, stack.appUrl)).authenticated, true)
        }
        assert.deepEqual(
          seen.map((h) => [h.alg, h.enc]),
          Array(3).fill([alg, enc]),
          'the OP used the pair it was told to',
        )
        const logged = warnings(stack)
        assert.equal(logged.length, registered ? 0 : 1, JSON.stringify(logged))
        if (!registered) {
          assert.deepEqual(
            { ...(logged[0]?.obj as object) },
            {
              event: 'interop.jwe_algorithms_differ',
              issuer: proxy.url,
              what: 'UserInfo',
              alg,
              enc,
              registered_alg: 'RSA-OAEP-256',
              registered_enc: 'A256CBC-HS512',
            },
          )
        }
      } finally {
        await stack.close()
        await proxy.close()
      }
    })
  }
})

describe('CIE, encrypted ID tokens and UserInfo with another listed pair than registered', () => {
  for (const [name, key, registeredAlg, forced] of [
    ['EC key, ECDH-ES+A128KW / A128CBC-HS256', ecKey(), 'ECDH-ES', { alg: 'ECDH-ES+A128KW', enc: 'A128CBC-HS256' }],
    ['EC key, ECDH-ES+A256KW / A256CBC-HS512', ecKey(), 'ECDH-ES', { alg: 'ECDH-ES+A256KW', enc: 'A256CBC-HS512' }],
    ['RSA key, RSA-OAEP / A256CBC-HS512 (the Django OP)', undefined, 'RSA-OAEP-256', { alg: 'RSA-OAEP', enc: 'A256CBC-HS512' }],
  ] as const) {
    it(`${name}: both decrypt, one warning for the OP and pair over two logins`, async () => {
      const keys = generateDevKeys()
      const encryption = { alg: registeredAlg, enc: 'A256CBC-HS512' } as const
      const { stack, proxy } = await stackBehindProxy(
        { profile: 'cie', encryption: forced },
        { ...(key ? { keys: { ...keys, encryption: key } } : { keys }), userinfoEncryption: encryption, idTokenEncryption: encryption },
      )
      try {
        const idTokenHeaders: Record<string, unknown>[] = []
        proxy.rewrite('/token', (response) => {
          if (response.status === 200) idTokenHeaders.push(decodeProtectedHeader(JSON.parse(response.body).id_token))
          return response
        })
        const userinfoHeaders = recordUserinfoHeaders(proxy)
        for (let i = 0; i < 2; i++) {
          const ua = new UserAgent()
          const done = await login(ua, stack.appUrl, 'level=2')
          assert.equal(done.status, 302, done.body.slice(0, 300))
          assert.equal((await me(ua, stack.appUrl)).authenticated, true)
        }
        assert.deepEqual([idTokenHeaders[0]?.alg, idTokenHeaders[0]?.enc], [forced.alg, forced.enc], 'the ID token JWE used the forced pair')
        assert.deepEqual([userinfoHeaders[0]?.alg, userinfoHeaders[0]?.enc], [forced.alg, forced.enc], 'the UserInfo JWE used the forced pair')
        const logged = warnings(stack)
        assert.equal(logged.length, 1, JSON.stringify(logged))
        assert.equal((logged[0]?.obj as { alg?: string } | undefined)?.alg, forced.alg)
      } finally {
        await stack.close()
        await proxy.close()
      }
    })
  }
})

describe("jweAlgorithms: 'registered' refuses a listed but unregistered pair", () => {
  it('UserInfo: refused, naming the pair used and the registered one', async () => {
    const { stack, proxy } = await stackBehindProxy({ encryption: { alg: 'RSA-OAEP', enc: 'A128CBC-HS256' } }, { jweAlgorithms: 'registered' })
    try {
      const ua = new UserAgent()
      const done = await login(ua, stack.appUrl, 'level=2')
      assert.equal(done.status, 502, done.body.slice(0, 300))
      assert.equal(JSON.parse(done.body).code, 'ERR_SPID_USERINFO_INVALID')
      assert.equal(
        failure(stack)?.msg,
        'UserInfo JWE uses alg "RSA-OAEP" and enc "A128CBC-HS256"; allowed by the registration (jweAlgorithms: registered): alg RSA-OAEP-256 with enc A256CBC-HS512',
      )
      assert.equal(warnings(stack).length, 0)
    } finally {
      await stack.close()
      await proxy.close()
    }
  })

  it('CIE ID token: refused before decryption, naming the pair', async () => {
    const encryption = { alg: 'RSA-OAEP-256', enc: 'A256CBC-HS512' } as const
    const { stack, proxy } = await stackBehindProxy(
      { profile: 'cie', encryption: { alg: 'RSA-OAEP' } },
      { jweAlgorithms: 'registered', userinfoEncryption: encryption, idTokenEncryption: encryption },
    )
    try {
      const ua = new UserAgent()
      const done = await login(ua, stack.appUrl, 'level=2')
      assert.equal(done.status, 502, done.body.slice(0, 300))
      assert.equal(JSON.parse(done.body).code, 'ERR_SPID_ID_TOKEN_INVALID')
      assert.match(String(failure(stack)?.msg), /^ID token JWE uses alg "RSA-OAEP" and enc "A256CBC-HS512"; allowed by the registration/)
    } finally {
      await stack.close()
      await proxy.close()
    }
  })
})

describe('pairs outside the rules are refused with the algorithm named', () => {
  let stack: Stack
  let proxy: Proxy
  before(async () => {
    ;({ stack, proxy } = await stackBehindProxy(
      { profile: 'cie' },
      {
        userinfoEncryption: { alg: 'RSA-OAEP-256', enc: 'A256CBC-HS512' },
        idTokenEncryption: { alg: 'RSA-OAEP-256', enc: 'A256CBC-HS512' },
      },
    ))
  })
  after(async () => {
    await stack.close()
    await proxy.close()
  })

  const rpKey = () => stack.app.strategy.options.keys.encryption
  /** The same plaintext, encrypted again as a misbehaving OP would. */
  async function reencrypt(jwe: string, alg: string, enc: string): Promise<string> {
    const { plaintext } = await compactDecrypt(jwe, rpKey().privateKey)
    return new CompactEncrypt(plaintext).setProtectedHeader({ alg, enc, cty: 'JWT', kid: rpKey().kid }).encrypt(createPublicKey(rpKey().privateKey))
  }
  /** A JWE header jose will not produce (RSA1_5): the refusal must come from the header alone. */
  const forgedHeader = (alg: string, enc: string) =>
    `${Buffer.from(JSON.stringify({ alg, enc, cty: 'JWT', kid: rpKey().kid })).toString('base64url')}.AAAA.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA`

  const allowedRsa = 'allowed by the SPID/CIE rules for this key type (rules U3, F9): alg RSA-OAEP, RSA-OAEP-256 with enc A128CBC-HS256, A256CBC-HS512'

  for (const [name, forge, alg, enc] of [
    ['RSA1_5', async () => forgedHeader('RSA1_5', 'A128CBC-HS256'), 'RSA1_5', 'A128CBC-HS256'],
    ['dir', async () => forgedHeader('dir', 'A128CBC-HS256'), 'dir', 'A128CBC-HS256'],
    ['A128GCM', async (jwe: string) => reencrypt(jwe, 'RSA-OAEP-256', 'A128GCM'), 'RSA-OAEP-256', 'A128GCM'],
  ] as const) {
    it(`UserInfo with ${name}: ERR_SPID_USERINFO_INVALID naming ${alg} / ${enc} and the allowed list`, async () => {
      proxy.rewrite('/me', async (response) => (response.status === 200 ? { ...response, body: await forge(response.body) } : response))
      try {
        const done = await login(new UserAgent(), stack.appUrl, 'level=2')
        assert.equal(done.status, 502, done.body.slice(0, 300))
        assert.equal(JSON.parse(done.body).code, 'ERR_SPID_USERINFO_INVALID')
        assert.equal(failure(stack)?.msg, `UserInfo JWE uses alg "${alg}" and enc "${enc}"; ${allowedRsa}`)
      } finally {
        proxy.rewrite('/me', undefined)
      }
    })
  }

  it('ID token with A128GCM: ERR_SPID_ID_TOKEN_INVALID naming it', async () => {
    proxy.rewrite('/token', async (response) => {
      if (response.status !== 200) return response
      const body = JSON.parse(response.body)
      body.id_token = await reencrypt(body.id_token, 'RSA-OAEP-256', 'A128GCM')
      return { ...response, body: JSON.stringify(body) }
    })
    try {
      const done = await login(new UserAgent(), stack.appUrl, 'level=2')
      assert.equal(done.status, 502, done.body.slice(0, 300))
      assert.equal(JSON.parse(done.body).code, 'ERR_SPID_ID_TOKEN_INVALID')
      assert.equal(failure(stack)?.msg, `ID token JWE uses alg "RSA-OAEP-256" and enc "A128GCM"; ${allowedRsa}`)
    } finally {
      proxy.rewrite('/token', undefined)
    }
  })

  /** The last byte of the authentication tag flipped: a listed pair, the right key, a JWE that does not decrypt. */
  const tampered = (jwe: string) => {
    const parts = jwe.split('.')
    const tag = Buffer.from(parts[4] as string, 'base64url')
    tag[tag.length - 1] = (tag[tag.length - 1] as number) ^ 1
    return [...parts.slice(0, 4), tag.toString('base64url')].join('.')
  }

  it('a UserInfo JWE that does not decrypt: names the pair, the kid and what failed', async () => {
    proxy.rewrite('/me', (response) => (response.status === 200 ? { ...response, body: tampered(response.body) } : response))
    try {
      const done = await login(new UserAgent(), stack.appUrl, 'level=2')
      assert.equal(JSON.parse(done.body).code, 'ERR_SPID_USERINFO_INVALID')
      assert.match(
        String(failure(stack)?.msg),
        new RegExp(`^UserInfo JWE \\(alg RSA-OAEP-256, enc A256CBC-HS512, kid ${rpKey().kid}\\) could not be decrypted with the RP encryption key: .+`),
      )
    } finally {
      proxy.rewrite('/me', undefined)
    }
  })

  it('an ID token JWE that does not decrypt: ERR_SPID_ID_TOKEN_INVALID saying so', async () => {
    proxy.rewrite('/token', (response) => {
      if (response.status !== 200) return response
      const body = JSON.parse(response.body)
      body.id_token = tampered(body.id_token)
      return { ...response, body: JSON.stringify(body) }
    })
    try {
      const done = await login(new UserAgent(), stack.appUrl, 'level=2')
      assert.equal(JSON.parse(done.body).code, 'ERR_SPID_ID_TOKEN_INVALID')
      assert.match(String(failure(stack)?.msg), /^ID token JWE could not be decrypted with the RP encryption key: .+/)
    } finally {
      proxy.rewrite('/token', undefined)
    }
  })

  it('a UserInfo JWE to a kid the RP does not have: refused naming that kid and the RP kids', async () => {
    proxy.rewrite('/me', async (response) => {
      if (response.status !== 200) return response
      const { plaintext } = await compactDecrypt(response.body, rpKey().privateKey)
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey
      return {
        ...response,
        body: await new CompactEncrypt(plaintext)
          .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256CBC-HS512', cty: 'JWT', kid: 'someone-else' })
          .encrypt(other),
      }
    })
    try {
      const done = await login(new UserAgent(), stack.appUrl, 'level=2')
      assert.equal(JSON.parse(done.body).code, 'ERR_SPID_USERINFO_INVALID')
      assert.equal(failure(stack)?.msg, `UserInfo JWE is encrypted to kid "someone-else", which is not an RP encryption key (kid "${rpKey().kid}")`)
    } finally {
      proxy.rewrite('/me', undefined)
    }
  })
})
