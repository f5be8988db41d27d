import { SpidConfigError } from '../errors/spid-error.ts'
import { checkRpEntityConfiguration } from '../federation/check-rp-entity-configuration.ts'
import { entityConfigurationClaims } from '../federation/entity-configuration.ts'
import { checkOwnTrustMarks } from '../federation/own-trust-marks.ts'
import { formatIssues } from './format-issues.ts'
import { type ResolvedOptions, type SpidStrategyOptions, strategyOptionsSchema } from './schema.ts'

export type { ResolvedOptions } from './schema.ts'

/**
 * Validates options once, at start-up, and lists every problem in one SpidConfigError:
 * the user restarts once, not once per mistake. Legal but risky settings are logged once.
 */
export function resolveOptions(input: SpidStrategyOptions & { passReqToCallback?: boolean }): ResolvedOptions {
  const parsed = strategyOptionsSchema.safeParse(input ?? {}, { reportInput: true })
  if (!parsed.success) throw new SpidConfigError(formatIssues(parsed.error, strategyOptionsSchema))
  const options = Object.freeze(parsed.data)
  checkEntityConfiguration(options)
  for (const { event, message, ...details } of options.warnings) options.logger.warn({ event, ...details }, message)
  return options
}

/**
 * The entity configuration these options produce, checked as a registry would (rules F2-F4):
 * in production every gap is a start-up error, in development one warning lists them all, so a
 * local set-up runs while what onboarding will ask for stays visible.
 */
function checkEntityConfiguration(options: ResolvedOptions): void {
  const now = Math.floor(Date.now() / 1000)
  const marks = checkOwnTrustMarks(options.trustMarks, options.clientId, now)
  if (marks.problems.length > 0) throw new SpidConfigError(marks.problems)
  for (const expired of marks.expired) options.logger.error({ event: 'config.trust_mark_expired' }, expired)

  const gaps = checkRpEntityConfiguration(entityConfigurationClaims(options, now), options.clientId).map(
    (p) => `${p.option ?? p.member}: ${p.option ? `${p.member} ` : ''}${p.message}`,
  )
  if (gaps.length === 0) return
  if (process.env.NODE_ENV === 'production') throw new SpidConfigError(gaps)
  options.logger.warn(
    { event: 'config.entity_configuration_incomplete', problems: gaps },
    'the entity configuration lacks what a federation registry requires; accepted outside production',
  )
}
