/** Audit records of real logins (rules G1-G2): every step, indexed, and no secret or personal data in clear. */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { JsonLinesAuditSink, LoggerAuditSink, verifyAuditLog, type AuditEvent } from '../../src/index.ts'
import { login, loginUntilCallback } from '../fixtures/login.ts'
import { captureLogger, startStack, type Stack } from '../fixtures/stack.ts'
import { startTamperingProxy, type OpResponse } from '../fixtures/tampering-proxy.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

describe('audit log of real logins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-it-'))
  const appLog = captureLogger()
  let stack: Stack
  let proxy: Awaited<ReturnType<typeof startTamperingProxy>>
  const tokenResponses: OpResponse[] = []
  const key = randomBytes(32)
  const sinks: { write(e: AuditEvent): unknown }[] = []
  let code = ''

  before(async () => {
    proxy = await startTamperingProxy()
    // In clear here, so the test reads what a record would show: tags, never secrets.
    const fileSink = new JsonLinesAuditSink({ dir, key, encrypt: false, instanceId: 'it' })
    sinks.push(fileSink, new LoggerAuditSink(appLog))
    stack = await startStack({
      op: { issuer: proxy.url },
      app: {
        strategy: {
          audit: {
            write: (e: AuditEvent) => {
              for (const s of sinks) s.write(e)
            },
          },
          auditPersonalData: true,
        },
      },
    })
    proxy.forwardTo(stack.op.server)
    proxy.rewrite('/token', (r) => {
      tokenResponses.push(r)
      return r
    })
    const ua = new UserAgent()
    const callback = new URL(await loginUntilCallback(ua, stack.appUrl, 'level=2&offline=1'))
    code = callback.searchParams.get('code') as string
    await ua.request(callback.href)
    await ua.request(`${stack.appUrl}/logout`, { method: 'POST', headers: { origin: stack.appUrl }, form: {} })
    await login(new UserAgent(), stack.appUrl, 'level=2', { reached: 1 })
    await fileSink.flush()
  })
  after(async () => {
    await stack.close()
    await proxy.close()
  })

  it('records every step of the transaction, indexed as SPID asks (G2)', () => {
    const report = verifyAuditLog(dir, key)
    assert.ok(report.ok, JSON.stringify(report.problems))
    const events = report.events.map((e) => e.event)
    const types = events.map((e) => e.type)
    for (const type of [
      'trust_chain.resolved',
      'authorization.requested',
      'authorization.answered',
      'token.issued',
      'userinfo.received',
      'login.succeeded',
      'token.revoked',
      'login.failed',
    ]) {
      assert.ok(types.includes(type as AuditEvent['type']), `${type} recorded`)
    }
    const issued = events.find((e) => e.type === 'token.issued') as AuditEvent
    for (const field of ['client_id', 'iss', 'sub', 'jti', 'iat', 'exp', 'code_hash', 'acr'])
      assert.ok(issued[field] !== undefined, `token.issued has ${field}`)
    assert.equal(issued.client_id, stack.appUrl)
    assert.equal(events.find((e) => e.type === 'authorization.answered')?.code_hash, issued.code_hash, 'the code links the callback to the tokens')
    const failed = events.find((e) => e.type === 'login.failed')
    assert.equal(failed?.error_code, 'ERR_SPID_ACR_TOO_LOW')
    assert.equal(failed?.iss, proxy.url, 'a failed login names its OP')
    assert.equal(events.filter((e) => e.type === 'login.failed').length, 1, 'recorded once')
    assert.ok(events.find((e) => e.type === 'login.succeeded')?.fiscal_number_hash, 'fiscal number tagged on opt-in')
  })

  it('never holds a token, the code, the nonce or the fiscal number in clear', () => {
    const files =
      readdirSync(dir)
        .map((f) => readFileSync(join(dir, f), 'utf8'))
        .join('\n') +
      JSON.stringify(appLog.lines) +
      JSON.stringify(stack.logger.lines)
    const first = JSON.parse(tokenResponses[0]!.body)
    for (const [name, secret] of [
      ['access token', first.access_token],
      ['refresh token', first.refresh_token],
      ['ID token', first.id_token],
      ['code', code],
      ['fiscal number', 'LVLDAA85T50G702B'],
      ['family name', 'Lovelace'],
      ['e-mail', 'aabyron@hotmail.com'],
    ]) {
      assert.ok(secret && !files.includes(secret), `${name} not in the logs`)
    }
    assert.ok(!/"nonce"|"code_verifier"/.test(files))
  })
})
