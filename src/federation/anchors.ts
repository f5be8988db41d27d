/**
 * The entity ids of the trust anchors of the Italian federations (rule F10). Only the ids: the
 * anchors' keys must always come from their official publication, pinned by the application.
 */
export const SPID_TRUST_ANCHOR = 'https://registry.spid.gov.it'
export const CIE_TRUST_ANCHOR = 'https://oidc.registry.servizicie.interno.gov.it'
