import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { checkAcrSatisfies } from '../../../src/checks/check-acr-satisfies.ts'
import { checkAtHash } from '../../../src/checks/check-at-hash.ts'
import { checkAuthTime } from '../../../src/checks/check-auth-time.ts'
import { checkAzp } from '../../../src/checks/check-azp.ts'
import { CALLBACK_PARAMETER_MAX_LENGTH, checkCallbackParameters } from '../../../src/checks/check-callback-parameters.ts'
import { checkIdToken } from '../../../src/checks/check-id-token.ts'
import { checkIdTokenClaims } from '../../../src/checks/check-id-token-claims.ts'
import { checkReturnTo } from '../../../src/checks/check-return-to.ts'
import { checkUserinfoSubject } from '../../../src/checks/check-userinfo-subject.ts'
import { SPID_L1, SPID_L2, SPID_L3 } from '../../../src/index.ts'

const code = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    return (error as { code?: string }).code
  }
  return 'no error'
}

describe('checkAcrSatisfies (rule I4)', () => {
  it('accepts the level asked for or higher', () => {
    assert.equal(checkAcrSatisfies(SPID_L2, SPID_L2), SPID_L2)
    assert.equal(checkAcrSatisfies(SPID_L3, SPID_L1), SPID_L3)
  })
  it('refuses a lower level, naming the required one', () => {
    assert.equal(
      code(() => checkAcrSatisfies(SPID_L1, SPID_L2)),
      'ERR_SPID_ACR_TOO_LOW',
    )
    try {
      checkAcrSatisfies(SPID_L2, SPID_L3)
    } catch (e) {
      assert.equal((e as { requiredLevel: string }).requiredLevel, SPID_L3)
    }
  })
  it('refuses a missing or unknown acr', () => {
    for (const acr of [undefined, null, '', 'urn:other', 2, 'https://www.spid.gov.it/SpidL4']) {
      assert.equal(
        code(() => checkAcrSatisfies(acr, SPID_L1)),
        'ERR_SPID_ACR_MISSING',
        String(acr),
      )
    }
  })
})

describe('checkAtHash (rule I3)', () => {
  const token = 'an-access-token'
  const half = (alg: string, len: number) => createHash(alg).update(token).digest().subarray(0, len).toString('base64url')
  it('accepts the left half of the hash for the alg', () => {
    checkAtHash(half('sha256', 16), token, 'RS256')
    checkAtHash(half('sha512', 32), token, 'RS512')
  })
  it('refuses a wrong, missing or mis-sized at_hash and unknown algs', () => {
    assert.equal(
      code(() => checkAtHash(half('sha256', 16), 'another-token', 'RS256')),
      'ERR_SPID_AT_HASH_MISMATCH',
    )
    assert.equal(
      code(() => checkAtHash(undefined, token, 'RS256')),
      'ERR_SPID_AT_HASH_MISMATCH',
    )
    assert.equal(
      code(() => checkAtHash(half('sha256', 16), token, 'RS512')),
      'ERR_SPID_AT_HASH_MISMATCH',
    )
    assert.equal(
      code(() => checkAtHash(half('sha256', 16), token, 'HS256')),
      'ERR_SPID_ID_TOKEN_INVALID',
    )
  })
  it('takes its algorithms from the profile list only: the *384 family the SPID/CIE profile leaves out is refused', () => {
    for (const alg of ['PS256', 'ES256']) checkAtHash(half('sha256', 16), token, alg)
    for (const alg of ['PS512', 'ES512']) checkAtHash(half('sha512', 32), token, alg)
    for (const alg of ['RS384', 'PS384', 'ES384'])
      assert.equal(
        code(() => checkAtHash(half('sha384', 24), token, alg)),
        'ERR_SPID_ID_TOKEN_INVALID',
        alg,
      )
  })
})

describe('checkIdTokenClaims (rule I2)', () => {
  const at = { now: 1000, clockTolerance: 60 }
  it('needs jti, sub and an iat not in the future', () => {
    checkIdTokenClaims({ jti: 'j', sub: 's', iat: 1060 }, at)
    assert.equal(
      code(() => checkIdTokenClaims({ sub: 's', iat: 1000 }, at)),
      'ERR_SPID_ID_TOKEN_INVALID',
    )
    assert.equal(
      code(() => checkIdTokenClaims({ jti: 'j', sub: '', iat: 1000 }, at)),
      'ERR_SPID_ID_TOKEN_INVALID',
    )
    assert.equal(
      code(() => checkIdTokenClaims({ jti: 'j', sub: 's', iat: 1061 }, at)),
      'ERR_SPID_ID_TOKEN_INVALID',
    )
    assert.equal(
      code(() => checkIdTokenClaims({ jti: 'j', sub: 's' }, at)),
      'ERR_SPID_ID_TOKEN_INVALID',
    )
  })
})

describe('checkUserinfoSubject (rule U3)', () => {
  it('refuses any other sub', () => {
    checkUserinfoSubject('abc', 'abc')
    for (const other of ['abd', undefined, '', 'ABC']) {
      assert.equal(
        code(() => checkUserinfoSubject(other, 'abc')),
        'ERR_SPID_USERINFO_SUBJECT_MISMATCH',
      )
    }
  })
})

describe('checkCallbackParameters', () => {
  it('keeps single known values and drops unknown ones', () => {
    assert.deepEqual(checkCallbackParameters({ code: 'c', state: 's', iss: 'https://op', extra: 'x' }), { code: 'c', state: 's', iss: 'https://op' })
  })
  it('refuses repeated, nested, oversized and non-ASCII values', () => {
    for (const input of [
      { state: ['a', 'b'] },
      { code: { nested: 'x' } },
      { state: 'x'.repeat(CALLBACK_PARAMETER_MAX_LENGTH + 1) },
      { code: 'caf\u00e9' },
      { state: 'a b' },
      { code: 'a\u0000b' },
    ]) {
      assert.equal(
        code(() => checkCallbackParameters(input)),
        'ERR_SPID_BAD_REQUEST',
        JSON.stringify(input).slice(0, 60),
      )
    }
  })
  it('lets error_description carry any text', () => {
    assert.equal(checkCallbackParameters({ error: 'access_denied', error_description: 'annullato dall’utente' }).error, 'access_denied')
  })
})

describe('checkReturnTo (open redirects)', () => {
  it('keeps local paths', () => {
    for (const path of ['/', '/level2', '/a/b?c=d#e', '/%E2%9C%93']) assert.equal(checkReturnTo(path), path)
  })
  it('turns anything else into /', () => {
    for (const bad of [
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      '\\\\evil',
      '/%2F%2Fevil.example',
      '%2F%2Fevil',
      'javascript:alert(1)',
      '/%5Cevil',
      'level2',
      '',
      undefined,
      ['/a'],
      '/\r\nSet-Cookie:x',
      '/%zz',
    ]) {
      assert.equal(checkReturnTo(bad), '/', JSON.stringify(bad))
    }
  })
})

describe('strict ID token claims', () => {
  const clock = { now: 1_800_000_000, clockTolerance: 60 }
  it('acr: only the exact level URIs, never what people type', () => {
    for (const acr of ['3', 3, 'SpidL3', `${SPID_L3}/`, ` ${SPID_L3}`, 'https://www.spid.gov.it/SpidL4']) {
      assert.equal(
        code(() => checkAcrSatisfies(acr, SPID_L1)),
        'ERR_SPID_ACR_MISSING',
        JSON.stringify(acr),
      )
    }
  })
  it('auth_time: refused in the future beyond the tolerance, and never later than iat', () => {
    assert.equal(
      code(() => checkAuthTime({ iat: clock.now, auth_time: clock.now + 61 }, clock)),
      'ERR_SPID_AUTH_TIME_INVALID',
    )
    assert.equal(
      code(() => checkAuthTime({ iat: clock.now, auth_time: 'yesterday' }, clock)),
      'ERR_SPID_AUTH_TIME_INVALID',
    )
    assert.equal(checkAuthTime({ iat: clock.now, auth_time: clock.now + 60 }, clock), clock.now, 'within the tolerance, but capped at iat')
    assert.equal(checkAuthTime({ iat: clock.now, auth_time: clock.now - 100 }, clock), clock.now - 100)
    assert.equal(checkAuthTime({ iat: clock.now }, clock), clock.now, 'iat when there is no auth_time')
  })
  it('azp: when present, this client_id', () => {
    assert.equal(
      code(() => checkAzp('https://other-rp.example.it', 'https://rp.example.it')),
      'ERR_SPID_AZP_MISMATCH',
    )
    assert.equal(
      code(() => checkAzp('', 'https://rp.example.it')),
      'ERR_SPID_AZP_MISMATCH',
    )
    assert.equal(
      code(() => checkAzp('https://rp.example.it', 'https://rp.example.it')),
      'no error',
    )
    assert.equal(
      code(() => checkAzp(undefined, 'https://rp.example.it')),
      'no error',
    )
  })
})

describe('checkIdToken: the SPID rules in order, as typed facts', () => {
  const now = 1_800_000_000
  const accessToken = 'a'.repeat(43)
  const atHash = createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url')
  const claims = { sub: 'pairwise', jti: 'j-1', iat: now, exp: now + 300, acr: SPID_L3, auth_time: now - 30, at_hash: atHash }
  const expected = { now, clockTolerance: 60, clientId: 'https://rp.example.it', accessToken, alg: 'RS256', level: SPID_L2 } as const
  it('returns what later steps read', () => {
    assert.deepEqual(checkIdToken(claims, expected), { sub: 'pairwise', jti: 'j-1', iat: now, exp: now + 300, acr: SPID_L3, authTime: now - 30, atHash })
  })
  it('refuses each rule with its own code', () => {
    assert.equal(
      code(() => checkIdToken({ ...claims, jti: undefined }, expected)),
      'ERR_SPID_ID_TOKEN_INVALID',
    )
    assert.equal(
      code(() => checkIdToken({ ...claims, auth_time: now + 3600 }, expected)),
      'ERR_SPID_AUTH_TIME_INVALID',
    )
    assert.equal(
      code(() => checkIdToken({ ...claims, azp: 'https://other.example.it' }, expected)),
      'ERR_SPID_AZP_MISMATCH',
    )
    assert.equal(
      code(() => checkIdToken({ ...claims, at_hash: 'x' }, expected)),
      'ERR_SPID_AT_HASH_MISMATCH',
    )
    assert.equal(
      code(() => checkIdToken({ ...claims, acr: SPID_L1 }, expected)),
      'ERR_SPID_ACR_TOO_LOW',
    )
  })
})
