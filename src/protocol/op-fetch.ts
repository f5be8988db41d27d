import { UnavailableError } from '../errors/spid-error.ts'

export interface OpFetchLimits {
  /** Milliseconds before the request is aborted. */
  timeout: number
  /** Bytes read at most from the body. */
  maxBytes: number
}

const FORM = 'application/x-www-form-urlencoded'

/**
 * fetch() for every call to an OP: bounded in time and in bytes, so a slow or hostile OP can
 * neither hang a request nor fill memory. Network failures, timeouts and oversized bodies become
 * UnavailableError. Form posts are sent with a Content-Type of exactly
 * `application/x-www-form-urlencoded`: AgID's RP conformance tool rejects the `;charset=UTF-8`
 * that openid-client appends.
 */
export function createOpFetch(limits: OpFetchLimits) {
  return async function opFetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (headers.get('content-type')?.startsWith(FORM)) headers.set('content-type', FORM)
    const signal = init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(limits.timeout)]) : AbortSignal.timeout(limits.timeout)
    let response: Response
    try {
      response = await fetch(url, { ...init, headers, signal, redirect: 'manual' })
    } catch (cause) {
      throw unavailable(url, isTimeout(cause) ? `timed out after ${limits.timeout} ms` : 'unreachable', cause)
    }
    let body: Uint8Array
    try {
      body = await readCapped(response, limits.maxBytes)
    } catch (cause) {
      if (cause instanceof UnavailableError) throw cause
      throw unavailable(url, isTimeout(cause) ? `timed out after ${limits.timeout} ms` : 'broke off its response', cause)
    }
    const status = response.status
    const noBody = status === 204 || status === 304 || (status >= 100 && status < 200)
    return new Response(noBody ? null : (body as Uint8Array<ArrayBuffer>), { status, statusText: response.statusText, headers: response.headers })
  }

  async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
    const declared = Number(response.headers.get('content-length'))
    if (declared > maxBytes) {
      await response.body?.cancel()
      throw oversized(response.url, maxBytes)
    }
    if (!response.body) return new Uint8Array()
    const chunks: Uint8Array[] = []
    let total = 0
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      total += chunk.byteLength
      if (total > maxBytes) {
        await response.body.cancel().catch(() => {})
        throw oversized(response.url, maxBytes)
      }
      chunks.push(chunk)
    }
    return Buffer.concat(chunks)
  }
}

export type OpFetch = ReturnType<typeof createOpFetch>

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
}

function unavailable(url: string, what: string, cause: unknown): UnavailableError {
  return new UnavailableError('ERR_SPID_OP_UNAVAILABLE', `OP at ${new URL(url).origin} ${what}`, { cause })
}

function oversized(url: string, maxBytes: number): UnavailableError {
  return new UnavailableError('ERR_SPID_OP_UNAVAILABLE', `OP response from ${url ? new URL(url).origin : 'the OP'} exceeds ${maxBytes} bytes`, { status: 502 })
}
