/**
 * Why a request got no answer, in words an operator can act on: the name did not resolve (DNS),
 * nothing listens there (refused), the TLS handshake failed (and how), the connection was cut, or
 * the address cannot be reached. Only the error's code and the failing host go into the text:
 * never a URL's query, which may carry personal data.
 */
const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NODATA', 'EAI_NONAME'])
const ROUTE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL'])
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET'])

/** The code of a network error, looking inside the AggregateError of a dual-stack connection attempt and into `cause`. */
function codeOf(error: unknown, depth = 0): string | undefined {
  if (!error || typeof error !== 'object' || depth > 3) return undefined
  const { code, errors, cause } = error as { code?: unknown; errors?: unknown; cause?: unknown }
  if (typeof code === 'string' && code !== 'ERR_SPID_OP_UNAVAILABLE') return code
  if (Array.isArray(errors)) for (const inner of errors) if (codeOf(inner, depth + 1)) return codeOf(inner, depth + 1)
  return codeOf(cause, depth + 1)
}

function isTls(code: string, message: string): boolean {
  return (
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    code.includes('CERT') ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' ||
    code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
    (code === 'EPROTO' && /SSL|TLS|wrong version/i.test(message))
  )
}

/** "DNS: no address for op.example.it (ENOTFOUND)", "connection refused by 10.0.0.1:443 (ECONNREFUSED)", … */
export function describeNetworkFailure(error: unknown, url: URL): string {
  const code = codeOf(error)
  const message = error instanceof Error ? error.message : String(error)
  const port = url.port || (url.protocol === 'https:' ? '443' : '80')
  if (!code) return `unreachable: ${message.slice(0, 200)}`
  if (DNS.has(code)) return `unreachable: DNS: no address for ${url.hostname} (${code})`
  if (code === 'ECONNREFUSED') return `unreachable: connection refused by ${url.hostname}:${port}, nothing listens there (ECONNREFUSED)`
  if (isTls(code, message)) return `unreachable: TLS handshake with ${url.hostname}:${port} failed (${code}: ${message.slice(0, 200)})`
  if (code === 'ETIMEDOUT') return `unreachable: connecting to ${url.hostname}:${port} timed out (ETIMEDOUT)`
  if (ROUTE.has(code)) return `unreachable: no route to ${url.hostname}:${port} (${code})`
  if (RESET.has(code)) return `unreachable: ${url.hostname}:${port} closed the connection before answering (${code})`
  return `unreachable: ${code}: ${message.slice(0, 200)}`
}
