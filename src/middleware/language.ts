import type { Request } from 'express'
import type { Language } from '../errors/messages.ts'

/** The cookie that keeps a language chosen with `?lang=` across the trip to the OP and back. */
export const LANGUAGE_COOKIE = 'lang'

/**
 * Italian unless the request asks for English: `?lang=en`, else the `lang` cookie (set by an app
 * when the user picks a language, so the choice survives the round trip to the OP), else
 * `Accept-Language`.
 */
export function requestLanguage(req: Request): Language {
  const asked = typeof req.query?.lang === 'string' ? req.query.lang : cookieLanguage(req.headers?.cookie)
  if (asked === 'en' || asked === 'it') return asked
  return req.acceptsLanguages('it', 'en') === 'en' ? 'en' : 'it'
}

function cookieLanguage(header: string | undefined): string | undefined {
  if (!header) return undefined
  return /(?:^|;\s*)lang=(it|en)(?:;|$)/.exec(header)?.[1]
}
