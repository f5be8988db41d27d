import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { SPID_L2, SPID_L3 } from '../../../src/index.ts'
import { renderLoginPage, type LoginPageInput } from '../../../src/test-op/login-page.ts'
import { ASSET_PREFIX, findBootstrapItalia, serveBootstrapItalia } from '../../../src/test-op/op-assets.ts'
import { DEFAULT_TEST_USERS } from '../../../src/test-op/test-users.ts'

const EID = 'https://attributes.eid.gov.it/'
const base: LoginPageInput = {
  uid: 'u1',
  opName: 'SPID Test OP',
  profile: 'spid',
  clientName: 'Servizi online',
  users: DEFAULT_TEST_USERS,
  acrValues: SPID_L2,
  requestedClaims: [`${EID}fiscal_number`, 'place_of_birth', 'https://example.it/unknown_claim'],
  lang: 'it',
  bootstrapItalia: true,
}

describe('the test OP login and consent page', () => {
  it('names levels and attributes in words, marked as a test tool', () => {
    const html = renderLoginPage(base)
    assert.match(html, /<span class="op-badge">PROVA<\/span> Ambiente di prova: solo per sviluppo e test, nessuna identità reale/)
    assert.match(html, /Il servizio chiede il <strong>Livello 2 — SPID con codice temporaneo<\/strong>/)
    assert.match(html, /<option value="2" selected>Livello 2 — SPID con codice temporaneo<\/option>/)
    assert.match(html, /<li>Codice fiscale<\/li><li>Luogo di nascita<\/li><li>https:\/\/example\.it\/unknown_claim<\/li>/)
    assert.doesNotMatch(html, /SpidL|attributes\.eid\.gov\.it/)
  })

  it('speaks CIE id for a CIE OP and English when asked', () => {
    const html = renderLoginPage({ ...base, profile: 'cie', opName: 'CIE id di prova', acrValues: SPID_L3, lang: 'en' })
    assert.match(html, /<html lang="en">/)
    assert.match(html, /The service asks for <strong>Level 3 — Electronic identity card and PIN<\/strong>/)
    assert.match(html, /Test CIE id identity provider/)
    assert.match(html, /<li>Fiscal number<\/li><li>Place of birth<\/li>/)
    assert.match(html, />Authorize and log in</)
    assert.doesNotMatch(html, /SPID/)
  })

  it('links Bootstrap Italia only when it is served, and keeps its own style either way', () => {
    assert.match(renderLoginPage(base), new RegExp(`<link rel="stylesheet" href="${ASSET_PREFIX}css/bootstrap-italia\\.min\\.css">`))
    const plain = renderLoginPage({ ...base, bootstrapItalia: false })
    assert.doesNotMatch(plain, /<link|@font-face/)
    assert.match(plain, /<style>body\{/)
  })

  it('escapes what the RP and the users bring', () => {
    const html = renderLoginPage({
      ...base,
      clientName: '<script>x</script>',
      users: [{ id: '"><b>', label: '<img src=x>', claims: {} }],
      requestedClaims: ['<i>claim</i>'],
    })
    assert.doesNotMatch(html, /<script>x|<img src=x|"><b>|<i>claim/)
  })
})

describe('the test OP serving Bootstrap Italia', () => {
  let server: Server
  let url: string
  const dist = findBootstrapItalia()
  before(async () => {
    server = createServer((req, res) => {
      void serveBootstrapItalia(dist, new URL(req.url ?? '/', 'http://x').pathname, res).then((served) => {
        if (!served) res.writeHead(404).end()
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(() => new Promise<void>((resolve) => server.close(() => resolve())))

  it('finds the package installed beside this one', () => {
    assert.ok(dist?.endsWith('/bootstrap-italia/dist'), String(dist))
  })

  it('serves its stylesheet and the Titillium Web fonts, nothing else', async () => {
    const css = await fetch(`${url}${ASSET_PREFIX}css/bootstrap-italia.min.css`)
    assert.equal(css.status, 200)
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8')
    assert.ok((await css.text()).length > 100_000)
    const font = await fetch(`${url}${ASSET_PREFIX}fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-600.woff2`)
    assert.equal(font.status, 200)
    assert.equal(font.headers.get('content-type'), 'font/woff2')
    for (const path of [
      'js/bootstrap-italia.bundle.min.js',
      '../package.json',
      'css/../../package.json',
      '%2e%2e/package.json',
      'css/bootstrap-italia.min.css.map',
    ]) {
      assert.equal((await fetch(`${url}${ASSET_PREFIX}${path}`)).status, 404, path)
    }
  })

  it('serves nothing when the package is not installed', async () => {
    const res = { writeHead: () => assert.fail('nothing may be written'), end: () => assert.fail('nothing may be written') }
    assert.equal(await serveBootstrapItalia(undefined, `${ASSET_PREFIX}css/bootstrap-italia.min.css`, res as never), false)
  })
})
