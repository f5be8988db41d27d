import { checkUserinfoSubject } from '../checks/check-userinfo-subject.ts'
import { logCheckRpQuirk } from '../log/check-rp-quirk.ts'
import type { ResolvedProvider } from '../providers/provider-registry.ts'
import { noteJwePair } from './jwe-algorithms.ts'
import { verifyFromOp } from './op-keys.ts'
import type { ProtocolContext } from './protocol-context.ts'
import { fetchUserinfo } from './userinfo.ts'

/**
 * Rules U1-U3 for one OP: its UserInfo endpoint, by the method its profile wants, decrypted with
 * the RP's keys under a pair the SPID/CIE rules list (or, with `jweAlgorithms: 'registered'`, the
 * registered one; real OPs ignore the registration), then the
 * inner JWS verified with the OP's keys, and about `sub` (the person of the ID token or the
 * session). The same at login and when attributes are read again; each read is audited.
 */
export async function readUserinfo(ctx: ProtocolContext, provider: ResolvedProvider, accessToken: string, sub: string): Promise<Record<string, unknown>> {
  const { options } = ctx
  const userinfo = await fetchUserinfo({
    endpoint: provider.metadata.userinfo_endpoint,
    accessToken,
    ...(provider.config.userinfoMethod ? { method: provider.config.userinfoMethod } : {}),
    verifyJws: (jws) =>
      verifyFromOp(ctx.opKeys, provider, jws, { audience: options.clientId, clockTolerance: options.clockTolerance, now: ctx.now(), what: 'UserInfo' }),
    decryptionKeys: options.keys.published.encryption,
    registeredEncryption: options.userinfoEncryption,
    encryptionMode: options.jweAlgorithms,
    onJwePair: (pair) => noteJwePair(options, options.logger, provider.config.issuer, 'UserInfo', pair, options.userinfoEncryption),
    fetch: ctx.fetch,
    ...(options.acceptCheckRpQuirks ? { onQuirk: (quirk: string) => logCheckRpQuirk(options.logger, provider.config.issuer, quirk) } : {}),
  })
  checkUserinfoSubject(userinfo.sub, sub)
  ctx.audit('userinfo.received', {
    iss: provider.config.issuer,
    sub,
    jti: userinfo.jti as string | undefined,
    iat: userinfo.iat as number | undefined,
    exp: userinfo.exp as number | undefined,
    claims_released: Object.keys(userinfo)
      .filter((name) => !PROTOCOL_CLAIMS.has(name))
      .sort(),
  })
  return userinfo
}

/** Claims about the token rather than the person. */
export const PROTOCOL_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'nonce',
  'acr',
  'amr',
  'auth_time',
  'at_hash',
  'c_hash',
  'azp',
  'sid',
])
