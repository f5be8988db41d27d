/**
 * Production is the default: only NODE_ENV development or test relaxes a guard, so an unset or
 * misspelt NODE_ENV never turns on the conformance-tool quirks or hands out a non-Secure cookie;
 * and an https client id always gets the Secure `__Host-` cookie, whatever NODE_ENV says.
 */
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, it } from 'node:test'
import express from 'express'
import { createSpidSession, generateDevKeys, SpidConfigError } from '../../../src/index.ts'
import { silentLogger } from '../../../src/log/logger.ts'
import { resolveOptions } from '../../../src/options/resolve-options.ts'

const secret = 'a-session-secret-of-some-length'
const keys = generateDevKeys()
const quirky = { clientId: 'https://rp.example.it', keys, providers: ['https://op.example.it'], logger: silentLogger, acceptCheckRpQuirks: true }
const PRODUCTION_SPELLINGS = [undefined, '', 'production', 'prod', 'Production', 'PRODUCTION', 'staging', 'develop', 'Development']
const previous = process.env.NODE_ENV

function withNodeEnv<T>(value: string | undefined, run: () => T): T {
  if (value === undefined) delete process.env.NODE_ENV
  else process.env.NODE_ENV = value
  return run()
}

afterEach(() => {
  if (previous === undefined) delete process.env.NODE_ENV
  else process.env.NODE_ENV = previous
})

describe('the production guard', () => {
  for (const spelling of PRODUCTION_SPELLINGS) {
    it(`treats NODE_ENV ${JSON.stringify(spelling)} as production: quirks refused, cookie Secure and __Host-`, () => {
      withNodeEnv(spelling, () => {
        assert.throws(
          () => resolveOptions(quirky),
          (error: unknown) =>
            error instanceof SpidConfigError && error.problems.some((p) => /acceptCheckRpQuirks: .*refused unless NODE_ENV is development or test/.test(p)),
        )
        assert.equal(createSpidSession({ secret, logger: silentLogger }).cookieName, '__Host-spid.sid')
      })
    })
  }

  for (const spelling of ['development', 'test']) {
    it(`relaxes them with NODE_ENV ${spelling}`, () => {
      withNodeEnv(spelling, () => {
        assert.doesNotThrow(() => resolveOptions(quirky))
        assert.equal(createSpidSession({ secret, logger: silentLogger }).cookieName, 'spid.sid')
      })
    })
  }

  it('gives an https client id the Secure __Host- cookie even in development, and leaves an http one to the request', () => {
    withNodeEnv('development', () => {
      assert.equal(createSpidSession({ secret, clientId: 'https://rp.example.it', logger: silentLogger }).cookieName, '__Host-spid.sid')
      assert.equal(createSpidSession({ secret, clientId: 'http://localhost:3000', logger: silentLogger }).cookieName, 'spid.sid')
    })
    withNodeEnv(undefined, () => {
      assert.equal(createSpidSession({ secret, clientId: 'http://localhost:3000', logger: silentLogger }).cookieName, 'spid.sid')
    })
  })

  it('sets the Secure __Host- cookie behind a trusted proxy for an https client id, and says once when a Secure cookie meets plain http', async () => {
    const warnings: string[] = []
    const logger = { ...silentLogger, warn: (o: object) => void warnings.push((o as { event: string }).event) }
    const sessions = withNodeEnv('development', () => createSpidSession({ secret, clientId: 'https://rp.example.it', logger }))
    const app = express()
    app.set('trust proxy', 1)
    app.use(sessions.handler)
    app.get('/', (req, res) => {
      ;(req.session as unknown as { visited: boolean }).visited = true
      res.send('ok')
    })
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    try {
      const overHttps = await fetch(url, { headers: { 'x-forwarded-proto': 'https' } })
      const cookie = overHttps.headers.get('set-cookie') ?? ''
      assert.match(cookie, /^__Host-spid\.sid=/)
      assert.match(cookie, /; Secure/)
      assert.match(cookie, /; HttpOnly/)
      assert.deepEqual(warnings, [])
      for (let i = 0; i < 3; i++) assert.equal((await fetch(url)).headers.get('set-cookie'), null, 'no Secure cookie over plain http')
      assert.deepEqual(warnings, ['session.cookie_needs_https'], 'said once, not per request')
    } finally {
      server.close()
    }
  })
})
