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
 * A level in words, for people: "Livello 2 — SPID con codice temporaneo" rather than the URI.
 *
 * @example levelName('https://www.spid.gov.it/SpidL2', 'it') // 'Livello 2 — SPID con codice temporaneo'
 */
export function levelName(level: SpidLevelInput, lang: Language = 'it', profile: ProviderProfileName = 'spid'): string {
  const n = levelNumber(toLevel(level))
  return `${lang === 'it' ? 'Livello' : 'Level'} ${n} — ${NAMES[profile][lang][n - 1]}`
}
