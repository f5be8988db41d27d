/**
 * OpenID Federation 1.0 metadata policy (section 6.1): each operator, the merge of policies down a
 * chain, the combinations refused, and the specification's own example (section 6.1.5) end to end.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { applyMetadataPolicy, type EntityTypePolicy, resolveMetadataPolicy } from '../../../src/federation/metadata-policy.ts'

const RP = 'openid_relying_party'
const apply = (metadata: Record<string, unknown>, policy: EntityTypePolicy) => applyMetadataPolicy(RP, metadata, policy)
const code = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    return `${(error as { code?: string }).code}: ${(error as Error).message}`
  }
  return 'no error'
}

describe('metadata policy: the specification example (6.1.5)', () => {
  const trustAnchor = {
    [RP]: {
      grant_types: { default: ['authorization_code'], subset_of: ['authorization_code', 'refresh_token'], superset_of: ['authorization_code'] },
      token_endpoint_auth_method: { one_of: ['private_key_jwt', 'self_signed_tls_client_auth'], essential: true },
      token_endpoint_auth_signing_alg: { one_of: ['PS256', 'ES256'] },
      subject_type: { value: 'pairwise' },
      contacts: { add: ['helpdesk@federation.example.org'] },
    },
  }
  const intermediate = {
    [RP]: {
      grant_types: { subset_of: ['authorization_code'] },
      token_endpoint_auth_method: { one_of: ['self_signed_tls_client_auth'] },
      contacts: { add: ['helpdesk@org.example.org'] },
    },
  }
  const intermediateValues = { sector_identifier_uri: 'https://org.example.org/sector-ids.json', policy_uri: 'https://org.example.org/policy.html' }
  const leaf = {
    redirect_uris: ['https://rp.example.org/callback'],
    response_types: ['code'],
    token_endpoint_auth_method: 'self_signed_tls_client_auth',
    contacts: ['rp_admins@rp.example.org'],
  }

  it('merges the Trust Anchor and Intermediate policies as the specification shows', () => {
    assert.deepEqual(resolveMetadataPolicy([trustAnchor, intermediate])[RP], {
      grant_types: { default: ['authorization_code'], superset_of: ['authorization_code'], subset_of: ['authorization_code'] },
      token_endpoint_auth_method: { one_of: ['self_signed_tls_client_auth'], essential: true },
      token_endpoint_auth_signing_alg: { one_of: ['PS256', 'ES256'] },
      subject_type: { value: 'pairwise' },
      contacts: { add: ['helpdesk@federation.example.org', 'helpdesk@org.example.org'] },
    })
  })

  it('applies the superior’s metadata values, then the merged policy, to the leaf', () => {
    const policy = resolveMetadataPolicy([trustAnchor, intermediate])[RP]
    assert.deepEqual(applyMetadataPolicy(RP, leaf, policy, intermediateValues), {
      redirect_uris: ['https://rp.example.org/callback'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'self_signed_tls_client_auth',
      subject_type: 'pairwise',
      sector_identifier_uri: 'https://org.example.org/sector-ids.json',
      policy_uri: 'https://org.example.org/policy.html',
      contacts: ['rp_admins@rp.example.org', 'helpdesk@federation.example.org', 'helpdesk@org.example.org'],
    })
  })
})

describe('metadata policy: each operator', () => {
  it('value sets, overrides, and with null removes', () => {
    assert.deepEqual(apply({}, { require_auth_time: { value: true } }), { require_auth_time: true })
    assert.deepEqual(apply({ require_auth_time: false }, { require_auth_time: { value: true } }), { require_auth_time: true })
    assert.deepEqual(apply({ initiate_login_uri: 'https://x' }, { initiate_login_uri: { value: null } }), {})
  })
  it('add initializes or adds the missing values only', () => {
    assert.deepEqual(apply({}, { contacts: { add: ['a'] } }), { contacts: ['a'] })
    assert.deepEqual(apply({ contacts: ['a', 'b'] }, { contacts: { add: ['b', 'c'] } }), { contacts: ['a', 'b', 'c'] })
    assert.match(
      code(() => apply({ contacts: 'a' }, { contacts: { add: ['b'] } })),
      /ERR_SPID_METADATA_POLICY: .*contacts.*needs an array/,
    )
  })
  it('default only fills an absent parameter', () => {
    assert.deepEqual(apply({}, { application_type: { default: 'web' } }), { application_type: 'web' })
    assert.deepEqual(apply({ application_type: 'native' }, { application_type: { default: 'web' } }), { application_type: 'native' })
  })
  it('one_of checks a present value and leaves an absent one alone', () => {
    assert.deepEqual(apply({ alg: 'RS256' }, { alg: { one_of: ['RS256', 'PS256'] } }), { alg: 'RS256' })
    assert.deepEqual(apply({}, { alg: { one_of: ['RS256'] } }), {})
    assert.match(
      code(() => apply({ alg: 'HS256' }, { alg: { one_of: ['RS256', 'PS256'] } })),
      /ERR_SPID_METADATA_POLICY: .*alg: "HS256" is not one of/,
    )
  })
  it('subset_of keeps the intersection, possibly empty, and skips an absent voluntary parameter (the specification table)', () => {
    const cases: [boolean, unknown, unknown][] = [
      [true, ['a', 'e'], ['a']],
      [false, ['a', 'e'], ['a']],
      [true, ['d', 'e'], []],
      [false, ['d', 'e'], []],
      [false, undefined, undefined],
    ]
    for (const [essential, input, output] of cases) {
      const out = apply(input === undefined ? {} : { p: input }, { p: { essential, subset_of: ['a', 'b', 'c'] } })
      assert.deepEqual(out.p, output, JSON.stringify({ essential, input }))
    }
    assert.match(
      code(() => apply({}, { p: { essential: true, subset_of: ['a', 'b', 'c'] } })),
      /p: is essential and missing/,
    )
  })
  it('superset_of requires every listed value', () => {
    assert.deepEqual(apply({ g: ['a', 'b'] }, { g: { superset_of: ['a'] } }), { g: ['a', 'b'] })
    assert.match(
      code(() => apply({ g: ['b'] }, { g: { superset_of: ['a'] } })),
      /must contain every value of \["a"\]/,
    )
  })
  it('treats scope as an array of space-separated values', () => {
    assert.deepEqual(apply({ scope: 'openid profile email' }, { scope: { subset_of: ['openid', 'email'] } }), { scope: 'openid email' })
    assert.deepEqual(apply({}, { scope: { default: ['openid'] } }), { scope: 'openid' })
  })
})

describe('metadata policy: merging down the chain', () => {
  const merged = (upper: Record<string, unknown>, lower: Record<string, unknown>) =>
    resolveMetadataPolicy([{ [RP]: { p: upper } }, { [RP]: { p: lower } }])[RP]?.p
  it('merges each operator by its own rule', () => {
    assert.deepEqual(merged({ add: ['a'] }, { add: ['b', 'a'] }), { add: ['a', 'b'] })
    assert.deepEqual(merged({ subset_of: ['a', 'b'] }, { subset_of: ['b', 'c'] }), { subset_of: ['b'] })
    assert.deepEqual(merged({ superset_of: ['a'] }, { superset_of: ['b'] }), { superset_of: ['a', 'b'] })
    assert.deepEqual(merged({ one_of: ['a', 'b'] }, { one_of: ['b', 'c'] }), { one_of: ['b'] })
    assert.deepEqual(merged({ essential: false }, { essential: true }), { essential: true })
    assert.deepEqual(merged({ essential: true }, { essential: false }), { essential: true }, 'a subordinate cannot lift an essential')
    assert.deepEqual(merged({ value: 'x' }, { value: 'x' }), { value: 'x' })
    assert.deepEqual(
      merged({ value: ['a', { b: 1, c: 2 }] }, { value: ['a', { c: 2, b: 1 }] }),
      { value: ['a', { b: 1, c: 2 }] },
      'objects equal in any member order',
    )
  })
  it('refuses conflicts between levels, naming the parameter and the values', () => {
    assert.match(
      code(() => merged({ value: 'x' }, { value: 'y' })),
      /openid_relying_party\.p: "value" is "x" above and "y" below/,
    )
    assert.match(
      code(() => merged({ default: 'x' }, { default: 'y' })),
      /"default" is "x" above and "y" below/,
    )
    assert.match(
      code(() => merged({ one_of: ['a'] }, { one_of: ['b'] })),
      /"one_of" \["a"\] above and \["b"\] below have no value in common/,
    )
    assert.match(
      code(() => merged({ subset_of: ['a', 'b'] }, { superset_of: ['c'] })),
      /"subset_of" must be a superset of "superset_of"/,
    )
    assert.match(
      code(() => merged({ value: 'c' }, { one_of: ['a', 'b'] })),
      /"value" must be one of the "one_of" values/,
    )
  })
})

describe('metadata policy: combinations refused in one policy', () => {
  const check = (policy: Record<string, unknown>) => code(() => resolveMetadataPolicy([{ [RP]: { p: policy } }]))
  it('accepts the allowed ones', () => {
    for (const ok of [
      { value: ['a'], add: ['a'] },
      { value: 'a', default: 'b', one_of: ['a'], essential: true },
      { value: ['a'], subset_of: ['a', 'b'], superset_of: ['a'] },
      { add: ['a'], subset_of: ['a', 'b'], superset_of: ['b'], default: ['a'] },
      { one_of: ['a'], default: 'a', essential: false },
    ]) {
      assert.equal(check(ok), 'no error', JSON.stringify(ok))
    }
  })
  it('refuses the others, each with its reason', () => {
    for (const [policy, reason] of [
      [{ value: ['a'], add: ['b'] }, /"add" values must be a subset of "value"/],
      [{ value: null, default: 'a' }, /"default" cannot be combined with a null "value"/],
      [{ value: null, essential: true }, /a null "value" cannot be essential/],
      [{ value: ['c'], subset_of: ['a'] }, /"value" must be a subset of "subset_of"/],
      [{ value: ['a'], superset_of: ['a', 'b'] }, /"value" must be a superset of "superset_of"/],
      [{ one_of: ['a'], subset_of: ['a'] }, /"one_of" combines only with/],
      [{ one_of: ['a'], add: ['a'] }, /"one_of" combines only with/],
      [{ add: ['c'], subset_of: ['a'] }, /"add" values must be a subset of "subset_of"/],
      [{ one_of: [] }, /operator "one_of" has a value of the wrong type/],
      [{ essential: 'yes' }, /operator "essential" has a value of the wrong type/],
      [{ subset_of: 'a' }, /operator "subset_of" has a value of the wrong type/],
      [{ default: null }, /operator "default" has a value of the wrong type/],
    ] as const) {
      assert.match(check(policy), reason, JSON.stringify(policy))
    }
  })
  it('ignores an operator it does not know, unless the chain declares it critical', () => {
    assert.deepEqual(resolveMetadataPolicy([{ [RP]: { p: { regexp: '^a', essential: true } } }])[RP], { p: { essential: true } })
    assert.match(
      code(() => resolveMetadataPolicy([{ [RP]: { p: { regexp: '^a' } } }], new Set(['regexp']))),
      /operator "regexp" is critical \(metadata_policy_crit\) and not supported/,
    )
  })
})
