import { acrValuesFor, type SpidLevel } from '../levels.ts'
import type { ProviderProfileName } from './provider-config.ts'

import { buildClaimsRequest } from '../profile/claims-request.ts'
import type { ProfileField } from '../profile/spid-profile.ts'

/** What the RP wants to know about the user. */
export interface AttributeRequest {
  fields: readonly ProfileField[]
  required: readonly ProfileField[]
  /** Expert override: the exact `claims.userinfo`. */
  userinfoClaims?: Readonly<Record<string, unknown>> | undefined
}

/**
 * What differs between a SPID and a CIE id OP, in one place rather than in scattered ifs
 * (FED "differenze SPID/CIE").
 */
export interface ProviderProfile {
  readonly name: ProviderProfileName
  /** Rule A10. */
  scope(offline: boolean): string
  /** Rule A9/L1. */
  acrValues(level: SpidLevel, offline: boolean): string
  /** Rule A11: SPID takes claims under `userinfo` only; CIE also under `id_token`. */
  claims(request: AttributeRequest): Record<string, unknown>
  /** Rules L2/L3: a SPID refresh token restores the session (at SpidL1); a CIE one never does. */
  readonly refreshRestoresSession: boolean
}

const SPID: ProviderProfile = {
  name: 'spid',
  scope: (offline) => (offline ? 'openid offline_access' : 'openid'),
  acrValues: (level, offline) => acrValuesFor(level, offline),
  claims: (request) => ({ userinfo: request.userinfoClaims ?? buildClaimsRequest(request.fields, request.required, 'spid') }),
  refreshRestoresSession: true,
}

const CIE: ProviderProfile = {
  name: 'cie',
  scope: (offline) => (offline ? 'openid profile email offline_access' : 'openid profile email'),
  acrValues: (level, offline) => acrValuesFor(level, offline),
  claims: (request) => ({ userinfo: request.userinfoClaims ?? buildClaimsRequest(request.fields, request.required, 'cie') }),
  refreshRestoresSession: false,
}

export function providerProfile(name: ProviderProfileName): ProviderProfile {
  return name === 'cie' ? CIE : SPID
}
