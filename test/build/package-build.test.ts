/** The package as published: `npm run build` output, imported through plain Node (no tsx). */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'

const root = new URL('../../', import.meta.url).pathname

describe('built package', () => {
  it('type-checks, sources, example app and tests alike (strict)', () => {
    // tsx runs the tests without type-checking them: this is where type errors surface.
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', join(root, 'tsconfig.json')], { stdio: 'pipe' })
  })

  it('compiles and exposes its documented entry points to plain Node', () => {
    // Inside the repository, so the compiled files resolve this package's node_modules.
    const out = mkdtempSync(join(root, '.build-check-'))
    try {
      execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', out], {
        stdio: 'pipe',
      })
      const script = `
        const main = await import(${JSON.stringify(join(out, 'index.js'))})
        const errors = await import(${JSON.stringify(join(out, 'errors/index.js'))})
        const testOp = await import(${JSON.stringify(join(out, 'test-op/index.js'))})
        const ui = await import(${JSON.stringify(join(out, 'ui/index.js'))})
        console.log(JSON.stringify({ main: Object.keys(main).sort(), errors: Object.keys(errors).sort(), testOp: Object.keys(testOp).sort(), ui: Object.keys(ui).sort() }))`
      const result = JSON.parse(
        execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_NO_WARNINGS: '1' } }),
      )
      for (const name of [
        'SpidStrategy',
        'requireSpidLevel',
        'spidLogout',
        'spidErrorHandler',
        'entityConfiguration',
        'serializeSpidUser',
        'deserializeSpidUser',
        'SpidError',
        'SPID_L2',
      ]) {
        assert.ok(result.main.includes(name), `${name} exported`)
      }
      assert.ok(result.errors.includes('InsufficientLevelError'))
      assert.ok(result.testOp.includes('startTestOp'))
      for (const name of ['loginForm', 'spidButton', 'cieButton', 'spidUiStylesheet', 'SPID_UI_CSS', 'providerChoices', 'levelName', 'profileFacts']) {
        assert.ok(result.ui.includes(name), `ui: ${name} exported`)
      }
      const exported = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).exports as Record<string, unknown>
      assert.deepEqual(exported['./ui'], { types: './dist/ui/index.d.ts', default: './dist/ui/index.js' })
      // The bin (`npx passport-spid-oidc`), compiled, runs under plain Node.
      const bin = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).bin['passport-spid-oidc'] as string
      assert.equal(bin, './dist/cli/main.js')
      const compiledBin = join(out, 'cli/main.js')
      assert.ok(readFileSync(compiledBin, 'utf8').startsWith('#!/usr/bin/env node'), 'keeps its shebang')
      assert.match(execFileSync(process.execPath, [compiledBin, 'help'], { encoding: 'utf8' }), /passport-spid-oidc doctor <rp-entity-id>/)
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })

  it('packs no tests or fixtures, and the license, changelog and docs', () => {
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' })) as [
      { files: { path: string }[] },
    ]
    const paths = packed.files.map((f) => f.path)
    assert.deepEqual(
      paths.filter((p) => /(^|\/)(test|tests|fixtures|__tests__)\/|\.test\.|\.spec\./.test(p)),
      [],
    )
    for (const file of ['LICENSE', 'CHANGELOG.md', 'README.md', 'docs/options.md', 'package.json']) assert.ok(paths.includes(file), `${file} is packed`)
  })

  it('declares Express 4 and 5, passport and express-session as peers, and where the project lives', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>
    for (const name of ['express', 'passport', 'express-session']) {
      assert.ok(pkg.peerDependencies?.[name], `${name} is a peer dependency`)
      assert.equal(pkg.dependencies?.[name], undefined, `${name} is not a dependency: the app's own copy is used`)
    }
    assert.match(pkg.peerDependencies?.express ?? '', /\^4\.21\.0 \|\| \^5/)
    assert.equal(pkg.devDependencies?.express4?.startsWith('npm:express@^4'), true, 'Express 4 for the tests, beside Express 5')
    assert.ok(pkg.repository && pkg.bugs && pkg.homepage, 'repository, bugs and homepage')
  })
})
