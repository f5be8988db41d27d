/**
 * The OP HTTP client against real TCP servers: connections kept alive and reused, and what
 * happens when an OP drops a kept-alive connection just as it is reused (a race every keep-alive
 * client meets): a GET is sent again on a new connection, a POST never is.
 */
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { after, describe, it } from 'node:test'
import { isSpidError } from '../../src/errors/index.ts'
import { createOpFetch } from '../../src/protocol/op-fetch.ts'
import { closeServer } from '../fixtures/stack.ts'

/** A server that counts connections and requests; `dropSecondOnSocket` resets a reused connection on its next request. */
async function serve(dropSecondOnSocket: boolean) {
  const seen = { connections: 0, requests: [] as string[] }
  const perSocket = new WeakMap<Socket, number>()
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.requests.push(req.method as string)
    const count = (perSocket.get(req.socket) ?? 0) + 1
    perSocket.set(req.socket, count)
    req.resume()
    req.on('end', () => {
      if (dropSecondOnSocket && count === 2) return req.socket.resetAndDestroy()
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    })
  })
  server.on('connection', () => seen.connections++)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen }
}

describe('OP HTTP client', () => {
  const servers: Awaited<ReturnType<typeof serve>>[] = []
  after(async () => {
    for (const s of servers) await closeServer(s.server)
  })
  const opFetch = () => createOpFetch({ timeout: 2000, maxBytes: 1 << 16 })

  it('keeps connections alive: sequential requests share one', async () => {
    const s = await serve(false)
    servers.push(s)
    const fetch = opFetch()
    for (let i = 0; i < 3; i++) assert.equal((await fetch(s.url)).status, 200)
    assert.equal(s.seen.connections, 1)
  })

  it('sends a GET again on a new connection when the OP resets a reused one', async () => {
    const s = await serve(true)
    servers.push(s)
    const fetch = opFetch()
    assert.equal((await fetch(s.url)).status, 200)
    const second = await fetch(s.url)
    assert.equal(second.status, 200)
    assert.equal(JSON.parse(second.body.toString()).ok, true)
    assert.equal(s.seen.connections, 2)
  })

  it('never sends a POST twice: a reset reused connection is ERR_SPID_OP_UNAVAILABLE', async () => {
    const s = await serve(true)
    servers.push(s)
    const fetch = opFetch()
    const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ code: 'abc' }) }
    assert.equal((await fetch(s.url, form)).status, 200)
    await assert.rejects(fetch(s.url, form), (error: unknown) => isSpidError(error) && error.code === 'ERR_SPID_OP_UNAVAILABLE')
    assert.deepEqual(s.seen.requests, ['POST', 'POST'], 'the second POST reached the OP once and was not repeated')
  })
})
