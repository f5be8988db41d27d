import { isValidFiscalNumber, isValidNumericFiscalCode } from './fiscal-number.ts'
import type { SpidAddress, SpidDocument, SpidPlaceOfBirth } from './spid-profile.ts'

/** A parser's verdict: a value, a refusal with its reason, or nothing usable (absent/empty). */
export type Parsed<T> = { value: T } | { problem: string } | undefined

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined)

/** Dates as `YYYY-MM-DD`, from ISO dates or datetimes and from `DD/MM/YYYY[ hh:mm:ss]` (seed 002). */
export function parseDate(v: unknown): Parsed<string> {
  const s = text(v)
  if (!s) return undefined
  let y: string | undefined, m: string | undefined, d: string | undefined
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(s)
  const it = /^(\d{2})\/(\d{2})\/(\d{4})(?: \d{2}:\d{2}(?::\d{2})?)?$/.exec(s)
  if (iso) [, y, m, d] = iso
  else if (it) [, d, m, y] = it
  else return { problem: 'not a date' }
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)))
  if (date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d)) {
    return { problem: 'not a calendar date' }
  }
  return { value: `${y}-${m}-${d}` }
}

export const PARSERS = {
  text: (v: unknown): Parsed<string> => (text(v) ? { value: text(v) as string } : undefined),

  boolean: (v: unknown): Parsed<boolean> =>
    typeof v === 'boolean' ? { value: v } : v === 'true' ? { value: true } : v === 'false' ? { value: false } : undefined,

  email: (v: unknown): Parsed<string> => {
    const s = text(v)
    if (!s) return undefined
    return /^[^\s@]+@[^\s@]+$/.test(s) ? { value: s } : { problem: 'not an e-mail address' }
  },

  phone: (v: unknown): Parsed<string> => {
    const s = text(v)
    if (!s) return undefined
    const compact = s.replace(/[\s.-]/g, '')
    return /^\+?\d{5,15}$/.test(compact) ? { value: compact } : { problem: 'not a phone number' }
  },

  /** `TINIT-` prefix dropped, upper case, check character verified. */
  fiscalNumber: (v: unknown): Parsed<string> => {
    const raw = text(v) ?? text((v as { value?: unknown } | undefined)?.value)
    if (!raw) return undefined
    const code = raw.toUpperCase().replace(/^TINIT-/, '')
    return isValidFiscalNumber(code) ? { value: code } : { problem: 'invalid fiscal number (check character)' }
  },

  /**
   * Italian VAT number (partita IVA): the `VATIT-` or `IT` prefix and spaces dropped, then 11 digits
   * with the right check digit, as a legal person's fiscal number. Anything else is a problem entry,
   * never a value: a service that bills or registers the company relies on it.
   */
  vatNumber: (v: unknown): Parsed<string> => {
    const raw = text(v)
    if (!raw) return undefined
    const code = raw
      .toUpperCase()
      .replace(/\s+/g, '')
      .replace(/^VATIT-/, '')
      .replace(/^IT/, '')
    if (!/^\d{11}$/.test(code)) return { problem: 'invalid VAT number (not 11 digits after the VATIT-/IT prefix)' }
    return isValidNumericFiscalCode(code) ? { value: code } : { problem: 'invalid VAT number (check digit)' }
  },

  gender: (v: unknown): Parsed<'female' | 'male'> => {
    const s = text(v)?.toLowerCase()
    if (!s) return undefined
    if (s === 'f' || s === 'female') return { value: 'female' }
    if (s === 'm' || s === 'male') return { value: 'male' }
    return { problem: 'not female/male' }
  },

  date: parseDate,

  /** `{ locality: <Belfiore>, region: <province> }` (current). */
  placeObject: (v: unknown): Parsed<SpidPlaceOfBirth> => {
    if (!v || typeof v !== 'object') return undefined
    const o = v as Record<string, unknown>
    return nonEmpty(place(text(o.locality), text(o.region)))
  },

  address: (v: unknown): Parsed<SpidAddress> => {
    if (typeof v === 'string') return text(v) ? { value: { formatted: text(v) as string } } : undefined
    if (!v || typeof v !== 'object') return undefined
    const o = v as Record<string, unknown>
    const parts = {
      streetAddress: text(o.street_address),
      postalCode: text(o.postal_code),
      locality: text(o.locality),
      region: text(o.region),
      countryCode: text(o.country_code) ?? text(o.country),
    }
    const composed = [parts.streetAddress, [parts.postalCode, parts.locality, parts.region].filter(Boolean).join(' '), parts.countryCode]
      .filter((p) => p)
      .join(', ')
    const formatted = text(o.formatted) ?? (composed || undefined)
    if (!formatted) return undefined
    return { value: { formatted, ...definedOnly(parts) } }
  },

  /** `document_details` object (current). */
  documentObject: (v: unknown): Parsed<SpidDocument> => {
    if (!v || typeof v !== 'object') return undefined
    const o = v as Record<string, unknown>
    const issuer = text(o.issuer) ?? text((o.issuer as { name?: unknown } | undefined)?.name)
    return nonEmpty(
      definedOnly({
        type: text(o.type),
        number: text(o.document_number),
        issuer,
        issuedOn: dateOrUndefined(o.date_of_issuance),
        expiresOn: dateOrUndefined(o.date_of_expiry),
      }),
    )
  },

  /** SPID `idCard`: "<type> <number> <issuer> <issued> <expires>" (seed 002). */
  documentText: (v: unknown): Parsed<SpidDocument> => {
    const parts = text(v)?.split(/\s+/)
    if (!parts) return undefined
    if (parts.length !== 5) return { problem: 'not "<type> <number> <issuer> <issued on> <expires on>"' }
    const [type, number, issuer, issued, expires] = parts
    return { value: definedOnly({ type, number, issuer, issuedOn: dateOrUndefined(issued), expiresOn: dateOrUndefined(expires) }) }
  },
} as const

/** A Belfiore code, or a place name when the OP sent one (seed 002's organisation example). */
export function place(locality: string | undefined, province: string | undefined): SpidPlaceOfBirth {
  const code = locality?.toUpperCase()
  return definedOnly({
    belfioreCode: code && /^[A-Z]\d{3}$/.test(code) ? code : undefined,
    name: code && !/^[A-Z]\d{3}$/.test(code) ? locality : undefined,
    province: province?.toUpperCase(),
  })
}

function dateOrUndefined(v: unknown): string | undefined {
  const parsed = parseDate(v)
  return parsed && 'value' in parsed ? parsed.value : undefined
}

function nonEmpty<T extends object>(o: T): Parsed<T> {
  return Object.keys(o).length ? { value: o } : undefined
}

function definedOnly<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> }
}

export type ParserName = keyof typeof PARSERS
