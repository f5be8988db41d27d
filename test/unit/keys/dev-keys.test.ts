import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'

const root = new URL('../../../', import.meta.url).pathname

describe('development keys', () => {
  it('gives instances started at the same moment from one directory the same keys', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spid-dev-keys-'))
    try {
      const script = `import { loadOrCreateDevKeys } from './src/index.ts'
        const k = loadOrCreateDevKeys(${JSON.stringify(join(dir, 'keys'))})
        console.log([k.federation.kid, k.signing.kid, k.encryption.kid].join(' '))`
      const runs = await Promise.all(
        Array.from({ length: 8 }, () => promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root })),
      )
      const kids = new Set(runs.map((r) => r.stdout.trim()))
      assert.equal(kids.size, 1, `every instance read one key set, got ${[...kids].join(' | ')}`)
      assert.deepEqual(readdirSync(join(dir, 'keys')), ['rp-keys.json'], 'no draft left behind')
      assert.equal(statSync(join(dir, 'keys', 'rp-keys.json')).mode & 0o777, 0o600)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
