import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { CIE_TRUST_ANCHOR, SPID_TRUST_ANCHOR } from '../../../src/index.ts'
import { discoveredProfile } from '../../../src/federation/discovered-profile.ts'

const SPID_SCOPES = { scopes_supported: ['openid', 'offline_access'] }
const CIE_SCOPES = { scopes_supported: ['openid', 'offline_access', 'profile', 'email'] }

describe('discoveredProfile: SPID or CIE id, for an OP an anchor listed', () => {
  it('follows the national anchor that listed it', () => {
    assert.equal(discoveredProfile(CIE_TRUST_ANCHOR, SPID_SCOPES), 'cie')
    assert.equal(discoveredProfile(SPID_TRUST_ANCHOR, CIE_SCOPES), 'spid')
  })

  it('under another anchor, reads CIE id from the profile and email scopes (rule A10)', () => {
    assert.equal(discoveredProfile('https://ta.example.it', CIE_SCOPES), 'cie')
    assert.equal(discoveredProfile('https://ta.example.it', { scopes_supported: ['openid', 'email'] }), 'cie')
    assert.equal(discoveredProfile('https://ta.example.it', SPID_SCOPES), 'spid')
    assert.equal(discoveredProfile('https://ta.example.it', {}), 'spid')
  })
})
