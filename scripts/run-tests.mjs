#!/usr/bin/env node
// `npm test`: provisions what the tests need (scripts/provision.mjs), finds the test files
// (Node 20's --test does not expand globs) and runs them with node's test runner through tsx.
//   npm test                     every suite, then the Express 4 subset (see EXPRESS4_SUBSET)
//   npm test -- --unit           unit tests only: seconds, no Redis, no browser
//   npm test -- --integration    (also --e2e, --build, --express4; several may be given)
//   npm test -- test/unit/checks a folder or file
//   npm test -- --express4 test/integration/login.test.ts   files of your choice on Express 4
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { provisionForTests } from './provision.mjs'
import { failedFilesOf, summarize } from './test-summary.mjs'

const root = new URL('..', import.meta.url).pathname
/**
 * The suites, what each needs from the machine, and each file's budget: what the slowest file of
 * the suite takes on a loaded 2-core machine, with room to spare. A file over budget is a failure.
 */
const SUITES = {
  unit: { dir: 'test/unit', needs: [], budget: 120_000 },
  // Packs the package and installs it into fresh projects, then runs two TypeScript majors: the
  // consumer-types file took 221 s beside the other build files on a loaded 2-core machine.
  build: { dir: 'test/build', needs: [], budget: 420_000 },
  integration: { dir: 'test/integration', needs: ['redis'], budget: 120_000 },
  e2e: { dir: 'test/e2e', needs: ['redis', 'chromium'], budget: 180_000 },
}
/**
 * The integration files also run on Express 4 (`--express4`, and in a full `npm test`): those
 * whose code paths differ between the Express majors. Login and callback (query parsing: Express 5
 * reads the query string with the simple parser), level guards and step-up redirects, the session
 * store and cookie, `trust proxy` and the forwarded headers, error pages and JSON errors, logout,
 * and the example app's pages and routes. The rest (federation, audit, Redis topologies, token
 * checks) never touches Express, so a second run would cost minutes and test nothing new.
 */
const EXPRESS4_SUBSET = [
  'test/integration/login.test.ts',
  'test/integration/levels.test.ts',
  'test/integration/verify-callback.test.ts',
  'test/integration/redis-sessions.test.ts',
  'test/integration/behind-proxy.test.ts',
  'test/integration/refusal-messages.test.ts',
  'test/integration/hostile-input.test.ts',
  'test/integration/example-pages.test.ts',
  'test/integration/express-major.test.ts',
]
const OPTIONS = [...Object.keys(SUITES), 'express4']
const args = process.argv.slice(2)
const unknown = args.filter((a) => a.startsWith('--') && !OPTIONS.includes(a.slice(2)))
if (unknown.length) {
  console.error(`unknown option ${unknown.join(' ')}: use --unit, --build, --integration, --e2e, --express4, or paths`)
  process.exit(2)
}
const paths = args.filter((a) => !a.startsWith('--'))
const onExpress4 = args.includes('--express4')
const chosen = Object.keys(SUITES).filter((name) => args.includes(`--${name}`))
const everything = chosen.length === 0 && paths.length === 0 && !onExpress4

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
const normalise = (files) => files.map((f) => relative(root, join(root, f)))
const suiteOf = (file) => Object.values(SUITES).find((suite) => file.startsWith(`${suite.dir}/`))

/** The runs to make, each one invocation of node's test runner: files, budget, Express major. */
const runs = []
const suites = everything ? Object.keys(SUITES) : chosen
for (const name of suites) runs.push({ label: name, files: normalise(collect(SUITES[name].dir)), budget: SUITES[name].budget, needs: SUITES[name].needs })
if (paths.length) {
  // Paths given by hand may need anything: provision everything for them, and give each the
  // budget of its suite.
  const given = normalise(paths.flatMap(collect))
  const budgets = [...new Set(given.map((f) => suiteOf(f)?.budget ?? 120_000))]
  for (const budget of budgets) {
    const files = given.filter((f) => (suiteOf(f)?.budget ?? 120_000) === budget)
    runs.push({ label: onExpress4 ? 'express4' : 'files', files, budget, needs: ['redis', 'chromium'], express4: onExpress4 })
  }
}
if (everything || (onExpress4 && paths.length === 0)) {
  runs.push({ label: 'express4', files: EXPRESS4_SUBSET, budget: SUITES.integration.budget, needs: ['redis'], express4: true })
}
if (runs.every((run) => run.files.length === 0)) {
  console.error(`no test files under ${[...suites.map((n) => SUITES[n].dir), ...paths].join(', ')}`)
  process.exit(1)
}

const needs = new Set(runs.flatMap((run) => run.needs))
const provisioned = await provisionForTests(needs)
const scratch = mkdtempSync(join(tmpdir(), 'spid-tests-'))
const totals = { pass: 0, fail: 0, cancelled: 0, skipped: 0 }
/** Files that failed, timed out or were cancelled, each with why. */
const failedFiles = []
let status = 0
for (const [index, run] of runs.entries()) {
  if (run.files.length === 0) continue
  const tap = join(scratch, `results-${index}.tap`)
  if (runs.length > 1) console.log(`\n# ${run.label}: ${run.files.length} files${run.express4 ? ' on Express 4' : ''}, ${run.budget / 1000} s each at most\n`)
  const express4Hook = join(root, 'scripts/express4-hook.mjs')
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      join(root, 'scripts/hang-report.mjs'),
      ...(run.express4 ? ['--import', express4Hook] : []),
      '--test',
      `--test-timeout=${run.budget}`,
      // Unit and build tests share nothing: two files at a time (node's default here is one).
      ...(run.needs.length === 0 ? ['--test-concurrency=2'] : []),
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...run.files,
    ],
    {
      cwd: root,
      stdio: 'inherit',
      // NODE_ENV=test: anything but development or test counts as production (Secure cookies, no
      // conformance-tool quirks), and the tests talk plain http on loopback. On Express 4, the
      // processes the tests start (the example app) load Express 4 as well.
      env: {
        NODE_ENV: 'test',
        ...process.env,
        ...provisioned.env,
        NODE_NO_WARNINGS: '1',
        SPID_HANG_REPORT_BUDGET_MS: String(run.budget),
        ...(run.express4 ? { SPID_TEST_EXPRESS: '4', NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${express4Hook}`.trim() } : {}),
      },
    },
  )
  if (result.status !== 0) status = result.status ?? 1
  let text = ''
  try {
    text = readFileSync(tap, 'utf8')
  } catch {
    failedFiles.push(`${run.label}: the test runner wrote no results (exit ${result.status ?? result.signal})`)
    continue
  }
  for (const key of Object.keys(totals)) totals[key] += Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(text)?.[1] ?? 0)
  failedFiles.push(...failedFilesOf(text, root).map((f) => `${f.file}${run.express4 ? ' (Express 4)' : ''}: ${f.why}`))
}
provisioned.cleanup()
rmSync(scratch, { recursive: true, force: true })

const summary = summarize(totals, failedFiles)
console.log(`\n${summary.text}`)
process.exit(status !== 0 || !summary.ok ? status || 1 : 0)
