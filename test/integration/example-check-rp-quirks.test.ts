/**
 * The example app's switch for AgID's RP conformance tool: SPID_CHECK_RP_QUIRKS=1 turns on the
 * strategy's `acceptCheckRpQuirks` (a warning at start-up), and the strategy's own guard still
 * refuses it in production. Runs the app as `npm start` does.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { runExampleApp } from '../fixtures/example-process.ts'

describe('example app: SPID_CHECK_RP_QUIRKS', () => {
  it('=1 starts with acceptCheckRpQuirks on, saying so at start-up', async () => {
    const app = await runExampleApp({ SPID_CHECK_RP_QUIRKS: '1', NODE_ENV: 'development' })
    try {
      await app.waitFor(/Relying party: .*\n/)
      assert.match(app.output(), /config\.check_rp_quirks/, app.output())
      const ec = await fetch(`http://localhost:${app.port}/.well-known/openid-federation`)
      assert.equal(ec.status, 200)
    } finally {
      await app.stop()
    }
  })

  it('without it, the quirks stay refused (no warning)', async () => {
    const app = await runExampleApp({ NODE_ENV: 'development' })
    try {
      await app.waitFor(/Relying party: .*\n/)
      assert.doesNotMatch(app.output(), /check_rp_quirks/)
    } finally {
      await app.stop()
    }
  })

  it('=1 with NODE_ENV=production: refused at start-up, naming the option', async () => {
    const app = await runExampleApp({ SPID_CHECK_RP_QUIRKS: '1', NODE_ENV: 'production', SESSION_SECRET: 'a-session-secret-long-enough-for-production' })
    assert.equal(await app.exitCode(), 1)
    assert.match(
      app.output(),
      /acceptCheckRpQuirks: is for certification with AgID spid-oidc-check-rp only: refused unless NODE_ENV is development or test/,
      app.output(),
    )
  })

  it('another value: refused at start-up, saying what to use', async () => {
    const app = await runExampleApp({ SPID_CHECK_RP_QUIRKS: 'yes' })
    assert.equal(await app.exitCode(), 1)
    assert.match(app.output(), /SPID_CHECK_RP_QUIRKS must be 1 \(accept the quirks of AgID's conformance tool\) or 0 \(got "yes"\)/)
  })
})
