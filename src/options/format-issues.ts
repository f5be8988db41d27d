import type { z } from 'zod'
import { closestName } from './closest-name.ts'

/**
 * One line per problem, each with its dotted path and, for simple values, what was received:
 * `clientId: must be an https URL (got "http://rp.example.it")`.
 */
export function formatIssues(error: z.ZodError, schema?: z.ZodType): string[] {
  return error.issues.map((issue) => {
    const path = issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '')
    const got =
      issue.code !== 'custom' && 'input' in issue && issue.input !== undefined && typeof issue.input !== 'object' ? ` (got ${JSON.stringify(issue.input)})` : ''
    const hint = issue.code === 'unrecognized_keys' && schema ? suggestions(issue.keys, knownKeys(schema, issue.path)) : ''
    return `${path || '(options)'}: ${issue.message}${got}${hint}`
  })
}

/** `; did you mean "defaultLevel"?` for each unknown key within a typo of a known one. */
function suggestions(keys: readonly string[], known: string[]): string {
  const hints = keys.flatMap((key) => {
    const near = closestName(key, known)
    return near ? [`"${key}": did you mean "${near}"?`] : []
  })
  return hints.length ? `; ${hints.join('; ')}` : ''
}

/** The keys an object schema accepts at `path`, looking through optional, default, pipe, array and union wrappers. */
function knownKeys(schema: unknown, path: readonly PropertyKey[], depth = 0): string[] {
  type Def = { type: string; shape?: Record<string, unknown>; innerType?: unknown; in?: unknown; element?: unknown; options?: unknown[] }
  const def = (schema as { _zod?: { def?: Def } } | undefined)?._zod?.def
  if (!def || depth > 20) return []
  if (def.type === 'union') return [...new Set((def.options ?? []).flatMap((option) => knownKeys(option, path, depth + 1)))]
  const [segment, ...rest] = path
  if (def.type === 'object') return segment === undefined ? Object.keys(def.shape ?? {}) : knownKeys(def.shape?.[String(segment)], rest, depth + 1)
  if (def.type === 'array') return typeof segment === 'number' ? knownKeys(def.element, rest, depth + 1) : []
  return knownKeys(def.innerType ?? def.in, path, depth + 1)
}
