import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { calculateJwkThumbprint, type JWK } from 'jose'
import { exportPublicKeys, generateDevKeys } from '../../../src/index.ts'

const root = new URL('../../../', import.meta.url).pathname
const PRIVATE = ['d', 'p', 'q', 'dp', 'dq', 'qi']
const CERTIFICATE = ['x5c', 'x5t', 'x5t#S256']

describe('key export for the registry portals', () => {
  const keys = generateDevKeys()
  const next = generateDevKeys()

  it('prints the federation and core keys with RFC 7638 kids, public members only, no certificates', async () => {
    const exported = exportPublicKeys(keys)
    assert.deepEqual(
      exported.federation.keys.map((k) => k.kid),
      [keys.federation.kid],
    )
    assert.deepEqual(
      exported.core.keys.map((k) => [k.kid, k.use]),
      [
        [keys.signing.kid, 'sig'],
        [keys.encryption.kid, 'enc'],
      ],
    )
    for (const key of [...exported.federation.keys, ...exported.core.keys]) {
      assert.equal(key.kid, await calculateJwkThumbprint(key as JWK, 'sha256'), 'kid is the RFC 7638 thumbprint')
      for (const member of [...PRIVATE, ...CERTIFICATE]) assert.equal(member in key, false, `no ${member}`)
    }
  })

  it('leaves out x5c/x5t unless asked for, and includes the keys of a rollover', () => {
    const withCertificate = { ...keys.federation, x5c: ['MIIBfake'], 'x5t#S256': 'abc' }
    const input = { ...keys, federation: { current: withCertificate, next: next.federation } }
    assert.deepEqual(
      exportPublicKeys(input).federation.keys.map((k) => [k.kid, 'x5c' in k]),
      [
        [keys.federation.kid, false],
        [next.federation.kid, false],
      ],
    )
    const asked = exportPublicKeys(input, { withCertificates: true }).federation.keys[0] as JWK
    assert.deepEqual([asked.x5c, asked['x5t#S256' as keyof JWK]], [['MIIBfake'], 'abc'])
  })

  it('runs as `npx passport-spid-oidc keys <file>`', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spid-keys-'))
    try {
      const file = join(dir, 'rp-keys.json')
      writeFileSync(file, JSON.stringify(keys))
      const printed = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'keys', file], { cwd: root, encoding: 'utf8' }))
      assert.deepEqual(printed, exportPublicKeys(keys))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
