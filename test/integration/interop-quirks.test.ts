/**
 * The quirks of the real peers (AgID's spid-oidc-check-rp 1.3.3 and the italia/spid-cie-oidc-django
 * OP), reproduced by the bundled test OP (`quirks`), one row each: whether the library logs in
 * (and with which warning) or refuses (with which code and message), and the rule behind it. The
 * README "Interoperability" table is this table.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { SpidStrategyOptions } from '../../src/index.ts'
import { startTestTrustAnchor, type QuirkProfile, type TestOpQuirk } from '../../src/test-op/index.ts'
import { loginUntilCallback, me } from '../fixtures/login.ts'
import { startStack, type Stack } from '../fixtures/stack.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

type Outcome = { logsIn: true; warnings: string[] } | { logsIn: false; code: string; message: string | RegExp; warnings?: string[] }

interface Row {
  quirk: TestOpQuirk | QuirkProfile
  peer: 'check-rp' | 'django'
  strategy?: Partial<SpidStrategyOptions>
  query?: string
  outcome: Outcome
  rule: string
}

const TABLE: Row[] = [
  {
    quirk: 'entity-configuration-without-typ',
    peer: 'check-rp',
    outcome: {
      logsIn: false,
      code: 'ERR_SPID_METADATA_INVALID',
      message: /entity configuration is not a valid self-signed entity statement: header typ is \(none\), expected "entity-statement\+jwt"/,
    },
    rule: 'F1: an entity configuration has typ entity-statement+jwt',
  },
  {
    quirk: 'entity-configuration-without-typ',
    peer: 'check-rp',
    strategy: { acceptCheckRpQuirks: true },
    outcome: { logsIn: true, warnings: ['interop.check_rp_quirk'] },
    rule: 'F1, relaxed by acceptCheckRpQuirks (certification only, refused in production)',
  },
  {
    quirk: 'userinfo-json-quoted',
    peer: 'check-rp',
    outcome: {
      logsIn: false,
      code: 'ERR_SPID_USERINFO_INVALID',
      message: 'UserInfo is a JSON-quoted string, not a compact JWE (rule U2; acceptCheckRpQuirks accepts it, for AgID check-rp only)',
    },
    rule: 'U2: the body is a compact JWE',
  },
  {
    quirk: 'userinfo-json-quoted',
    peer: 'check-rp',
    strategy: { acceptCheckRpQuirks: true },
    outcome: { logsIn: true, warnings: ['interop.check_rp_quirk'] },
    rule: 'U2, relaxed by acceptCheckRpQuirks',
  },
  {
    quirk: 'jwe-enc-a128cbc-hs256',
    peer: 'check-rp',
    outcome: { logsIn: true, warnings: ['interop.jwe_algorithms_differ'] },
    rule: 'U3: A128CBC-HS256 is a listed enc; the inner JWS proves the sender',
  },
  {
    quirk: 'check-rp',
    peer: 'check-rp',
    outcome: {
      logsIn: false,
      code: 'ERR_SPID_METADATA_INVALID',
      message: /entity configuration is not a valid self-signed entity statement: header typ is \(none\), expected "entity-statement\+jwt"/,
    },
    rule: 'F1 (the first quirk met)',
  },
  {
    quirk: 'check-rp',
    peer: 'check-rp',
    strategy: { acceptCheckRpQuirks: true },
    outcome: { logsIn: true, warnings: ['interop.check_rp_quirk', 'interop.jwe_algorithms_differ'] },
    rule: 'F1, U2 relaxed by acceptCheckRpQuirks; U3',
  },
  {
    quirk: 'jwe-alg-rsa-oaep',
    peer: 'django',
    outcome: { logsIn: true, warnings: ['interop.jwe_algorithms_differ'] },
    rule: 'U3: RSA-OAEP is a listed alg for an RSA key',
  },
  {
    quirk: 'userinfo-without-protocol-claims',
    peer: 'django',
    outcome: { logsIn: false, code: 'ERR_SPID_USERINFO_INVALID', message: 'UserInfo has no "iss" claim (rule U3: iss, sub, aud, exp, iat)' },
    rule: 'U3: the UserInfo JWS carries iss, aud, exp, iat, jti (the OP is wrong)',
  },
  {
    quirk: 'id-token-33-minutes',
    peer: 'django',
    outcome: { logsIn: true, warnings: [] },
    rule: 'T5 binds the OP (exp = iat + 5 min); the RP checks exp is in the future (I2)',
  },
  {
    quirk: 'last-acr-value',
    peer: 'django',
    outcome: { logsIn: true, warnings: [] },
    rule: 'A9: a login without offline asks one level, which is also the last',
  },
  {
    quirk: 'last-acr-value',
    peer: 'django',
    query: 'level=2&offline=1',
    outcome: {
      logsIn: false,
      code: 'ERR_SPID_ACR_TOO_LOW',
      message: /^OP authenticated at https:\/\/www.spid.gov.it\/SpidL1, below the https:\/\/www.spid.gov.it\/SpidL2 requested$/,
    },
    rule: 'I4, L1: "SpidL2 SpidL1" authenticated at SpidL1 makes no SpidL2 session; the error offers the retry without offline',
  },
  {
    quirk: 'django',
    peer: 'django',
    outcome: { logsIn: false, code: 'ERR_SPID_USERINFO_INVALID', message: 'UserInfo has no "iss" claim (rule U3: iss, sub, aud, exp, iat)' },
    rule: 'U3 (the UserInfo claims)',
  },
]

const interopWarnings = (stack: Stack) => [
  ...new Set(stack.logger.lines.map((l) => (l.obj as { event?: string }).event).filter((event): event is string => event?.startsWith('interop.') === true)),
]

/** A login at the app, answered as JSON: the callback's answer, or the refusal at its start. */
async function attempt(ua: UserAgent, stack: Stack, query: string) {
  const start = await ua.request(`${stack.appUrl}/auth/spid?${query}`, { headers: { accept: 'application/json' } })
  if (start.status !== 302) return start
  const callback = await loginUntilCallback(ua, stack.appUrl, query)
  return ua.request(callback, { headers: { accept: 'application/json' } })
}

describe('the test OP as the real peers: what the library does with each quirk', () => {
  for (const row of TABLE) {
    const options = row.strategy?.acceptCheckRpQuirks ? ' with acceptCheckRpQuirks' : ''
    const verdict = row.outcome.logsIn ? `logs in${row.outcome.warnings.length ? ` (${row.outcome.warnings.join(', ')})` : ''}` : `refuses: ${row.outcome.code}`
    it(`${row.peer} ${row.quirk}${options}${row.query ? ` (${row.query})` : ''}: ${verdict} [${row.rule}]`, async () => {
      const quirks = row.quirk === 'check-rp' || row.quirk === 'django' ? row.quirk : [row.quirk]
      const stack = await startStack({ op: { quirks }, ...(row.strategy ? { app: { strategy: row.strategy } } : {}) })
      try {
        const ua = new UserAgent()
        const mark = stack.logger.lines.length
        const hop = await attempt(ua, stack, row.query ?? 'level=2')
        if (row.outcome.logsIn) {
          assert.equal(hop.status, 302, hop.body.slice(0, 300))
          assert.equal((await me(ua, stack.appUrl)).authenticated, true)
          assert.deepEqual(interopWarnings(stack).sort(), [...row.outcome.warnings].sort())
          return
        }
        const body = JSON.parse(hop.body) as { code: string; login_url?: string; retry_without_offline?: boolean }
        assert.equal(body.code, row.outcome.code, hop.body.slice(0, 300))
        const failed = stack.logger.lines.slice(mark).find((l) => (l.obj as { event?: string }).event === 'login.failed')
        if (typeof row.outcome.message === 'string') assert.equal(failed?.msg, row.outcome.message)
        else assert.match(String(failed?.msg), row.outcome.message)
        assert.equal((await me(ua, stack.appUrl)).authenticated, false)
        if (row.outcome.code === 'ERR_SPID_ACR_TOO_LOW') {
          // The way forward: the same level at the same OP, without offline, which this OP honours.
          assert.equal(body.retry_without_offline, true)
          const retry = new URL(String(body.login_url), stack.appUrl)
          assert.equal(retry.searchParams.get('offline'), null)
          assert.equal(retry.searchParams.get('level'), '2')
          const again = await attempt(ua, stack, retry.searchParams.toString())
          assert.equal(again.status, 302, again.body.slice(0, 300))
          const who = await me(ua, stack.appUrl)
          assert.equal(who.authenticated, true)
        }
      } finally {
        await stack.close()
      }
    })
  }
})

/**
 * Django's anchor states its OPs' trust marks in its subordinate statements; the OPs' own entity
 * configurations carry none. Not an OP quirk but an anchor's: the test anchor states the mark so.
 */
describe('django: OP trust marks only in the anchor statement (trust-marks-in-anchor-only)', () => {
  for (const [required, outcome, rule] of [
    [false, 'logs in', 'F6: trust marks are checked only where requiredTrustMarks asks for them'],
    [true, 'refuses: ERR_SPID_TRUST_CHAIN_INVALID', "F6: requiredTrustMarks reads the OP's own entity configuration"],
  ] as const) {
    it(`${required ? 'with' : 'without'} requiredTrustMarks for OPs: ${outcome} [${rule}]`, async () => {
      const anchor = await startTestTrustAnchor()
      const stack = await startStack({
        op: { authorityHints: [anchor.entityId] },
        app: {
          strategy: {
            trustAnchors: [{ entityId: anchor.entityId, jwks: anchor.jwks }],
            ...(required ? { requiredTrustMarks: [anchor.opTrustMarkType] } : {}),
          },
        },
      })
      try {
        anchor.subordinate({
          entityId: stack.op.issuer,
          jwks: stack.op.federationJwks,
          trustMarks: [await anchor.issueTrustMark(stack.op.issuer, 3600, anchor.opTrustMarkType)],
        })
        const ua = new UserAgent()
        const mark = stack.logger.lines.length
        const hop = await attempt(ua, stack, `level=2&idp=${encodeURIComponent(stack.op.issuer)}`)
        if (!required) {
          assert.equal(hop.status, 302, hop.body.slice(0, 300))
          assert.equal((await me(ua, stack.appUrl)).authenticated, true)
          return
        }
        assert.equal(JSON.parse(hop.body).code, 'ERR_SPID_TRUST_CHAIN_INVALID', hop.body.slice(0, 300))
        const failed = stack.logger.lines.slice(mark).find((l) => (l.obj as { event?: string }).event === 'login.failed')
        assert.match(String(failed?.msg), new RegExp(`no valid trust mark of type ${anchor.opTrustMarkType.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`))
      } finally {
        await stack.close()
        await anchor.close()
      }
    })
  }
})
