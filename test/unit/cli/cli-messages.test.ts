/**
 * The CLI as a user meets it (a child process, as `npx passport-spid-oidc` runs): its version,
 * help on every subcommand, a folder given where a file is expected, a misspelled option or
 * command, and why a server is unreachable (a port nobody listens on, on loopback).
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { loadOrCreateDevKeys } from '../../../src/index.ts'
// @ts-expect-error: a plain .mjs helper shared with the test runner
import { freePort } from '../../../scripts/provision.mjs'

const root = new URL('../../../', import.meta.url).pathname

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

describe('passport-spid-oidc (the CLI)', { concurrency: true }, () => {
  const folder = mkdtempSync(join(tmpdir(), 'spid-cli-'))
  after(() => rmSync(folder, { recursive: true, force: true }))

  it('prints its version with --version', async () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
    assert.deepEqual(await cli('--version'), { code: 0, stdout: `${version}\n`, stderr: '' })
  })

  for (const [args, usage] of [
    [['doctor', '--help'], 'passport-spid-oidc doctor <rp-entity-id>'],
    [['keys', '--help'], 'passport-spid-oidc keys <private-keys.json>'],
    [['audit', 'verify', '--help'], 'passport-spid-oidc audit verify <audit folder>'],
    [['audit', 'export', '-h'], 'passport-spid-oidc audit export <audit folder>'],
    [['audit', '--help'], 'passport-spid-oidc audit verify <audit folder>'],
  ] as const) {
    it(`answers ${args.join(' ')} with that command's usage, exit 0`, async () => {
      const { code, stdout } = await cli(...args)
      assert.equal(code, 0)
      assert.ok(stdout.includes(usage), stdout)
    })
  }

  it('says a folder was given where the key file is expected, and names the file inside it', async () => {
    loadOrCreateDevKeys(folder)
    const { code, stderr } = await cli('keys', folder)
    assert.equal(code, 2)
    assert.match(stderr, new RegExp(`the key file: ${folder} is a folder, not a file: give the JSON file inside it, e\\.g\\. ${folder}/rp-keys\\.json`))
    assert.doesNotMatch(stderr, /EISDIR/)
  })

  it('suggests the option meant for a misspelled one', async () => {
    const { code, stderr } = await cli('doctor', 'https://rp.example.it', '--jsno')
    assert.equal(code, 2)
    assert.match(stderr, /doctor: unknown option --jsno \(did you mean --json\?\)/)
  })

  it('suggests the command meant for a misspelled one', async () => {
    const { code, stderr } = await cli('doctr')
    assert.equal(code, 2)
    assert.match(stderr, /unknown command "doctr": did you mean "doctor"\?/)
  })

  it('says why the relying party is unreachable: the connection was refused', async () => {
    const port: number = await freePort()
    const { code, stdout } = await cli('doctor', `http://127.0.0.1:${port}`, '--anchor', `http://127.0.0.1:${port}`, '--no-providers')
    assert.equal(code, 1)
    assert.match(
      stdout,
      new RegExp(`http://127\\.0\\.0\\.1:${port} unreachable: connection refused by 127\\.0\\.0\\.1:${port}, nothing listens there \\(ECONNREFUSED\\)`),
    )
  })
})
