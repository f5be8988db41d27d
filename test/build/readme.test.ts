/**
 * The README's quick start as a newcomer uses it: the first code block, as it is, type-checks
 * against the package (TypeScript, strict), then runs with tsx, logs in at the test OP it starts
 * and opens the SpidL2 route.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import ts from 'typescript'
import { login } from '../fixtures/login.ts'
import { UserAgent } from '../fixtures/user-agent.ts'
// @ts-expect-error: a plain .mjs helper shared with the test runner
import { freePort } from '../../scripts/provision.mjs'

const root = new URL('../../', import.meta.url).pathname
const readme = readFileSync(join(root, 'README.md'), 'utf8')
/** The package's entry points, mapped to its sources (the checkout has no build). */
const PATHS = {
  'passport-spid-oidc': [join(root, 'src/index.ts')],
  'passport-spid-oidc/test-op': [join(root, 'src/test-op/index.ts')],
  'passport-spid-oidc/ui': [join(root, 'src/ui/index.ts')],
}

describe('README quick start', () => {
  const quickStart = /## Quick start\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1]
  let dir: string
  before(() => {
    assert.ok(quickStart, 'the Quick start section has a ts block')
    // Inside the repository, so the block resolves this package's node_modules.
    dir = mkdtempSync(join(root, '.readme-check-'))
    writeFileSync(join(dir, 'app.ts'), quickStart as string)
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', paths: PATHS } }),
    )
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('type-checks against the package, strict, with nothing declared around it', () => {
    const program = ts.createProgram([join(dir, 'app.ts')], {
      strict: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
      allowImportingTsExtensions: true,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      paths: PATHS,
    })
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
    assert.deepEqual(problems, [])
  })

  it('runs as written: starts, shows the SPID button, logs in at the test OP and opens the SpidL2 route', async () => {
    const port: number = await freePort()
    const child = spawn(process.execPath, ['--import', 'tsx', 'app.ts'], {
      cwd: dir,
      env: { ...process.env, PORT: String(port), NODE_NO_WARNINGS: '1', TSX_TSCONFIG_PATH: join(dir, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    try {
      const url = `http://localhost:${port}`
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the quick start did not start:\n${output}`)), 20_000)
        child.stdout.on('data', () => {
          if (output.includes(`Open ${url}`)) {
            clearTimeout(timer)
            resolve()
          }
        })
        child.on('exit', (code) => reject(new Error(`the quick start exited with ${code}:\n${output}`)))
      })
      const ua = new UserAgent()
      const home = await ua.request(`${url}/`)
      assert.match(home.body, /Entra con SPID/)
      assert.match(home.body, /SPID Test OP/)
      assert.equal((await login(ua, url, 'level=2&returnTo=%2Ftax-return')).status, 302)
      const taxReturn = await ua.request(`${url}/tax-return`, { headers: { accept: 'application/json' } })
      assert.equal(taxReturn.status, 200, taxReturn.body)
      assert.deepEqual(JSON.parse(taxReturn.body), { fiscalNumber: 'LVLDAA85T50G702B', name: 'Ada Lovelace' })
      assert.match((await ua.request(`${url}/`)).body, /Ciao Ada Lovelace: Livello 2 — SPID con codice temporaneo\./)
    } finally {
      child.kill('SIGTERM')
    }
  })
})
