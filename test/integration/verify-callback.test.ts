/**
 * The verify function, as in every Passport strategy: the app maps the verified person to its
 * own account, refuses people it does not know, or fails; and, because the strategy keeps its
 * login state itself, an app's own serializer (storing an account id) keeps the SPID level.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { SPID_L1, SPID_L2, generateDevKeys, type SpidLoginInfo } from '../../src/index.ts'
import { startTestOp, type TestOp } from '../../src/test-op/index.ts'
import { createAccountApp, type Account, type AccountAppOptions } from '../fixtures/account-app.ts'
import { login, loginUntilCallback } from '../fixtures/login.ts'
import { closeServer, listenLater } from '../fixtures/stack.ts'
import { UserAgent } from '../fixtures/user-agent.ts'

const JSON_ACCEPT = { accept: 'application/json' }
const ADA: Account = { id: 7, name: 'Ada (account 7)', fiscalNumber: 'LVLDAA85T50G702B' }

describe('verify function and the app’s own serializer', () => {
  let op: TestOp
  const servers: Awaited<ReturnType<typeof listenLater>>[] = []
  before(async () => {
    op = await startTestOp()
  })
  after(async () => {
    for (const s of servers) await closeServer(s.server)
    await op.close()
  })

  async function start(verify: AccountAppOptions['verify'], extra: Partial<AccountAppOptions> = {}) {
    const listening = await listenLater()
    servers.push(listening)
    const accounts = new Map([[ADA.id, ADA]])
    const made = createAccountApp({ baseUrl: listening.url, opIssuer: op.issuer, keys: generateDevKeys(), verify, accounts, ...extra })
    listening.handle(made.app)
    return { url: listening.url, ...made }
  }

  const byFiscalNumber: AccountAppOptions['verify'] = (profile, _login, done) => {
    const account = [ADA].find((a) => a.fiscalNumber === profile.fiscalNumber)
    done(null, (account as unknown as Express.User) ?? false, { message: 'no account for this person' })
  }

  it('links the login to the account found by fiscal number, and the account id alone keeps the SPID level', async () => {
    let seen: SpidLoginInfo | undefined
    const app = await start((profile, loginInfo, done) => {
      seen = loginInfo
      byFiscalNumber(profile, loginInfo, done)
    })
    const ua = new UserAgent()
    const done = await login(ua, app.url, 'level=2&returnTo=/level2')
    assert.equal(done.status, 302)
    assert.equal(new URL(done.location as string).pathname, '/level2', 'back where the login was asked for')
    const who = await ua.request(`${app.url}/level2`, { headers: JSON_ACCEPT })
    assert.equal(who.status, 200, who.body)
    assert.deepEqual(JSON.parse(who.body), { account: ADA, level: SPID_L2 })
    assert.equal(seen?.acr, SPID_L2)
    assert.equal(seen?.issuer, op.issuer)
    assert.equal(seen?.provider, 'spid')
    assert.equal(seen?.stepUp, false)
    assert.equal(typeof seen?.idTokenClaims.jti, 'string')
  })

  it('refuses a person the app does not know: ERR_SPID_ACCESS_REFUSED, a page or JSON, and no login', async () => {
    const app = await start(byFiscalNumber)
    const ua = new UserAgent()
    const refused = await login(ua, app.url, 'level=2', { user: 'lucrezia' })
    assert.equal(refused.status, 403)
    assert.deepEqual(JSON.parse(refused.body), {
      error: 'access_denied',
      error_description: 'no account for this person',
      code: 'ERR_SPID_ACCESS_REFUSED',
      request_id: JSON.parse(refused.body).request_id,
    })
    assert.equal((await ua.request(`${app.url}/whoami`, { headers: JSON_ACCEPT })).status, 401, 'not logged in')
    const page = await (async () => {
      const browser = new UserAgent()
      const callback = await loginUntilCallback(browser, app.url, 'level=2', { user: 'lucrezia' })
      return browser.request(callback)
    })()
    assert.equal(page.status, 403)
    assert.match(page.body, /Accesso non consentito/)
    assert.ok(app.logger.lines.some((l) => (l.obj as { code?: string }).code === 'ERR_SPID_ACCESS_REFUSED'))
  })

  it('hands an error of the verify function to the app’s error handlers, and logs nobody in', async () => {
    const app = await start((_profile, _login, done) => done(new Error('accounts database unreachable')))
    const ua = new UserAgent()
    const failed = await login(ua, app.url, 'level=2')
    assert.equal(failed.status, 500)
    assert.deepEqual(JSON.parse(failed.body), { appError: 'accounts database unreachable' })
    assert.equal((await ua.request(`${app.url}/whoami`, { headers: JSON_ACCEPT })).status, 401)
  })

  it('treats a verify function that throws like one that fails', async () => {
    const app = await start(() => {
      throw new Error('bug in verify')
    })
    const ua = new UserAgent()
    const failed = await login(ua, app.url, 'level=2')
    assert.equal(failed.status, 500)
    assert.deepEqual(JSON.parse(failed.body), { appError: 'bug in verify' })
  })

  it('passes the request first with passReqToCallback', async () => {
    let query: unknown
    const app = await start({
      withRequest: (req, profile, loginInfo, done) => {
        query = req.query.state
        byFiscalNumber(profile, loginInfo, done)
      },
    })
    const ua = new UserAgent()
    assert.equal((await login(ua, app.url, 'level=2')).status, 302)
    assert.equal(typeof query, 'string', 'the callback request reached verify')
  })

  it('keeps the step-up level with passport’s keepSessionInfo, which copies the old session into the new one', async () => {
    const app = await start(byFiscalNumber, { keepSessionInfo: true })
    const ua = new UserAgent()
    assert.equal((await login(ua, app.url, 'level=1')).status, 302)
    const atOne = JSON.parse((await ua.request(`${app.url}/whoami`, { headers: JSON_ACCEPT })).body)
    assert.equal(atOne.level, SPID_L1)
    const stepUp = await login(ua, app.url, `level=2&idp=${encodeURIComponent(op.issuer)}`)
    assert.equal(stepUp.status, 302)
    const atTwo = await ua.request(`${app.url}/level2`, { headers: JSON_ACCEPT })
    assert.equal(atTwo.status, 200, 'the old session’s SpidL1 state was not copied over the new SpidL2 one')
    assert.equal(JSON.parse(atTwo.body).level, SPID_L2)
  })

  it('refuses a verify that is not a function, and passReqToCallback without one, at construction', async () => {
    const { SpidStrategy } = await import('../../src/index.ts')
    const options = { clientId: 'https://rp.example.it', keys: generateDevKeys(), providers: ['https://op.example.it'] }
    assert.throws(() => new SpidStrategy(options, 'nope' as never), /verify must be a function/)
    assert.throws(() => new SpidStrategy({ ...options, passReqToCallback: true }, undefined as never), /passReqToCallback needs a verify function/)
  })
})
