import { TransactionError } from '../errors/spid-error.ts'

/**
 * Rule R1 (RFC 9207): when the callback carries `iss`, it must be the issuer of the OP this
 * login was sent to; otherwise the response may come from another OP (mix-up attack).
 */
export function checkIssuerParameter(iss: string | undefined, expectedIssuer: string): void {
  if (iss !== undefined && iss !== expectedIssuer) {
    throw new TransactionError('ERR_SPID_ISSUER_MISMATCH', 'callback iss differs from the issuer the login was sent to')
  }
}
