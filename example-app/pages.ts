import type { ErrorPageContext, SpidProfile, SpidRequestContext } from '../src/index.ts'
import type { Language } from '../src/errors/messages.ts'
import type { SpidLevel } from '../src/levels.ts'
import { escapeHtml as e, levelName, loginForm, profileFacts, stepUpPage as stepUpContent, type LevelWords, type ProviderChoice } from '../src/ui/index.ts'
import { textsFor, type Texts } from './i18n.ts'

/** What the header shows of a logged-in person. */
interface PageUser {
  name: string
}

/**
 * The frame of every page, after the Designers Italia model for a public service: slim header
 * with the owning body and the language, centre header with the service name, main content,
 * footer. Bootstrap Italia's CSS served by the app itself; no script anywhere.
 */
export function layout(lang: Language, path: string, title: string, body: string, user?: PageUser): string {
  const t = textsFor(lang)
  const other = new URL(path, 'http://x')
  other.searchParams.set('lang', t.languageHref)
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)} · ${e(t.siteName)}</title>
<link rel="stylesheet" href="/static/bootstrap-italia/css/bootstrap-italia.min.css">
<link rel="stylesheet" href="/static/fonts.css">
<link rel="stylesheet" href="/spid-ui.css">
<link rel="stylesheet" href="/static/site.css">
<link rel="icon" href="/static/logo.svg" type="image/svg+xml">
</head>
<body>
<div class="skiplinks"><a class="visually-hidden-focusable" href="#main-container">${e(t.skip)}</a></div>
<header class="it-header-wrapper">
  <div class="it-header-slim-wrapper">
    <div class="container">
      <div class="it-header-slim-wrapper-content">
        <span class="navbar-brand">${e(t.owner)}</span>
        <div class="it-header-slim-right-zone">
          <a class="lang-switch" href="${e(other.pathname + other.search)}" hreflang="${t.languageHref}" lang="${t.languageHref}">${e(t.language)}</a>
          ${user ? `<span class="slim-user">${e(user.name)}</span>${logoutForm(t, 'btn btn-sm btn-outline-light')}` : ''}
        </div>
      </div>
    </div>
  </div>
  <div class="it-header-center-wrapper">
    <div class="container">
      <div class="it-header-center-content-wrapper">
        <div class="it-brand-wrapper">
          <a href="/">${BRAND_MARK}<div class="it-brand-text"><div class="it-brand-title">${e(t.siteName)}</div><div class="it-brand-tagline d-none d-md-block">${e(t.tagline)}</div></div></a>
        </div>
      </div>
    </div>
  </div>
</header>
<main id="main-container" class="container my-5">
${body}
</main>
<footer class="it-footer">
  <div class="it-footer-small-prints">
    <div class="container">
      <ul class="it-footer-small-prints-list list-inline mb-0">
        <li class="list-inline-item"><a href="/privacy">${e(t.privacy)}</a></li>
        <li class="list-inline-item">passport-spid-oidc — ${e(t.footer)}</li>
      </ul>
    </div>
  </div>
</footer>
</body>
</html>`
}

/** The service's own mark in the header: a stylised building, drawn here. */
const BRAND_MARK = `<svg class="icon" viewBox="0 0 48 48" width="48" height="48" aria-hidden="true" focusable="false"><path fill="#fff" d="M24 4 4 14v4h40v-4zM8 20h4v16H8zm8 0h4v16h-4zm12 0h4v16h-4zm8 0h4v16h-4zM4 38h40v6H4z"/></svg>`

/** The access page (Designers Italia "accesso"): SPID and CIE id, the level asked, "remember me". */
export function loginPage(
  lang: Language,
  input: { spid: ProviderChoice[]; cie: ProviderChoice[]; level: string; returnTo: string; path: string; loggedOut: boolean },
): string {
  const t = textsFor(lang)
  const level = Number(input.level) as 1 | 2 | 3
  return layout(
    lang,
    input.path,
    t.homeTitle,
    `
${input.loggedOut ? `<div class="alert alert-success" role="status"><strong>${e(t.loggedOutTitle)}</strong> ${e(t.loggedOutText)}</div>` : ''}
<div class="row">
  <div class="col-lg-8">
    <h1>${e(t.homeTitle)}</h1>
    <p class="lead">${e(input.cie.length ? t.homeIntro : t.homeIntroSpidOnly)}</p>
    ${level > 1 ? `<p class="level-asked">${e(t.levelAsked)} <strong>${e(levelName(level, lang))}</strong>.</p>` : ''}
    ${loginForm({ spid: input.spid, cie: input.cie, level, returnTo: input.returnTo, lang, rememberMe: true, size: 'large' })}
  </div>
  <div class="col-lg-4 mt-5 mt-lg-0">
    <div class="callout note">
      <div class="callout-title">${e(t.aboutTitle)}</div>
      <p>${e(t.aboutText)}</p>
    </div>
  </div>
</div>`,
  )
}

/** Home for a logged-in user. */
export function welcomePage(lang: Language, path: string, user: SpidProfile, spid: SpidRequestContext, provider: string): string {
  const t = textsFor(lang)
  return layout(
    lang,
    path,
    t.welcome,
    `
<h1>${e(t.welcome)} ${e(fullName(user))}</h1>
<p class="lead">${e(t.youAreIn)} <strong>${e(spid.level ? levelName(spid.level, lang, spid) : t.noLevel)}</strong>, ${e(t.with)} ${e(provider)}.</p>
${notices(t, spid)}
${areaCards(t, lang, spid)}`,
    { name: fullName(user) },
  )
}

export function levelPage(lang: Language, path: string, level: 1 | 2 | 3, user: SpidProfile, spid: SpidRequestContext, provider: string): string {
  const t = textsFor(lang)
  const current = spid.levelNumber ?? level
  const raise =
    current < 3
      ? `<p><a class="btn btn-primary" href="${e(spid.stepUpUrl((current + 1) as 2 | 3, `/level${current + 1}`))}">${e(t.raise)} ${current + 1}</a></p>`
      : ''
  const when = spid.authTime ? new Date(spid.authTime * 1000).toLocaleString(lang === 'it' ? 'it-IT' : 'en-GB', { timeZone: 'Europe/Rome' }) : t.noValue
  const profile = spid
  return layout(
    lang,
    path,
    `${t.levelTitle} ${level}`,
    `
<h1>${e(t.levelTitle)} ${level}</h1>
<p class="lead">${e(t.levelIntro)} ${e(levelName(level, lang, profile))}.</p>
${notices(t, spid)}
<dl class="facts">
  <dt>${e(t.user)}</dt><dd>${e(fullName(user))}</dd>
  <dt>${e(t.fiscalNumber)}</dt><dd>${e(user.fiscalNumber ?? t.noValue)}</dd>
  <dt>${e(t.sessionLevel)}</dt><dd data-testid="level">${e(spid.level ? levelName(spid.level, lang, profile) : t.noLevel)}</dd>
  <dt>${e(t.reached)}</dt><dd>${e(spid.acr ? levelName(spid.acr, lang, profile) : t.noValue)}</dd>
  <dt>${e(t.since)}</dt><dd>${e(when)}</dd>
  <dt>${e(t.idp)}</dt><dd>${e(provider)}</dd>
</dl>
<p class="technical">${e(t.technical)} <code data-testid="acr">${e(spid.level ?? t.noValue)}</code></p>
${raise}
${areaCards(t, lang, spid)}`,
    { name: fullName(user) },
  )
}

/** Before a step-up: the library's page (`passport-spid-oidc/ui`) in the site's frame. */
export function stepUpPage(
  lang: Language,
  path: string,
  input: { level: 1 | 2 | 3; current: SpidLevel | undefined; provider: string; continueUrl: string; user: SpidProfile; words: LevelWords },
): string {
  return stepUpContent({
    level: input.level,
    current: input.current,
    providerName: input.provider,
    continueUrl: input.continueUrl,
    lang,
    words: input.words,
    layout: (title, body) => layout(lang, path, title, `<div class="row"><div class="col-lg-8">${body}</div></div>`, { name: fullName(input.user) }),
  })
}

/** Every attribute received, in words, with expired documents flagged. */
export function profilePage(lang: Language, path: string, user: SpidProfile, spid: SpidRequestContext): string {
  const t = textsFor(lang)
  const rows = profileFacts(user, lang)
    .map(
      (f) =>
        `<dt>${e(f.label)}</dt><dd${f.expired ? ' class="expired"' : ''}>${e(f.value)}${f.expired ? ` <span class="badge bg-danger">${e(t.expired)}</span>` : ''}</dd>`,
    )
    .join('\n  ')
  const problems = user.problems
    ? `<h2 class="h4 mt-4">${e(t.problems)}</h2><ul>${user.problems.map((p) => `<li><code>${e(p.claim)}</code>: ${e(p.reason)}</li>`).join('')}</ul>`
    : ''
  return layout(
    lang,
    path,
    t.profileTitle,
    `
<h1>${e(t.profileTitle)}</h1>
<p class="lead">${e(t.profileIntro)}</p>
<dl class="facts" data-testid="profile">
  ${rows}
</dl>
${problems}
<div class="d-flex flex-wrap gap-3 mt-4">
  <form method="post" action="/profile/refresh"><button type="submit" class="btn btn-outline-primary">${e(t.refreshAttributes)}</button></form>
  <a class="btn btn-link" href="/me">${e(t.meJson)}</a>
</div>
${areaCards(t, lang, spid)}`,
    { name: fullName(user) },
  )
}

/** The library's error context in the site's own frame; a too-low level gets "Riprova al livello N". */
export function errorPage(ctx: ErrorPageContext, path: string): string {
  const t = textsFor(ctx.lang)
  const retry = ctx.retryLevel
    ? `<a class="btn btn-primary" href="${e(ctx.retryUrl ?? '/')}">${e(t.retryAtLevel)} ${ctx.retryLevel}</a>
  <a class="btn btn-outline-primary" href="/">${e(t.back)}</a>`
    : `<a class="btn btn-primary" href="/">${e(t.back)}</a>`
  return layout(
    ctx.lang,
    path,
    ctx.title,
    `
<div class="row"><div class="col-lg-8">
<div class="alert alert-danger" role="alert">
  <h1 class="h3">${e(ctx.title)}</h1>
  <p class="mb-0">${e(ctx.text)}</p>
</div>
${ctx.retryLevel ? `<p>${e(t.retryExplained)} <strong>${e(levelName(ctx.retryLevel, ctx.lang, ctx))}</strong>.</p>` : ''}
<div class="d-flex flex-wrap gap-3">${retry}</div>
<p class="reference mt-4">${e(t.reference)} <code>${e(ctx.code)} · ${e(ctx.requestId)}</code></p>
</div></div>`,
  )
}

/** 404 and 500 in the site's frame, rather than Express's bare text. */
export function statusPage(lang: Language, path: string, status: 404 | 500): string {
  const t = textsFor(lang)
  const [title, text] = status === 404 ? [t.notFoundTitle, t.notFoundText] : [t.serverErrorTitle, t.serverErrorText]
  return layout(
    lang,
    path,
    title,
    `
<div class="row"><div class="col-lg-8">
<p class="status-code" aria-hidden="true">${status}</p>
<h1>${e(title)}</h1>
<p class="lead">${e(text)}</p>
<p><a class="btn btn-primary" href="/">${e(t.back)}</a></p>
</div></div>`,
  )
}

/** The privacy notice the entity configuration points to (`policy_uri`). */
export function privacyPage(lang: Language, path: string): string {
  const t = textsFor(lang)
  return layout(lang, path, t.privacyTitle, `<h1>${e(t.privacyTitle)}</h1>\n<p class="lead">${e(t.privacyText)}</p>`)
}

function notices(t: Texts, spid: SpidRequestContext): string {
  if (spid.refreshed) return `<div class="alert alert-info" role="status">${e(t.restored)}</div>`
  if (spid.offline) return `<div class="alert alert-info" role="status">${e(t.offline)}</div>`
  return ''
}

/** The reserved areas, each level named the way the session's OP names it. */
function areaCards(t: Texts, lang: Language, spid: SpidRequestContext): string {
  const card = (href: string, title: string, text: string) => `
    <div class="col-sm-6 col-lg-3"><div class="card card-bg area"><div class="card-body">
      <h3 class="card-title h5"><a href="${href}">${e(title)}</a></h3><p class="card-text">${e(text)}</p>
    </div></div></div>`
  return `<nav aria-label="${e(t.areas)}" class="mt-5">
  <h2 class="h4">${e(t.areas)}</h2>
  <div class="row g-3">${([1, 2, 3] as const).map((n) => card(`/level${n}`, `${t.area} ${n}`, levelName(n, lang, spid))).join('')}${card('/profile', t.profile, t.profileCard)}
  </div>
</nav>`
}

function logoutForm(t: Texts, classes: string): string {
  return `<form method="post" action="/logout" class="logout"><button type="submit" class="${classes}">${e(t.logout)}</button></form>`
}

function fullName(user: SpidProfile): string {
  return [user.givenName, user.familyName].filter(Boolean).join(' ') || user.fiscalNumber || '—'
}
