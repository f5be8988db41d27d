import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import type { Request } from 'express'
import { SpidConfigError, createSpidSession } from '../../../src/index.ts'
import { silentLogger } from '../../../src/log/logger.ts'
import { renewExpiryWhenSpent } from '../../../src/session/renew-expiry.ts'
import { CompactEncrypt, compactDecrypt } from 'jose'
import { SessionCipher, derivedKey, parseSessionKey } from '../../../src/session/session-cipher.ts'

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
    // Flip a bit of the decoded tag: editing base64url characters may leave the bytes unchanged.
    const tag = Buffer.from(parts[4]!, 'base64url')
    tag[0]! ^= 1
    parts[4] = tag.toString('base64url')
    assert.equal(cipher.decrypt(parts.join('.')), undefined)
    assert.equal(cipher.decrypt('{"plain":"json"}'), undefined)
  })
  it('decrypts with a retired key kept for rotation, and encrypts with the newest', () => {
    const old = new SessionCipher([key])
    const rotated = new SessionCipher([randomBytes(32), key])
    assert.equal(rotated.decrypt(old.encrypt('x')), 'x')
    assert.equal(old.decrypt(rotated.encrypt('y')), undefined)
  })
  it('writes JWE compact records (dir, A256GCM, kid) that jose reads with the derived key, and reads what jose writes', async () => {
    const cipher = new SessionCipher([key])
    const record = cipher.encrypt('{"who":"Ada"}')
    const sessionKey = new Uint8Array(derivedKey(key, 'session'))
    await assert.rejects(compactDecrypt(record, new Uint8Array(key)), 'the configured key itself is never used')
    const { plaintext, protectedHeader } = await compactDecrypt(record, sessionKey)
    assert.equal(new TextDecoder().decode(plaintext), '{"who":"Ada"}')
    assert.deepEqual(Object.keys(protectedHeader).sort(), ['alg', 'enc', 'kid'])
    assert.equal(protectedHeader.alg, 'dir')
    assert.equal(protectedHeader.enc, 'A256GCM')
    const kid = protectedHeader.kid as string
    const byJose = await new CompactEncrypt(new TextEncoder().encode('{"from":"jose"}'))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid })
      .encrypt(sessionKey)
    assert.equal(cipher.decrypt(byJose), '{"from":"jose"}')
  })
  it('refuses altered ciphertext and headers it did not write (another alg, zip, crit)', async () => {
    const cipher = new SessionCipher([key])
    const parts = cipher.encrypt('{"a":1}').split('.')
    const ciphertext = Buffer.from(parts[3]!, 'base64url')
    ciphertext[0]! ^= 1
    parts[3] = ciphertext.toString('base64url')
    assert.equal(cipher.decrypt(parts.join('.')), undefined)
    const kid = (JSON.parse(Buffer.from(cipher.encrypt('x').split('.')[0]!, 'base64url').toString()) as { kid: string }).kid
    for (const header of [
      { alg: 'dir', enc: 'A256GCM', kid, zip: 'DEF' },
      { alg: 'dir', enc: 'A256GCM', kid, crit: ['x'], x: 1 },
    ]) {
      const other = await new CompactEncrypt(new TextEncoder().encode('{}'))
        .setProtectedHeader(header as never)
        .encrypt(new Uint8Array(key))
        .catch(() => undefined)
      if (other) assert.equal(cipher.decrypt(other), undefined, JSON.stringify(header))
    }
    const gcm128 = await new CompactEncrypt(new TextEncoder().encode('{}'))
      .setProtectedHeader({ alg: 'dir', enc: 'A128GCM', kid })
      .encrypt(new Uint8Array(key.subarray(0, 16)))
    assert.equal(cipher.decrypt(gcm128), undefined)
  })
  it('binds a record to its id and expiry: moved to another id, or read after its expiry, it does not decrypt', () => {
    const cipher = new SessionCipher([key])
    const record = cipher.encrypt('{"spid":"x"}', { id: 'session-a', expiresAt: 2_000_000_000 })
    assert.equal(cipher.decrypt(record, { id: 'session-a', now: 1_999_999_999 }), '{"spid":"x"}')
    assert.equal(cipher.decrypt(record, { id: 'session-b', now: 1_999_999_999 }), undefined, 'copied under another id')
    assert.equal(cipher.decrypt(record, { id: 'session-a', now: 2_000_000_000 }), undefined, 'kept past its expiry (a restore without TTL)')
    assert.equal(cipher.decrypt(record), undefined, 'a bound record is read only with its binding')
    assert.equal(cipher.decrypt(cipher.encrypt('{}'), { id: 'session-a', now: 1 }), undefined, 'an unbound record is not a session')
    // The binding is authenticated: rewriting the header to another id breaks the tag.
    const [header, ...rest] = record.split('.')
    const forged = JSON.parse(Buffer.from(header as string, 'base64url').toString()) as Record<string, unknown>
    forged.exp = 2_100_000_000
    assert.equal(
      cipher.decrypt([Buffer.from(JSON.stringify(forged)).toString('base64url'), ...rest].join('.'), { id: 'session-a', now: 2_050_000_000 }),
      undefined,
    )
  })
  it('derives a key per purpose: a session record never decrypts as an audit record, nor the reverse', () => {
    const sessions = new SessionCipher([key], 'session')
    const audit = new SessionCipher([key], 'audit')
    assert.equal(audit.decrypt(sessions.encrypt('{"a":1}')), undefined)
    assert.equal(sessions.decrypt(audit.encrypt('{"a":1}')), undefined)
    assert.equal(audit.decrypt(audit.encrypt('{"a":1}')), '{"a":1}')
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
  it('says how to make an encryptionKey, in one command, when it has the wrong length or is missing with Redis', () => {
    const problem = (encryptionKey: string | undefined, redis?: string) => {
      try {
        createSpidSession({ secret, ...(redis ? { redis } : {}), ...(encryptionKey === undefined ? {} : { encryptionKey }), logger: silentLogger })
        return ''
      } catch (error) {
        return (error as SpidConfigError).problems.join('\n')
      }
    }
    for (const wrong of ['a'.repeat(63), Buffer.alloc(16).toString('base64'), Buffer.alloc(33).toString('base64')]) {
      assert.match(problem(wrong), /^encryptionKey: each key must be 32 bytes, as 64 hex characters or base64; make one with `openssl rand -base64 32`$/m)
    }
    assert.match(problem(undefined, 'redis://127.0.0.1:1'), /encryptionKey: REQUIRED with Redis, .*; make one with `openssl rand -base64 32`/)
    // What the command prints is a key the option takes.
    assert.equal(problem(Buffer.alloc(32, 7).toString('base64')), '')
  })
  it('says what to set when the secret is missing or short, not "Invalid input"', () => {
    // @ts-expect-error: the mistake under test
    assert.throws(() => createSpidSession({ logger: silentLogger }), /secret: REQUIRED: the secret signing session cookies, at least 16 characters/)
    assert.throws(
      () => createSpidSession({ secret: 'short', logger: silentLogger }),
      /secret: the secret signing session cookies, at least 16 characters, e\.g\. `openssl rand/,
    )
  })
  it('names the cookie __Host- behind HTTPS', () => {
    assert.equal(createSpidSession({ secret, secureCookie: true, logger: silentLogger }).cookieName, '__Host-spid.sid')
    assert.equal(createSpidSession({ secret, logger: silentLogger }).cookieName, 'spid.sid')
  })
  it('makes the cookie Secure and __Host- by default in production', () => {
    const previous = process.env.NODE_ENV
    process.env.NODE_ENV = 'production'
    try {
      assert.equal(createSpidSession({ secret, logger: silentLogger }).cookieName, '__Host-spid.sid')
      assert.equal(createSpidSession({ secret, secureCookie: false, logger: silentLogger }).cookieName, 'spid.sid', 'unless told otherwise')
    } finally {
      process.env.NODE_ENV = previous
    }
  })
  it('takes Redis as one server, a Sentinel set or a Cluster, and names what is wrong with a URL', () => {
    const problems = (redis: string) => {
      try {
        createSpidSession({ secret, redis, encryptionKey: 'a'.repeat(64), logger: silentLogger })
        return ''
      } catch (error) {
        return (error as SpidConfigError).problems.join()
      }
    }
    assert.match(problems('redis+sentinel://127.0.0.1:26379'), /ends with \/<primary name>/)
    assert.match(problems('redis+cluster://nohost'), /lists no valid host:port/)
    assert.match(problems('memcached://127.0.0.1'), /must be redis:\/\/, rediss:\/\/, redis\+cluster/)
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
