/** The README must keep up with the code: options, error codes, and a quick start that compiles. */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import ts from 'typescript'
import { ERROR_CODES } from '../../src/errors/codes.ts'
import { strategyOptionsSchema } from '../../src/options/schema.ts'
import { renderAttributeTable } from '../../scripts/attribute-table.ts'

const root = new URL('../../', import.meta.url).pathname
const readme = readFileSync(join(root, 'README.md'), 'utf8')

function section(title: string): string {
  const start = readme.indexOf(`## ${title}\n`)
  assert.ok(start >= 0, `README has a "${title}" section`)
  const end = readme.indexOf('\n## ', start + 4)
  return readme.slice(start, end < 0 ? undefined : end)
}

describe('README', () => {
  it('documents every option in the options table', () => {
    const table = section('Options')
    const shape = (strategyOptionsSchema as unknown as { def: { in?: { shape: object }; shape?: object } }).def
    const keys = Object.keys((shape.in?.shape ?? shape.shape) as object)
    assert.ok(keys.length > 20)
    for (const key of keys) assert.ok(table.includes(`\`${key}\``), `option ${key} is in the README table`)
  })

  it('documents every error code', () => {
    const table = section('Errors')
    for (const code of Object.keys(ERROR_CODES)) assert.ok(table.includes(code), `${code} is in the README`)
  })

  it('shows the attribute table exactly as the code defines it (npm run docs:attributes)', () => {
    assert.ok(section('Attributes').includes(renderAttributeTable()), 'README attribute table is out of date: run npm run docs:attributes')
  })

  it('has a quick start that type-checks against the package', () => {
    const quickStart = /## Quick start\n+```ts\n([\s\S]*?)```/.exec(readme)?.[1]
    assert.ok(quickStart)
    const dir = mkdtempSync(join(root, '.readme-check-'))
    try {
      const file = join(dir, 'quick-start.ts')
      writeFileSync(file, `declare const fedJwk: string, sigJwk: string, encJwk: string\n${quickStart}\nexport {}\n`)
      const program = ts.createProgram([file], {
        strict: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
        target: ts.ScriptTarget.ES2022, noEmit: true, skipLibCheck: true, types: ['node'],
        allowImportingTsExtensions: true, lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
        paths: { 'passport-spid-oidc': [join(root, 'src/index.ts')] },
      })
      const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
      assert.deepEqual(problems, [])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
