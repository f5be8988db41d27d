import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FailureAggregator } from '../../../src/audit/failure-aggregator.ts'

describe('records anyone can cause', () => {
  it('are aggregated per key with the fields describe gives (anonymous login starts per OP)', async () => {
    const written: Record<string, unknown>[] = []
    const starts = new FailureAggregator((fields) => written.push(fields), { windowMs: 50, individual: 2, describe: (iss) => ({ iss }) })
    const admitted = Array.from({ length: 12 }, (_, i) => starts.admit(i % 2 ? 'https://a' : 'https://b')).filter(Boolean).length
    assert.equal(admitted, 4)
    for (let i = 0; i < 100 && written.length < 2; i++) await new Promise((r) => setTimeout(r, 20))
    assert.deepEqual(written.map((w) => [w.iss, w.count, w.error_code, w.outcome]).sort(), [
      ['https://a', 4, undefined, undefined],
      ['https://b', 4, undefined, undefined],
    ])
  })
})
