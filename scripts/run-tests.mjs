#!/usr/bin/env node
// `npm test`: provisions what the tests need (scripts/provision.mjs), finds the test files
// (Node 20's --test does not expand globs) and runs them with node's test runner through tsx.
//   npm test                     every suite
//   npm test -- --unit           unit tests only: seconds, no Redis, no browser
//   npm test -- --integration    (also --e2e, --build; several may be given)
//   npm test -- test/unit/checks a folder or file
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { provisionForTests } from './provision.mjs'

const root = new URL('..', import.meta.url).pathname
/** The suites, and what each needs from the machine. */
const SUITES = {
  unit: { dir: 'test/unit', needs: [] },
  build: { dir: 'test/build', needs: [] },
  integration: { dir: 'test/integration', needs: ['redis'] },
  e2e: { dir: 'test/e2e', needs: ['redis', 'chromium'] },
}
const args = process.argv.slice(2)
const chosen = Object.keys(SUITES).filter((name) => args.includes(`--${name}`))
const unknown = args.filter((a) => a.startsWith('--') && !(a.slice(2) in SUITES))
if (unknown.length) {
  console.error(`unknown option ${unknown.join(' ')}: use --unit, --build, --integration, --e2e, or paths`)
  process.exit(2)
}
const paths = args.filter((a) => !a.startsWith('--'))
const suites = chosen.length ? chosen : paths.length ? [] : Object.keys(SUITES)
const roots = [...suites.map((name) => SUITES[name].dir), ...paths]

function collect(path) {
  const full = join(root, path)
  let stat
  try {
    stat = statSync(full)
  } catch {
    return []
  }
  if (stat.isFile()) return path.endsWith('.test.ts') ? [path] : []
  return readdirSync(full)
    .sort()
    .flatMap((name) => collect(join(path, name)))
}

const files = roots.flatMap(collect).map((f) => relative(root, join(root, f)))
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`)
  process.exit(1)
}
// Readable output on the terminal, plus a TAP copy from which the closing summary line is taken.
const scratch = mkdtempSync(join(tmpdir(), 'spid-tests-'))
const tap = join(scratch, 'results.tap')
// Paths given by hand may need anything: provision everything for them.
const needs = new Set(paths.length ? ['redis', 'chromium'] : suites.flatMap((name) => SUITES[name].needs))
const provisioned = await provisionForTests(needs)
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--import',
    join(root, 'scripts/hang-report.mjs'),
    '--test',
    '--test-timeout=120000',
    // Unit and build tests share nothing: two files at a time (node's default here is one).
    ...(needs.size === 0 ? ['--test-concurrency=2'] : []),
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files,
  ],
  // NODE_ENV=test: anything but development or test counts as production (Secure cookies, no
  // conformance-tool quirks), and the tests talk plain http on loopback.
  { cwd: root, stdio: 'inherit', env: { NODE_ENV: 'test', ...process.env, ...provisioned.env, NODE_NO_WARNINGS: '1' } },
)
provisioned.cleanup()

const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(readFileSync(tap, 'utf8'))?.[1] ?? 0)
try {
  console.log(`${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped`)
} catch {
  console.log('0 passed, 1 failed')
}
rmSync(scratch, { recursive: true, force: true })
process.exit(result.status ?? 1)
