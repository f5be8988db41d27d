import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SPID_L1, SPID_L2, SPID_L3, toProfile } from '../../../src/index.ts'
import { DEFAULT_TEST_USERS, type TestUser } from '../../../src/test-op/test-users.ts'
import { cieButton, escapeHtml, levelName, loginForm, profileFacts, spidButton, stepUpPage } from '../../../src/ui/index.ts'

const OPS = [
  { issuer: 'https://a.example.it', name: 'Alfa', logoUri: 'https://a.example.it/logo.svg' },
  { issuer: 'https://b.example.it', name: 'Beta' },
  { issuer: 'https://c.example.it', name: 'Gamma' },
]

describe('passport-spid-oidc/ui', () => {
  it('names levels in words, per profile and language', () => {
    assert.equal(levelName(SPID_L2, 'it'), 'Livello 2 — SPID con codice temporaneo')
    assert.equal(levelName(2, 'en'), 'Level 2 — SPID with a one-time code')
    assert.equal(levelName(SPID_L3, 'it', 'cie'), 'Livello 3 — Carta d’Identità Elettronica e PIN')
  })

  it('names a level in the words of the session’s OP when given req.spid: a CIE session never reads as SPID', () => {
    assert.equal(levelName(SPID_L2, 'it', { provider: 'cie' }), 'Livello 2 — CIE id con codice temporaneo o app')
    assert.equal(levelName(1, 'en', { provider: 'cie' }), 'Level 1 — CIE id with username and password')
    assert.equal(levelName(SPID_L2, 'it', { provider: 'spid' }), 'Livello 2 — SPID con codice temporaneo')
    // No login yet: SPID's words, as before.
    assert.equal(levelName(SPID_L2, 'it', { provider: undefined }), 'Livello 2 — SPID con codice temporaneo')
  })

  it('escapes text for element content and both kinds of quoted attribute', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;')
    assert.equal(escapeHtml(42), '42')
  })

  it('renders the step-up page: the level asked and held in the OP’s words, the OP, a way on and a way back', () => {
    const html = stepUpPage({
      level: 2,
      current: SPID_L1,
      providerName: 'CIE id di prova',
      continueUrl: '/auth/spid?level=2&returnTo=%2Flevel2&idp=cie',
      words: { provider: 'cie' },
    })
    assert.match(html, /^<!doctype html>\n<html lang="it">/)
    assert.match(html, /<h1>Serve un livello di sicurezza più alto<\/h1>/)
    assert.match(html, /richiede il <strong>Livello 2 — CIE id con codice temporaneo o app<\/strong>/)
    assert.match(
      html,
      /Ora la tua sessione vale come Livello 1 — CIE id con nome utente e password\. Per continuare confermerai la tua identità presso CIE id di prova, poi tornerai qui\./,
    )
    assert.match(html, /<a class="btn btn-primary" href="\/auth\/spid\?level=2&amp;returnTo=%2Flevel2&amp;idp=cie">Continua<\/a>/)
    assert.match(html, /<a class="btn btn-outline-primary" href="\/">Annulla<\/a>/)
    assert.doesNotMatch(html, /SPID|<script/)
    const en = stepUpPage({
      level: 3,
      providerName: 'SPID Test OP',
      continueUrl: '/go',
      lang: 'en',
      layout: (title, body) => `<frame title="${title}">${body}</frame>`,
    })
    assert.match(en, /^<frame title="A higher security level is needed"><section class="spid-ui-step-up">/)
    assert.match(en, /needs <strong>Level 3 — SPID with a security device<\/strong>.*Your session now counts as no valid level\./s)
  })

  it('escapes every value the step-up page renders', () => {
    const html = stepUpPage({ level: 2, providerName: '<img src=x onerror=alert(1)>', continueUrl: '"><script>alert(1)</script>', cancelUrl: "javascript:'x'" })
    assert.doesNotMatch(html, /<img src=x|<script>|"><script|javascript:/)
    assert.match(html, /presso &lt;img src=x onerror=alert\(1\)&gt;, poi/)
    // Neither link can run a script: only paths on the site and http(s) URLs are linked, else "/".
    assert.match(html, /<a class="btn btn-primary" href="\/">Continua<\/a>/)
    assert.match(html, /<a class="btn btn-outline-primary" href="\/">Annulla<\/a>/)
    assert.match(stepUpPage({ level: 2, providerName: 'x', continueUrl: '/a?b="c"' }), /href="\/a\?b=&quot;c&quot;"/)
  })

  it('lists the SPID OPs in a random order at each rendering (every order reachable)', () => {
    const orders = new Set<string>()
    for (let i = 0; i < 200; i++) orders.add([...spidButton({ providers: OPS }).matchAll(/value="([^"]+)"/g)].map((m) => m[1]).join(' '))
    assert.equal(orders.size, 6, [...orders].join('\n'))
  })

  it('escapes every value it renders', () => {
    const hostile = { issuer: 'https://x.example.it/"><script>', name: '<img src=x onerror=alert(1)>', logoUri: 'https://x/"onload="alert(1)' }
    const html = loginForm({ spid: [hostile], cie: [hostile], returnTo: '/"><b>', lang: 'en', rememberMe: true })
    assert.doesNotMatch(html, /<script>|<img src=x|"onload=|<b>/)
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/)
  })

  it('renders the SPID chooser without a script and the CIE button as a submit of idp', () => {
    const html = loginForm({ spid: OPS, cie: [{ issuer: 'https://cie.example.it', name: 'CIE id' }], level: 2, returnTo: '/tax' })
    assert.doesNotMatch(html, /<script|onclick=/)
    assert.match(html, /<form method="get" action="\/auth\/spid"/)
    assert.match(html, /name="level" value="2"/)
    assert.match(html, /<details class="spid-ui-chooser">\s*<summary class="spid-ui-button spid-ui-medium">/)
    assert.match(
      cieButton({ provider: { issuer: 'https://cie.example.it', name: 'CIE id' }, size: 'large' }),
      /name="idp" value="https:\/\/cie\.example\.it"><svg[^>]*aria-hidden="true"/,
    )
    assert.match(html, /Entra con CIE/)
  })

  it('writes a profile with labels, dates for the locale, and expired documents flagged', () => {
    // Ada Lovelace as the bundled test OP releases her: her passport expired on 3 September 2026.
    const ada = DEFAULT_TEST_USERS.find((u) => u.id === 'ada') as TestUser
    const profile = toProfile({ sub: 's', ...ada.claims }, 'https://op.example.it')
    const facts = profileFacts(profile, 'it', new Date('2026-12-04T10:00:00Z'))
    const by = Object.fromEntries(facts.map((f) => [f.field, f]))
    assert.equal(by.fiscalNumber?.label, 'Codice fiscale')
    assert.equal(by.birthDate?.value, '10 dicembre 1985')
    assert.equal(by.gender?.value, 'Femmina')
    assert.equal(by.document?.expired, true)
    assert.equal(by.document?.value, 'Passaporto, n. KK1234567, rilasciato da Questura di Livorno il 4 settembre 2016, scaduto il 3 settembre 2026')
    assert.equal(profileFacts(profile, 'en', new Date('2026-01-01T00:00:00Z')).find((f) => f.field === 'document')?.expired, undefined)
    assert.equal(profileFacts(profile, 'en').find((f) => f.field === 'birthDate')?.value, '10 December 1985')
    assert.ok(!facts.some((f) => ['sub', 'issuer', 'raw'].includes(f.field)))
  })
})
