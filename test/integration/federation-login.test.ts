/**
 * Federation mode end to end over real HTTP: a test trust anchor lists two real test OPs; the RP,
 * trusting only the anchor's pinned keys, discovers them, resolves their chains, applies the
 * anchor's policy, and logs in through each. Then what a cache must do: no federation request on
 * a warm login, re-resolution before expiry, the last chain kept while the anchor is down, and
 * no login once it has expired.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { FederationProviderRegistry } from '../../src/federation/federation-provider-registry.ts'
import type { AuditEvent } from '../../src/index.ts'
import { importJWK, jwtVerify } from 'jose'
import { startTestOp, type TestOp } from '../../src/test-op/index.ts'
import { login } from '../fixtures/login.ts'
import { type Stack, startStack } from '../fixtures/stack.ts'
import { startTamperingProxy } from '../fixtures/tampering-proxy.ts'
import { startTestFederation, type TestFederation } from '../fixtures/test-federation.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

const OP = 'openid_provider'

describe('federation mode: OPs trusted through a pinned trust anchor', () => {
  let fed: TestFederation
  let second: TestOp
  let stack: Stack
  let proxy: Awaited<ReturnType<typeof startTamperingProxy>>
  const audit: AuditEvent[] = []
  const realNow = () => Math.floor(Date.now() / 1000)
  let shift = 0

  before(async () => {
    fed = await startTestFederation()
    await fed.entity('ta')
    proxy = await startTamperingProxy()
    // The first OP is the stack's; the second runs beside it. Both name the anchor as superior.
    stack = await startStack({
      op: { authorityHints: [fed.id('ta')] },
      providers: () => [],
      app: {
        strategy: {
          trustAnchors: [{ entityId: fed.id('ta'), jwks: fed.jwksOf('ta') }],
          authorityHints: [fed.id('ta')],
          audit: { write: (event: AuditEvent) => void audit.push(event) },
        },
      },
    })
    second = await startTestOp({ authorityHints: [fed.id('ta')], name: 'Second test OP' })
    proxy.forwardTo(second.server)
    fed.external('op1', stack.op.issuer, stack.op.federationJwks)
    fed.external('op2', second.issuer, second.federationJwks)
    // The anchor's policy for OPs; for the second, its statement also sets the UserInfo endpoint
    // (to a proxy in front of that OP), which the RP must then call.
    const policy = { [OP]: { token_endpoint_auth_methods_supported: { superset_of: ['private_key_jwt'] } } }
    fed.statement('ta', 'op1', { metadata_policy: policy, lifetime: 120 })
    fed.statement('ta', 'op2', { metadata_policy: policy, metadata: { [OP]: { userinfo_endpoint: `${proxy.url}/me` } } })
    fed.listUnknown('https://unvouched-op.example.it')
    // The RP itself is a subordinate of the anchor too, which adds a contact to RPs' metadata.
    fed.external('rp', stack.appUrl, { keys: [stack.app.strategy.options.keys.federation.publicJwk] })
    fed.statement('ta', 'rp', { metadata_policy: { openid_relying_party: { contacts: { add: ['federation@registry.example.it'] } } } })
    stack.app.strategy.runtime.now = () => realNow() + shift
    await stack.app.strategy.providers.refresh?.()
  })
  after(async () => {
    await stack.close()
    await second.close()
    await proxy.close()
    await fed.close()
  })
  const registry = () => stack.app.strategy.providers as FederationProviderRegistry

  it('offers the OPs of the anchor’s list whose chain verifies, and reports the one that does not', () => {
    assert.deepEqual(
      stack.app.strategy.providers.list().map((p) => p.issuer),
      [stack.op.issuer, second.issuer],
    )
    assert.match(registry().refused.get('https://unvouched-op.example.it') ?? '', /unvouched-op\.example\.it/)
  })

  it('logs in through each OP, calling the endpoints of the policy-applied metadata', async () => {
    for (const op of [stack.op.issuer, second.issuer]) {
      const done = await login(new UserAgent(), stack.appUrl, `level=2&idp=${encodeURIComponent(op)}`)
      assert.equal(done.status, 302, `${op}: ${done.body.slice(0, 300)}`)
    }
    assert.equal(proxy.seen.filter((r) => r.path === '/me').length, 1, 'UserInfo of the second OP went through the endpoint its superior stated')
    const logins = audit.filter((e) => e.type === 'login.succeeded')
    assert.equal(logins.length, 2)
    for (const login of logins) assert.equal((login.trust_chain_hashes as string[]).length, 3, 'each login records the chain it relied on (rule G1)')
  })

  it('answers its resolve endpoint about itself: its chain to the anchor and its policy-applied metadata, signed', async () => {
    const url = `${stack.appUrl}/resolve?sub=${encodeURIComponent(stack.appUrl)}&trust_anchor=${encodeURIComponent(fed.id('ta'))}&entity_type=openid_relying_party`
    const answer = await fetch(url)
    assert.equal(answer.status, 200, await answer.clone().text())
    assert.equal(answer.headers.get('content-type')?.split(';')[0], 'application/resolve-response+jwt')
    const key = await importJWK(stack.app.strategy.options.keys.federation.publicJwk, 'RS256')
    const { payload, protectedHeader } = await jwtVerify(await answer.text(), key, { typ: 'resolve-response+jwt', issuer: stack.appUrl, subject: stack.appUrl })
    assert.equal(protectedHeader.kid, stack.app.strategy.options.keys.federation.kid)
    assert.equal((payload.trust_chain as string[]).length, 3)
    const rp = (payload.metadata as Record<string, Record<string, unknown>>).openid_relying_party as Record<string, unknown>
    assert.equal(rp.client_id, stack.appUrl)
    assert.ok((rp.contacts as string[]).includes('federation@registry.example.it'), 'the anchor’s policy is applied')
    assert.deepEqual(Object.keys(payload.metadata as object), ['openid_relying_party'], 'only the entity type asked for')
    const other = await fetch(
      `${stack.appUrl}/resolve?sub=${encodeURIComponent('https://someone-else.example.it')}&trust_anchor=${encodeURIComponent(fed.id('ta'))}`,
    )
    assert.deepEqual([other.status, (await other.json()).error], [404, 'not_found'])
    const unknownAnchor = await fetch(
      `${stack.appUrl}/resolve?sub=${encodeURIComponent(stack.appUrl)}&trust_anchor=${encodeURIComponent('https://other-anchor.example.it')}`,
    )
    assert.deepEqual([unknownAnchor.status, (await unknownAnchor.json()).error], [404, 'invalid_trust_anchor'])
    assert.equal((await fetch(`${stack.appUrl}/resolve`)).status, 400)
    // An anchor whose statement about the RP has expired: no resolve response, and the reason
    // (once the chain kept from the answer above is older than the endpoint's 300-second maxAge).
    fed.statement('ta', 'rp', { lifetime: -3600 })
    shift = 301
    const broken = await fetch(url)
    const body = await broken.json()
    assert.equal(broken.status, 502)
    assert.equal(body.error, 'server_error')
    assert.match(body.error_description, /statement of .* about .*: it has expired \(exp\)/)
    fed.statement('ta', 'rp', { metadata_policy: { openid_relying_party: { contacts: { add: ['federation@registry.example.it'] } } } })
    shift = 0
  })

  it('answers 200 resolve requests with a handful of federation requests, none to itself, and rate-limits the client', async () => {
    // A clock past the answers (and the failure) the test above left in the endpoint's memory,
    // stopped, so that all 200 requests fall in one rate-limit window however slow the machine.
    const runtime = stack.app.strategy.runtime
    const clock = runtime.now
    const frozen = realNow() + 1000
    runtime.now = () => frozen
    const real = runtime.federationFetch
    // A tap on the RP's own federation HTTP client (the real one underneath): every outbound request, to anyone.
    const outbound: string[] = []
    Object.assign(runtime, {
      federationFetch: (url: string, init?: Parameters<typeof real>[1]) => {
        outbound.push(url)
        return real(url, init)
      },
    })
    const atAnchor = fed.requests.length
    try {
      const url = `${stack.appUrl}/resolve?sub=${encodeURIComponent(stack.appUrl)}&trust_anchor=${encodeURIComponent(fed.id('ta'))}`
      const answers: Response[] = []
      for (let i = 0; i < 200; i++) answers.push(await fetch(url))
      const key = await importJWK(stack.app.strategy.options.keys.federation.publicJwk, 'RS256')
      const ok = answers.filter((a) => a.status === 200)
      assert.equal(ok.length, 30, 'the default: 30 a minute per client')
      for (const answer of ok) {
        const { payload } = await jwtVerify(await answer.text(), key, { typ: 'resolve-response+jwt', issuer: stack.appUrl, subject: stack.appUrl })
        assert.equal((payload.trust_chain as string[]).length, 3)
      }
      const limited = answers.filter((a) => a.status === 429)
      assert.equal(limited.length, 170)
      assert.ok(Number(limited[0]?.headers.get('retry-after')) > 0)
      assert.equal((await (limited[0] as Response).json()).error, 'temporarily_unavailable')
      assert.ok(outbound.length <= 2, `outbound federation requests: ${outbound.length} (${outbound.join(', ')})`)
      assert.deepEqual(
        outbound.filter((u) => u.startsWith(stack.appUrl)),
        [],
        'never its own entity configuration over its public URL',
      )
      assert.equal(fed.requests.length - atAnchor, outbound.length, 'what the anchor received')
    } finally {
      Object.assign(runtime, { federationFetch: real })
      runtime.now = clock
    }
  })

  it('makes no federation request on a warm login', async () => {
    const before = fed.requests.length
    assert.equal((await login(new UserAgent(), stack.appUrl, `level=2&idp=${encodeURIComponent(stack.op.issuer)}`)).status, 302)
    assert.deepEqual(fed.requests.slice(before), [])
  })

  it('follows an OP that rolls its signing key: its chain is resolved again once, and the next login succeeds', async () => {
    const resolvedBefore = audit.filter((e) => e.type === 'trust_chain.resolved' && e.iss === second.issuer).length
    const requestsBefore = fed.requests.length
    const newKid = second.rollSigningKey().kid
    const ua = new UserAgent()
    const done = await login(ua, stack.appUrl, `idp=${encodeURIComponent(second.issuer)}&level=2`)
    assert.equal(done.status, 302, done.body)
    const reloads = stack.logger.lines.filter((l) => (l.obj as { event?: string }).event === 'op.keys_reload')
    assert.deepEqual(
      reloads.map((l) => (l.obj as { kid?: string }).kid),
      [newKid],
    )
    assert.equal(audit.filter((e) => e.type === 'trust_chain.resolved' && e.iss === second.issuer).length, resolvedBefore + 1, 'one new chain')
    assert.ok(
      fed.requests.slice(requestsBefore).some((r) => r.includes('/fetch?sub=')),
      'through the anchor again, not from a cache',
    )
  })

  it('resolves a chain again before it expires', async () => {
    const before = fed.requests.length
    // Past the refresh time of the first OP's 120-second chain, before its exp. (The RP's clock is
    // moved, not the OP's, so this asks the registry directly rather than logging in.)
    shift = 110
    assert.equal((await registry().resolve(stack.op.issuer)).config.issuer, stack.op.issuer, 'the cached chain answers at once')
    // Wait for the subordinate statement itself: the anchor's entity configuration comes first, a few milliseconds earlier.
    const refetched = () => fed.requests.slice(before).some((r) => r.includes('/fetch?sub='))
    for (let i = 0; i < 50 && !refetched(); i++) await new Promise((r) => setTimeout(r, 20))
    assert.ok(
      fed.requests.slice(before).some((r) => r.includes('/fetch?sub=')),
      `the chain was fetched again: ${fed.requests.slice(before)}`,
    )
  })

  it('keeps the last valid chain while the anchor is down, and refuses the OP once it has expired', async () => {
    shift = 0
    await new Promise((r) => setTimeout(r, 100))
    fed.down()
    assert.equal((await login(new UserAgent(), stack.appUrl, `level=2&idp=${encodeURIComponent(stack.op.issuer)}`)).status, 302, 'cached chain in use')
    shift = 400 // past every exp of the first OP's chain
    const ua = new UserAgent()
    const refused = await ua.request(`${stack.appUrl}/auth/spid?level=2&idp=${encodeURIComponent(stack.op.issuer)}`, {
      headers: { accept: 'application/json' },
    })
    assert.ok(refused.status >= 500, `no login once the chain expired: ${refused.status} ${refused.body.slice(0, 200)}`)
    assert.match(JSON.parse(refused.body).code, /^ERR_SPID_(OP_UNAVAILABLE|TRUST_CHAIN_INVALID)$/)
  })
})
