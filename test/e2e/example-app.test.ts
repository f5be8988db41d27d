/**
 * The example app as a person uses it: started the way `npm start` starts it (bundled SPID and
 * CIE id test OPs, memory store), driven in Debian's headless Chromium by playwright-core. Each
 * page of the app is photographed into test-results/screenshots/ (kept as test artefacts, looked
 * at by a person) and scanned with axe-core for WCAG 2.1 A/AA problems.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdirSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import axe from 'axe-core'
import { chromium, type Browser, type Page } from 'playwright-core'
import { runExampleApp } from '../fixtures/example-process.ts'

const CHROMIUM = '/usr/bin/chromium'
const root = new URL('../../', import.meta.url).pathname
const shots = `${root}test-results/screenshots`

describe('example app in headless Chromium', {
  skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (the test runner installs Debian's chromium when run as root)`,
}, () => {
  let app: Awaited<ReturnType<typeof runExampleApp>>
  let url: string
  let opUrl: string
  let browser: Browser
  const cspViolations: string[] = []
  /** Serious or critical axe findings, by page. */
  const accessibility: Record<string, string[]> = {}

  before(async () => {
    mkdirSync(shots, { recursive: true })
    app = await runExampleApp()
    url = `http://localhost:${app.port}`
    opUrl = (await app.waitFor(/Test SPID OP: (\S+)/))[1] as string
    await app.waitFor(/Example app: /)
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
    await app?.stop()
  })

  async function newPage(locale = 'it-IT'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, locale })
    const page = await context.newPage()
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(message.text())
    })
    return page
  }

  /** A screenshot to look at, and an accessibility scan of the same state of the page. */
  async function record(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true })
    await page.evaluate(axe.source)
    const results = (await page.evaluate(() =>
      (window as unknown as { axe: typeof axe }).axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
    )) as axe.AxeResults
    accessibility[name] = results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
  }

  async function atOp(page: Page, reached?: '1' | '2' | '3'): Promise<void> {
    await page.waitForURL(/\/interaction\//)
    if (reached) await page.locator('#level').selectOption(reached)
    await page.getByRole('button', { name: /^(Autorizza e accedi|Authorize and log in)$/ }).click()
  }

  it('logs in with SPID, steps up through the explaining page to each level, shows the profile, and logs out with a confirmation', async () => {
    const page = await newPage()
    await page.goto(`${url}/`)
    await page.getByRole('button', { name: 'Entra con CIE' }).waitFor()
    await record(page, '01-home')
    await page.getByText('Entra con SPID').click()
    const idp = page.getByRole('button', { name: 'SPID Test OP' })
    await idp.waitFor()
    assert.equal(await idp.locator('img').getAttribute('src'), `${opUrl}/logo.svg`, 'the OP logo from its metadata')
    await record(page, '02-spid-chooser-open')
    const panel = await page.locator('.spid-ui-panel').boundingBox()
    const footer = await page.locator('footer').boundingBox()
    assert.ok(
      panel && footer && panel.y + panel.height <= footer.y,
      `the open chooser (${JSON.stringify(panel)}) does not cover the footer (${JSON.stringify(footer)})`,
    )
    await idp.click()
    await page.waitForURL(`${opUrl}/interaction/**`)
    const op = await page.locator('main').innerText()
    assert.match(op, /Il servizio chiede il Livello 1 — SPID con nome utente e password\./)
    assert.match(op, /Dati che saranno condivisi con il servizio\s+[\s\S]*Codice fiscale[\s\S]*Luogo di nascita/)
    assert.doesNotMatch(op, /https:\/\/|SpidL/, 'levels and attributes in words, not URIs')
    assert.match(await page.locator('header').innerText(), /Ambiente di prova: solo per sviluppo e test/)
    assert.equal(
      await page.evaluate(() => getComputedStyle(document.body).fontFamily.split(',')[0]?.replace(/"/g, '')),
      'Titillium Web',
      'Bootstrap Italia’s font, served by the test OP',
    )
    await record(page, '03-test-op-login')
    await atOp(page, '1')
    await page.waitForURL(`${url}/`)
    assert.match(await page.locator('h1').innerText(), /Ciao Ada Lovelace/)
    assert.match(await page.locator('.lead').innerText(), /Livello 1 — SPID con nome utente e password/)
    await record(page, '04-welcome')

    await page.goto(`${url}/level1`)
    assert.equal(await page.getByTestId('level').innerText(), 'Livello 1 — SPID con nome utente e password')
    await record(page, '05-level1')

    await page.goto(`${url}/level2`)
    await page.waitForURL(`${url}/step-up?**`)
    assert.match(await page.locator('main').innerText(), /questa pagina richiede il Livello 2 — SPID con codice temporaneo/)
    await record(page, '06-step-up')
    await page.getByRole('link', { name: 'Continua' }).click()
    await page.waitForURL(`${opUrl}/interaction/**`)
    assert.equal(await page.locator('#level').inputValue(), '2', 'the OP is asked for SpidL2')
    await atOp(page)
    await page.waitForURL(`${url}/level2`)
    assert.equal(await page.getByTestId('acr').innerText(), 'https://www.spid.gov.it/SpidL2')
    assert.equal(await page.getByTestId('level').innerText(), 'Livello 2 — SPID con codice temporaneo')
    await record(page, '07-level2')

    await page.getByRole('link', { name: 'Alza il livello a 3' }).click()
    await page.waitForURL(`${url}/step-up?**`)
    await page.getByRole('link', { name: 'Continua' }).click()
    await atOp(page)
    await page.waitForURL(`${url}/level3`)
    assert.equal(await page.getByTestId('level').innerText(), 'Livello 3 — SPID con dispositivo di sicurezza')
    await record(page, '08-level3')

    await page.goto(`${url}/profile`)
    const profile = await page.getByTestId('profile').innerText()
    assert.match(profile, /Codice fiscale\s+LVLDAA85T50G702B/)
    assert.match(profile, /Data di nascita\s+10 dicembre 1985/)
    assert.match(profile, /Luogo di nascita\s+Pisa \(PI\)/)
    assert.match(profile, /Documento d’identità\s+Passaporto, n\. KK1234567.*scaduto il 3 settembre 2026\s*Scaduto/)
    await record(page, '09-profile')

    await page.getByRole('button', { name: 'Esci' }).click()
    await page.waitForURL(`${url}/?loggedOut=1`)
    await page.getByText('Sei uscito dal servizio.').waitFor()
    await record(page, '10-logged-out')
    assert.equal((await (await page.request.get(`${url}/me`)).json()).authenticated, false)
  })

  it('logs in with the Entra con CIE button at the bundled CIE id test OP, in CIE’s words at the OP and in the app', async () => {
    const page = await newPage()
    await page.goto(`${url}/`)
    await page.getByRole('button', { name: 'Entra con CIE' }).click()
    await page.waitForURL(/\/interaction\//)
    assert.notEqual(new URL(page.url()).origin, opUrl, 'the CIE OP, not the SPID one')
    assert.match(await page.locator('header').innerText(), /CIE id di prova[\s\S]*Gestore dell’identità CIE id di prova/)
    assert.match(await page.locator('main').innerText(), /Il servizio chiede il Livello 1 — CIE id con nome utente e password\./)
    assert.deepEqual(await page.locator('#level option').allInnerTexts(), [
      'Livello 1 — CIE id con nome utente e password',
      'Livello 2 — CIE id con codice temporaneo o app',
      'Livello 3 — Carta d’Identità Elettronica e PIN',
    ])
    assert.doesNotMatch(await page.locator('body').innerText(), /SPID|SpidL/)
    await record(page, '11-cie-test-op-login')
    await atOp(page)
    await page.waitForURL(`${url}/`)
    assert.match(await page.locator('h1').innerText(), /Ciao Ada Lovelace/)
    assert.match(await page.locator('.lead').innerText(), /Livello 1 — CIE id con nome utente e password, presso CIE id di prova/)
    const cards = await page.locator('nav .card').allInnerTexts()
    assert.match(cards.join('\n'), /Area livello 2\s+Livello 2 — CIE id con codice temporaneo o app/)
    assert.doesNotMatch(await page.locator('main').innerText(), /SPID/, 'no SPID words after a CIE login')
    await record(page, '16-cie-welcome')

    await page.goto(`${url}/level2`)
    await page.waitForURL(`${url}/step-up?**`)
    const stepUp = await page.locator('main').innerText()
    assert.match(stepUp, /questa pagina richiede il Livello 2 — CIE id con codice temporaneo o app\./)
    assert.match(
      stepUp,
      /Ora la tua sessione vale come Livello 1 — CIE id con nome utente e password\. Per continuare confermerai la tua identità presso CIE id di prova, poi tornerai qui\./,
    )
    await record(page, '17-cie-step-up')
    await page.getByRole('link', { name: 'Continua' }).click()
    await page.waitForURL(/\/interaction\//)
    assert.equal(await page.locator('#level').inputValue(), '2')
    await atOp(page)
    await page.waitForURL(`${url}/level2`)
    assert.equal(await page.getByTestId('level').innerText(), 'Livello 2 — CIE id con codice temporaneo o app')
    await record(page, '18-cie-level2')

    await page.goto(`${url}/profile`)
    assert.match(await page.getByTestId('profile').innerText(), /Luogo di nascita\s+Pisa \(PI\)/)
    await record(page, '19-cie-profile')
    const me = await (await page.request.get(`${url}/me`)).json()
    assert.equal(me.profile.fiscalNumber, 'LVLDAA85T50G702B')
    await page.getByRole('button', { name: 'Esci' }).click()
    await page.waitForURL(`${url}/?loggedOut=1`)
  })

  it('offers "Riprova al livello 2" when the OP confirms a lower level, and the retry asks the same OP for it', async () => {
    const page = await newPage()
    await page.goto(`${url}/level2`)
    // No session and two OPs: the access page, asking for level 2.
    await page.waitForURL(`${url}/?**`)
    assert.match(await page.locator('main').innerText(), /La pagina che hai chiesto richiede il Livello 2 — SPID con codice temporaneo/)
    await page.getByText('Entra con SPID').click()
    await page.getByRole('button', { name: 'SPID Test OP' }).click()
    await atOp(page, '1')
    await page.waitForURL(`${url}/auth/spid/callback**`)
    assert.equal(await page.locator('h1').innerText(), 'Livello di sicurezza insufficiente')
    await record(page, '12-too-low-level')
    await page.getByRole('link', { name: 'Riprova al livello 2' }).click()
    await page.waitForURL(`${opUrl}/interaction/**`)
    assert.equal(await page.locator('#level').inputValue(), '2')
    await atOp(page)
    await page.waitForURL(`${url}/level2`)
  })

  it('answers an unknown page with a styled 404', async () => {
    const page = await newPage()
    const response = await page.goto(`${url}/non-esiste`)
    assert.equal(response?.status(), 404)
    assert.equal(await page.locator('h1').innerText(), 'Pagina non trovata')
    await record(page, '13-not-found')
  })

  it('keeps English across the trip to the OP and back', async () => {
    const page = await newPage('it-IT')
    await page.goto(`${url}/?lang=en`)
    await page.getByText('Log in with SPID').click()
    await page.getByRole('button', { name: 'SPID Test OP' }).click()
    // The browser asks for Italian; the app was switched to English and tells the OP (ui_locales).
    await page.waitForURL(`${opUrl}/interaction/**`)
    assert.equal(await page.locator('html').getAttribute('lang'), 'en')
    assert.match(await page.locator('main').innerText(), /The service asks for Level 1 — SPID with username and password\./)
    assert.match(await page.locator('header').innerText(), /Test environment: for development and testing only/)
    await record(page, '20-test-op-english')
    await atOp(page)
    await page.waitForURL(`${url}/`)
    assert.match(await page.locator('h1').innerText(), /Hello Ada Lovelace/)
    assert.equal(await page.locator('html').getAttribute('lang'), 'en')
    await record(page, '14-english-after-round-trip')
  })

  it('shows "remember me" sessions as such', async () => {
    const page = await newPage('en-GB')
    await page.goto(`${url}/`)
    await page.getByLabel('Remember me on this device').check()
    await page.getByText('Log in with SPID').click()
    await page.getByRole('button', { name: 'SPID Test OP' }).click()
    await atOp(page)
    await page.waitForURL(`${url}/`)
    await page.getByText('Long session active (remember me).').waitFor()
    assert.equal((await (await page.request.get(`${url}/me`)).json()).offline, true)
  })

  it('reaches an OP with the keyboard alone', async () => {
    const page = await newPage()
    await page.goto(`${url}/`)
    await page.keyboard.press('Tab') // skip link
    await page.keyboard.press('Tab') // language
    await page.keyboard.press('Tab') // brand
    await page.keyboard.press('Tab') // SPID button
    assert.equal(await page.evaluate(() => document.activeElement?.textContent?.trim()), 'Entra con SPID')
    await page.keyboard.press('Enter')
    await page.keyboard.press('Tab')
    assert.match(await page.evaluate(() => document.activeElement?.textContent ?? ''), /SPID Test OP/)
    await page.keyboard.press('Enter')
    await page.waitForURL(`${opUrl}/interaction/**`)
  })

  it('explains a failed login in plain words with a way back', async () => {
    const page = await newPage()
    const response = await page.goto(`${url}/auth/spid/callback?code=abc&state=not-a-state-of-this-browser`)
    assert.equal(response?.status(), 400)
    assert.equal(await page.locator('h1').innerText(), 'Tentativo di accesso non valido')
    assert.equal(await page.getByRole('link', { name: 'Torna alla pagina iniziale' }).getAttribute('href'), '/')
    await record(page, '15-error')
  })

  it('shows the test OP’s own error page in the same frame, marked as a test tool', async () => {
    const page = await newPage()
    // A relying party nobody runs, on a closed loopback port: automatic registration fails at once.
    const response = await page.goto(`${opUrl}/auth?client_id=${encodeURIComponent('http://127.0.0.1:1')}&response_type=code&scope=openid`)
    assert.equal(response?.status(), 400)
    assert.equal(await page.locator('h1').innerText(), 'La richiesta non può essere accolta')
    assert.match(await page.locator('header').innerText(), /Ambiente di prova/)
    await record(page, '21-test-op-error')
  })

  it('has no serious or critical accessibility problem on any page (axe-core, WCAG 2.1 AA)', () => {
    assert.ok(Object.keys(accessibility).length >= 20, `pages scanned: ${Object.keys(accessibility).join(', ')}`)
    const problems = Object.entries(accessibility).filter(([, found]) => found.length > 0)
    assert.deepEqual(problems, [])
  })

  it('satisfies its own Content Security Policy on every page visited', () => {
    assert.deepEqual(cspViolations, [])
  })
})
