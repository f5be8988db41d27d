import type { Language } from '../errors/messages.ts'
import { escapeHtml as e } from '../middleware/html.ts'
import type { SpidLevel, SpidLevelInput } from '../levels.ts'
import { levelName, type LevelWords } from './level-names.ts'

export interface StepUpPageOptions {
  /** The level the page needs. */
  level: SpidLevelInput
  /** The level the session counts as now (`req.spid.level`), if any. */
  current?: SpidLevel | undefined
  /** The OP the user will confirm at, by name ("SPID Test OP", "CIE id"). */
  providerName: string
  /** Where "Continue" leads: `req.spid.loginUrl(level, checkReturnTo(req.query.returnTo))`. */
  continueUrl: string
  /** Where "Cancel" leads. Default `/`. */
  cancelUrl?: string
  lang?: Language
  /** Whose level names: pass `req.spid` (or `'cie'`) so a CIE session reads in CIE's words. Default SPID. */
  words?: LevelWords
  /**
   * Puts the content in the app's own frame (header, footer, stylesheets). Default: a small
   * self-contained page with no stylesheet of its own.
   */
  layout?: (title: string, body: string) => string
}

const TEXTS = {
  it: {
    title: 'Serve un livello di sicurezza più alto',
    needs: 'Per proteggere i tuoi dati, questa pagina richiede il',
    now: 'Ora la tua sessione vale come',
    none: 'nessun livello valido',
    what: 'Per continuare confermerai la tua identità presso',
    back: 'poi tornerai qui.',
    continue: 'Continua',
    cancel: 'Annulla',
  },
  en: {
    title: 'A higher security level is needed',
    needs: 'To protect your data, this page needs',
    now: 'Your session now counts as',
    none: 'no valid level',
    what: 'To continue you will confirm your identity at',
    back: 'then come back here.',
    continue: 'Continue',
    cancel: 'Cancel',
  },
} satisfies Record<Language, Record<string, string>>

/**
 * The page shown before a step-up (the Designers Italia pattern, `spidContext({ stepUpPath })`):
 * why a higher level is asked, at which OP, and a link on to it. Every value is escaped; no script.
 * Link `continueUrl` only to `req.spid.loginUrl(...)` with a `returnTo` passed through
 * `checkReturnTo`, so the page cannot be turned into an open redirect.
 *
 * @example
 * app.get('/step-up', (req, res) => {
 *   const level = Number(req.query.level) as 1 | 2 | 3
 *   res.type('html').send(stepUpPage({ level, current: req.spid.level, providerName: 'SPID Test OP', words: req.spid,
 *     continueUrl: req.spid.loginUrl(level, checkReturnTo(req.query.returnTo)) }))
 * })
 */
export function stepUpPage(options: StepUpPageOptions): string {
  const lang = options.lang ?? 'it'
  const t = TEXTS[lang]
  const words = options.words ?? 'spid'
  const body = `<section class="spid-ui-step-up">
<h1>${e(t.title)}</h1>
<p class="lead">${e(t.needs)} <strong>${e(levelName(options.level, lang, words))}</strong>.</p>
<p>${e(t.now)} ${e(options.current ? levelName(options.current, lang, words) : t.none)}. ${e(t.what)} ${e(options.providerName)}, ${e(t.back)}</p>
<p class="spid-ui-step-up-actions">
  <a class="btn btn-primary" href="${e(safeHref(options.continueUrl))}">${e(t.continue)}</a>
  <a class="btn btn-outline-primary" href="${e(safeHref(options.cancelUrl ?? '/'))}">${e(t.cancel)}</a>
</p>
</section>`
  if (options.layout) return options.layout(t.title, body)
  return `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${e(t.title)}</title></head>
<body><main>
${body}
</main></body>
</html>`
}

/** A path on this site or an http(s) URL; anything else (`javascript:`, `data:`) becomes `/`. */
function safeHref(url: string): string {
  if (url.startsWith('/') && !url.startsWith('//')) return url
  return /^https?:\/\//i.test(url) ? url : '/'
}
