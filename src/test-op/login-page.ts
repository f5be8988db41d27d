import type { Language } from '../errors/messages.ts'
import { escapeHtml as e } from '../middleware/html.ts'
import { SPID_L1, SPID_L2, SPID_L3, levelNumber, parseLevel } from '../levels.ts'
import { ATTRIBUTES } from '../profile/attribute-table.ts'
import { levelName } from '../ui/level-names.ts'
import { fieldLabel } from '../ui/profile-facts.ts'
import { ASSET_PREFIX, TITILLIUM_FACES } from './op-assets.ts'
import type { TestUser } from './test-users.ts'

export interface LoginPageInput {
  uid: string
  opName: string
  /** `cie` names the levels the CIE id way. */
  profile: 'spid' | 'cie'
  clientName: string
  users: readonly TestUser[]
  /** `acr_values` of the request: the first is preselected. */
  acrValues: string
  /** Claim names the RP asked for, shown as the consent list. */
  requestedClaims: string[]
  lang: Language
  /** Whether Bootstrap Italia's CSS is served beside the page (see op-assets.ts). */
  bootstrapItalia: boolean
}

const TEXTS = {
  it: {
    test: 'Ambiente di prova: solo per sviluppo e test, nessuna identità reale',
    badge: 'PROVA',
    tagline: { spid: 'Gestore dell’identità SPID di prova', cie: 'Gestore dell’identità CIE id di prova' },
    title: 'Accedi a',
    asks: 'Il servizio chiede il',
    user: 'Utente di prova',
    level: 'Livello di autenticazione raggiunto',
    levelHint: 'Un gestore reale chiederebbe le credenziali di questo livello; qui basta sceglierlo.',
    shared: 'Dati che saranno condivisi con il servizio',
    none: 'Nessun dato richiesto.',
    authorize: 'Autorizza e accedi',
    cancel: 'Annulla',
    footer: 'Test OP di passport-spid-oidc: da non usare in produzione.',
  },
  en: {
    test: 'Test environment: for development and testing only, no real identities',
    badge: 'TEST',
    tagline: { spid: 'Test SPID identity provider', cie: 'Test CIE id identity provider' },
    title: 'Log in to',
    asks: 'The service asks for',
    user: 'Test user',
    level: 'Authentication level reached',
    levelHint: 'A real provider would ask for the credentials of this level; here you just pick it.',
    shared: 'Data to be shared with the service',
    none: 'No data requested.',
    authorize: 'Authorize and log in',
    cancel: 'Cancel',
    footer: 'passport-spid-oidc test OP: not for production use.',
  },
} as const

/** Every claim name the attribute table knows (current, legacy, aggregator), to its profile field. */
const FIELD_OF_CLAIM = new Map<string, string>(
  ATTRIBUTES.flatMap((spec) => [[spec.request, spec.field], ...spec.sources.map((s) => [s.claim, spec.field] as [string, string])]),
)

/**
 * The test OP's login and consent page, in Bootstrap Italia's look (its CSS served by the OP
 * when installed; a small built-in style otherwise): pick a test user and the level reached,
 * then authorize or cancel. Levels and attributes in words; clearly marked as a test tool. No
 * scripts.
 */
export function renderLoginPage(input: LoginPageInput): string {
  const t = TEXTS[input.lang]
  const asked = parseLevel(input.acrValues.split(' ')[0]) ?? SPID_L2
  const users = input.users
    .map(
      (u, i) => `
        <div class="form-check"><input type="radio" name="user" id="user-${e(u.id)}" value="${e(u.id)}"${i === 0 ? ' checked' : ''}><label for="user-${e(u.id)}">${e(u.label)}</label></div>`,
    )
    .join('')
  const levels = ([SPID_L1, SPID_L2, SPID_L3] as const)
    .map((l) => `<option value="${levelNumber(l)}"${l === asked ? ' selected' : ''}>${e(levelName(l, input.lang, input.profile))}</option>`)
    .join('')
  const labels = [...new Set(input.requestedClaims.map((c) => FIELD_OF_CLAIM.get(c)).map((f, i) => (f ? fieldLabel(f, input.lang) : input.requestedClaims[i])))]
  const claims = labels.length ? `<ul class="op-shared">${labels.map((l) => `<li>${e(l)}</li>`).join('')}</ul>` : `<p>${e(t.none)}</p>`
  return renderOpPage(
    input,
    `${t.title} ${input.clientName}`,
    `
  <h1>${e(t.title)} ${e(input.clientName)}</h1>
  <p class="lead">${e(t.asks)} <strong>${e(levelName(asked, input.lang, input.profile))}</strong>.</p>
  <form method="post" action="/interaction/${e(input.uid)}/login">
    <fieldset class="op-users"><legend>${e(t.user)}</legend>${users}
    </fieldset>
    <div class="select-wrapper op-level">
      <label for="level">${e(t.level)}</label>
      <select id="level" name="level" aria-describedby="level-hint">${levels}</select>
      <p id="level-hint" class="op-hint">${e(t.levelHint)}</p>
    </div>
    <h2 class="h4">${e(t.shared)}</h2>
    ${claims}
    <div class="op-actions">
      <button class="btn btn-primary" type="submit" name="action" value="login">${e(t.authorize)}</button>
      <button class="btn btn-outline-primary" type="submit" name="action" value="cancel">${e(t.cancel)}</button>
    </div>
  </form>`,
  )
}

/** What every page of the test OP shows around its content: the test banner, the OP, the footer. */
export interface OpPageFrame {
  opName: string
  profile: 'spid' | 'cie'
  lang: Language
  bootstrapItalia: boolean
}

/**
 * A page of the test OP (login, error, logout) in its frame. `main` is HTML, escaped by the
 * caller; `title` is text.
 */
export function renderOpPage(frame: OpPageFrame, title: string, main: string): string {
  const t = TEXTS[frame.lang]
  const stylesheets = frame.bootstrapItalia
    ? `<link rel="stylesheet" href="${ASSET_PREFIX}css/bootstrap-italia.min.css">\n<style>${TITILLIUM_FACES}</style>`
    : ''
  return `<!doctype html>
<html lang="${frame.lang}">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)} — ${e(frame.opName)} (${e(t.badge)})</title>
${stylesheets}
<style>${OP_CSS}</style>
</head>
<body>
<header class="it-header-wrapper">
  <div class="it-header-slim-wrapper op-test-banner">
    <div class="container"><div class="it-header-slim-wrapper-content">
      <p class="op-test-text"><span class="op-badge">${e(t.badge)}</span> ${e(t.test)}</p>
    </div></div>
  </div>
  <div class="it-header-center-wrapper">
    <div class="container"><div class="it-header-center-content-wrapper"><div class="it-brand-wrapper"><div class="op-brand">
      <img src="/logo.svg" alt="" width="48" height="48">
      <div class="it-brand-text"><div class="it-brand-title">${e(frame.opName)}</div><div class="it-brand-tagline">${e(t.tagline[frame.profile])}</div></div>
    </div></div></div></div>
  </div>
</header>
<main class="container my-5">
  <div class="row justify-content-center"><div class="col-lg-8">${main}
  </div></div>
</main>
<footer class="it-footer"><div class="it-footer-small-prints"><div class="container"><p class="op-footer">${e(t.footer)}</p></div></div></footer>
</body>
</html>`
}

/**
 * What the page adds to Bootstrap Italia, and what stands in for it when it is not installed:
 * the test banner (dark amber on white, so nobody takes it for a real provider), a readable
 * column, the buttons and the list of data.
 */
const OP_CSS = `body{margin:0;font-family:"Titillium Web",Geneva,Tahoma,sans-serif;color:#17324d;background:#fff}
.container{max-width:1140px;margin:0 auto;padding:0 1rem}
.op-test-banner{background:#fff3cd;border-bottom:2px solid #8a5a00}
.op-test-text{margin:0;padding:.5rem 0;color:#4d3200;font-weight:600;font-size:.9375rem}
.op-badge{display:inline-block;margin-right:.5rem;padding:.1rem .5rem;border-radius:4px;background:#8a5a00;color:#fff;font-weight:700;letter-spacing:.05em}
.it-header-center-wrapper{background:#0066cc;color:#fff;padding:1rem 0}
.op-brand{display:flex;align-items:center;gap:.75rem}
.it-brand-title{font-size:1.5rem;font-weight:600;color:#fff}
.it-brand-tagline{color:#fff}
main{display:block;margin-top:2rem;margin-bottom:3rem}
.op-users{border:0;padding:0;margin:0 0 1.5rem}
.op-users legend{font-size:1.125rem;font-weight:600;margin-bottom:.5rem;padding:0;float:none}
.op-users .form-check{margin:.5rem 0}
.op-level{margin:1.5rem 0 2rem;max-width:32rem}
.op-level label{display:block;font-weight:600}
.op-level select{font:inherit;width:100%;padding:.4rem}
.op-hint{margin:.4rem 0 0;font-size:.875rem;color:#5c6f82}
.op-shared{columns:2 16rem;margin:0 0 2rem;padding-left:1.25rem}
.op-actions{display:flex;flex-wrap:wrap;gap:1rem}
.op-actions .btn{font:inherit;font-weight:600;padding:.6rem 1.4rem;border-radius:4px;border:2px solid #0066cc;cursor:pointer}
.op-actions .btn-primary{background:#0066cc;color:#fff}
.op-actions .btn-outline-primary{background:#fff;color:#0066cc}
.it-footer-small-prints{background:#17324d;padding:1rem 0;margin-top:3rem}
.op-footer{margin:0;color:#fff;font-size:.875rem}`
