/** HTTP throughput of one route, loaded with autocannon (this process) against an app in another process. */
import autocannon from 'autocannon'

export const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'

/** Requests per second over `seconds`; throws unless every answer was a 2xx. */
export async function requestsPerSecond(url: string, cookie: string, seconds: number): Promise<number> {
  const result = await autocannon({ url, connections: 8, duration: seconds, headers: { cookie, accept: BROWSER_ACCEPT } })
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers and ${result.errors} errors under load`)
  return result.requests.total / seconds
}
