/**
 * The example app's federation contract, as `npm start` runs it: SPID_TRUST_ANCHOR and
 * SPID_TRUST_ANCHOR_JWKS (JSON text or a file) make it offer the anchor's OPs, trusted through
 * their chains; an anchor that does not verify with the pinned keys stops it at start-up.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { decodeJwt } from 'jose'
import { startTestOp, startTestTrustAnchor, type TestOp, type TestTrustAnchor } from '../../src/test-op/index.ts'
// @ts-expect-error: a plain .mjs helper shared with the test runner
import { freePort } from '../../scripts/provision.mjs'

const root = new URL('../../', import.meta.url).pathname

/** Runs example-app/server.ts; resolves when it listens, or with its exit code and output. */
async function runExampleApp(env: Record<string, string>, givenPort?: number) {
  const port: number = givenPort ?? (await freePort())
  const url = `http://127.0.0.1:${port}`
  const child = spawn(process.execPath, ['--import', 'tsx', 'example-app/server.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), BASE_URL: url, SPID_PROVIDERS: '', REDIS_URL: '', SESSION_SECRET: '', NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const outcome = await new Promise<{ listening: boolean; code?: number | null }>((resolve) => {
    const timer = setTimeout(() => resolve({ listening: false, code: undefined }), 20_000)
    const onData = (chunk: Buffer) => {
      output += chunk
      if (/Example app: /.test(output)) {
        clearTimeout(timer)
        resolve({ listening: true })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ listening: false, code })
    })
  })
  return { ...outcome, url, output: () => output, stop: () => child.kill('SIGTERM') }
}

async function waitFor(read: () => string, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 100 && !pattern.test(read()); i++) await new Promise((r) => setTimeout(r, 50))
}

describe('example app in federation mode', () => {
  let anchor: TestTrustAnchor
  let op: TestOp
  const dir = mkdtempSync(join(tmpdir(), 'spid-anchor-'))
  before(async () => {
    anchor = await startTestTrustAnchor()
    op = await startTestOp({ authorityHints: [anchor.entityId] })
    anchor.subordinate({ entityId: op.issuer, jwks: op.federationJwks })
  })
  after(async () => {
    await op.close()
    await anchor.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('offers the anchor’s OPs and publishes the anchor as its authority hint (JWKS as a file)', async () => {
    const file = join(dir, 'anchor.jwks.json')
    writeFileSync(file, JSON.stringify(anchor.jwks))
    const app = await runExampleApp({ SPID_TRUST_ANCHOR: anchor.entityId, SPID_TRUST_ANCHOR_JWKS: file })
    try {
      assert.ok(app.listening, app.output())
      const ec = decodeJwt(await (await fetch(`${app.url}/.well-known/openid-federation`)).text())
      assert.deepEqual(ec.authority_hints, [anchor.entityId])
      const start = await fetch(`${app.url}/auth/spid?level=2&idp=${encodeURIComponent(op.issuer)}`, { redirect: 'manual' })
      assert.equal(start.status, 302)
      assert.ok(start.headers.get('location')?.startsWith(`${op.issuer}/auth?`), String(start.headers.get('location')))
      const unknown = await fetch(`${app.url}/auth/spid?level=2&idp=${encodeURIComponent('https://not-in-the-federation.example.it')}`, {
        redirect: 'manual',
        headers: { accept: 'application/json' },
      })
      assert.equal((await unknown.json()).code, 'ERR_SPID_UNKNOWN_PROVIDER')
    } finally {
      app.stop()
    }
  })

  it('stops at start-up when the anchor does not verify with the pinned keys (JWKS as JSON text)', async () => {
    const other = await startTestTrustAnchor()
    try {
      const app = await runExampleApp({ SPID_TRUST_ANCHOR: anchor.entityId, SPID_TRUST_ANCHOR_JWKS: JSON.stringify(other.jwks) })
      assert.equal(app.listening, false, app.output())
      assert.equal(app.code, 1)
      assert.match(app.output(), /Trust anchor http:\/\/127\.0\.0\.1:\d+ refused: .*signature does not verify with the pinned trust anchor keys/)
    } finally {
      await other.close()
    }
  })

  it('with SPID_TEST_FEDERATION=1 onboards itself with the local anchor and says so', async () => {
    const app = await runExampleApp({ SPID_TEST_FEDERATION: '1' })
    try {
      assert.ok(app.listening, app.output())
      await waitFor(app.output, /Onboarding: /)
      assert.match(app.output(), /Onboarding: {3}the anchor vouches for this RP/)
      const ec = decodeJwt(await (await fetch(`${app.url}/.well-known/openid-federation`)).text())
      const marks = ec.trust_marks as { trust_mark_type: string; trust_mark: string }[]
      assert.equal(marks.length, 1)
      assert.equal(decodeJwt(marks[0]?.trust_mark as string).sub, app.url)
      // The anchor lists a CIE id OP too: the app tells it from the SPID ones, and offers it with its own button.
      assert.match(app.output(), /Federation: .*\(CIE id\)/)
      const home = await (await fetch(`${app.url}/`)).text()
      assert.match(
        home,
        /name="idp" value="http:\/\/127\.0\.0\.1:\d+"><svg class="spid-ui-mark"[^>]*>(?:(?!<\/svg>)[\s\S])*<\/svg><span class="spid-ui-label">Entra con CIE<\/span><\/button>/,
      )
      assert.match(home, /SPID o con la Carta d’Identità Elettronica/)
    } finally {
      app.stop()
    }
  })

  it('publishes SPID_ORGANIZATION_NAME, SPID_CONTACTS and SPID_TRUST_MARKS (a file) in its entity configuration', async () => {
    const port: number = await freePort()
    const mark = await anchor.issueTrustMark(`http://127.0.0.1:${port}`)
    const file = join(dir, 'trust-marks.json')
    writeFileSync(file, JSON.stringify([mark]))
    const app = await runExampleApp(
      { SPID_ORGANIZATION_NAME: 'Comune di Prova', SPID_CONTACTS: 'protocollo@pec.prova.it, urp@pec.prova.it', SPID_TRUST_MARKS: file },
      port,
    )
    try {
      assert.ok(app.listening, app.output())
      const ec = decodeJwt(await (await fetch(`${app.url}/.well-known/openid-federation`)).text())
      const entity = (ec.metadata as { federation_entity: Record<string, unknown> }).federation_entity
      assert.equal(entity.organization_name, 'Comune di Prova')
      assert.deepEqual(entity.contacts, ['protocollo@pec.prova.it', 'urp@pec.prova.it'])
      assert.deepEqual(ec.trust_marks, [mark])
    } finally {
      app.stop()
    }
  })

  it('stops at start-up, with the reason and no stack trace, on a trust mark issued to another RP', async () => {
    const mark = await anchor.issueTrustMark('https://another-rp.example.it')
    const app = await runExampleApp({ SPID_TRUST_MARKS: JSON.stringify([mark]) })
    assert.equal(app.listening, false, app.output())
    assert.equal(app.code, 1)
    assert.match(
      app.output(),
      /The example app cannot start: 1 problem in passport-spid-oidc options\n {2}- trustMarks\[0\] .*: the trust mark is about https:\/\/another-rp\.example\.it, not this RP/,
    )
    assert.doesNotMatch(app.output(), /\n\s+at /, 'no stack trace')
  })
})
