import type { Request } from 'express'
import { SpidError } from '../errors/spid-error.ts'
import type { SpidProfile } from '../profile/spid-profile.ts'
import { withPlaceNames } from '../profile/place-names.ts'
import { toProfile } from '../profile/to-profile.ts'
import type { ProtocolContext } from '../protocol/protocol-context.ts'
import { readUserinfo } from '../protocol/read-userinfo.ts'
import { providerProfile } from '../providers/provider-profile.ts'
import type { SharedState } from '../store/shared-state.ts'
import { loggedInAuth } from './auth-session.ts'
import { type RefreshesInFlight, renewAccess, restoreSession } from './restore-session.ts'

/**
 * Reads the person's consented attributes again from the OP's UserInfo. While the access token
 * lives it is used as it is. Once it has expired, the refresh token (an offline login) gets a new
 * one, by the rules of the OP's profile: SPID restores the session at SpidL1 (rule L2); CIE id
 * renews access only, with no ID token, and the session keeps its level (rule L3).
 */
export async function refreshAttributes(req: Request, ctx: ProtocolContext, inFlight: RefreshesInFlight, shared: SharedState): Promise<SpidProfile> {
  let auth = loggedInAuth(req)
  if (!auth) throw new SpidError('ERR_SPID_NOT_AUTHENTICATED', 'no SPID login in this session')
  if (auth.accessTokenExpiresAt <= ctx.now()) {
    if (!auth.refreshToken) {
      throw new SpidError('ERR_SPID_NOT_AUTHENTICATED', 'the access token has expired and the login was not offline: log in again to read the attributes')
    }
    const refresh = providerProfile(auth.providerProfile).refreshRestoresSession ? restoreSession : renewAccess
    await refresh(req, ctx, inFlight, shared)
    auth = loggedInAuth(req)
    if (!auth) throw new SpidError('ERR_SPID_NOT_AUTHENTICATED', 'the OP refused the refresh token: the session has ended')
  }
  const provider = await ctx.registry.resolve(auth.issuer)
  const userinfo = await readUserinfo(ctx, provider, auth.accessToken, auth.sub)
  return withPlaceNames(toProfile(userinfo, auth.issuer))
}
