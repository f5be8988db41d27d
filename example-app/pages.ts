import type { ErrorPageContext, SpidProfile, SpidRequestContext } from '../src/index.ts'
import type { Language } from '../src/errors/messages.ts'
import { escapeHtml as e } from '../src/middleware/html.ts'
import { levelNumber } from '../src/levels.ts'
import { textsFor, type Texts } from './i18n.ts'

export interface ProviderChoice {
  issuer: string
  name: string
  logoUri?: string | undefined
}

/** The SPID mark of the login button: a person in a circle, drawn here, not copied. */
const SPID_MARK = `<svg class="spid-mark" viewBox="0 0 24 24" width="26" height="26" aria-hidden="true" focusable="false">
  <circle cx="12" cy="12" r="11.5" fill="#fff"/><circle cx="12" cy="8.6" r="3.6" fill="#06c"/>
  <path d="M5.2 18.8c1.3-3.6 4-5.4 6.8-5.4s5.5 1.8 6.8 5.4z" fill="#06c"/></svg>`

const CIE_MARK = `<svg class="cie-mark" viewBox="0 0 24 24" width="26" height="26" aria-hidden="true" focusable="false">
  <rect x="1" y="4" width="22" height="16" rx="2.5" fill="#fff"/><circle cx="8" cy="11" r="2.6" fill="#06c"/>
  <path d="M3.8 17.2c.8-2.3 2.4-3.3 4.2-3.3s3.4 1 4.2 3.3z" fill="#06c"/><rect x="14" y="9" width="6" height="1.6" fill="#06c"/><rect x="14" y="12.4" width="4.5" height="1.6" fill="#06c"/></svg>`

export function layout(lang: Language, path: string, title: string, body: string): string {
  const t = textsFor(lang)
  const other = new URL(path, 'http://x')
  other.searchParams.set('lang', t.languageHref)
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)} · ${e(t.siteName)}</title>
<link rel="stylesheet" href="/static/site.css">
</head>
<body>
<a class="skip" href="#content">${e(t.skip)}</a>
<header class="site">
  <a href="/" class="brand">${e(t.siteName)}</a>
  <a class="lang" href="${e(other.pathname + other.search)}" hreflang="${t.languageHref}" lang="${t.languageHref}">${e(t.language)}</a>
</header>
<main id="content">
${body}
</main>
<footer class="site"><p>passport-spid-oidc — example relying party</p></footer>
</body>
</html>`
}

/** Home for visitors: the SPID button opening the (shuffled) list of OPs, and CIE id when configured. */
export function loginPage(lang: Language, input: { spid: ProviderChoice[]; cie: ProviderChoice[]; level: string; returnTo: string; path: string }): string {
  const t = textsFor(lang)
  const idpButton = (p: ProviderChoice) => `
        <li><button type="submit" class="idp" name="idp" value="${e(p.issuer)}">${p.logoUri ? `<img src="${e(p.logoUri)}" alt="" width="28" height="28">` : `<span class="idp-initial" aria-hidden="true">${e(p.name.slice(0, 1))}</span>`}<span>${e(p.name)}</span></button></li>`
  const spid =
    input.spid.length === 0
      ? ''
      : `
    <details class="spid-chooser">
      <summary class="spid-button">${SPID_MARK}<span>${e(t.spidButton)}</span></summary>
      <div class="idp-panel">
        <p id="idp-heading" class="idp-heading">${e(t.chooseIdp)}</p>
        <ul class="idp-list" aria-labelledby="idp-heading">${input.spid.map(idpButton).join('')}
        </ul>
        <p class="idp-help"><a href="https://www.spid.gov.it/cos-e-spid/come-attivare-spid/" rel="noopener">${e(t.noSpid)} ${e(t.moreInfo)}</a></p>
      </div>
    </details>`
  const cie = input.cie
    .map(
      (p) => `
    <button type="submit" class="cie-button" name="idp" value="${e(p.issuer)}">${CIE_MARK}<span>${e(t.cieButton)}</span></button>`,
    )
    .join('')
  return layout(
    lang,
    input.path,
    t.homeTitle,
    `
<h1>${e(t.homeTitle)}</h1>
<p class="lead">${e(t.homeIntro)}</p>
<form method="get" action="/auth/spid" class="login">
  <input type="hidden" name="level" value="${e(input.level)}">
  <input type="hidden" name="returnTo" value="${e(input.returnTo)}">
  <div class="buttons">${spid}${cie}
  </div>
  <div class="remember">
    <input type="checkbox" id="offline" name="offline" value="1" aria-describedby="offline-hint">
    <label for="offline">${e(t.rememberMe)}</label>
    <p id="offline-hint" class="hint">${e(t.rememberMeHint)}</p>
  </div>
</form>`,
  )
}

/** Home for a logged-in user. */
export function welcomePage(lang: Language, path: string, user: SpidProfile, spid: SpidRequestContext): string {
  const t = textsFor(lang)
  return layout(
    lang,
    path,
    t.welcome,
    `
<h1>${e(t.welcome)} ${e(user.givenName ?? '')} ${e(user.familyName ?? '')}</h1>
<p>${e(t.youAreIn)} <strong>${spid.level ? levelNumber(spid.level) : '—'}</strong>.</p>
${spid.refreshed ? `<p class="notice" role="status">${e(t.restored)}</p>` : spid.offline ? `<p class="notice" role="status">${e(t.offline)}</p>` : ''}
${areaLinks(t)}
${logoutForm(t)}`,
  )
}

export function levelPage(lang: Language, path: string, level: 1 | 2 | 3, user: SpidProfile, spid: SpidRequestContext): string {
  const t = textsFor(lang)
  const current = spid.level ? levelNumber(spid.level) : level
  const raise =
    current < 3 ? `<p><a class="button" href="${e(spid.loginUrl((current + 1) as 2 | 3, `/level${current + 1}`))}">${e(t.raise)} ${current + 1}</a></p>` : ''
  const when = spid.authTime ? new Date(spid.authTime * 1000).toLocaleString(lang === 'it' ? 'it-IT' : 'en-GB', { timeZone: 'Europe/Rome' }) : '—'
  return layout(
    lang,
    path,
    `${t.levelTitle} ${level}`,
    `
<h1>${e(t.levelTitle)} ${level}</h1>
${spid.refreshed ? `<p class="notice" role="status">${e(t.restored)}</p>` : ''}
<dl class="facts">
  <dt>${e(t.user)}</dt><dd>${e(user.givenName ?? '')} ${e(user.familyName ?? '')}</dd>
  <dt>${e(t.fiscalNumber)}</dt><dd>${e(user.fiscalNumber ?? t.noValue)}</dd>
  <dt>${e(t.sessionLevel)}</dt><dd data-testid="acr">${e(spid.level ?? t.noValue)}</dd>
  <dt>${e(t.reached)}</dt><dd>${e(spid.acr ?? t.noValue)}</dd>
  <dt>${e(t.since)}</dt><dd>${e(when)}</dd>
  <dt>${e(t.idp)}</dt><dd>${e(spid.issuer ?? t.noValue)}</dd>
</dl>
${raise}
${areaLinks(t)}
${logoutForm(t)}`,
  )
}

/** Every mapped attribute, as the library normalized it. */
export function profilePage(lang: Language, path: string, user: SpidProfile): string {
  const t = textsFor(lang)
  const { raw: _raw, problems, ...fields } = user
  const show = (value: unknown): string =>
    value && typeof value === 'object'
      ? `<dl class="nested">${Object.entries(value)
          .map(([k, v]) => `<dt>${e(k)}</dt><dd>${show(v)}</dd>`)
          .join('')}</dl>`
      : e(String(value))
  const rows = Object.entries(fields)
    .map(([k, v]) => `<dt>${e(k)}</dt><dd>${show(v)}</dd>`)
    .join('\n  ')
  return layout(
    lang,
    path,
    t.profileTitle,
    `
<h1>${e(t.profileTitle)}</h1>
<p>${e(t.profileIntro)}</p>
<dl class="facts" data-testid="profile">
  ${rows}
</dl>
${problems ? `<h2>${e(t.problems)}</h2><ul>${problems.map((p) => `<li><code>${e(p.claim)}</code>: ${e(p.reason)}</li>`).join('')}</ul>` : ''}
<form method="post" action="/profile/refresh"><button type="submit" class="secondary">${e(t.refreshAttributes)}</button></form>
<p><a href="/me">${e(t.meJson)}</a></p>
${areaLinks(t)}
${logoutForm(t)}`,
  )
}

/** The library's error context in the site's own layout. */
export function errorPage(ctx: ErrorPageContext, path: string): string {
  const t = textsFor(ctx.lang)
  return layout(
    ctx.lang,
    path,
    ctx.title,
    `
<div class="error" role="alert">
  <h1>${e(ctx.title)}</h1>
  <p>${e(ctx.text)}</p>
</div>
<p><a class="button" href="/">${e(t.back)}</a></p>
<p class="reference">${e(ctx.code)} · ${e(ctx.requestId)}</p>`,
  )
}

function areaLinks(t: Texts): string {
  return `<nav aria-label="${e(t.areas)}"><ul class="areas">
  <li><a href="/level1">${e(t.area)} 1</a></li>
  <li><a href="/level2">${e(t.area)} 2</a></li>
  <li><a href="/level3">${e(t.area)} 3</a></li>
  <li><a href="/profile">${e(t.profile)}</a></li>
</ul></nav>`
}

function logoutForm(t: Texts): string {
  return `<form method="post" action="/logout" class="logout"><button type="submit" class="secondary">${e(t.logout)}</button></form>`
}

/** The privacy notice the entity configuration points to (`policy_uri`). */
export function privacyPage(lang: Language, path: string): string {
  const text =
    lang === 'it'
      ? {
          title: 'Informativa sulla privacy',
          body: "Questo servizio di esempio riceve dal gestore dell'identità SPID o CIE solo gli attributi richiesti, li conserva nella sessione per la sua durata e non li comunica a terzi. Le registrazioni di accesso previste dalle regole SPID sono conservate per 24 mesi.",
        }
      : {
          title: 'Privacy notice',
          body: 'This example service receives from the SPID or CIE identity provider only the attributes it asks for, keeps them in the session while it lasts and shares them with nobody. The login records SPID requires are kept for 24 months.',
        }
  return layout(lang, path, text.title, `<h1>${e(text.title)}</h1>\n<p>${e(text.body)}</p>`)
}
