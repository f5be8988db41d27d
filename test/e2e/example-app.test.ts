/**
 * The example app as a person uses it: started the way `npm start` starts it (bundled test OP,
 * memory store), driven in Debian's headless Chromium by playwright-core. Screenshots go to
 * test-results/screenshots/ (git-ignored).
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { chromium, type Browser, type Page } from 'playwright-core'
// @ts-expect-error: a plain .mjs helper shared with the test runner
import { freePort } from '../../scripts/provision.mjs'

const CHROMIUM = '/usr/bin/chromium'
const root = new URL('../../', import.meta.url).pathname
const shots = `${root}test-results/screenshots`

async function startExampleApp(): Promise<{ url: string; opUrl: string; child: ChildProcess }> {
  const port: number = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child = spawn(process.execPath, ['--import', 'tsx', 'example-app/server.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), BASE_URL: url, SPID_PROVIDERS: '', REDIS_URL: '', SESSION_SECRET: '', NODE_NO_WARNINGS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`example app did not start:\n${output}`)), 20_000)
    const onData = (chunk: Buffer) => {
      output += chunk
      const op = /Test SPID OP: (\S+)/.exec(output)
      if (/Example app: /.test(output) && op) {
        clearTimeout(timer)
        resolve({ url, opUrl: op[1] as string, child })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.on('exit', (code) => reject(new Error(`example app exited with ${code}:\n${output}`)))
  })
}

describe('example app in headless Chromium', {
  skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (the test runner installs Debian's chromium when run as root)`,
}, () => {
  let app: Awaited<ReturnType<typeof startExampleApp>>
  let browser: Browser
  const cspViolations: string[] = []

  before(async () => {
    mkdirSync(shots, { recursive: true })
    app = await startExampleApp()
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    })
  })
  after(async () => {
    await browser?.close()
    app?.child.kill('SIGTERM')
  })

  async function newPage(locale = 'it-IT'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, locale })
    const page = await context.newPage()
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text())
    })
    return page
  }

  it('logs in at SpidL1, steps up to SpidL2 on /level2, and logs out', async () => {
    const page = await newPage()
    await page.goto(`${app.url}/`)
    await page.screenshot({ path: `${shots}/1-home.png` })
    await page.getByText('Entra con SPID').click()
    const idp = page.getByRole('button', { name: 'SPID Test OP' })
    await idp.waitFor()
    assert.equal(await idp.locator('img').getAttribute('src'), `${app.opUrl}/logo.svg`, 'the OP logo from its metadata')
    await page.screenshot({ path: `${shots}/2-idp-chooser.png` })
    await idp.click()

    await page.waitForURL(`${app.opUrl}/interaction/**`)
    await page.screenshot({ path: `${shots}/3-test-op-login.png`, fullPage: true })
    await page.getByRole('button', { name: 'Autorizza e accedi' }).click()
    await page.waitForURL(`${app.url}/`)
    assert.match(await page.locator('h1').innerText(), /Ciao Ada Lovelace/)

    await page.goto(`${app.url}/level2`)
    await page.waitForURL(`${app.opUrl}/interaction/**`)
    assert.equal(await page.locator('#level').inputValue(), '2', 'the OP is asked for SpidL2')
    await page.getByRole('button', { name: 'Autorizza e accedi' }).click()
    await page.waitForURL(`${app.url}/level2`)
    assert.equal(await page.getByTestId('acr').innerText(), 'https://www.spid.gov.it/SpidL2')
    await page.screenshot({ path: `${shots}/4-level2.png`, fullPage: true })

    await page.goto(`${app.url}/profile`)
    assert.match(await page.getByTestId('profile').innerText(), /LVLDAA85T50G702B/)
    await page.screenshot({ path: `${shots}/5-profile.png`, fullPage: true })

    await page.getByRole('button', { name: 'Esci' }).click()
    await page.waitForURL(`${app.url}/`)
    await page.getByText('Entra con SPID').waitFor()
    const me = await page.request.get(`${app.url}/me`)
    assert.equal((await me.json()).authenticated, false)
  })

  it('logs in with the Entra con CIE button at the bundled CIE id test OP', async () => {
    const page = await newPage()
    await page.goto(`${app.url}/`)
    await page.getByRole('button', { name: 'Entra con CIE' }).click()
    await page.waitForURL(/\/interaction\//)
    assert.notEqual(new URL(page.url()).origin, app.opUrl, 'the CIE OP, not the SPID one')
    assert.match(await page.locator('body').innerText(), /CIE id di prova/)
    await page.screenshot({ path: `${shots}/7-cie-login.png`, fullPage: true })
    await page.getByRole('button', { name: 'Autorizza e accedi' }).click()
    await page.waitForURL(`${app.url}/`)
    assert.match(await page.locator('h1').innerText(), /Ciao Ada Lovelace/)
    const me = await (await page.request.get(`${app.url}/me`)).json()
    assert.equal(me.authenticated, true)
    assert.equal(me.profile.fiscalNumber, 'LVLDAA85T50G702B')
    await page.getByRole('button', { name: 'Esci' }).click()
    await page.waitForURL(`${app.url}/`)
  })

  it('reaches an OP with the keyboard alone', async () => {
    const page = await newPage()
    await page.goto(`${app.url}/`)
    await page.keyboard.press('Tab') // skip link
    await page.keyboard.press('Tab') // brand
    await page.keyboard.press('Tab') // language
    await page.keyboard.press('Tab') // SPID button
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Entra con SPID')
    await page.keyboard.press('Enter')
    await page.keyboard.press('Tab')
    assert.match(await page.evaluate(() => document.activeElement?.textContent ?? ''), /SPID Test OP/)
    await page.keyboard.press('Enter')
    await page.waitForURL(`${app.opUrl}/interaction/**`)
  })

  it('speaks English on request and shows "remember me" sessions as such', async () => {
    const page = await newPage('en-GB')
    await page.goto(`${app.url}/`)
    await page.getByText('Log in with SPID').waitFor()
    await page.getByLabel('Remember me on this device').check()
    await page.getByText('Log in with SPID').click()
    await page.getByRole('button', { name: 'SPID Test OP' }).click()
    await page.getByRole('button', { name: 'Autorizza e accedi' }).click()
    await page.waitForURL(`${app.url}/`)
    await page.getByText('Long session active (remember me).').waitFor()
    assert.equal((await (await page.request.get(`${app.url}/me`)).json()).offline, true)
  })

  it('explains a failed login in plain words with a way back', async () => {
    const page = await newPage()
    const response = await page.goto(`${app.url}/auth/spid/callback?code=abc&state=not-a-state-of-this-browser`)
    assert.equal(response?.status(), 400)
    assert.equal(await page.locator('h1').innerText(), 'Tentativo di accesso non valido')
    assert.equal(await page.getByRole('link', { name: 'Torna alla pagina iniziale' }).getAttribute('href'), '/')
    await page.screenshot({ path: `${shots}/6-error.png` })
  })

  it('satisfies its own Content Security Policy on every page visited', () => {
    assert.deepEqual(cspViolations, [])
  })
})
