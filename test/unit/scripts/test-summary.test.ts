/**
 * The closing summary of `npm test`, read from what node's test runner really writes: a file with
 * a failing test, a file whose tests pass but whose process never exits (a timer left running,
 * as a leaked socket or server would), and a file slower than its budget. The last two were once
 * reported as "0 failed": they count as failures now, and each file is named with why.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
// @ts-expect-error: a plain .mjs helper of the test runner
import { failedFilesOf, summarize } from '../../../scripts/test-summary.mjs'

describe('the test summary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spid-summary-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(
    join(dir, 'fails.test.mjs'),
    "import { describe, it } from 'node:test'\ndescribe('a suite', () => { it('fails', () => { throw new Error('boom') }) })\n",
  )
  writeFileSync(join(dir, 'lingers.test.mjs'), "import { it } from 'node:test'\nit('passes', () => {})\nsetInterval(() => {}, 1000)\n")
  writeFileSync(
    join(dir, 'slow.test.mjs'),
    "import { it } from 'node:test'\nit('takes too long', () => new Promise((resolve) => setTimeout(resolve, 60_000)))\n",
  )
  writeFileSync(join(dir, 'passes.test.mjs'), "import { it } from 'node:test'\nit('passes', () => {})\n")
  const tap = spawnSync(
    process.execPath,
    ['--test', '--test-timeout=3000', '--test-reporter=tap', 'fails.test.mjs', 'lingers.test.mjs', 'slow.test.mjs', 'passes.test.mjs'],
    { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH } },
  ).stdout
  const count = (key: string) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0)

  it('names every file that did not pass, with why', () => {
    assert.deepEqual(failedFilesOf(tap, dir), [
      { file: 'fails.test.mjs (a suite)', why: '1 subtest failed' },
      { file: 'lingers.test.mjs', why: 'timed out (test timed out after 3000ms)' },
      { file: 'slow.test.mjs', why: 'timed out (test timed out after 3000ms)' },
    ])
  })

  it('counts cancelled and timed-out files as failures', () => {
    const totals = { pass: count('pass'), fail: count('fail'), cancelled: count('cancelled'), skipped: count('skipped') }
    assert.ok(totals.cancelled >= 2, `node reports the two unfinished files as cancelled:\n${tap}`)
    const summary = summarize(
      totals,
      failedFilesOf(tap, dir).map((f: { file: string; why: string }) => `${f.file}: ${f.why}`),
    ) as { ok: boolean; text: string }
    assert.equal(summary.ok, false)
    assert.match(summary.text, new RegExp(`^${totals.pass} passed, ${totals.fail + totals.cancelled} failed \\(${totals.cancelled} cancelled or timed out\\)`))
    assert.match(summary.text, /files that did not pass:\n {2}- fails\.test\.mjs \(a suite\): 1 subtest failed\n {2}- lingers\.test\.mjs: timed out/)
  })

  it('is ok when everything passed', () => {
    assert.deepEqual(summarize({ pass: 3, fail: 0, cancelled: 0, skipped: 1 }, []), {
      ok: true,
      text: '3 passed, 0 failed (0 cancelled or timed out), 1 skipped',
    })
  })
})
