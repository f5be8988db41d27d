/**
 * OP key rollover: the test OP rolls its signing key mid-run, as real OPs do, and the RP must
 * follow without a restart or a cache expiry, while forged tokens stay refused. The tampering
 * proxy in front of the OP counts the metadata fetches and, for the forged cases, re-signs the
 * ID token (oidc-provider never signs with a key it does not have).
 */
import assert from 'node:assert/strict'
import { generateKeyPairSync, randomUUID } from 'node:crypto'
import { after, before, beforeEach, describe, it } from 'node:test'
import { importJWK, type JWK } from 'jose'
import { OpKeyReloads } from '../../src/protocol/op-keys.ts'
import { login } from '../fixtures/login.ts'
import { startStack, type Stack } from '../fixtures/stack.ts'
import { resignIdToken, startTamperingProxy } from '../fixtures/tampering-proxy.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

const realNow = () => Math.floor(Date.now() / 1000)

describe('OP key rollover', () => {
  let stack: Stack
  let proxy: Awaited<ReturnType<typeof startTamperingProxy>>
  let shift = 0
  const metadataFetches = () => proxy.seen.filter((r) => r.path === '/.well-known/openid-federation').length
  const events = (name: string) => stack.logger.lines.filter((l) => (l.obj as { event?: string }).event === name)
  const loginAnswer = async () => {
    const hop = await login(new UserAgent(), stack.appUrl, 'level=2')
    return { status: hop.status, code: hop.status === 302 ? undefined : (JSON.parse(hop.body) as { code?: string }).code }
  }
  const foreignKey = async () =>
    (await importJWK(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) as JWK, 'RS256')) as CryptoKey

  before(async () => {
    proxy = await startTamperingProxy()
    stack = await startStack({ op: { issuer: proxy.url } })
    proxy.forwardTo(stack.op.server)
    // The reload limiter's own clock, moved forward past its interval between tests.
    const { registry, options } = stack.app.strategy.runtime
    ;(stack.app.strategy.runtime as { opKeys: OpKeyReloads }).opKeys = new OpKeyReloads(registry, options.logger, { now: () => realNow() + shift })
  })
  beforeEach(() => {
    proxy.rewrite('/token', undefined)
    // Past any earlier test's reload interval.
    shift += 31
  })
  after(async () => {
    await stack.close()
    await proxy.close()
  })

  it('logs in after the OP rolled its signing key, with exactly one extra metadata fetch and no restart', async () => {
    assert.equal((await loginAnswer()).status, 302)
    const before = metadataFetches()
    const oldKid = stack.op.signingKey.kid
    const newKid = stack.op.rollSigningKey().kid
    assert.notEqual(newKid, oldKid)
    assert.equal((await loginAnswer()).status, 302, 'the first login after the roll succeeds')
    assert.equal(metadataFetches(), before + 1)
    assert.deepEqual(
      events('op.keys_reload').map((l) => (l.obj as { kid?: string }).kid),
      [newKid],
    )
    assert.equal((await loginAnswer()).status, 302)
    assert.equal(metadataFetches(), before + 1, 'no fetch once the new key is known')
  })

  it('still refuses a foreign key under the kid the OP publishes, without reloading', async () => {
    proxy.rewrite(
      '/token',
      resignIdToken(() => {}, await foreignKey()),
    )
    const before = metadataFetches()
    const answer = await loginAnswer()
    assert.deepEqual(answer, { status: 502, code: 'ERR_SPID_ID_TOKEN_INVALID' })
    assert.equal(metadataFetches(), before, 'a known kid is no reason to fetch')
  })

  it('fetches at most once per 30 s however many unknown kids arrive, and refuses them all', async () => {
    proxy.rewrite(
      '/token',
      resignIdToken(
        () => {},
        await foreignKey(),
        () => `made-up-${randomUUID()}`,
      ),
    )
    const before = metadataFetches()
    const answers = await Promise.all(Array.from({ length: 10 }, loginAnswer))
    for (const answer of answers) assert.deepEqual(answer, { status: 502, code: 'ERR_SPID_ID_TOKEN_INVALID' })
    for (let i = 0; i < 5; i++) assert.equal((await loginAnswer()).status, 502)
    assert.equal(metadataFetches(), before + 1, '15 unknown kids within the interval: one fetch')
    shift += 31
    assert.equal((await loginAnswer()).status, 502)
    assert.equal(metadataFetches(), before + 2, 'the next interval allows one more')
  })

  it('refuses a token under a new kid, cleanly, when the OP cannot be reached to reload its keys', async () => {
    stack.op.rollSigningKey()
    proxy.rewrite('/.well-known/openid-federation', (response) => ({ ...response, status: 503, body: 'down for maintenance' }))
    try {
      const answer = await loginAnswer()
      assert.deepEqual(answer, { status: 502, code: 'ERR_SPID_ID_TOKEN_INVALID' }, 'the cached keys stay in use, and do not verify')
      assert.equal(events('op.keys_reload_failed').length, 1)
    } finally {
      proxy.rewrite('/.well-known/openid-federation', undefined)
    }
  })
})
