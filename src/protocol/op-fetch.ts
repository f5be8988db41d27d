import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import type { LookupFunction } from 'node:net'
import { isSpidError, UnavailableError } from '../errors/spid-error.ts'
import { describeNetworkFailure } from './network-failure.ts'

export interface OpFetchLimits {
  /** Milliseconds before the request is aborted. */
  timeout: number
  /** Bytes read at most from the body. */
  maxBytes: number
  /** Resolves host names for new connections instead of dns.lookup (the federation's public-address check). */
  lookup?: LookupFunction
}

/** What the OP answered, read whole. */
export interface OpResponse {
  status: number
  /** Status 200-299. */
  ok: boolean
  statusText: string
  /** Header value by name (repeated headers joined with ", "). */
  header(name: string): string | undefined
  /** Every header, by lower-case name. */
  headers: IncomingHttpHeaders
  body: Buffer
}

export interface OpRequestInit {
  method?: string
  headers?: Headers | Record<string, string> | [string, string][]
  body?: string | URLSearchParams | Uint8Array | ArrayBuffer | ReadableStream | null
  signal?: AbortSignal | null
}

export type OpFetch = (url: string, init?: OpRequestInit) => Promise<OpResponse>

const FORM = 'application/x-www-form-urlencoded'

/**
 * The HTTP client for every call to an OP, on node:http(s) with keep-alive connections: two
 * back-channel calls per login cost a fraction of what fetch() and its web streams cost.
 * Bounded in time and in bytes, so a slow or hostile OP can neither hang a request nor fill
 * memory: network failures, timeouts and oversized bodies become UnavailableError. Redirects are
 * never followed. Form posts are sent with a Content-Type of exactly
 * `application/x-www-form-urlencoded`: AgID's RP conformance tool rejects the `;charset=UTF-8`
 * that openid-client appends.
 */
export function createOpFetch(limits: OpFetchLimits): OpFetch {
  const lookup = limits.lookup ? { lookup: limits.lookup } : {}
  const agents = { http: new HttpAgent({ keepAlive: true, ...lookup }), https: new HttpsAgent({ keepAlive: true, ...lookup }) }

  function send(
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: string | Buffer | undefined,
    signal: AbortSignal | undefined,
    mayRetry: boolean,
  ): Promise<OpResponse> {
    return new Promise((resolve, reject) => {
      const secure = url.protocol === 'https:'
      const req = (secure ? httpsRequest : httpRequest)(url, { method, headers, agent: secure ? agents.https : agents.http, signal })
      let answered = false
      const timer = setTimeout(() => req.destroy(timeoutError(limits.timeout)), limits.timeout)
      const fail = (error: unknown) => {
        clearTimeout(timer)
        // A kept-alive connection the OP closed just as it was reused. A GET is sent once more on
        // a new connection; a POST (a code exchange, a refresh) never is, since the OP may have
        // received it before the connection broke, and a code or refresh token presented twice
        // is treated as theft.
        if (mayRetry && method === 'GET' && !answered && req.reusedSocket && (error as { code?: string }).code === 'ECONNRESET') {
          return resolve(send(url, method, headers, body, signal, false))
        }
        reject(error)
      }
      req.on('error', fail)
      req.on('response', (response: IncomingMessage) => {
        answered = true
        const declared = Number(response.headers['content-length'])
        if (declared > limits.maxBytes) {
          req.destroy()
          clearTimeout(timer)
          return reject(oversized(url, limits.maxBytes))
        }
        const chunks: Buffer[] = []
        let total = 0
        response.on('data', (chunk: Buffer) => {
          total += chunk.byteLength
          if (total > limits.maxBytes) {
            req.destroy()
            clearTimeout(timer)
            return reject(oversized(url, limits.maxBytes))
          }
          chunks.push(chunk)
        })
        response.on('error', (error) => {
          clearTimeout(timer)
          reject(unavailable(url.href, isTimeout(error) ? `timed out after ${limits.timeout} ms` : 'broke off its response', error))
        })
        response.on('end', () => {
          clearTimeout(timer)
          const raw = response.headers
          resolve({
            status: response.statusCode ?? 0,
            ok: (response.statusCode ?? 0) >= 200 && (response.statusCode ?? 0) < 300,
            statusText: response.statusMessage ?? '',
            headers: raw,
            header: (name) => {
              const value = raw[name.toLowerCase()]
              return Array.isArray(value) ? value.join(', ') : value
            },
            body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks),
          })
        })
      })
      req.end(body)
    })
  }

  return async function opFetch(url: string, init: OpRequestInit = {}): Promise<OpResponse> {
    const target = new URL(url)
    const headers = headersOf(init.headers)
    if (headers['content-type']?.startsWith(FORM)) headers['content-type'] = FORM
    const body = bodyOf(init.body)
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body))
    try {
      return await send(target, init.method ?? 'GET', headers, body, init.signal ?? undefined, true)
    } catch (cause) {
      // Our own errors (a timeout, an address refused by the lookup) already say what happened.
      if (isSpidError(cause)) throw cause
      throw unavailable(url, isTimeout(cause) ? `timed out after ${limits.timeout} ms` : describeNetworkFailure(cause, target), cause)
    }
  }
}

/** Bodies sent to an OP are forms or nothing; a stream is never one of them. */
function bodyOf(body: OpRequestInit['body']): string | Buffer | undefined {
  if (body === undefined || body === null) return undefined
  if (typeof body === 'string') return body
  if (body instanceof URLSearchParams) return body.toString()
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  if (body instanceof ArrayBuffer) return Buffer.from(body)
  throw new TypeError('OP requests do not stream their bodies')
}

function headersOf(input: OpRequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {}
  if (input instanceof Headers) {
    input.forEach((value, name) => {
      out[name] = value
    })
  } else if (Array.isArray(input)) for (const [name, value] of input) out[name.toLowerCase()] = value
  else if (input) for (const name of Object.keys(input)) out[name.toLowerCase()] = input[name] as string
  return out
}

/** The response headers openid-client and oauth4webapi read; copying others costs without use. */
const HEADERS_READ_BY_OPENID_CLIENT = ['content-type', 'www-authenticate', 'dpop-nonce', 'retry-after']

/** The answer as a fetch Response, for openid-client's `customFetch`. */
export function toFetchResponse(answer: OpResponse, url: string): Response {
  const noBody = answer.status === 204 || answer.status === 304 || (answer.status >= 100 && answer.status < 200)
  const headers: [string, string][] = []
  for (const name of HEADERS_READ_BY_OPENID_CLIENT) {
    const value = answer.header(name)
    if (value !== undefined) headers.push([name, value])
  }
  const response = new Response(noBody ? null : (answer.body as Uint8Array<ArrayBuffer>), { status: answer.status, statusText: answer.statusText, headers })
  Object.defineProperty(response, 'url', { value: url })
  return response
}

function timeoutError(ms: number): Error {
  const error = new Error(`no answer within ${ms} ms`)
  error.name = 'TimeoutError'
  return error
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
}

function unavailable(url: string, what: string, cause: unknown): UnavailableError {
  return new UnavailableError('ERR_SPID_OP_UNAVAILABLE', `OP at ${new URL(url).origin} ${what}`, { cause })
}

function oversized(url: URL, maxBytes: number): UnavailableError {
  return new UnavailableError('ERR_SPID_OP_UNAVAILABLE', `OP response from ${url.origin} exceeds ${maxBytes} bytes`, { status: 502 })
}
