import type { ProviderProfileName } from '../providers/provider-config.ts'
import { CIE_TRUST_ANCHOR, SPID_TRUST_ANCHOR } from './anchors.ts'

/**
 * Whether an OP an anchor listed is a SPID or a CIE id one, so that it gets its own button, its
 * own words and its own rules. The anchor says it when it is one of the two national registries.
 * Under any other anchor (a test federation, an intermediate's own) the OP's scopes tell: SPID
 * OPs offer only `openid` and `offline_access`, CIE id adds `profile` and `email` (rule A10) —
 * an inference, as no metadata field names the scheme.
 */
export function discoveredProfile(anchor: string, metadata: Readonly<Record<string, unknown>>): ProviderProfileName {
  if (anchor === CIE_TRUST_ANCHOR) return 'cie'
  if (anchor === SPID_TRUST_ANCHOR) return 'spid'
  const scopes = metadata.scopes_supported
  return Array.isArray(scopes) && scopes.some((s) => s === 'profile' || s === 'email') ? 'cie' : 'spid'
}
