import type { SpidErrorCode } from './codes.ts'

export type Language = 'it' | 'en'

interface UserMessage {
  title: string
  text: string
}

type Label = 'retry' | 'retryAtLevel' | 'home' | 'withoutRememberMe' | 'offlineTooLow'
type Catalogue = Record<'fallback' | Label, UserMessage | string> & Partial<Record<SpidErrorCode, UserMessage>>

/**
 * What a citizen reads when something goes wrong: plain words, no protocol jargon, no detail
 * that could help an attacker. Developers get the `code` and the log line for the rest.
 */
const MESSAGES: Record<Language, Catalogue> = {
  it: {
    fallback: { title: 'Accesso non riuscito', text: "Non è stato possibile completare l'accesso. Riprova tra qualche istante." },
    retry: 'Riprova ad accedere',
    retryAtLevel: 'Riprova al livello',
    home: 'Torna alla pagina iniziale',
    withoutRememberMe: 'senza «ricordami»',
    offlineTooLow:
      'Avevi chiesto di restare connesso («ricordami»): alcuni gestori rispondono a questa richiesta solo con il livello 1. Riprova senza «ricordami» per accedere al livello richiesto.',
    ERR_SPID_LOGIN_CANCELLED: { title: 'Accesso annullato', text: "Hai annullato l'accesso o negato il consenso presso il gestore dell'identità." },
    ERR_SPID_TRANSACTION_EXPIRED: {
      title: 'Tentativo di accesso scaduto',
      text: "Il tentativo di accesso è scaduto o è già stato usato. Ricomincia dall'inizio.",
    },
    ERR_SPID_STATE_MISMATCH: {
      title: 'Tentativo di accesso non valido',
      text: "La risposta ricevuta non corrisponde a un accesso avviato da questo browser. Ricomincia dall'inizio.",
    },
    ERR_SPID_STATE_MISSING: {
      title: 'Tentativo di accesso non valido',
      text: "La risposta ricevuta non corrisponde a un accesso avviato da questo browser. Ricomincia dall'inizio.",
    },
    ERR_SPID_BAD_REQUEST: { title: 'Richiesta non valida', text: 'La richiesta ricevuta non è valida.' },
    ERR_SPID_UNKNOWN_PROVIDER: { title: "Gestore dell'identità sconosciuto", text: "Il gestore dell'identità scelto non è tra quelli disponibili." },
    ERR_SPID_ACR_TOO_LOW: {
      title: 'Livello di sicurezza insufficiente',
      text: 'Il gestore dell’identità ha confermato un livello più basso di quello richiesto da questa pagina. Riprova scegliendo il livello indicato.',
    },
    ERR_SPID_STEP_UP_REQUIRED: { title: 'Serve un livello di sicurezza più alto', text: 'Per continuare accedi di nuovo con un livello SPID più alto.' },
    ERR_SPID_NOT_AUTHENTICATED: { title: 'Accesso richiesto', text: 'Per vedere questa pagina devi accedere con SPID.' },
    ERR_SPID_SUBJECT_CHANGED: {
      title: 'Utente diverso',
      text: "Hai effettuato l'accesso con un'identità diversa da quella della sessione in corso. Per sicurezza la sessione è stata chiusa.",
    },
    ERR_SPID_ATTRIBUTE_MISSING: {
      title: 'Dati necessari non ricevuti',
      text: "Il gestore dell'identità non ha condiviso i dati necessari a questo servizio (per esempio il codice fiscale). Riprova e acconsenti alla condivisione.",
    },
    ERR_SPID_ACCESS_REFUSED: {
      title: 'Accesso non consentito',
      text: "L'identità è stata verificata, ma questo servizio non consente l'accesso a questa persona.",
    },
    ERR_SPID_OP_UNAVAILABLE: {
      title: "Gestore dell'identità non raggiungibile",
      text: "Il gestore dell'identità non risponde. Riprova più tardi o scegline un altro.",
    },
    ERR_SPID_STORE_UNAVAILABLE: {
      title: 'Servizio temporaneamente non disponibile',
      text: 'Il servizio non riesce a gestire le sessioni in questo momento. Riprova tra qualche minuto.',
    },
  },
  en: {
    fallback: { title: 'Login failed', text: 'The login could not be completed. Please try again in a moment.' },
    retry: 'Try to log in again',
    retryAtLevel: 'Try again at level',
    home: 'Back to the home page',
    withoutRememberMe: 'without "remember me"',
    offlineTooLow:
      'You asked to stay logged in ("remember me"): some identity providers answer that request at level 1 only. Try again without "remember me" to reach the level needed.',
    ERR_SPID_LOGIN_CANCELLED: { title: 'Login cancelled', text: 'You cancelled the login or refused consent at the identity provider.' },
    ERR_SPID_TRANSACTION_EXPIRED: { title: 'Login attempt expired', text: 'This login attempt has expired or was already used. Please start again.' },
    ERR_SPID_STATE_MISMATCH: { title: 'Invalid login attempt', text: 'The response does not belong to a login started in this browser. Please start again.' },
    ERR_SPID_STATE_MISSING: { title: 'Invalid login attempt', text: 'The response does not belong to a login started in this browser. Please start again.' },
    ERR_SPID_BAD_REQUEST: { title: 'Invalid request', text: 'The request received is not valid.' },
    ERR_SPID_UNKNOWN_PROVIDER: { title: 'Unknown identity provider', text: 'The identity provider you chose is not one of those available.' },
    ERR_SPID_ACR_TOO_LOW: {
      title: 'Security level too low',
      text: 'The identity provider confirmed a lower level than this page needs. Please try again at the level shown.',
    },
    ERR_SPID_STEP_UP_REQUIRED: { title: 'Higher security level needed', text: 'To continue, log in again with a higher SPID level.' },
    ERR_SPID_NOT_AUTHENTICATED: { title: 'Login required', text: 'You need to log in with SPID to see this page.' },
    ERR_SPID_SUBJECT_CHANGED: {
      title: 'Different user',
      text: 'You logged in with a different identity from the one of this session. For your safety the session was closed.',
    },
    ERR_SPID_ATTRIBUTE_MISSING: {
      title: 'Required data not received',
      text: 'The identity provider did not share the data this service needs (your fiscal number, for example). Try again and agree to share it.',
    },
    ERR_SPID_ACCESS_REFUSED: { title: 'Access not allowed', text: 'Your identity was verified, but this service does not allow this person to log in.' },
    ERR_SPID_OP_UNAVAILABLE: { title: 'Identity provider unreachable', text: 'The identity provider is not answering. Try again later or choose another one.' },
    ERR_SPID_STORE_UNAVAILABLE: {
      title: 'Service temporarily unavailable',
      text: 'The service cannot handle sessions right now. Please try again in a few minutes.',
    },
  },
}

/** The title and text a user sees for `code`, in `lang`. */
export function userMessage(code: string, lang: Language): UserMessage {
  const catalogue = MESSAGES[lang]
  return (catalogue[code as SpidErrorCode] ?? catalogue.fallback) as UserMessage
}

/** A short label ("Try again", "Home") in `lang`. */
export function label(key: Label, lang: Language): string {
  return MESSAGES[lang][key] as string
}
