import type { Logger } from './logger.ts'

/** Each use of `acceptCheckRpQuirks` is logged: it must never go unnoticed into production. */
export function logCheckRpQuirk(logger: Logger, issuer: string, quirk: string): void {
  logger.warn({ event: 'interop.check_rp_quirk', issuer, quirk }, `accepted a quirk of AgID's conformance tool (acceptCheckRpQuirks): ${quirk}`)
}
