/**
 * The published types, as a consumer gets them: `npm pack`, installed into a fresh project from
 * the npm cache with only the package's declared dependencies, then compiled with
 * `skipLibCheck: false`. Catches a type package that is only a dev dependency here (TS7016), a
 * declaration that needs the DOM library, and the typing of `req.user` and `req.spid`.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'

const root = new URL('../../', import.meta.url).pathname
const versionOf = (name: string) => (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023'],
    types: ['node'],
    strict: true,
    skipLibCheck: false,
    noEmit: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
  },
}

const DEFAULT_USER = `
import express from 'express'
import passport from 'passport'
import { SpidStrategy, requireSpidLevel, spidContext, serializeSpidUser, deserializeSpidUser, type SpidLevel } from 'passport-spid-oidc'
import { SpidError } from 'passport-spid-oidc/errors'

declare const keys: { federation: string; signing: string; encryption: string }
passport.use(new SpidStrategy({ clientId: 'https://rp.example.it', keys, providers: ['https://op.example.it'] }))
passport.serializeUser(serializeSpidUser)
passport.deserializeUser(deserializeSpidUser)
const app = express()
app.use(spidContext(passport as never))
app.get('/tax', requireSpidLevel(2), (req, res) => {
  const level: SpidLevel | undefined = req.spid.level
  const fiscalNumber: string | undefined = req.user?.fiscalNumber
  res.json({ level, fiscalNumber, ok: new SpidError('ERR_SPID_BAD_REQUEST', 'x').status })
})
`

const OWN_USER = `
import express from 'express'
import passport from 'passport'
import { SpidStrategy, requireSpidLevel } from 'passport-spid-oidc'

interface Account { id: number; displayName: string }
declare module 'passport-spid-oidc' {
  interface SpidTypes { user: Account }
}
declare function findAccount(fiscalNumber: string | undefined): Promise<Account | undefined>
declare const keys: { federation: string; signing: string; encryption: string }

passport.use(new SpidStrategy({ clientId: 'https://rp.example.it', keys, providers: ['https://op.example.it'] }, (profile, login, done) => {
  if (login.acr === 'https://www.spid.gov.it/SpidL1') return done(null, false, { message: 'level 2 needed' })
  findAccount(profile.fiscalNumber).then((account) => done(null, account ?? false), done)
}))
passport.use(new SpidStrategy({ clientId: 'https://rp.example.it', keys, providers: ['https://op.example.it'], passReqToCallback: true }, (req, profile, _login, done) => {
  findAccount(profile.fiscalNumber ?? String(req.query.hint)).then((account) => done(null, account ?? false), done)
}))
const app = express()
app.get('/me', requireSpidLevel(1), (req, res) => {
  const id: number | undefined = req.user?.id
  res.json({ id, name: req.user?.displayName })
})
`

const WRONG = `
import { SpidStrategy } from 'passport-spid-oidc'
declare const keys: { federation: string; signing: string; encryption: string }
new SpidStrategy({ clientId: 'https://rp.example.it', keys, providers: ['https://op.example.it'], passReqToCallback: true }, (profile, login, done) => done(null, profile))
`

describe('types as a consumer sees them', () => {
  let project: string
  before(() => {
    project = mkdtempSync(join(tmpdir(), 'spid-consumer-'))
    const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', project], { cwd: root, encoding: 'utf8' })
      .trim()
      .split('\n')
      .at(-1) as string
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
    // Only what the package declares (from the npm cache where it can, else the npm registry).
    execFileSync(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        join(project, tarball),
        `typescript@${versionOf('typescript')}`,
        `@types/node@${versionOf('@types/node')}`,
      ],
      { cwd: project, stdio: 'pipe' },
    )
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG))
  })
  after(() => rmSync(project, { recursive: true, force: true }))

  const compile = (source: string) => {
    writeFileSync(join(project, 'app.ts'), source)
    try {
      execFileSync(process.execPath, [join(project, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: project, encoding: 'utf8', stdio: 'pipe' })
      return ''
    } catch (error) {
      return String((error as { stdout?: string }).stdout ?? error)
    }
  }

  it('compiles an app whose user is the SPID profile, with skipLibCheck false', () => {
    assert.equal(compile(DEFAULT_USER), '')
  })

  it('types req.user as the app’s own account once SpidTypes says so, and the verify functions with it', () => {
    assert.equal(compile(OWN_USER), '')
  })

  it('refuses a verify function without the request when passReqToCallback is true', () => {
    const errors = compile(WRONG)
      .split('\n')
      .filter((line) => /error TS\d+/.test(line))
    assert.ok(errors.length > 0 && errors.every((line) => line.startsWith('app.ts(')), `only the app's call fails:\n${errors.join('\n')}`)
  })
})
