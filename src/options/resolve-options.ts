import { SpidConfigError } from '../errors/spid-error.ts'
import { formatIssues } from './format-issues.ts'
import { type ResolvedOptions, type SpidStrategyOptions, strategyOptionsSchema } from './schema.ts'

export type { ResolvedOptions } from './schema.ts'

/**
 * Validates options once, at start-up, and lists every problem in one SpidConfigError:
 * the user restarts once, not once per mistake. Legal but risky settings are logged once.
 */
export function resolveOptions(input: SpidStrategyOptions & { passReqToCallback?: boolean }): ResolvedOptions {
  const parsed = strategyOptionsSchema.safeParse(input ?? {}, { reportInput: true })
  if (!parsed.success) throw new SpidConfigError(formatIssues(parsed.error))
  const options = Object.freeze(parsed.data)
  for (const { event, message, ...details } of options.warnings) options.logger.warn({ event, ...details }, message)
  return options
}
