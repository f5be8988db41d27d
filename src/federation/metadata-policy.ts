import { FederationError } from '../errors/spid-error.ts'

/**
 * OpenID Federation 1.0 metadata policy (section 6.1): the seven standard operators, their
 * allowed combinations, how policies of a chain merge from the Trust Anchor down, and how the
 * resolved policy applies to an entity's metadata. Every error is a FederationError
 * `ERR_SPID_METADATA_POLICY` naming the entity type, the parameter and the operator.
 */

/** `{ operator: value }` for one metadata parameter. */
export type ParameterPolicy = Record<string, unknown>
/** Policies by metadata parameter, for one entity type. */
export type EntityTypePolicy = Record<string, ParameterPolicy>
/** Policies by entity type (`openid_provider`, `openid_relying_party`, …): a `metadata_policy` claim. */
export type MetadataPolicy = Record<string, EntityTypePolicy>
export type Metadata = Record<string, unknown>

/** The standard operators, in their order of application. */
export const OPERATORS = ['value', 'add', 'default', 'one_of', 'subset_of', 'superset_of', 'essential'] as const
type Operator = (typeof OPERATORS)[number]
const STANDARD = new Set<string>(OPERATORS)

/** Where a problem is: entity type and parameter, for messages. */
interface Place {
  type: string
  parameter: string
}

function policyError(place: Place | string, message: string): FederationError {
  const where = typeof place === 'string' ? place : `${place.type}.${place.parameter}`
  return new FederationError('ERR_SPID_METADATA_POLICY', `metadata policy for ${where}: ${message}`)
}

/** JSON equality, with object members in any order. */
function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b)
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
    return `{${entries.join(',')}}`
  }
  return JSON.stringify(value)
}

const contains = (list: readonly unknown[], item: unknown) => list.some((x) => same(x, item))
const isSubset = (sub: readonly unknown[], sup: readonly unknown[]) => sub.every((x) => contains(sup, x))
const union = (a: readonly unknown[], b: readonly unknown[]) => [...a, ...b.filter((x) => !contains(a, x))]
const intersection = (a: readonly unknown[], b: readonly unknown[]) => a.filter((x) => contains(b, x))
const asList = (value: unknown) => (Array.isArray(value) ? value : [value])

/** Checks the JSON types of one parameter policy's operator values and their combinations. */
export function checkParameterPolicy(place: Place, policy: ParameterPolicy, critical: ReadonlySet<string>): void {
  if (!policy || typeof policy !== 'object' || Array.isArray(policy)) throw policyError(place, 'is not an object of operators')
  for (const [name, value] of Object.entries(policy)) {
    if (!STANDARD.has(name)) {
      if (critical.has(name)) throw policyError(place, `operator "${name}" is critical (metadata_policy_crit) and not supported`)
      continue
    }
    checkOperatorValue(place, name as Operator, value)
  }
  const has = (name: Operator) => Object.hasOwn(policy, name)
  const { value, add, one_of: oneOf, subset_of: subsetOf, superset_of: supersetOf, essential } = policy as Record<Operator, unknown>
  const fail = (message: string) => {
    throw policyError(place, message)
  }
  if (has('value')) {
    if (has('add') && (!Array.isArray(value) || !isSubset(add as unknown[], value))) fail('"add" values must be a subset of "value"')
    if (has('default') && value === null) fail('"default" cannot be combined with a null "value"')
    if (has('one_of') && !contains(oneOf as unknown[], value)) fail('"value" must be one of the "one_of" values')
    if (has('subset_of') && (value === null || !isSubset(asList(value), subsetOf as unknown[]))) fail('"value" must be a subset of "subset_of"')
    if (has('superset_of') && (value === null || !isSubset(supersetOf as unknown[], asList(value)))) fail('"value" must be a superset of "superset_of"')
    if (value === null && essential === true) fail('a null "value" cannot be essential')
  }
  if (has('one_of') && (has('add') || has('subset_of') || has('superset_of'))) fail('"one_of" combines only with "value", "default" and "essential"')
  if (has('add') && has('subset_of') && !isSubset(add as unknown[], subsetOf as unknown[])) fail('"add" values must be a subset of "subset_of"')
  if (has('subset_of') && has('superset_of') && !isSubset(supersetOf as unknown[], subsetOf as unknown[])) {
    fail('"subset_of" must be a superset of "superset_of"')
  }
}

function checkOperatorValue(place: Place, name: Operator, value: unknown): void {
  const scalarOrArray = (v: unknown) => ['string', 'number', 'boolean'].includes(typeof v) || Array.isArray(v) || (typeof v === 'object' && v !== null)
  const ok =
    name === 'value'
      ? value === null || scalarOrArray(value)
      : name === 'default'
        ? scalarOrArray(value)
        : name === 'essential'
          ? typeof value === 'boolean'
          : name === 'one_of'
            ? Array.isArray(value) && value.length > 0
            : Array.isArray(value)
  if (!ok) throw policyError(place, `operator "${name}" has a value of the wrong type (${JSON.stringify(value)})`)
}

/** Merges a subordinate's parameter policy into the one from above (the operators' merge rules). */
function mergeParameterPolicy(place: Place, upper: ParameterPolicy, lower: ParameterPolicy): ParameterPolicy {
  const merged: ParameterPolicy = { ...upper }
  for (const [name, value] of Object.entries(lower)) {
    if (!STANDARD.has(name)) continue
    if (!Object.hasOwn(merged, name)) {
      merged[name] = value
      continue
    }
    const current = merged[name]
    switch (name as Operator) {
      case 'value':
      case 'default':
        if (!same(current, value))
          throw policyError(place, `"${name}" is ${JSON.stringify(current)} above and ${JSON.stringify(value)} below: they must be equal`)
        break
      case 'add':
      case 'superset_of':
        merged[name] = union(current as unknown[], value as unknown[])
        break
      case 'subset_of':
        merged[name] = intersection(current as unknown[], value as unknown[])
        break
      case 'one_of': {
        const both = intersection(current as unknown[], value as unknown[])
        if (both.length === 0) throw policyError(place, `"one_of" ${JSON.stringify(current)} above and ${JSON.stringify(value)} below have no value in common`)
        merged[name] = both
        break
      }
      case 'essential':
        merged[name] = current === true || value === true
        break
    }
  }
  return merged
}

/**
 * Resolves the metadata policy of a trust chain (section 6.1.4.1): the `metadata_policy` claims of
 * its subordinate statements, from the one issued by the Trust Anchor down to the one issued by
 * the subject's immediate superior, each checked, then merged into the one above.
 * `critical` is the union of their `metadata_policy_crit` claims.
 */
export function resolveMetadataPolicy(policies: readonly (MetadataPolicy | undefined)[], critical: ReadonlySet<string> = new Set()): MetadataPolicy {
  const resolved: MetadataPolicy = {}
  for (const policy of policies) {
    if (policy === undefined) continue
    if (!policy || typeof policy !== 'object' || Array.isArray(policy)) throw policyError('the chain', 'metadata_policy is not an object')
    for (const [type, parameters] of Object.entries(policy)) {
      if (!parameters || typeof parameters !== 'object' || Array.isArray(parameters)) throw policyError(type, 'is not an object of parameter policies')
      const current: EntityTypePolicy = resolved[type] ?? {}
      resolved[type] = current
      for (const [parameter, parameterPolicy] of Object.entries(parameters)) {
        const place = { type, parameter }
        checkParameterPolicy(place, parameterPolicy, critical)
        const merged = current[parameter] ? mergeParameterPolicy(place, current[parameter], parameterPolicy) : withoutUnknown(parameterPolicy)
        checkParameterPolicy(place, merged, critical)
        current[parameter] = merged
      }
    }
  }
  return resolved
}

function withoutUnknown(policy: ParameterPolicy): ParameterPolicy {
  return Object.fromEntries(Object.entries(policy).filter(([name]) => STANDARD.has(name)))
}

/**
 * The subject's metadata for one entity type after its immediate superior's `metadata` values
 * (which replace the subject's own) and the resolved policy (section 6.1.4.2). Throws when the
 * metadata breaks the policy; the input is not modified.
 */
export function applyMetadataPolicy(type: string, metadata: Metadata, policy: EntityTypePolicy | undefined, superiorValues?: Metadata): Metadata {
  const out: Metadata = { ...metadata, ...(superiorValues ?? {}) }
  for (const [parameter, parameterPolicy] of Object.entries(policy ?? {})) {
    const place = { type, parameter }
    // `scope` is a space-separated string that operators treat as an array of values.
    const isScope = parameter === 'scope'
    const present = Object.hasOwn(out, parameter)
    let current: unknown = present && isScope && typeof out[parameter] === 'string' ? (out[parameter] as string).split(' ').filter(Boolean) : out[parameter]
    let exists = present
    for (const name of OPERATORS) {
      if (!Object.hasOwn(parameterPolicy, name)) continue
      const operand = parameterPolicy[name]
      ;[current, exists] = applyOperator(place, name, operand, current, exists)
    }
    if (!exists) delete out[parameter]
    else out[parameter] = isScope && Array.isArray(current) ? current.join(' ') : current
  }
  return out
}

function applyOperator(place: Place, name: Operator, operand: unknown, current: unknown, exists: boolean): [unknown, boolean] {
  const needList = () => {
    if (!Array.isArray(current)) throw policyError(place, `operator "${name}" needs an array, the metadata has ${JSON.stringify(current)}`)
    return current
  }
  switch (name) {
    case 'value':
      return operand === null ? [undefined, false] : [operand, true]
    case 'add':
      return [exists ? union(needList(), operand as unknown[]) : [...(operand as unknown[])], true]
    case 'default':
      return exists ? [current, true] : [operand, true]
    case 'one_of':
      if (exists && !contains(operand as unknown[], current)) {
        throw policyError(place, `${JSON.stringify(current)} is not one of ${JSON.stringify(operand)}`)
      }
      return [current, exists]
    case 'subset_of':
      return exists ? [intersection(needList(), operand as unknown[]), true] : [current, false]
    case 'superset_of':
      if (exists && !isSubset(operand as unknown[], needList())) {
        throw policyError(place, `${JSON.stringify(current)} must contain every value of ${JSON.stringify(operand)}`)
      }
      return [current, exists]
    case 'essential':
      if (operand === true && !exists) throw policyError(place, 'is essential and missing')
      return [current, exists]
  }
}
