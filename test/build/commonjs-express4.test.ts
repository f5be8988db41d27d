/**
 * An existing public-sector app as it often is: CommonJS, Express 4, `require`. It loads the
 * compiled package with `require()` (Node ≥ 20.19 loads ES modules that way), with Express 4 as
 * the app's own and only Express (the package declares it a peer), and logs in at the test OP.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startTestOp, type TestOp } from '../../src/test-op/index.ts'
import { login } from '../fixtures/login.ts'
import { UserAgent } from '../fixtures/user-agent.ts'
// @ts-expect-error: a plain .mjs helper shared with the test runner
import { freePort } from '../../scripts/provision.mjs'

const root = new URL('../../', import.meta.url).pathname

const APP = `'use strict'
const express = require('express')
const passport = require('passport')
const { SpidStrategy, createSpidSession, entityConfiguration, loadOrCreateDevKeys, requireSpidLevel, spidContext, spidErrorHandler } = require('passport-spid-oidc')
const { SpidError } = require('passport-spid-oidc/errors')

const port = Number(process.env.PORT)
const baseUrl = 'http://localhost:' + port
const spid = new SpidStrategy(
  { clientId: baseUrl, keys: loadOrCreateDevKeys('.dev-keys'), providers: [process.env.OP_ISSUER] },
  (profile, login, done) => done(null, { fiscalNumber: profile.fiscalNumber, name: profile.givenName + ' ' + profile.familyName }),
)
passport.use(spid)
passport.serializeUser((user, done) => done(null, user))
passport.deserializeUser((user, done) => done(null, user))
const sessions = createSpidSession({ secret: 'a CommonJS app on Express 4', clientId: baseUrl })
const app = express()
app.get('/.well-known/openid-federation', entityConfiguration(spid))
app.use(sessions.handler)
app.use(express.urlencoded({ extended: false }))
app.use(passport.session())
app.use(spidContext(spid))
app.get('/auth/spid', passport.authenticate('spid'))
app.all('/auth/spid/callback', passport.authenticate('spid', { successReturnToOrRedirect: '/' }))
app.get('/tax-return', requireSpidLevel(2), (req, res) => res.json({ user: req.user, level: req.spid.level }))
app.use(spidErrorHandler())
app.listen(port, () => console.log('express ' + require('express/package.json').version + ', errors ' + (typeof SpidError) + ', listening'))
`

describe('a CommonJS app on Express 4', () => {
  let dir: string
  let op: TestOp
  before(async () => {
    // Inside the repository, so passport, express-session and the package's own dependencies
    // resolve from its node_modules; Express is the app's, version 4 (the `express4` alias).
    dir = mkdtempSync(join(root, '.cjs-check-'))
    const pkg = join(dir, 'node_modules/passport-spid-oidc')
    mkdirSync(pkg, { recursive: true })
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')], {
      stdio: 'pipe',
    })
    copyFileSync(join(root, 'package.json'), join(pkg, 'package.json'))
    symlinkSync(join(root, 'node_modules/express4'), join(dir, 'node_modules/express'))
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'cjs-app', private: true, type: 'commonjs' }))
    writeFileSync(join(dir, 'app.js'), APP)
    op = await startTestOp()
  })
  after(async () => {
    await op?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('requires the package, runs on Express 4 and logs in at SpidL2', async () => {
    const port: number = await freePort()
    const child = spawn(process.execPath, ['app.js'], {
      cwd: dir,
      // Without the test runner's loaders: plain Node, as the app runs in production.
      env: { PATH: process.env.PATH, PORT: String(port), OP_ISSUER: op.issuer, NODE_ENV: 'development' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the app did not start:\n${output}`)), 30_000)
        child.stdout.on('data', () => {
          if (output.includes('listening')) {
            clearTimeout(timer)
            resolve()
          }
        })
        child.on('exit', (code) => reject(new Error(`the app exited with ${code}:\n${output}`)))
      })
      assert.match(output, /express 4\.\d+\.\d+, errors function, listening/)
      const url = `http://localhost:${port}`
      const ua = new UserAgent()
      assert.equal((await login(ua, url, 'level=2&returnTo=%2Ftax-return')).status, 302)
      const taxReturn = await ua.request(`${url}/tax-return`, { headers: { accept: 'application/json' } })
      assert.equal(taxReturn.status, 200, taxReturn.body)
      assert.deepEqual(JSON.parse(taxReturn.body), {
        user: { fiscalNumber: 'LVLDAA85T50G702B', name: 'Ada Lovelace' },
        level: 'https://www.spid.gov.it/SpidL2',
      })
    } finally {
      child.kill('SIGTERM')
    }
  })
})
