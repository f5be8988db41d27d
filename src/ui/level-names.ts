import type { Language } from '../errors/messages.ts'
import { levelNumber, toLevel, type SpidLevelInput } from '../levels.ts'
import type { ProviderProfileName } from '../providers/provider-config.ts'

const NAMES: Record<ProviderProfileName, Record<Language, readonly [string, string, string]>> = {
  spid: {
    it: ['SPID con nome utente e password', 'SPID con codice temporaneo', 'SPID con dispositivo di sicurezza'],
    en: ['SPID with username and password', 'SPID with a one-time code', 'SPID with a security device'],
  },
  cie: {
    it: ['CIE id con nome utente e password', 'CIE id con codice temporaneo o app', 'Carta d’Identità Elettronica e PIN'],
    en: ['CIE id with username and password', 'CIE id with a one-time code or the app', 'Electronic identity card and PIN'],
  },
}

/**
 * Whose words to use: a profile, or anything that knows the session's OP profile, such as
 * `req.spid` (its `provider`). A session without a login, or with no profile known, reads as SPID.
 */
export type LevelWords = ProviderProfileName | { readonly provider?: ProviderProfileName | undefined }

/**
 * A level in words, for people: "Livello 2 — SPID con codice temporaneo" rather than the URI.
 * CIE id names its levels differently; pass `req.spid` as `words` and the level is named the way
 * the session's OP names it, so a CIE login never reads as SPID.
 *
 * @example levelName('https://www.spid.gov.it/SpidL2', 'it') // 'Livello 2 — SPID con codice temporaneo'
 * @example levelName(req.spid.level, lang, req.spid) // 'Livello 2 — CIE id con codice temporaneo o app' after a CIE login
 */
export function levelName(level: SpidLevelInput, lang: Language = 'it', words: LevelWords = 'spid'): string {
  const n = levelNumber(toLevel(level))
  return `${lang === 'it' ? 'Livello' : 'Level'} ${n} — ${NAMES[wordsOf(words)][lang][n - 1]}`
}

function wordsOf(words: LevelWords): ProviderProfileName {
  const profile = typeof words === 'string' ? words : words.provider
  return profile === 'cie' ? 'cie' : 'spid'
}
