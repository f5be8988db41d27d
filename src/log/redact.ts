import { createHash } from 'node:crypto'

/**
 * A short, stable tag for a secret (token, code, state, nonce, assertion): enough to correlate
 * log lines and audit records, useless to replay.
 */
export function secretTag(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('base64url').slice(0, 16)}`
}
