import { UnavailableError } from '../errors/spid-error.ts'
import type { ResolvedOptions } from '../options/resolve-options.ts'

/** `auditFailure: 'refuse-logins'`: no login starts or completes while the audit sink cannot write. */
export async function checkAuditAvailable(options: ResolvedOptions): Promise<void> {
  if (options.auditFailure !== 'refuse-logins' || options.audit?.healthy !== false) return
  throw new UnavailableError('ERR_SPID_AUDIT_UNAVAILABLE', 'the audit log cannot be written: logins are refused until it can (auditFailure: refuse-logins)')
}
