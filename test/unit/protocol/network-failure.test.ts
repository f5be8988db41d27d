/**
 * "unreachable" always says why, against real peers on loopback: a port nobody listens on, a name
 * that does not resolve (the reserved .invalid top-level domain), a plain-HTTP server spoken to
 * over TLS, a server that accepts and never answers, and a server that answers 404.
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { createServer as createTcpServer, type Socket } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { createOpFetch } from '../../../src/protocol/op-fetch.ts'
// @ts-expect-error: a plain .mjs helper shared with the test runner
import { freePort } from '../../../scripts/provision.mjs'

const opFetch = createOpFetch({ timeout: 1_000, maxBytes: 64 * 1024 })
const failure = async (url: string) => {
  try {
    await opFetch(url)
  } catch (error) {
    return (error as Error).message
  }
  assert.fail(`${url} answered`)
}

describe('why an OP is unreachable', () => {
  let plain: Server
  let silent: ReturnType<typeof createTcpServer>
  const held: Socket[] = []
  before(async () => {
    plain = createServer((_req, res) => res.writeHead(404).end('no'))
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve))
    silent = createTcpServer((socket) => held.push(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  })
  after(async () => {
    for (const socket of held) socket.destroy()
    await new Promise((resolve) => plain.close(resolve))
    await new Promise((resolve) => silent.close(resolve))
  })
  const portOf = (server: { address(): unknown }) => (server.address() as { port: number }).port

  it('names a refused connection, with the host and port', async () => {
    const port: number = await freePort()
    assert.match(await failure(`http://127.0.0.1:${port}/x`), new RegExp(`unreachable: connection refused by 127\\.0\\.0\\.1:${port}.*ECONNREFUSED`))
  })

  it('names a name that does not resolve as DNS', async () => {
    assert.match(
      await failure('https://op.passport-spid-oidc.invalid/x'),
      /unreachable: DNS: no address for op\.passport-spid-oidc\.invalid \((ENOTFOUND|EAI_AGAIN)\)/,
    )
  })

  it('names a failed TLS handshake and its cause', async () => {
    assert.match(await failure(`https://127.0.0.1:${portOf(plain)}/x`), /unreachable: TLS handshake with 127\.0\.0\.1:\d+ failed \(/)
  })

  it('names a timeout, with the time waited', async () => {
    assert.match(await failure(`http://127.0.0.1:${portOf(silent)}/x`), /timed out after 1000 ms/)
  })

  it('passes an HTTP status on as an answer, for the caller to name', async () => {
    const response = await opFetch(`http://127.0.0.1:${portOf(plain)}/x`)
    assert.equal(response.status, 404)
  })
})
