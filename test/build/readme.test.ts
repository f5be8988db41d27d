/** The README's quick start type-checks against the package (the TypeScript compiler: seconds, so apart from unit tests). */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import ts from 'typescript'

const root = new URL('../../', import.meta.url).pathname
const readme = readFileSync(join(root, 'README.md'), 'utf8')

describe('README code', () => {
  it('has a quick start that type-checks against the package', () => {
    const quickStart = /## Quick start\n+```ts\n([\s\S]*?)```/.exec(readme)?.[1]
    assert.ok(quickStart)
    const dir = mkdtempSync(join(root, '.readme-check-'))
    try {
      const file = join(dir, 'quick-start.ts')
      writeFileSync(file, `declare const fedJwk: string, sigJwk: string, encJwk: string\n${quickStart}\nexport {}\n`)
      const program = ts.createProgram([file], {
        strict: true,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        target: ts.ScriptTarget.ES2022,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
        allowImportingTsExtensions: true,
        lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
        paths: { 'passport-spid-oidc': [join(root, 'src/index.ts')] },
      })
      const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
      assert.deepEqual(problems, [])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
