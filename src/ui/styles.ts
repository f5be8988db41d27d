import type { RequestHandler } from 'express'

/**
 * The CSS of the buttons and the chooser, self-contained (no framework needed; it sits well
 * beside Bootstrap Italia). After AgID's access button and the Ministry's CIE button: blue
 * #0066CC, white text in Titillium Web (a system sans-serif when the font is not loaded), the
 * mark left of a divider, four sizes with their minimum width and height, a visible focus ring,
 * and targets of at least 44 px in the list. The open list takes its room in the page (it
 * pushes what follows down) rather than floating over it, so it never covers a footer.
 */
export const SPID_UI_CSS = `.spid-ui-form{margin:0}
.spid-ui-buttons{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-start}
.spid-ui-button{box-sizing:border-box;display:inline-flex;align-items:center;padding:0;border:0;border-radius:4px;background:#0066cc;color:#fff;font-family:"Titillium Web",Geneva,Tahoma,sans-serif;font-weight:600;text-decoration:none;cursor:pointer;list-style:none;user-select:none}
.spid-ui-button::-webkit-details-marker{display:none}
.spid-ui-button::marker{content:""}
.spid-ui-button:hover{background:#004d99;color:#fff}
.spid-ui-button:active{background:#83beed;color:#003366}
.spid-ui-button:focus-visible{outline:3px solid #ff9900;outline-offset:2px}
.spid-ui-mark{flex:none;margin:0 .7em}
.spid-ui-label{flex:1;align-self:stretch;display:flex;align-items:center;justify-content:center;padding:0 1em;border-left:1px solid rgba(255,255,255,.6)}
.spid-ui-small{min-width:150px;min-height:30px;font-size:.875rem}
.spid-ui-small .spid-ui-mark{width:18px;height:18px}
.spid-ui-medium{min-width:220px;min-height:40px;font-size:1rem}
.spid-ui-large{min-width:280px;min-height:50px;font-size:1.125rem}
.spid-ui-large .spid-ui-mark{width:28px;height:28px}
.spid-ui-xlarge{min-width:340px;min-height:60px;font-size:1.25rem}
.spid-ui-xlarge .spid-ui-mark{width:32px;height:32px}
.spid-ui-chooser{position:relative;display:inline-block}
.spid-ui-chooser[open]>.spid-ui-button{background:#004d99}
.spid-ui-chooser[open]>.spid-ui-panel{position:static;margin-top:4px}
.spid-ui-panel{position:absolute;z-index:20;top:calc(100% + 4px);left:0;box-sizing:border-box;min-width:100%;width:max-content;max-width:min(92vw,380px);padding:.5rem 0;background:#fff;color:#1a1a1a;border:1px solid #c5c7c9;border-radius:4px;box-shadow:0 6px 18px rgba(0,0,0,.18);font-family:"Titillium Web",Geneva,Tahoma,sans-serif}
.spid-ui-heading{margin:.25rem 1rem .5rem;font-size:.875rem;font-weight:600;color:#5c6f82}
.spid-ui-idps{list-style:none;margin:0;padding:0}
.spid-ui-idp{display:flex;align-items:center;gap:.75rem;box-sizing:border-box;width:100%;min-height:44px;padding:.5rem 1rem;border:0;background:none;color:#0066cc;font:inherit;font-weight:600;text-align:left;cursor:pointer}
.spid-ui-idp:hover{background:#f0f6fc;text-decoration:underline}
.spid-ui-idp:focus-visible{outline:3px solid #ff9900;outline-offset:-3px}
.spid-ui-idp img,.spid-ui-initial{flex:none;width:28px;height:28px}
.spid-ui-initial{display:inline-flex;align-items:center;justify-content:center;border-radius:50%;background:#0066cc;color:#fff;font-weight:700}
.spid-ui-help{display:flex;flex-direction:column;gap:.35rem;margin:.5rem 0 0;padding:.6rem 1rem .25rem;border-top:1px solid #e6e9f2;font-size:.875rem}
.spid-ui-help a{color:#0066cc}
.spid-ui-cie-info{border-top:0;padding:0;margin-top:.75rem}
.spid-ui-remember{display:grid;grid-template-columns:auto 1fr;gap:.25rem .6rem;align-items:center;margin-top:1.25rem;max-width:40rem}
.spid-ui-remember input{width:1.25rem;height:1.25rem;margin:0}
.spid-ui-hint{grid-column:2;margin:0;font-size:.875rem;line-height:1.45;color:#5c6f82}
`

/**
 * Serves `SPID_UI_CSS` (cached for an hour), for pages under a strict Content Security Policy
 * (`style-src 'self'`).
 *
 * @example app.get('/spid-ui.css', spidUiStylesheet())
 */
export function spidUiStylesheet(): RequestHandler {
  return (_req, res) => {
    res.set('Cache-Control', 'public, max-age=3600')
    res.type('css').send(SPID_UI_CSS)
  }
}
