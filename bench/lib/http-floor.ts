/**
 * The HTTP floor of one login, for the relying party's process: two request/response exchanges
 * on a bare node:http server and client with keep-alive, both in this process. A login makes the
 * RP answer two requests (login start, callback) and send two (token, UserInfo): two exchanges
 * here cost one server side and one client side each, so together they are the same count, with
 * bodies and headers of the login's sizes. On a machine where a system call is expensive this is
 * a large part of a login, and no library code can remove it.
 */
import { Agent, createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'

const LOCATION = `http://127.0.0.1/authorize?request=${'r'.repeat(2200)}`
const FORM = `grant_type=authorization_code&code=${'c'.repeat(43)}&client_assertion=${'a'.repeat(900)}`
const TOKENS = JSON.stringify({ access_token: 'a'.repeat(43), id_token: 'i'.repeat(1100), token_type: 'Bearer', expires_in: 900 })

export interface HttpFloor {
  once(): Promise<void>
  close(): Promise<void>
}

export async function prepareHttpFloor(): Promise<HttpFloor> {
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      if (req.method === 'POST') return void res.writeHead(200, { 'content-type': 'application/json' }).end(TOKENS)
      res.writeHead(302, { location: LOCATION, 'content-length': '0' }).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  const agent = new Agent({ keepAlive: true })
  const exchange = (method: 'GET' | 'POST') =>
    new Promise<void>((resolve, reject) => {
      const headers = method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(FORM.length) } : {}
      const req = request(url, { method, agent, headers }, (res) => {
        res.resume()
        res.on('end', resolve)
      })
      req.on('error', reject)
      req.end(method === 'POST' ? FORM : undefined)
    })
  return {
    async once() {
      await exchange('GET')
      await exchange('POST')
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy()
        server.close(() => resolve())
      }),
  }
}
