/**
 * `npm run audit:verify -- <dir> [key]`: checks an audit folder's integrity chain.
 * The key (hex or base64, 32 bytes) is needed to check that encrypted records decrypt.
 * Exits 1 when anything was edited, deleted or reordered.
 */
import { verifyAuditLog } from '../src/audit/json-lines-sink.ts'
import { parseSessionKey } from '../src/session/session-cipher.ts'

const [dir, keyText] = process.argv.slice(2)
if (!dir) {
  console.error('usage: npm run audit:verify -- <audit folder> [encryption key]')
  process.exit(2)
}
const key = keyText ? parseSessionKey(keyText) : undefined
if (keyText && !key) {
  console.error('the key must be 32 bytes, as 64 hex characters or base64')
  process.exit(2)
}
const result = verifyAuditLog(dir, key)
for (const problem of result.problems) console.log(`PROBLEM ${problem}`)
console.log(`${result.records} records, ${result.ok ? 'chain intact' : `${result.problems.length} problem(s)`}`)
process.exit(result.ok ? 0 : 1)
