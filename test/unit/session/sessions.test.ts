import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import type { Request } from 'express'
import { SpidConfigError, createSpidSession } from '../../../src/index.ts'
import { silentLogger } from '../../../src/log/logger.ts'
import { renewExpiryWhenSpent } from '../../../src/session/renew-expiry.ts'
import { SessionCipher, parseSessionKey } from '../../../src/session/session-cipher.ts'

describe('session expiry renewal', () => {
  const hour = 3600_000
  const run = (expiresIn: number) => {
    const now = 1_000_000_000_000
    const req = { session: { cookie: { expires: new Date(now + expiresIn), maxAge: expiresIn } } } as unknown as Request
    renewExpiryWhenSpent(8 * hour, 4 * hour, () => now)(req, {} as never, () => {})
    return req.session as unknown as { renewedAt?: number; cookie: { maxAge: number } }
  }
  it('leaves a session alone while more than half of it is left (no write)', () => {
    assert.equal(run(5 * hour).renewedAt, undefined)
  })
  it('renews it once less than half is left', () => {
    const s = run(3 * hour)
    assert.ok(s.renewedAt)
    assert.equal(s.cookie.maxAge, 8 * hour)
  })
})

describe('session encryption', () => {
  const key = randomBytes(32)
  it('round-trips and detects tampering', () => {
    const cipher = new SessionCipher([key])
    const record = cipher.encrypt('{"a":1}')
    assert.equal(cipher.decrypt(record), '{"a":1}')
    const parts = record.split('.')
    parts[4] = `${parts[4]!.slice(0, -2)}AA`
    assert.equal(cipher.decrypt(parts.join('.')), undefined)
    assert.equal(cipher.decrypt('{"plain":"json"}'), undefined)
  })
  it('decrypts with a retired key kept for rotation, and encrypts with the newest', () => {
    const old = new SessionCipher([key])
    const rotated = new SessionCipher([randomBytes(32), key])
    assert.equal(rotated.decrypt(old.encrypt('x')), 'x')
    assert.equal(old.decrypt(rotated.encrypt('y')), undefined)
  })
  it('reads keys as hex or base64 of 32 bytes only', () => {
    assert.equal(parseSessionKey(key.toString('hex'))?.equals(key), true)
    assert.equal(parseSessionKey(key.toString('base64'))?.equals(key), true)
    assert.equal(parseSessionKey('too-short'), undefined)
  })
})

describe('createSpidSession options', () => {
  const secret = 'a-session-secret-long-enough'
  it('requires an encryption key with Redis, and lists every problem', () => {
    assert.throws(
      () => createSpidSession({ secret: 'short', redis: 'redis://127.0.0.1:1', logger: silentLogger }),
      (e: unknown) => {
        assert.ok(e instanceof SpidConfigError)
        assert.ok(e.problems.some((p) => p.startsWith('secret:')))
        return true
      },
    )
    assert.throws(() => createSpidSession({ secret, redis: 'redis://127.0.0.1:1', logger: silentLogger }), /encryptionKey: REQUIRED with Redis/)
    assert.throws(() => createSpidSession({ secret, redis: 'http://nope', logger: silentLogger }), /redis:\/\//)
  })
  it('names the cookie __Host- behind HTTPS', () => {
    assert.equal(createSpidSession({ secret, secureCookie: true, logger: silentLogger }).cookieName, '__Host-spid.sid')
    assert.equal(createSpidSession({ secret, logger: silentLogger }).cookieName, 'spid.sid')
  })
  it('warns once about the memory store in production', () => {
    const lines: string[] = []
    const logger = { ...silentLogger, warn: (o: object) => void lines.push((o as { event: string }).event) }
    const previous = process.env.NODE_ENV
    process.env.NODE_ENV = 'production'
    try {
      createSpidSession({ secret, logger })
    } finally {
      process.env.NODE_ENV = previous
    }
    assert.deepEqual(lines, ['config.memory_store'])
  })
})
