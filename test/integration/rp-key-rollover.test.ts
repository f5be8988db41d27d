/**
 * RP key rollover against the real test OP. The OP keeps the RP metadata it fetched for 30 s, as
 * real OPs cache trust chains: so an OP may encrypt UserInfo to any key the RP published when it
 * last looked. Several app instances share one client_id here, as in a rolling deploy: the OP
 * reads the entity configuration of whichever instance answers first.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { createExampleApp } from '../../example-app/app.ts'
import { generateDevKeys, type DevKeySet, type KeyRollover } from '../../src/index.ts'
import { startTestOp, type TestOp } from '../../src/test-op/index.ts'
import { login } from '../fixtures/login.ts'
import { captureLogger, closeServer, listenLater } from '../fixtures/stack.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

const old = generateDevKeys()
const fresh = generateDevKeys()

/** One client_id, served by whichever instance is switched in. */
async function rollingDeploy(op: TestOp) {
  const listening = await listenLater()
  const instance = (encryption: KeyRollover, signing: KeyRollover) => {
    const logger = captureLogger()
    const app = createExampleApp({
      baseUrl: listening.url,
      providers: [op.issuer],
      keys: old as DevKeySet,
      sessionSecret: 'test-session-secret-of-sufficient-length',
      logger,
      strategy: { keys: { federation: old.federation, signing, encryption } },
    })
    return { app, logger }
  }
  return {
    url: listening.url,
    instance,
    serve: (which: ReturnType<typeof instance>) => listening.handle(which.app.app),
    close: () => closeServer(listening.server),
  }
}

async function loginStatus(url: string) {
  const done = await login(new UserAgent(), url, 'level=2')
  return { status: done.status, body: done.body }
}

describe('RP key rollover', () => {
  const closers: (() => Promise<void>)[] = []
  after(async () => {
    for (const close of closers) await close()
  })

  it('decrypts UserInfo the OP encrypted to the next key, which this instance does not use yet', async () => {
    const op = await startTestOp()
    const deploy = await rollingDeploy(op)
    closers.push(deploy.close, op.close)
    // An instance already promoted: the OP learns the new encryption key first from it.
    const promoted = deploy.instance({ current: fresh.encryption, previous: old.encryption }, { current: old.signing })
    deploy.serve(promoted)
    assert.equal((await loginStatus(deploy.url)).status, 302)
    // An instance not yet promoted still decrypts with its next key.
    const notYet = deploy.instance({ current: old.encryption, next: fresh.encryption }, { current: old.signing })
    deploy.serve(notYet)
    assert.equal((await loginStatus(deploy.url)).status, 302)
    // Control: without the next key, the same UserInfo does not decrypt.
    const without = deploy.instance({ current: old.encryption }, { current: old.signing })
    deploy.serve(without)
    const refused = await loginStatus(deploy.url)
    assert.equal(refused.status, 502, refused.body)
    assert.match(refused.body, /ERR_SPID_USERINFO_INVALID/)
  })

  it('decrypts UserInfo encrypted to the previous key, and signs with the new current key', async () => {
    const op = await startTestOp()
    const deploy = await rollingDeploy(op)
    closers.push(deploy.close, op.close)
    // The OP caches the metadata of the phase "next key added": old current first, both published.
    const added = deploy.instance({ current: old.encryption, next: fresh.encryption }, { current: old.signing, next: fresh.signing })
    deploy.serve(added)
    assert.equal((await loginStatus(deploy.url)).status, 302)
    // Promoted: signs request objects and assertions with the new key, which the OP already knows.
    const promoted = deploy.instance({ current: fresh.encryption, previous: old.encryption }, { current: fresh.signing, previous: old.signing })
    deploy.serve(promoted)
    assert.equal((await loginStatus(deploy.url)).status, 302)
    // Control: the old key dropped too early leaves UserInfo undecryptable.
    const dropped = deploy.instance({ current: fresh.encryption }, { current: fresh.signing })
    deploy.serve(dropped)
    const refused = await loginStatus(deploy.url)
    assert.equal(refused.status, 502, refused.body)
    assert.match(refused.body, /ERR_SPID_USERINFO_INVALID/)
  })
})
