/**
 * `npx passport-spid-oidc doctor`, run as a user runs it (the CLI in a child process) against a
 * real local federation: the shipped test trust anchor, test OPs under it, and example-app RPs
 * set up well or each with one onboarding mistake.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import type { JWK } from 'jose'
import { createExampleApp } from '../../example-app/app.ts'
import { exportPublicKeys, generateDevKeys, type DoctorReport, type SpidStrategyOptions } from '../../src/index.ts'
import { startTestOp, startTestTrustAnchor, type TestOp, type TestTrustAnchor } from '../../src/test-op/index.ts'
import { captureLogger, closeServer, listenLater } from '../fixtures/stack.ts'

const root = new URL('../../', import.meta.url).pathname

async function doctor(args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'doctor', ...args], { cwd: root })
    return { code: 0, stdout }
  } catch (error) {
    const failed = error as { code: number; stdout: string }
    return { code: failed.code, stdout: failed.stdout }
  }
}

describe('doctor', () => {
  let anchor: TestTrustAnchor
  const ops: TestOp[] = []
  const closers: (() => Promise<void>)[] = []

  /** An example-app RP under the anchor: registered and with a trust mark unless told otherwise. */
  async function startRp({
    register = true,
    trustMark = 'valid',
    strategy = {},
  }: {
    register?: boolean
    trustMark?: 'valid' | 'expired' | 'none'
    strategy?: Partial<SpidStrategyOptions>
  } = {}) {
    const listening = await listenLater()
    const keys = generateDevKeys()
    if (register) anchor.subordinate({ entityId: listening.url, jwks: exportPublicKeys(keys).federation as { keys: JWK[] }, openidProvider: false })
    const trustMarks = trustMark === 'none' ? [] : [await anchor.issueTrustMark(listening.url, trustMark === 'expired' ? -3600 : 86400)]
    const { app } = createExampleApp({
      baseUrl: listening.url,
      providers: [],
      keys,
      sessionSecret: 'test-session-secret-of-sufficient-length',
      logger: captureLogger(),
      strategy: { trustAnchors: [{ entityId: anchor.entityId, jwks: anchor.jwks }], authorityHints: [anchor.entityId], trustMarks, ...strategy },
    })
    listening.handle(app)
    closers.push(() => closeServer(listening.server))
    return listening.url
  }
  const run = async (rp: string, ...extra: string[]) => {
    const { code, stdout } = await doctor([rp, '--anchor', anchor.entityId, '--anchor-jwks', JSON.stringify(anchor.jwks), '--json', ...extra])
    return { code, report: JSON.parse(stdout) as DoctorReport }
  }
  const failures = (report: DoctorReport) => report.steps.filter((s) => s.status === 'fail')

  before(async () => {
    anchor = await startTestTrustAnchor()
    for (const name of ['SPID Test OP', 'Secondo OP di prova']) {
      const op = await startTestOp({ name, authorityHints: [anchor.entityId] })
      anchor.subordinate({ entityId: op.issuer, jwks: op.federationJwks })
      ops.push(op)
    }
  })
  after(async () => {
    for (const close of closers) await close()
    for (const op of ops) await op.close()
    await anchor.close()
  })

  it('passes every step of a healthy local federation, and exits 0', async () => {
    const { code, report } = await run(await startRp(), '--trust-mark-type', anchor.trustMarkType)
    assert.deepEqual(failures(report), [])
    assert.deepEqual(
      report.steps.map((s) => [s.name, s.status]),
      [
        ['entity id', 'pass'],
        ['entity configuration', 'pass'],
        ['authority_hints', 'pass'],
        ['federation_entity metadata', 'pass'],
        ['openid_relying_party metadata', 'pass'],
        ['keys', 'pass'],
        ['trust anchor', 'pass'],
        ['trust marks', 'pass'],
        ['relying party trust chain', 'pass'],
        ...ops.map((op) => [`OP ${op.issuer}`, 'pass']),
      ],
    )
    assert.equal(report.ok, true)
    assert.equal(code, 0)
  })

  it('names an empty authority_hints, and exits 1', async () => {
    const { code, report } = await run(await startRp({ strategy: { authorityHints: [] } }))
    assert.equal(code, 1)
    // The chain cannot be found without a superior to look under: the second failure follows from the first.
    assert.deepEqual(
      failures(report).map((s) => s.name),
      ['authority_hints', 'relying party trust chain'],
    )
    assert.match(failures(report)[0]?.detail ?? '', /authority_hints is empty: name the federation superior .*\(strategy option authorityHints\)/)
  })

  it('names a missing federation_entity member, with the option that fills it', async () => {
    const { code, report } = await run(await startRp({ strategy: { policyUri: undefined } }))
    assert.equal(code, 1)
    assert.deepEqual(
      failures(report).map((s) => [s.name, s.detail]),
      [['federation_entity metadata', 'metadata.federation_entity.policy_uri is missing (strategy option policyUri)']],
    )
  })

  it('names an expired trust mark', async () => {
    const { code, report } = await run(await startRp({ trustMark: 'expired' }))
    assert.equal(code, 1)
    assert.deepEqual(
      failures(report).map((s) => s.name),
      ['trust marks'],
    )
    assert.match(failures(report)[0]?.detail ?? '', /openid_relying_party\/public\/ .*: it has expired/)
  })

  it('says when the anchor does not know the RP', async () => {
    const { code, report } = await run(await startRp({ register: false, trustMark: 'none' }))
    assert.equal(code, 1)
    assert.deepEqual(
      failures(report).map((s) => s.name),
      ['relying party trust chain'],
    )
    assert.match(failures(report)[0]?.detail ?? '', /The anchor has no statement about http:\/\/127\.0\.0\.1:\d+: the RP is not registered with/)
    assert.equal(report.steps.find((s) => s.name === 'trust marks')?.status, 'warn', 'no trust mark yet is a warning, not a failure')
  })

  it('names an OP of the anchor whose chain is broken, beside the healthy ones', async () => {
    const broken = await startTestOp({ name: 'OP rotto', authorityHints: [anchor.entityId] })
    ops.push(broken)
    // The anchor states keys that are not the OP's: its entity configuration does not verify with them.
    const stranger = { ...(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) as JWK), kid: 'stranger' }
    anchor.subordinate({ entityId: broken.issuer, jwks: { keys: [stranger] } })
    const { code, report } = await run(await startRp())
    assert.equal(code, 1)
    assert.deepEqual(
      failures(report).map((s) => s.name),
      [`OP ${broken.issuer}`],
    )
    assert.match(failures(report)[0]?.detail ?? '', /entity configuration/)
  })

  it('prints plain words without --json', async () => {
    const { code, stdout } = await doctor([await startRp({ strategy: { authorityHints: [] } }), '--anchor', anchor.entityId, '--no-providers'])
    assert.equal(code, 1)
    assert.match(stdout, /^FAIL {2}authority_hints$/m)
    assert.match(stdout, /^WARN {2}trust anchor$/m)
    assert.match(stdout, /2 of 9 checks failed: fix the first one first/)
  })
})
