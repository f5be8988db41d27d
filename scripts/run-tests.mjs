#!/usr/bin/env node
// `npm test`: provisions what the tests need (scripts/provision.mjs), finds the test files
// (Node 20's --test does not expand globs) and runs them with node's test runner through tsx.
// Pass paths or folders to run a subset: npm test -- test/unit
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { provisionForTests } from './provision.mjs'

const root = new URL('..', import.meta.url).pathname
const targets = process.argv.slice(2)
const roots = targets.length ? targets : ['test/unit', 'test/integration', 'test/e2e']

function collect(path) {
  const full = join(root, path)
  let stat
  try { stat = statSync(full) } catch { return [] }
  if (stat.isFile()) return path.endsWith('.test.ts') ? [path] : []
  return readdirSync(full).sort().flatMap((name) => collect(join(path, name)))
}

const files = roots.flatMap(collect).map((f) => relative(root, join(root, f)))
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`)
  process.exit(1)
}
// Readable output on the terminal, plus a TAP copy from which the closing summary line is taken.
const scratch = mkdtempSync(join(tmpdir(), 'spid-tests-'))
const tap = join(scratch, 'results.tap')
const provisioned = await provisionForTests()
const result = spawnSync(process.execPath, [
  '--import', 'tsx', '--test', '--test-timeout=120000',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=tap', `--test-reporter-destination=${tap}`,
  ...files,
], { cwd: root, stdio: 'inherit', env: { ...process.env, ...provisioned.env, NODE_NO_WARNINGS: '1' } })
provisioned.cleanup()

const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(readFileSync(tap, 'utf8'))?.[1] ?? 0)
try {
  console.log(`${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped`)
} catch {
  console.log('0 passed, 1 failed')
}
rmSync(scratch, { recursive: true, force: true })
process.exit(result.status ?? 1)
