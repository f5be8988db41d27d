/**
 * What the audit log costs a login: the records one login writes (the events of a login that
 * the runtime records, with realistic fields) through a JsonLinesAuditSink, in clear and
 * encrypted, in alternating rounds; CPU time of this process (the file writes and fsync run on
 * libuv's threads, which process.cpuUsage counts) per login.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { JsonLinesAuditSink, type AuditEvent } from '../../src/index.ts'
import { alternate, median } from './stats.ts'

const base = { client_id: 'https://rp.example.it', iss: 'https://op.example.it', outcome: 'ok' as const }
const tag = () => randomBytes(16).toString('base64url')
/** The records of one login, as the runtime writes them (rule G2 fields, tags for secrets). */
const loginEvents = (): AuditEvent[] => {
  const time = new Date().toISOString()
  const sub = tag()
  return [
    { ...base, time, type: 'authorization.requested', state_hash: tag(), acr: 'https://www.spid.gov.it/SpidL2', jti: tag() },
    { ...base, time, type: 'authorization.answered', state_hash: tag(), code_hash: tag() },
    { ...base, time, type: 'token.issued', sub, jti: tag(), iat: 1, exp: 2, acr: 'https://www.spid.gov.it/SpidL2', code_hash: tag(), at_hash: tag() },
    {
      ...base,
      time,
      type: 'userinfo.received',
      sub,
      jti: tag(),
      iat: 1,
      exp: 2,
      claims_released: ['family_name', 'given_name', 'https://attributes.eid.gov.it/fiscal_number'],
    },
    { ...base, time, type: 'login.succeeded', sub, acr: 'https://www.spid.gov.it/SpidL2', jti: tag(), iat: 1, state_hash: tag() },
  ]
}

export async function measureAuditCost({ rounds, loginsPerRound }: { rounds: number; loginsPerRound: number }) {
  const key = randomBytes(32)
  const dirs = [mkdtempSync(join(tmpdir(), 'bench-audit-')), mkdtempSync(join(tmpdir(), 'bench-audit-'))]
  const clear = new JsonLinesAuditSink({ dir: dirs[0] as string, key, instanceId: 'bench', encrypt: false })
  const encrypted = new JsonLinesAuditSink({ dir: dirs[1] as string, key, instanceId: 'bench', encrypt: true })
  // Each login's records are written as they come, and reach the disk before the next login.
  const perLogin = async (sink: JsonLinesAuditSink) => {
    const before = process.cpuUsage()
    for (let i = 0; i < loginsPerRound; i++) {
      for (const event of loginEvents()) void sink.write(event)
      await sink.flush()
    }
    const used = process.cpuUsage(before)
    return (used.user + used.system) / loginsPerRound
  }
  try {
    await perLogin(clear)
    await perLogin(encrypted)
    const series = await alternate(
      rounds,
      () => perLogin(clear),
      () => perLogin(encrypted),
    )
    return { clearMicros: median(series.baseline), encryptedMicros: median(series.subject), recordsPerLogin: loginEvents().length }
  } finally {
    await clear.close()
    await encrypted.close()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  }
}
