/**
 * `acceptCheckRpQuirks`: AgID's RP conformance tool (spid-oidc-check-rp 1.3.3) serves its entity
 * configuration without the `typ` header and sends the UserInfo JWT JSON-quoted. The tampering
 * proxy in front of the real test OP reproduces exactly those two answers (re-signing the entity
 * configuration with the OP's own federation key), since oidc-provider never sends them.
 */
import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { after, before, beforeEach, describe, it } from 'node:test'
import { SignJWT, decodeJwt, decodeProtectedHeader, importJWK, type JWK } from 'jose'
import { SpidConfigError, generateDevKeys } from '../../src/index.ts'
import { resolveOptions } from '../../src/options/resolve-options.ts'
import { login } from '../fixtures/login.ts'
import { startStack, type Stack } from '../fixtures/stack.ts'
import { startTamperingProxy, type Rewrite } from '../fixtures/tampering-proxy.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

describe('acceptCheckRpQuirks (certification with AgID spid-oidc-check-rp)', () => {
  let proxy: Awaited<ReturnType<typeof startTamperingProxy>>
  let strict: Stack
  let lenient: Stack
  let opFederationKey: CryptoKey

  /** The OP's entity configuration signed again, with the header `header` (no typ by default). */
  const resignedConfiguration =
    (header: Record<string, unknown> = {}, key?: CryptoKey): Rewrite =>
    async (response) => {
      const kid = decodeProtectedHeader(response.body).kid as string
      const jwt = await new SignJWT(decodeJwt(response.body)).setProtectedHeader({ alg: 'RS256', kid, ...header }).sign(key ?? opFederationKey)
      return { ...response, body: jwt }
    }
  const quotedUserinfo: Rewrite = (response) => ({ ...response, body: JSON.stringify(response.body) })
  const quirks = (stack: Stack) =>
    stack.logger.lines.filter((l) => (l.obj as { event?: string }).event === 'interop.check_rp_quirk').map((l) => (l.obj as { quirk: string }).quirk)
  const start = (stack: Stack) => new UserAgent().request(`${stack.appUrl}/auth/spid?level=2`, { headers: { accept: 'application/json' } })
  const code = (hop: { body: string }) => (JSON.parse(hop.body) as { code?: string }).code

  before(async () => {
    proxy = await startTamperingProxy()
    // Metadata is read at every login here, so each test sees the answers it set up.
    strict = await startStack({ op: { issuer: proxy.url }, app: { strategy: { metadataTtl: 0 } } })
    proxy.forwardTo(strict.op.server)
    lenient = await startStack({ opIssuer: proxy.url, app: { strategy: { metadataTtl: 0, acceptCheckRpQuirks: true } } })
    opFederationKey = (await importJWK(strict.op.federationKey, 'RS256')) as CryptoKey
  })
  beforeEach(() => {
    proxy.rewrite('/.well-known/openid-federation', undefined)
    proxy.rewrite('/me', undefined)
    strict.logger.lines.length = 0
    lenient.logger.lines.length = 0
  })
  after(async () => {
    await strict.close()
    await lenient.close()
    await proxy.close()
  })

  it('off (the default): an entity configuration without typ is refused at login start', async () => {
    proxy.rewrite('/.well-known/openid-federation', resignedConfiguration())
    const hop = await start(strict)
    assert.equal(hop.status, 502, hop.body)
    assert.equal(code(hop), 'ERR_SPID_METADATA_INVALID')
  })

  it('off: a JSON-quoted UserInfo JWT is refused', async () => {
    proxy.rewrite('/me', quotedUserinfo)
    const hop = await login(new UserAgent(), strict.appUrl, 'level=2')
    assert.equal(hop.status, 502, hop.body)
    assert.equal(code(hop), 'ERR_SPID_USERINFO_INVALID')
  })

  it('on: logs in through both quirks, with a warning on every use', async () => {
    proxy.rewrite('/.well-known/openid-federation', resignedConfiguration())
    proxy.rewrite('/me', quotedUserinfo)
    for (let i = 0; i < 2; i++) assert.equal((await login(new UserAgent(), lenient.appUrl, 'level=2')).status, 302)
    const used = quirks(lenient)
    assert.equal(used.filter((q) => q === 'UserInfo JWT sent as a JSON-quoted string').length, 2)
    assert.ok(used.filter((q) => q === 'entity configuration without typ header').length >= 2)
  })

  it('on: every other check still applies (signature, another typ, a tampered UserInfo)', async () => {
    const foreign = (await importJWK(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) as JWK, 'RS256')) as CryptoKey
    proxy.rewrite('/.well-known/openid-federation', resignedConfiguration({}, foreign))
    assert.equal(code(await start(lenient)), 'ERR_SPID_METADATA_INVALID', 'untyped but signed by another key')
    proxy.rewrite('/.well-known/openid-federation', resignedConfiguration({ typ: 'JWT' }))
    assert.equal(code(await start(lenient)), 'ERR_SPID_METADATA_INVALID', 'a typ other than entity-statement+jwt')
    proxy.rewrite('/.well-known/openid-federation', undefined)
    proxy.rewrite('/me', (response) => {
      const parts = response.body.split('.')
      parts[3] = `${(parts[3] as string).slice(0, -4)}AAAA`
      return { ...response, body: JSON.stringify(parts.join('.')) }
    })
    const hop = await login(new UserAgent(), lenient.appUrl, 'level=2')
    assert.equal(code(hop), 'ERR_SPID_USERINFO_INVALID', 'quoted, but its ciphertext altered')
  })

  it('is refused in production', () => {
    const previous = process.env.NODE_ENV
    process.env.NODE_ENV = 'production'
    try {
      assert.throws(
        () => resolveOptions({ clientId: 'https://rp.example.it', keys: generateDevKeys(), providers: ['https://op.example.it'], acceptCheckRpQuirks: true }),
        (error: unknown) => error instanceof SpidConfigError && error.problems.some((p) => p.startsWith('acceptCheckRpQuirks: is for certification')),
      )
    } finally {
      if (previous === undefined) delete process.env.NODE_ENV
      else process.env.NODE_ENV = previous
    }
  })
})
