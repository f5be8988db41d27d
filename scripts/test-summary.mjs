// The closing summary of `npm test` (run-tests.mjs), read from node's TAP output.
import { relative } from 'node:path'

/**
 * The files that did not pass, from the TAP stream: each top-level `not ok` is a file, and its
 * YAML block says why (a failed test, the file's budget, a process that never ended).
 */
export function failedFilesOf(text, root) {
  const lines = text.split('\n')
  const failed = []
  for (const [i, line] of lines.entries()) {
    const match = /^not ok \d+ - (.*)$/.exec(line)
    if (!match) continue
    const block = []
    for (let j = i + 1; j < lines.length && /^ {2}/.test(lines[j]); j++) block.push(lines[j])
    const yaml = block.join('\n')
    const error = /^ {2}error: (.*)$/m.exec(yaml)?.[1]?.replace(/^'|'$/g, '')
    // A file's own entry is named by its path; a failed suite by its name, with the file in `location`.
    const location = /^ {2}location: '(.*):\d+:\d+'$/m.exec(yaml)?.[1] ?? match[1]
    const type = /^ {2}failureType: '?([\w]+)'?$/m.exec(yaml)?.[1]
    const why =
      type === 'testTimeoutFailure' || /timed out/.test(error ?? '')
        ? `timed out (${error ?? 'over budget'})`
        : type === 'cancelledByParent'
          ? `cancelled (${error ?? 'its process did not finish'})`
          : (error ?? type ?? 'failed')
    const file = relative(root, location)
    failed.push({ file: location === match[1] ? file : `${file} (${match[1]})`, why })
  }
  return failed
}

/**
 * The closing lines: cancelled and timed-out files count as failures (a file that never finished
 * proved nothing), and every file that did not pass is named with why.
 */
export function summarize(totals, failedFiles) {
  const failures = totals.fail + totals.cancelled
  const lines = [`${totals.pass} passed, ${failures} failed (${totals.cancelled} cancelled or timed out), ${totals.skipped} skipped`]
  if (failedFiles.length) lines.push('files that did not pass:', ...failedFiles.map((f) => `  - ${f}`))
  return { ok: failures === 0 && failedFiles.length === 0, text: lines.join('\n') }
}
