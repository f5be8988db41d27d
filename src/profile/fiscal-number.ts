/**
 * Italian fiscal numbers: the 16-character code of a natural person (with its check character,
 * omocodia included) and the 11-digit number of a legal person or a provisional code.
 */
const ODD: Record<string, number> = {
  0: 1,
  1: 0,
  2: 5,
  3: 7,
  4: 9,
  5: 13,
  6: 15,
  7: 17,
  8: 19,
  9: 21,
  A: 1,
  B: 0,
  C: 5,
  D: 7,
  E: 9,
  F: 13,
  G: 15,
  H: 17,
  I: 19,
  J: 21,
  K: 2,
  L: 4,
  M: 18,
  N: 20,
  O: 11,
  P: 3,
  Q: 6,
  R: 8,
  S: 12,
  T: 14,
  U: 16,
  V: 10,
  W: 22,
  X: 25,
  Y: 24,
  Z: 23,
}

const PERSON_CODE = /^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/

/** The check character of the first 15 characters of a natural person's code. */
export function personFiscalCodeCheckCharacter(first15: string): string {
  let sum = 0
  for (let i = 0; i < 15; i++) {
    const c = first15[i] as string
    // Positions are counted from 1: odd positions use the table, even ones the plain value.
    sum += i % 2 === 0 ? (ODD[c] as number) : /\d/.test(c) ? Number(c) : c.charCodeAt(0) - 65
  }
  return String.fromCharCode(65 + (sum % 26))
}

/** Whether a 16-character code has the right shape and check character. */
export function isValidPersonFiscalCode(code: string): boolean {
  return PERSON_CODE.test(code) && personFiscalCodeCheckCharacter(code.slice(0, 15)) === code[15]
}

/** Whether an 11-digit number (legal person's fiscal number, VAT number) has the right check digit. */
export function isValidNumericFiscalCode(code: string): boolean {
  if (!/^\d{11}$/.test(code)) return false
  let sum = 0
  for (let i = 0; i < 10; i++) {
    const d = Number(code[i])
    if (i % 2 === 0) sum += d
    else sum += d * 2 > 9 ? d * 2 - 9 : d * 2
  }
  return (10 - (sum % 10)) % 10 === Number(code[10])
}

/** Either form. */
export function isValidFiscalNumber(code: string): boolean {
  return code.length === 16 ? isValidPersonFiscalCode(code) : isValidNumericFiscalCode(code)
}
