import { escapeHtml } from '../src/middleware/html.ts'
import type { SpidAuthState, SpidProfile } from '../src/index.ts'

export interface ProviderButton {
  id: string
  issuer: string
  name: string
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="it">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/static/site.css">
</head>
<body>
<header class="site"><a href="/" class="brand">Servizi online — esempio</a></header>
<main>${body}</main>
</body>
</html>`
}

/** Home: the "Entra con SPID" button opens the list of identity providers (no script needed). */
export function homePage(providers: ProviderButton[], user: SpidProfile | undefined, auth: SpidAuthState | undefined, login: { level: string; returnTo: string }): string {
  if (user && auth) {
    return layout('Benvenuto', `
<h1>Ciao ${escapeHtml(user.givenName ?? '')} ${escapeHtml(user.familyName ?? '')}</h1>
<p>Hai effettuato l'accesso con livello <strong>${escapeHtml(auth.acr.split('/').pop())}</strong>.</p>
${levelLinks()}
${logoutForm()}`)
  }
  const items = providers.map((p) => `
      <li><a class="idp" href="/auth/spid?${escapeHtml(new URLSearchParams({ idp: p.issuer, level: login.level, returnTo: login.returnTo }).toString())}">${escapeHtml(p.name)}</a></li>`).join('')
  return layout('Accedi', `
<h1>Accedi ai servizi</h1>
<p>Per continuare entra con la tua identità digitale.</p>
<details class="spid-chooser">
  <summary class="spid-button" role="button"><span class="spid-mark" aria-hidden="true">SPID</span> Entra con SPID</summary>
  <ul class="idp-list" aria-label="Gestori dell'identità SPID">${items}
  </ul>
</details>
${levelLinks()}`)
}

function levelLinks(): string {
  return `<nav aria-label="Pagine protette"><ul>
  <li><a href="/level1">Area livello 1</a></li>
  <li><a href="/level2">Area livello 2</a></li>
  <li><a href="/level3">Area livello 3</a></li>
  <li><a href="/me">I miei dati (JSON)</a></li>
</ul></nav>`
}

function logoutForm(): string {
  return `<form method="post" action="/logout"><button type="submit" class="secondary">Esci</button></form>`
}

/** A protected page: who is logged in, at which level, since when. */
export function levelPage(level: number, user: SpidProfile, auth: SpidAuthState): string {
  return layout(`Livello ${level}`, `
<h1>Area riservata — livello ${level}</h1>
<dl class="facts">
  <dt>Utente</dt><dd>${escapeHtml(user.givenName ?? '')} ${escapeHtml(user.familyName ?? '')}</dd>
  <dt>Codice fiscale</dt><dd>${escapeHtml(user.fiscalNumber ?? '—')}</dd>
  <dt>Livello della sessione</dt><dd data-testid="acr">${escapeHtml(auth.acr)}</dd>
  <dt>Autenticato alle</dt><dd>${escapeHtml(new Date(auth.authTime * 1000).toLocaleString('it-IT', { timeZone: 'Europe/Rome' }))}</dd>
  <dt>Gestore dell'identità</dt><dd>${escapeHtml(auth.issuer)}</dd>
</dl>
${levelLinks()}
${logoutForm()}`)
}
