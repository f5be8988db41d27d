import { TokenValidationError } from '../errors/spid-error.ts'

/** Rule U3: the UserInfo `sub` equals the ID token's, or the attributes are someone else's. */
export function checkUserinfoSubject(userinfoSub: unknown, idTokenSub: string): void {
  if (userinfoSub !== idTokenSub) {
    throw new TokenValidationError('ERR_SPID_USERINFO_SUBJECT_MISMATCH', 'UserInfo sub differs from the ID token sub')
  }
}
