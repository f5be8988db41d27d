/**
 * The marks on the login buttons, drawn here after the published guidelines (a person in a
 * circle for SPID, a card with a portrait for CIE): the official artwork is the owners' and is
 * not bundled. Decorative: the button text says what they mean.
 */
export const SPID_MARK = `<svg class="spid-ui-mark" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false"><circle cx="12" cy="12" r="11.5" fill="#fff"/><circle cx="12" cy="8.6" r="3.6" fill="#0066cc"/><path d="M5.2 18.8c1.3-3.6 4-5.4 6.8-5.4s5.5 1.8 6.8 5.4z" fill="#0066cc"/></svg>`

export const CIE_MARK = `<svg class="spid-ui-mark" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false"><rect x="1" y="4" width="22" height="16" rx="2.5" fill="#fff"/><circle cx="8" cy="11" r="2.6" fill="#0066cc"/><path d="M3.8 17.2c.8-2.3 2.4-3.3 4.2-3.3s3.4 1 4.2 3.3z" fill="#0066cc"/><rect x="14" y="9" width="6" height="1.6" fill="#0066cc"/><rect x="14" y="12.4" width="4.5" height="1.6" fill="#0066cc"/></svg>`
