/**
 * The federation client's lookup with a scripted resolver. A stand-in for DNS, because the test
 * machine has no resolver that answers a public address, nor one that changes its answer between
 * two lookups of a name (DNS rebinding); the loopback case runs against the real resolver in
 * test/integration/federation-destinations.test.ts.
 */
import assert from 'node:assert/strict'
import type { LookupAddress } from 'node:dns'
import { describe, it } from 'node:test'
import { publicOnlyLookup } from '../../../src/federation/federation-fetch.ts'

type Answer = LookupAddress[]

/** Runs the lookup as a connection does, with `all` (autoSelectFamily) or without. */
function look(answers: Answer[], all: boolean): Promise<{ error?: Error; result?: unknown }[]> {
  const queue = [...answers]
  const lookup = publicOnlyLookup((_host, _options, callback) => callback(null, queue.shift() ?? []))
  return Promise.all(
    answers.map(
      () =>
        new Promise<{ error?: Error; result?: unknown }>((resolve) =>
          lookup('fed.example.it', { all }, (error: Error | null, address: unknown, family?: number) =>
            resolve(error ? { error } : { result: all ? address : [address, family] }),
          ),
        ),
    ),
  )
}

const PUBLIC: LookupAddress = { address: '151.101.1.69', family: 4 }
const PUBLIC6: LookupAddress = { address: '2a00:1450:4002::65', family: 6 }

describe('publicOnlyLookup', () => {
  it('hands a name with public addresses to the connection: all of them, or the first', async () => {
    assert.deepEqual(await look([[PUBLIC, PUBLIC6]], true), [{ result: [PUBLIC, PUBLIC6] }])
    assert.deepEqual(await look([[PUBLIC, PUBLIC6]], false), [{ result: [PUBLIC.address, 4] }])
  })

  it('refuses a name with any non-public address, naming it', async () => {
    const [answer] = await look([[PUBLIC, { address: '10.0.0.7', family: 4 }]], true)
    assert.match(String(answer?.error?.message), /fed\.example\.it resolves to 10\.0\.0\.7, a private address/)
    assert.equal((answer?.error as { code?: string } | undefined)?.code, 'ERR_SPID_TRUST_CHAIN_INVALID')
  })

  it('checks each connection’s own answer: a name that rebinds to loopback is refused the second time', async () => {
    const [first, second] = await look([[PUBLIC], [{ address: '127.0.0.1', family: 4 }]], false)
    assert.deepEqual(first, { result: [PUBLIC.address, 4] })
    assert.match(String(second?.error?.message), /resolves to 127\.0\.0\.1, a loopback address/)
  })
})
