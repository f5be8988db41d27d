import { decodeProtectedHeader } from 'jose'

/** The `kid` a compact JWS or JWE names in its protected header; undefined when it names none or is not one. */
export function kidOf(jwt: string): string | undefined {
  try {
    const { kid } = decodeProtectedHeader(jwt)
    return typeof kid === 'string' ? kid : undefined
  } catch {
    // Not a JWS or JWE: verification says so.
    return undefined
  }
}
