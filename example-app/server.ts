/**
 * `npm start`: the example app on embedded defaults. With no SPID_PROVIDERS it starts the
 * bundled test OP too, so a login works with no external identity provider.
 *
 * Environment: PORT (3000), BASE_URL (http://localhost:$PORT: an origin, no trailing slash),
 * SPID_PROVIDERS (comma-separated issuers), REDIS_URL (sessions in Redis; REDIS_FAIL_FAST=1 refuses
 * to start while it is unreachable), SESSION_SECRET, SPID_AUTHORITY_HINTS (comma-separated;
 * default https://registry.spid.gov.it, or the trust anchor in federation mode).
 *
 * Federation mode: SPID_TRUST_ANCHOR (the anchor's entity id) and SPID_TRUST_ANCHOR_JWKS (its
 * pinned public JWK set, as JSON text or a file path): the OPs offered are the anchor's, each
 * trusted through its trust chain; SPID_PROVIDERS is not needed and no test OP is started.
 * SPID_TEST_FEDERATION=1 starts a local test trust anchor with two test OPs under it instead.
 *
 * SPID_KEYS: the RP private keys (JSON text or a file path) instead of the development keys in
 * .dev-keys/. TRUST_PROXY: Express `trust proxy` (true, a hop count, or addresses) behind a proxy.
 *
 * Audit log: AUDIT_DIR (folder of the JSON-lines log; several instances may share it) and
 * AUDIT_KEY (64 hex characters: integrity and encryption); AUDIT_INSTANCE names this instance's
 * chain (default <host>-<port>); AUDIT_FAILURE=refuse-logins refuses logins while it cannot write.
 *
 * Entity configuration: SPID_ORGANIZATION_NAME, SPID_CONTACTS (comma-separated, a PEC address for
 * SPID) and SPID_TRUST_MARKS (the registry's trust marks, a JSON array as JSON text or a file path).
 *
 * SPID_CHECK_RP_QUIRKS=1: the strategy's `acceptCheckRpQuirks`, to run AgID's RP conformance tool
 * (spid-oidc-check-rp) against this app; the strategy refuses it in production.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { JWK } from 'jose'
import { hostname } from 'node:os'
import {
  type DevKeySet,
  type ProviderOptions,
  JsonLinesAuditSink,
  SpidConfigError,
  checkFederationSetup,
  exportPublicKeys,
  loadOrCreateDevKeys,
} from '../src/index.ts'
import { startTestOp, startTestTrustAnchor, type TestOp, type TestTrustAnchor } from '../src/test-op/index.ts'
import { createExampleApp } from './app.ts'

const port = Number(process.env.PORT ?? 3000)
const baseUrl = checkBaseUrl(process.env.BASE_URL || `http://localhost:${port}`)
const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)

let providers: (string | ProviderOptions)[] = list(process.env.SPID_PROVIDERS)
const testOps: TestOp[] = []
let testAnchor: TestTrustAnchor | undefined
let trustAnchor: { entityId: string; jwks: { keys: object[] } } | undefined

if (process.env.SPID_TEST_FEDERATION === '1') {
  testAnchor = await startTestTrustAnchor()
  // Two SPID OPs and a CIE id one, all listed by the anchor: the app learns which is which from the federation.
  for (const [name, profile] of [
    ['SPID Test OP', 'spid'],
    ['Secondo OP di prova', 'spid'],
    ['CIE id di prova', 'cie'],
  ] as const) {
    const op = await startTestOp({ name, profile, authorityHints: [testAnchor.entityId] })
    testAnchor.subordinate({ entityId: op.issuer, jwks: op.federationJwks })
    testOps.push(op)
  }
  trustAnchor = { entityId: testAnchor.entityId, jwks: testAnchor.jwks }
} else if (process.env.SPID_TRUST_ANCHOR) {
  const jwksText = process.env.SPID_TRUST_ANCHOR_JWKS ?? ''
  if (!jwksText) exit("SPID_TRUST_ANCHOR needs SPID_TRUST_ANCHOR_JWKS: the anchor's public JWK set, as JSON text or a file path, from its official publication")
  try {
    const jwks = JSON.parse(jwksText.trim().startsWith('{') ? jwksText : readFileSync(jwksText, 'utf8'))
    trustAnchor = { entityId: process.env.SPID_TRUST_ANCHOR, jwks }
  } catch (error) {
    exit(`SPID_TRUST_ANCHOR_JWKS is neither JSON nor a readable JSON file${existsSync(jwksText) ? '' : ' (no such file)'}: ${(error as Error).message}`)
  }
} else if (providers.length === 0) {
  // A SPID test OP, and a CIE id one beside it (UserInfo by POST), so both buttons work.
  const op = await startTestOp({ port: Number(process.env.TEST_OP_PORT ?? 0) })
  const cie = await startTestOp({ profile: 'cie' })
  testOps.push(op, cie)
  providers = [op.issuer, { issuer: cie.issuer, id: 'cie', name: 'CIE id di prova', profile: 'cie', userinfoMethod: 'POST' }]
}
if (trustAnchor) providers = []
const authorityHints = list(process.env.SPID_AUTHORITY_HINTS)
if (authorityHints.length === 0) authorityHints.push(trustAnchor?.entityId ?? 'https://registry.spid.gov.it')

function readKeys(text: string): DevKeySet {
  try {
    return JSON.parse(text.trim().startsWith('{') ? text : readFileSync(text, 'utf8'))
  } catch (error) {
    exit(`SPID_KEYS must be the RP private keys { federation, signing, encryption } as JSON text or a file path: ${(error as Error).message}`)
  }
}

/** Express `trust proxy` from TRUST_PROXY: true/false, a hop count, or addresses and subnets. */
function trustProxy(value: string | undefined): boolean | number | string | undefined {
  if (value === undefined || value === '') return undefined
  if (value === 'true' || value === 'false') return value === 'true'
  return /^\d+$/.test(value) ? Number(value) : value
}

function openAuditLog(dir: string, keyText: string | undefined): JsonLinesAuditSink {
  const key = keyText && /^[0-9a-fA-F]{64}$/.test(keyText.trim()) ? Buffer.from(keyText.trim(), 'hex') : undefined
  if (!key) exit('AUDIT_DIR needs AUDIT_KEY: 32 bytes as 64 hex characters (openssl rand -hex 32), for the integrity chain and the encryption of the records')
  try {
    return new JsonLinesAuditSink({
      dir,
      key,
      instanceId: process.env.AUDIT_INSTANCE ?? `${hostname()}-${port}`,
    })
  } catch (error) {
    exit(`The audit log in ${dir} cannot be opened: ${(error as Error).message}`)
  }
}

/** A configuration mistake is a message to read, not a stack trace. */
function startApp(config: Parameters<typeof createExampleApp>[0]): ReturnType<typeof createExampleApp> {
  try {
    return createExampleApp(config)
  } catch (error) {
    if (error instanceof SpidConfigError) exit(`The example app cannot start: ${error.message}`)
    throw error
  }
}

/**
 * BASE_URL is the RP's client_id: the OP fetches `<BASE_URL>/.well-known/openid-federation` and
 * sends the browser back to `<BASE_URL>/auth/spid/callback`, so it must be exactly the origin the
 * app is reached at.
 */
function checkBaseUrl(value: string): string {
  if (!URL.canParse(value)) exit(`BASE_URL must be an absolute URL such as http://localhost:${port} (got ${JSON.stringify(value)})`)
  const url = new URL(value)
  if (value.endsWith('/'))
    exit(`BASE_URL must not end with "/": use ${value.replace(/\/+$/, '')} (it is the client_id; the app adds /auth/spid/callback to it)`)
  if (url.search || url.hash || value.includes('?') || value.includes('#')) exit(`BASE_URL must have no query or fragment: use ${url.origin}`)
  if (url.pathname !== '/') exit(`BASE_URL must be an origin, with no path: the example app serves / (got path ${url.pathname}; use ${url.origin})`)
  const named = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
  if (['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) && url.protocol === 'http:' && named !== port) {
    console.warn(
      `BASE_URL ${value} names port ${named}, but the app listens on ${port}: the OP fetches the entity configuration from BASE_URL, so logins fail unless something forwards ${named} to ${port}. Set PORT=${named} or BASE_URL=http://${url.hostname}:${port}.`,
    )
  }
  return value
}

function exit(message: string): never {
  console.error(message)
  process.exit(1)
}

let sessionSecret = process.env.SESSION_SECRET
if (sessionSecret && sessionSecret.length < 16) exit('SESSION_SECRET must be at least 16 characters: set one with SESSION_SECRET=$(openssl rand -base64 32)')
if (!sessionSecret) {
  sessionSecret = randomBytes(32).toString('base64url')
  console.warn('SESSION_SECRET is not set: using a random one, so sessions end when the app restarts.')
}

// Production keys from SPID_KEYS; otherwise development keys shared by every instance started from this folder.
const keys = process.env.SPID_KEYS ? readKeys(process.env.SPID_KEYS) : loadOrCreateDevKeys(fileURLToPath(new URL('../.dev-keys/', import.meta.url)))
// In the local federation the RP is onboarded at start-up, as the registry would do it: the
// anchor states its federation keys and issues it a trust mark.
const trustMarks: { trust_mark: string; trust_mark_type?: string; id?: string }[] = []
if (process.env.SPID_TRUST_MARKS) {
  const text = process.env.SPID_TRUST_MARKS
  try {
    const marks = JSON.parse(text.trim().startsWith('[') ? text : readFileSync(text, 'utf8'))
    if (!Array.isArray(marks)) throw new Error('not a JSON array')
    trustMarks.push(...marks)
  } catch (error) {
    exit(`SPID_TRUST_MARKS must be a JSON array of { trust_mark_type (or id), trust_mark }, as JSON text or a file path: ${(error as Error).message}`)
  }
}
if (testAnchor) {
  testAnchor.subordinate({ entityId: baseUrl, jwks: exportPublicKeys(keys).federation as { keys: JWK[] }, openidProvider: false })
  trustMarks.push(await testAnchor.issueTrustMark(baseUrl))
}
const audit = process.env.AUDIT_DIR ? openAuditLog(process.env.AUDIT_DIR, process.env.AUDIT_KEY) : undefined
const auditFailure = process.env.AUDIT_FAILURE
if (auditFailure !== undefined && auditFailure !== 'log' && auditFailure !== 'refuse-logins') exit('AUDIT_FAILURE must be log or refuse-logins')
const redisUrl = process.env.REDIS_URL
const checkRpQuirks = process.env.SPID_CHECK_RP_QUIRKS
if (checkRpQuirks !== undefined && checkRpQuirks !== '' && checkRpQuirks !== '0' && checkRpQuirks !== '1') {
  exit(`SPID_CHECK_RP_QUIRKS must be 1 (accept the quirks of AgID's conformance tool) or 0 (got ${JSON.stringify(checkRpQuirks)})`)
}
const { app, sessions, strategy } = startApp({
  baseUrl,
  providers,
  keys,
  sessionSecret,
  ...(redisUrl ? { redisUrl } : {}),
  ...(trustProxy(process.env.TRUST_PROXY) !== undefined ? { trustProxy: trustProxy(process.env.TRUST_PROXY) } : {}),
  strategy: {
    authorityHints,
    trustMarks,
    ...(audit ? { audit, auditFailure: auditFailure ?? 'log' } : {}),
    ...(process.env.SPID_ORGANIZATION_NAME ? { organizationName: process.env.SPID_ORGANIZATION_NAME } : {}),
    ...(list(process.env.SPID_CONTACTS).length ? { contacts: list(process.env.SPID_CONTACTS) } : {}),
    ...(trustAnchor ? { trustAnchors: [trustAnchor] } : {}),
    // Checked by the strategy's options: refused in production, a warning at start-up otherwise.
    ...(checkRpQuirks === '1' ? { acceptCheckRpQuirks: true } : {}),
  },
})
if (trustAnchor) {
  // The anchor must verify with the pinned keys before anything is offered: no login otherwise.
  try {
    await strategy.providers.refresh?.()
  } catch (error) {
    exit(`Trust anchor ${trustAnchor.entityId} refused: ${(error as Error).message}`)
  }
  if (strategy.providers.list().length === 0) console.warn(`The trust anchor ${trustAnchor.entityId} lists no OP with a valid trust chain.`)
}
if (redisUrl && process.env.REDIS_FAIL_FAST === '1') {
  // Without it the app starts and answers 503 until Redis is reachable.
  await sessions.ready().catch((error: Error) => exit(`${error.message}: not starting (REDIS_FAIL_FAST=1)`))
}
const server = app.listen(port, async () => {
  console.log(`Example app:  ${baseUrl}  (listening on port ${port})`)
  console.log(
    `Relying party: client_id ${strategy.options.clientId} · entity configuration ${strategy.options.clientId}/.well-known/openid-federation · redirect URI ${strategy.options.redirectUri}`,
  )
  console.log(`Sessions:     ${redisUrl ? sessions.storeDescription : 'in memory (set REDIS_URL for Redis)'}`)
  if (trustAnchor)
    console.log(
      `Federation:   trust anchor ${trustAnchor.entityId}; OPs ${
        strategy.providers
          .list()
          .map((p) => `${p.issuer}${p.profile === 'cie' ? ' (CIE id)' : ''}`)
          .join(', ') || '(none)'
      }`,
    )
  else if (testOps.length) {
    console.log(`Test SPID OP: ${testOps[0]?.issuer}  (users: Ada Lovelace, Lucrezia Borgia, SpidValidator AgID)`)
    console.log(`Test CIE OP:  ${testOps[1]?.issuer}  (the same users)`)
  } else console.log(`OPs:          ${providers.map((p) => (typeof p === 'string' ? p : p.issuer)).join(', ')}`)
  if (trustAnchor) {
    // The RP checks its own onboarding: its entity configuration as served, and the anchor's statement about it.
    const report = await checkFederationSetup(strategy)
    const failed = report.steps.filter((s) => s.status === 'fail')
    if (failed.length === 0) console.log(`Onboarding:   the anchor vouches for this RP (npx passport-spid-oidc doctor checks the rest)`)
    else
      console.warn(
        `Onboarding:   ${failed.map((s) => `${s.name}: ${s.detail.split('\n')[0]}`).join('; ')}\n              run: npx passport-spid-oidc doctor ${baseUrl} --anchor ${trustAnchor.entityId}`,
      )
  }
})

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    server.close()
    void sessions.close()
    // The audit chain is sealed (chain.closed) before the process ends.
    await audit?.close().catch(() => undefined)
    for (const op of testOps) void op.close()
    void testAnchor?.close()
    process.exit(0)
  })
}
