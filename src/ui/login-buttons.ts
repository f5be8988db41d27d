import { randomInt } from 'node:crypto'
import type { Language } from '../errors/messages.ts'
import { levelNumber, toLevel, type SpidLevelInput } from '../levels.ts'
import { escapeHtml as e } from '../middleware/html.ts'
import { CIE_MARK, SPID_MARK } from './marks.ts'

/** An OP as a button shows it: its issuer (the `idp` sent), name and logo, from its metadata. */
export interface ProviderChoice {
  issuer: string
  name: string
  logoUri?: string | undefined
}

/** The sizes of the AgID access button: minimum width 150, 220, 280, 340 px; height 30, 40, 50, 60 px. */
export type ButtonSize = 'small' | 'medium' | 'large' | 'xlarge'

export interface SpidButtonOptions {
  /** The SPID OPs to choose from: listed in a random order at every rendering, as AgID asks. */
  providers: readonly ProviderChoice[]
  lang?: Language
  size?: ButtonSize
  /** Random integers below `n`, for the order of the list. Default: crypto.randomInt. */
  random?: (n: number) => number
}

export interface CieButtonOptions {
  /** The CIE id OP. */
  provider: ProviderChoice
  lang?: Language
  size?: ButtonSize
}

export interface LoginFormOptions {
  /** The route that starts a login (the strategy's). Default `/auth/spid`. */
  action?: string
  /** The level to ask for: pass the `level` the chooser page received. Default 1. */
  level?: SpidLevelInput
  /** A local path to come back to. Default `/`. */
  returnTo?: string
  spid: readonly ProviderChoice[]
  cie?: readonly ProviderChoice[]
  lang?: Language
  size?: ButtonSize
  /** Offers "remember me" (`offline=1`: a refresh token). Default false. */
  rememberMe?: boolean
  random?: (n: number) => number
}

const TEXTS = {
  it: {
    spid: 'Entra con SPID',
    cie: 'Entra con CIE',
    choose: 'Scegli il tuo gestore dell’identità digitale',
    moreInfo: 'Maggiori informazioni su SPID',
    noSpid: 'Non hai SPID?',
    help: 'Serve aiuto?',
    cieInfo: 'Cos’è la Carta d’Identità Elettronica',
    remember: 'Ricordami su questo dispositivo',
    rememberHint:
      'Con SPID la sessione resta attiva più a lungo, ma quando viene ripristinata vale solo per il livello 1. Con CIE permette di aggiornare i tuoi dati senza accedere di nuovo.',
  },
  en: {
    spid: 'Log in with SPID',
    cie: 'Log in with CIE',
    choose: 'Choose your digital identity provider',
    moreInfo: 'More about SPID',
    noSpid: 'No SPID yet?',
    help: 'Need help?',
    cieInfo: 'About the electronic identity card',
    remember: 'Remember me on this device',
    rememberHint:
      'With SPID the session lasts longer, but once restored it is valid for level 1 only. With CIE it lets the service read your data again without a new login.',
  },
} as const

const SPID_LINKS = {
  moreInfo: 'https://www.spid.gov.it',
  noSpid: 'https://www.spid.gov.it/cos-e-spid/come-attivare-spid/',
  help: 'https://www.spid.gov.it/serve-aiuto',
}
const CIE_INFO = 'https://www.cartaidentita.interno.gov.it/'

/**
 * "Entra con SPID": the button that opens the list of SPID OPs, without a script (`<details>`).
 * Each OP is a submit button `name="idp"`, so it belongs inside a form that GETs the login route
 * (see `loginForm`). Keyboard: Tab reaches the button, Enter or Space opens the list, Tab walks it.
 */
export function spidButton(options: SpidButtonOptions): string {
  const t = TEXTS[options.lang ?? 'it']
  const size = options.size ?? 'medium'
  const headingId = `spid-ui-idps-${size}`
  const providers = shuffled(options.providers, options.random ?? randomInt)
  return `<details class="spid-ui-chooser">
  <summary class="spid-ui-button spid-ui-${size}">${SPID_MARK}<span class="spid-ui-label">${e(t.spid)}</span></summary>
  <div class="spid-ui-panel">
    <p class="spid-ui-heading" id="${headingId}">${e(t.choose)}</p>
    <ul class="spid-ui-idps" aria-labelledby="${headingId}">${providers.map(providerButton).join('')}
    </ul>
    <p class="spid-ui-help"><a href="${SPID_LINKS.moreInfo}" rel="noopener">${e(t.moreInfo)}</a><a href="${SPID_LINKS.noSpid}" rel="noopener">${e(t.noSpid)}</a><a href="${SPID_LINKS.help}" rel="noopener">${e(t.help)}</a></p>
  </div>
</details>`
}

/** "Entra con CIE": a submit button `name="idp"` for the CIE id OP, inside the same kind of form. */
export function cieButton(options: CieButtonOptions): string {
  const t = TEXTS[options.lang ?? 'it']
  return `<button type="submit" class="spid-ui-button spid-ui-${options.size ?? 'medium'}" name="idp" value="${e(options.provider.issuer)}">${CIE_MARK}<span class="spid-ui-label">${e(t.cie)}</span></button>`
}

/**
 * The whole access block of a login page: the form that GETs the login route with the level and
 * the way back, the SPID button with its chooser, the CIE button when a CIE id OP is given, and
 * optionally "remember me". Server-rendered, no script; style it with `SPID_UI_CSS`.
 *
 * @example res.send(page(loginForm({ spid: choices.spid, cie: choices.cie, level: 2, returnTo: '/tax', lang: 'it' })))
 */
export function loginForm(options: LoginFormOptions): string {
  const lang = options.lang ?? 'it'
  const t = TEXTS[lang]
  const level = options.level === undefined ? 1 : levelNumber(toLevel(options.level))
  const size = options.size ?? 'medium'
  const spid = options.spid.length ? spidButton({ providers: options.spid, lang, size, ...(options.random ? { random: options.random } : {}) }) : ''
  const cie = (options.cie ?? []).map((provider) => cieButton({ provider, lang, size })).join('')
  const remember = options.rememberMe
    ? `
  <div class="spid-ui-remember">
    <input type="checkbox" id="spid-ui-offline" name="offline" value="1" aria-describedby="spid-ui-offline-hint">
    <label for="spid-ui-offline">${e(t.remember)}</label>
    <p id="spid-ui-offline-hint" class="spid-ui-hint">${e(t.rememberHint)}</p>
  </div>`
    : ''
  const cieInfo = cie ? `\n  <p class="spid-ui-help spid-ui-cie-info"><a href="${CIE_INFO}" rel="noopener">${e(t.cieInfo)}</a></p>` : ''
  return `<form method="get" action="${e(options.action ?? '/auth/spid')}" class="spid-ui-form">
  <input type="hidden" name="level" value="${level}">
  <input type="hidden" name="returnTo" value="${e(options.returnTo ?? '/')}">
  <div class="spid-ui-buttons">${spid}${cie}</div>${cieInfo}${remember}
</form>`
}

function providerButton(p: ProviderChoice): string {
  const logo = p.logoUri
    ? `<img src="${e(p.logoUri)}" alt="" width="28" height="28">`
    : `<span class="spid-ui-initial" aria-hidden="true">${e(p.name.slice(0, 1))}</span>`
  return `
      <li><button type="submit" class="spid-ui-idp" name="idp" value="${e(p.issuer)}">${logo}<span>${e(p.name)}</span></button></li>`
}

/** Fisher-Yates: every order equally likely. */
function shuffled<T>(items: readonly T[], random: (n: number) => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = random(i + 1)
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}
