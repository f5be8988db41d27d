import { randomBytes } from 'node:crypto'

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** Rule A6: `state` and `nonce` are at least 32 alphanumeric characters; we use 48 (≈285 bits). */
export const STATE_LENGTH = 48
export const NONCE_LENGTH = 48

/**
 * Random alphanumeric string. openid-client's randomState()/randomNonce() are base64url, whose
 * `-` and `_` SPID OPs refuse. Rejection sampling keeps every character equally likely.
 */
export function randomAlphanumeric(length: number): string {
  let out = ''
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 62 * 4: bytes at or above it would favour the first characters.
      if (byte < 248) out += ALPHANUMERIC[byte % 62]
      if (out.length === length) break
    }
  }
  return out
}
