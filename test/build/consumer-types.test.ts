/**
 * The published types, as a consumer gets them: `npm pack`, installed into a fresh project from
 * the npm cache with exactly the README's install line, then compiled with `skipLibCheck: false`
 * by TypeScript 5.9 and by the newest major (7). Catches a type package that is only a dev
 * dependency here (TS7016), a subpath whose declarations reach oidc-provider's or koa's types
 * (`passport-spid-oidc/test-op`), a declaration that needs the DOM library, and the typing of
 * `req.user` and `req.spid`.
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

/** Every subpath the package exports, each used through its public types. */
const ALL_SUBPATHS = `
import express from 'express'
import { SPID_L2, SpidStrategy, type SpidLevel } from 'passport-spid-oidc'
import { SpidError, InsufficientLevelError, ERROR_CODES, type SpidErrorCode } from 'passport-spid-oidc/errors'
import { startTestOp, startTestTrustAnchor, DEFAULT_TEST_USERS, QUIRK_PROFILES, type TestOp, type TestOpOptions } from 'passport-spid-oidc/test-op'
import { loginForm, spidButton, providerChoices, levelName, spidUiStylesheet, type Language } from 'passport-spid-oidc/ui'

const options: TestOpOptions = { port: 0, profile: 'cie', quirks: 'django', users: DEFAULT_TEST_USERS }
const op: TestOp = await startTestOp(options)
const anchor = await startTestTrustAnchor()
const token = await op.provider.RefreshToken.find('value')
if (token && !token.isExpired) await token.destroy()
declare const keys: { federation: string; signing: string; encryption: string }
const spid = new SpidStrategy({ clientId: 'https://rp.example.it', keys, providers: [op.issuer] })
const language: Language = 'it'
const level = 2
const uri: SpidLevel = SPID_L2
const code: SpidErrorCode = 'ERR_SPID_BAD_REQUEST'
const app = express()
app.get('/spid-ui.css', spidUiStylesheet())
app.get('/', async (_req, res) => {
  res.send(loginForm({ spid: (await providerChoices(spid)).spid, level }) + spidButton({ providers: [] }) + levelName(level, language))
})
console.log(uri, QUIRK_PROFILES.django.length, ERROR_CODES[code], new SpidError(code, 'x').status, InsufficientLevelError.name, anchor.entityId)
await op.close()
`

const WRONG = `
import { SpidStrategy } from 'passport-spid-oidc'
declare const keys: { federation: string; signing: string; encryption: string }
new SpidStrategy({ clientId: 'https://rp.example.it', keys, providers: ['https://op.example.it'], passReqToCallback: true }, (profile, login, done) => done(null, profile))
`

/** The README's install lines, as a newcomer types them: the packages each `npm install` names. */
function readmeInstall(): { runtime: string[]; dev: string[] } {
  const block = /## Install\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(readFileSync(join(root, 'README.md'), 'utf8'))?.[1] ?? ''
  const names = (line: string | undefined) =>
    (line ?? '')
      .replace(/#.*/, '')
      .trim()
      .split(/\s+/)
      .slice(2)
      .filter((w) => !w.startsWith('-'))
  const lines = block.split('\n').filter((line) => line.startsWith('npm install'))
  return { runtime: names(lines.find((l) => !l.includes('--save-dev'))), dev: names(lines.find((l) => l.includes('--save-dev'))) }
}

/** TypeScript 5.9 (the project's own) and the newest major, installed under an alias. */
const COMPILERS = [
  { name: 'typescript', spec: `typescript@${versionOf('typescript')}` },
  { name: 'typescript7', spec: `typescript7@npm:typescript@${versionOf('typescript7')}` },
]

describe('types as a consumer sees them', () => {
  let project: string
  before(() => {
    project = mkdtempSync(join(tmpdir(), 'spid-consumer-'))
    const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', project], { cwd: root, encoding: 'utf8' })
      .trim()
      .split('\n')
      .at(-1) as string
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
    const install = readmeInstall()
    assert.ok(install.runtime.includes('passport-spid-oidc'), `the README install line names the package: ${install.runtime.join(' ')}`)
    // Exactly what the README says (the package from its tarball), plus the compilers, from the
    // npm cache where it can, else the npm registry.
    const npmInstall = (packages: string[], dev: boolean) =>
      execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', ...(dev ? ['--save-dev'] : []), ...packages], {
        cwd: project,
        stdio: 'pipe',
      })
    npmInstall(
      install.runtime.map((name) => (name === 'passport-spid-oidc' ? join(project, tarball) : name)),
      false,
    )
    npmInstall([...install.dev, ...COMPILERS.map((c) => c.spec), `@types/node@${versionOf('@types/node')}`], true)
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG))
  })
  after(() => rmSync(project, { recursive: true, force: true }))

  /**
   * One compilation per program, each file's errors apart: the subpaths, the default user and the
   * wrong verify function share one program; the app's own user type (a module augmentation that
   * retypes req.user everywhere) needs its own.
   */
  const compile = (compiler: string, sources: Record<string, string>): Record<string, string[]> => {
    const config = `tsconfig.${Object.keys(sources).join('-')}.json`
    for (const [file, source] of Object.entries(sources)) writeFileSync(join(project, file), source)
    writeFileSync(join(project, config), JSON.stringify({ ...TSCONFIG, files: Object.keys(sources) }))
    let output = ''
    try {
      execFileSync(process.execPath, [join(project, 'node_modules', compiler, 'bin/tsc'), '-p', join(project, config), '--pretty', 'false'], {
        cwd: project,
        encoding: 'utf8',
        stdio: 'pipe',
      })
    } catch (error) {
      output = String((error as { stdout?: string }).stdout || error)
    }
    const errors = output.split('\n').filter((line) => /error TS\d+/.test(line))
    const byFile: Record<string, string[]> = Object.fromEntries(Object.keys(sources).map((file) => [file, []]))
    for (const line of errors) {
      const file = Object.keys(sources).find((name) => line.startsWith(`${name}(`)) ?? 'elsewhere'
      byFile[file] = [...(byFile[file] ?? []), line]
    }
    return byFile
  }

  for (const { name: compiler, spec } of COMPILERS) {
    describe(spec.replace(/^typescript7@npm:/, ''), () => {
      let shared: Record<string, string[]>
      let own: Record<string, string[]>
      before(() => {
        shared = compile(compiler, { 'subpaths.ts': ALL_SUBPATHS, 'default-user.ts': DEFAULT_USER, 'wrong.ts': WRONG })
        own = compile(compiler, { 'own-user.ts': OWN_USER })
      })

      it('compiles an app using all four subpaths (., errors, test-op, ui), with skipLibCheck false and no oidc-provider or koa types', () => {
        assert.deepEqual(shared['subpaths.ts'], [])
        assert.deepEqual(shared.elsewhere, undefined, 'no error in the package or its dependencies')
      })

      it('compiles an app whose user is the SPID profile, with skipLibCheck false', () => {
        assert.deepEqual(shared['default-user.ts'], [])
      })

      it('types req.user as the app’s own account once SpidTypes says so, and the verify functions with it', () => {
        assert.deepEqual(own['own-user.ts'], [])
        assert.deepEqual(own.elsewhere, undefined)
      })

      it('refuses a verify function without the request when passReqToCallback is true', () => {
        assert.ok((shared['wrong.ts'] ?? []).length > 0, 'the wrong call is refused')
      })
    })
  }
})
