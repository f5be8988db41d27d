import type { Language } from '../errors/messages.ts'
import type { SpidDocument, SpidProfile } from '../profile/spid-profile.ts'

/** One line of a profile as a person reads it. */
export interface ProfileFact {
  /** The profile field (`fiscalNumber`, `document`, …), for tests and styling. */
  field: string
  label: string
  value: string
  /** True for a document or digital identity past its expiry date. */
  expired?: boolean
}

const LABELS: Record<Language, Record<string, string>> = {
  it: {
    personType: 'Tipo di soggetto',
    fiscalNumber: 'Codice fiscale',
    spidCode: 'Codice identificativo SPID',
    givenName: 'Nome',
    familyName: 'Cognome',
    birthDate: 'Data di nascita',
    gender: 'Sesso',
    placeOfBirth: 'Luogo di nascita',
    email: 'Email',
    emailVerified: 'Email verificata',
    phoneNumber: 'Cellulare',
    phoneNumberVerified: 'Cellulare verificato',
    landlineNumber: 'Telefono fisso',
    address: 'Domicilio',
    digitalAddress: 'Domicilio digitale (PEC)',
    document: 'Documento d’identità',
    eidExpiresOn: 'Scadenza dell’identità digitale',
    companyName: 'Ragione sociale',
    companyFiscalNumber: 'Codice fiscale dell’ente',
    vatNumber: 'Partita IVA',
    registeredOffice: 'Sede legale',
  },
  en: {
    personType: 'Person type',
    fiscalNumber: 'Fiscal number',
    spidCode: 'SPID identification code',
    givenName: 'Given name',
    familyName: 'Family name',
    birthDate: 'Date of birth',
    gender: 'Sex',
    placeOfBirth: 'Place of birth',
    email: 'Email',
    emailVerified: 'Email verified',
    phoneNumber: 'Mobile phone',
    phoneNumberVerified: 'Mobile phone verified',
    landlineNumber: 'Landline',
    address: 'Address',
    digitalAddress: 'Digital address (PEC)',
    document: 'Identity document',
    eidExpiresOn: 'Digital identity expires',
    companyName: 'Company name',
    companyFiscalNumber: 'Company fiscal number',
    vatNumber: 'VAT number',
    registeredOffice: 'Registered office',
  },
}

const WORDS = {
  it: {
    natural: 'Persona fisica',
    legal: 'Persona giuridica',
    female: 'Femmina',
    male: 'Maschio',
    yes: 'sì',
    no: 'no',
    number: 'n.',
    issuedBy: 'rilasciato da',
    on: 'il',
    expires: 'scade il',
    expired: 'scaduto',
    expiredOn: 'scaduto il',
  },
  en: {
    natural: 'Natural person',
    legal: 'Legal person',
    female: 'Female',
    male: 'Male',
    yes: 'yes',
    no: 'no',
    number: 'no.',
    issuedBy: 'issued by',
    on: 'on',
    expires: 'expires on',
    expired: 'expired',
    expiredOn: 'expired on',
  },
} as const

const DOCUMENT_TYPES: Record<Language, Record<string, string>> = {
  it: {
    cartaIdentita: 'Carta d’identità',
    passaporto: 'Passaporto',
    patenteGuida: 'Patente di guida',
    patenteNautica: 'Patente nautica',
    librettoPensione: 'Libretto di pensione',
    patentinoImpTermici: 'Patentino impianti termici',
    portoArmi: 'Porto d’armi',
    tesseraRiconoscimento: 'Tessera di riconoscimento',
  },
  en: {
    cartaIdentita: 'Identity card',
    passaporto: 'Passport',
    patenteGuida: 'Driving licence',
    patenteNautica: 'Boating licence',
    librettoPensione: 'Pension book',
    patentinoImpTermici: 'Heating systems licence',
    portoArmi: 'Firearms licence',
    tesseraRiconoscimento: 'Identification card',
  },
}

/** A profile field's label for people ("Luogo di nascita"), or the field name when it has none. */
export function fieldLabel(field: string, lang: Language = 'it'): string {
  return LABELS[lang][field] ?? field
}

/**
 * A profile as labelled lines in Italian or English: human labels instead of field names, dates
 * written for the locale, documents and identities past their expiry flagged. Fields the OP did
 * not release are left out; `sub`, `issuer` and `raw` are not for people.
 *
 * @example profileFacts(req.user, 'it').map((f) => `<dt>${esc(f.label)}</dt><dd>${esc(f.value)}</dd>`)
 */
export function profileFacts(profile: SpidProfile, lang: Language = 'it', today: Date = new Date()): ProfileFact[] {
  const label = LABELS[lang]
  const w = WORDS[lang]
  const day = today.toISOString().slice(0, 10)
  const date = (iso: string) => formatDate(iso, lang)
  const facts: ProfileFact[] = []
  const add = (field: string, value: string | undefined, expired?: boolean) => {
    if (value !== undefined && value !== '') facts.push({ field, label: label[field] ?? field, value, ...(expired ? { expired } : {}) })
  }
  const yesNo = (v: boolean | undefined) => (v === undefined ? undefined : v ? w.yes : w.no)

  add('personType', w[profile.personType])
  add('givenName', profile.givenName)
  add('familyName', profile.familyName)
  add('fiscalNumber', profile.fiscalNumber)
  add('birthDate', profile.birthDate && date(profile.birthDate))
  add('gender', profile.gender && w[profile.gender])
  const place = profile.placeOfBirth
  // "Pisa (PI)" once the code is looked up (withPlaceNames, done at login); the bare code otherwise.
  add('placeOfBirth', place && [place.name ?? place.belfioreCode, place.province && `(${place.province})`].filter(Boolean).join(' '))
  add('email', profile.email)
  add('emailVerified', yesNo(profile.emailVerified))
  add('phoneNumber', profile.phoneNumber)
  add('phoneNumberVerified', yesNo(profile.phoneNumberVerified))
  add('landlineNumber', profile.landlineNumber)
  add('address', profile.address?.formatted)
  add('digitalAddress', profile.digitalAddress)
  if (profile.document) {
    const expired = profile.document.expiresOn !== undefined && profile.document.expiresOn < day
    add('document', describeDocument(profile.document, lang, expired), expired)
  }
  if (profile.eidExpiresOn) {
    const expired = profile.eidExpiresOn < day
    add('eidExpiresOn', `${date(profile.eidExpiresOn)}${expired ? ` (${w.expired})` : ''}`, expired)
  }
  add('spidCode', profile.spidCode)
  add('companyName', profile.company?.name)
  add('companyFiscalNumber', profile.company?.fiscalNumber)
  add('vatNumber', profile.company?.vatNumber)
  add('registeredOffice', profile.company?.registeredOffice?.formatted)
  return facts
}

function describeDocument(doc: SpidDocument, lang: Language, expired: boolean): string {
  const w = WORDS[lang]
  const parts = [doc.type ? (DOCUMENT_TYPES[lang][doc.type] ?? doc.type) : undefined, doc.number && `${w.number} ${doc.number}`]
  if (doc.issuer || doc.issuedOn) {
    parts.push([doc.issuer && `${w.issuedBy} ${doc.issuer}`, doc.issuedOn && `${w.on} ${formatDate(doc.issuedOn, lang)}`].filter(Boolean).join(' '))
  }
  if (doc.expiresOn) parts.push(`${expired ? w.expiredOn : w.expires} ${formatDate(doc.expiresOn, lang)}`)
  return parts.filter(Boolean).join(', ')
}

/** `YYYY-MM-DD` as "10 dicembre 1985" / "10 December 1985"; anything else as it is. */
export function formatDate(iso: string, lang: Language): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso
  return new Intl.DateTimeFormat(lang === 'it' ? 'it-IT' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${iso}T00:00:00Z`),
  )
}
