import type { Request } from 'express'
import type { Language } from '../errors/messages.ts'

/** Italian unless the request asks for English with `?lang=en` or `Accept-Language`. */
export function requestLanguage(req: Request): Language {
  const asked = typeof req.query?.lang === 'string' ? req.query.lang : undefined
  if (asked === 'en' || asked === 'it') return asked
  return req.acceptsLanguages('it', 'en') === 'en' ? 'en' : 'it'
}
