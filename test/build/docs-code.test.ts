/**
 * Every `ts` code block of the README and of docs/ type-checks against the package (strict).
 * A block may be a fragment of an app: what it uses without declaring (`app`, `options`, `keys`,
 * `verify`, `accounts`, `req`, ...) is declared for it with the type an app would have, and the
 * package's exports it uses are imported for it; everything it writes itself is checked as written.
 * Blocks that retype `req.user` (`declare module 'passport-spid-oidc'`) are checked on their own,
 * since that augmentation holds for the whole program.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import ts from 'typescript'

const root = new URL('../../', import.meta.url).pathname
const PATHS = {
  'passport-spid-oidc': [join(root, 'src/index.ts')],
  'passport-spid-oidc/errors': [join(root, 'src/errors/index.ts')],
  'passport-spid-oidc/test-op': [join(root, 'src/test-op/index.ts')],
  'passport-spid-oidc/ui': [join(root, 'src/ui/index.ts')],
}

interface Block {
  where: string
  code: string
}

function blocksOf(file: string): Block[] {
  const text = readFileSync(join(root, file), 'utf8')
  const blocks: Block[] = []
  for (const match of text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    const line = text.slice(0, match.index).split('\n').length
    blocks.push({ where: `${file}:${line}`, code: match[1] as string })
  }
  return blocks
}

/** The names the package exports, values and types, read from its entry point. */
function packageExports(): string[] {
  const source = readFileSync(join(root, 'src/index.ts'), 'utf8')
  const names = new Set<string>()
  for (const [, list] of source.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const item of (list as string).split(',')) {
      const name = item
        .replace(/^\s*type\s+/, '')
        .split(/\s+as\s+/)
        .at(-1)
        ?.trim()
      if (name) names.add(name)
    }
  }
  return [...names]
}

/** What a fragment may use without declaring it, as an app around it would have it. */
const CONTEXT: Record<string, string> = {
  app: 'declare const app: import("express").Express',
  options: 'declare const options: import("passport-spid-oidc").SpidStrategyOptions',
  keys: 'declare const keys: import("passport-spid-oidc").SpidStrategyOptions["keys"]',
  verify: 'declare const verify: import("passport-spid-oidc").SpidVerifyFunction',
  spid: 'declare const spid: import("passport-spid-oidc").SpidStrategy',
  strategy: 'declare const strategy: import("passport-spid-oidc").SpidStrategy',
  sessions: 'declare const sessions: import("passport-spid-oidc").SpidSession',
  handler: 'declare const handler: import("express").RequestHandler',
  req: 'declare const req: import("express").Request',
  res: 'declare const res: import("express").Response',
  pinoLogger: 'declare const pinoLogger: import("passport-spid-oidc").Logger',
  pinnedAnchorKeys: 'declare const pinnedAnchorKeys: { keys: import("jose").JWK[] }',
  accounts:
    'declare const accounts: { findByFiscalNumber(fiscalNumber: string | undefined): Promise<Account | undefined>; byId(id: number): Promise<Account | undefined>; findByIdentity(issuer: string, sub: string): Promise<Account | undefined>; linkIdentity(id: number, identity: { issuer: string; sub: string; provider: string }): Promise<void> }',
  Account: 'interface Account { id: number; displayName: string }',
  express: "import express from 'express'",
  passport: "import passport from 'passport'",
}

/** Names the block declares or imports itself. */
function declared(code: string): Set<string> {
  const names = new Set<string>()
  for (const [, name] of code.matchAll(/\b(?:const|let|var|function|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/g)) names.add(name as string)
  for (const [, list] of code.matchAll(/\b(?:const|let|var)\s+\{([^}]*)\}\s*=/g))
    for (const item of (list as string).split(',')) names.add(item.split(':').at(-1)?.trim() ?? '')
  for (const [, clause] of code.matchAll(/^import\s+(?:type\s+)?([\s\S]*?)\s+from\s+'[^']+'/gm)) {
    for (const word of (clause as string).replace(/\btype\b|\bas\b|[{}*,]/g, ' ').split(/\s+/)) if (word) names.add(word)
  }
  return names
}

function withContext(code: string, exports: readonly string[]): string {
  const own = declared(code)
  const uses = (name: string) => new RegExp(`(?<![\\w$'"/-])${name.replace('$', '\\$')}(?![\\w$'"])`).test(code)
  const fromPackage = exports.filter((name) => !own.has(name) && uses(name))
  const context = Object.keys(CONTEXT).filter((name) => !own.has(name) && (uses(name) || (name === 'Account' && uses('accounts') && !own.has('Account'))))
  return [
    ...(fromPackage.length ? [`import { ${fromPackage.join(', ')} } from 'passport-spid-oidc'`] : []),
    ...context.map((name) => CONTEXT[name]),
    'export {}',
    code,
  ].join('\n')
}

describe('code blocks of the README and docs/', () => {
  const files = ['README.md', ...readdirSync(join(root, 'docs')).map((name) => `docs/${name}`)].filter((f) => f.endsWith('.md'))
  const blocks = files.flatMap(blocksOf)
  let dir: string
  const problems = new Map<string, string[]>()
  before(() => {
    assert.ok(blocks.length > 10, `found ${blocks.length} ts blocks`)
    // Inside the repository, so the blocks resolve this package's node_modules.
    dir = mkdtempSync(join(root, '.docs-check-'))
    const exports = packageExports()
    const written = blocks.map((block, i) => {
      const file = join(dir, `block-${i}.ts`)
      writeFileSync(file, withContext(block.code, exports))
      return { block, file, alone: /declare module 'passport-spid-oidc'/.test(block.code) }
    })
    const options: ts.CompilerOptions = {
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
    }
    // One program for the blocks that do not retype req.user, one for each that does; only the
    // blocks themselves are checked (the package is checked by npm run typecheck).
    const groups = [written.filter((w) => !w.alone), ...written.filter((w) => w.alone).map((w) => [w])]
    let previous: ts.Program | undefined
    for (const group of groups) {
      const program = ts.createProgram(
        group.map((w) => w.file),
        options,
        undefined,
        previous,
      )
      previous = program
      for (const { block, file } of group) {
        const source = program.getSourceFile(file) as ts.SourceFile
        const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]
        problems.set(
          block.where,
          diagnostics.map((d) => {
            const line = d.start === undefined ? '?' : source.getLineAndCharacterOfPosition(d.start).line + 1
            return `line ${line} of the checked file: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`
          }),
        )
      }
    }
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('type-checks every ts block, strict', () => {
    const failing = [...problems].filter(([, list]) => list.length > 0)
    assert.deepEqual(
      failing.map(([where, list]) => `${where}\n  ${list.join('\n  ')}`),
      [],
    )
    assert.equal(problems.size, blocks.length)
  })
})
