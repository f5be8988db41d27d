/**
 * A local SPID (or CIE id) OpenID Provider for development and tests, built on oidc-provider
 * and configured as strictly as SPID requires: signed request objects, PKCE S256,
 * private_key_jwt with `aud` = the endpoint, UserInfo signed then encrypted, the three SPID
 * levels, pairwise subjects, and automatic client registration from the RP entity configuration.
 *
 * Not for production: users, keys and sessions live in memory.
 *
 * @example
 * import { startTestOp } from 'passport-spid-oidc/test-op'
 * const op = await startTestOp({ port: 0 })
 * // providers: [op.issuer]
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SignJWT, type JWK } from 'jose'
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider'
import { Provider, errors } from './load-oidc-provider.ts'
import { SPID_L1, SPID_L2, SPID_L3 } from '../levels.ts'
import { escapeHtml } from '../middleware/html.ts'
import { createDefaultLogger, type Logger } from '../log/logger.ts'
import { FederationClientAdapter } from './federation-client-adapter.ts'
import { renderLoginPage, renderOpPage, type OpPageFrame } from './login-page.ts'
import { findBootstrapItalia, serveBootstrapItalia } from './op-assets.ts'
import { MemoryAdapter, type MemoryStore } from './memory-adapter.ts'
import { DEFAULT_TEST_USERS, type TestUser } from './test-users.ts'
import { type ForcedEncryption, forcedEncryption, type QuirkProfile, quirkSet, type TestOpQuirk } from './quirk-profiles.ts'
import { idTokenTtl, quoteUserinfo, reachedLevel, userinfoWithoutProtocolClaims, withForcedEncryption } from './quirks.ts'
import type { TestOpProvider } from './test-op-provider.ts'
import { ENTITY_STATEMENT_CONTENT_TYPE } from '../federation/entity-configuration.ts'

export { DEFAULT_TEST_USERS, type TestUser } from './test-users.ts'
export { QUIRK_PROFILES, type QuirkProfile, type TestOpQuirk, type ForcedEncryption } from './quirk-profiles.ts'
export type { TestOpProvider, TestOpToken, TestOpTokenStore } from './test-op-provider.ts'
export { startTestTrustAnchor, type TestTrustAnchor, type TestTrustAnchorOptions, type TestSubordinate } from './trust-anchor.ts'

export interface TestOpOptions {
  /** Port to listen on; 0 picks a free one. Default 0. */
  port?: number
  /** Address to bind. Default 127.0.0.1. */
  host?: string
  /** Issuer identifier. Default `http://<host>:<port>`. It must reach this server. */
  issuer?: string
  /** Name shown on the login page and in the entity configuration. */
  name?: string
  /** `spid` (default) or `cie`. */
  profile?: 'spid' | 'cie'
  users?: readonly TestUser[]
  /** Token lifetimes in seconds (SPID: AT 900, ID token 300, RT ≤ 30 days). */
  ttl?: { accessToken?: number; idToken?: number; refreshToken?: number }
  /** The OP core signing key (private RSA JWK). Default: generated at start. */
  signingKey?: JWK
  /** Superiors in a federation (their entity ids), published in the entity configuration. Default none. */
  authorityHints?: string[]
  /** Where the OP says what went wrong (a failed automatic registration, say). Default: JSON lines on stderr. */
  logger?: Logger
  /**
   * Behave like a real peer: `check-rp` (AgID's spid-oidc-check-rp 1.3.3) or `django` (the
   * italia/spid-cie-oidc-django OP), or a list of single quirks (see `TestOpQuirk`). Default none.
   */
  quirks?: QuirkProfile | readonly TestOpQuirk[]
  /** Encrypt UserInfo and ID tokens with this `alg`/`enc`, whatever the client registered (an OP that ignores the registration). */
  encryption?: ForcedEncryption
}

export interface TestOp {
  readonly issuer: string
  readonly server: Server
  /** What the OP issued: tests look a token up, or revoke it as a user would at a real OP. */
  readonly provider: TestOpProvider
  /** The OP's current private signing key, so tests can forge what a misbehaving OP would send. */
  readonly signingKey: JWK
  /**
   * Rolls the core signing key as a real OP does: the new key (generated unless given) signs from
   * now on and is published first, the old one stays published beside it. Sessions, grants and
   * pairwise subjects survive. Returns the new private key.
   */
  rollSigningKey(next?: JWK): JWK
  /** Makes the token endpoint answer `ms` after it has done its work (0: at once), so tests can line up concurrent requests around one in flight. */
  delayTokenResponses(ms: number): void
  /** Token requests answered so far, by grant type: tests count code exchanges and refreshes. */
  readonly tokenRequests: { authorization_code: number; refresh_token: number }
  /** The public federation keys of its entity configuration, which a superior states for it. */
  readonly federationJwks: { keys: JWK[] }
  /** The private federation key, so tests can forge the entity configuration a misbehaving OP would serve. */
  readonly federationKey: JWK
  close(): Promise<void>
}

const EID = 'https://attributes.eid.gov.it/'
/** The test OP's own logo: a flask, so nobody mistakes it for a real identity provider. */
const TEST_OP_LOGO = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#00875a"/><path d="M12 6h8M14 6v7l-6 11a2 2 0 0 0 2 3h12a2 2 0 0 0 2-3l-6-11V6" fill="none" stroke="#fff" stroke-width="2" stroke-linejoin="round"/><path d="M10.5 21h11" stroke="#fff" stroke-width="2"/></svg>`
const CLAIM_NAMES = [
  'given_name',
  'family_name',
  'email',
  'email_verified',
  'birthdate',
  'gender',
  'phone_number',
  'phone_number_verified',
  'place_of_birth',
  'address',
  'document_details',
  ...[
    'fiscal_number',
    'spid_code',
    'company_name',
    'registered_office',
    'company_fiscal_number',
    'vat_number',
    'e_delivery_service',
    'eid_exp_date',
    'landline_number',
  ].map((n) => `${EID}${n}`),
]

/** Starts the test OP and resolves once it listens. */
export async function startTestOp(options: TestOpOptions = {}): Promise<TestOp> {
  const users = options.users ?? DEFAULT_TEST_USERS
  const name = options.name ?? (options.profile === 'cie' ? 'CIE id di prova' : 'SPID Test OP')
  const logger = options.logger ?? createDefaultLogger('test-op')
  const quirks = quirkSet(options.quirks)
  let signingKeys = [options.signingKey ?? newSigningKey()]
  // What outlives a key roll: oidc-provider is rebuilt around it with the new key set.
  const kept = {
    store: new Map() as MemoryStore,
    clients: new FederationClientAdapter((clientId, problem) =>
      logger.warn({ event: 'registration.failed', op: name, client_id: clientId, problem }, `automatic registration of ${clientId} failed`),
    ),
    pairwiseSalt: randomBytes(16).toString('hex'),
    cookieKey: randomBytes(32).toString('base64url'),
  }
  const federationKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  const federationJwk = { ...(federationKey.export({ format: 'jwk' }) as JWK), kid: `op-fed-${randomUUID()}`, use: 'sig', alg: 'RS256' }
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...federationPublic } = federationJwk

  let provider: Provider | undefined
  let issuer = ''
  const bootstrapItalia = findBootstrapItalia()
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
      res.end(`test OP error: ${error instanceof Error ? error.message : String(error)}`)
    })
  })

  let tokenDelay = 0
  const tokenRequests = { authorization_code: 0, refresh_token: 0 }
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const op = provider as Provider
    const url = new URL(req.url ?? '/', issuer)
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-federation') return serveEntityConfiguration(res)
    if (req.method === 'GET' && url.pathname === '/logo.svg') {
      res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=3600' })
      res.end(TEST_OP_LOGO)
      return
    }
    if (req.method === 'GET' && (await serveBootstrapItalia(bootstrapItalia, url.pathname, res))) return
    const interaction = /^\/interaction\/([\w-]+)(\/login)?$/.exec(url.pathname)
    if (interaction) return handleInteraction(op, req, res, Boolean(interaction[2]))
    op.callback()(req, res)
  }

  let entityConfiguration: { jwt: string; expires: number } | undefined
  async function serveEntityConfiguration(res: ServerResponse): Promise<void> {
    const now = Math.floor(Date.now() / 1000)
    if (!entityConfiguration || entityConfiguration.expires < now + 60) {
      const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>
      const jwks = await (await fetch(discovery.jwks_uri as string)).json()
      // Rule A12: a SPID OP does not advertise request object encryption.
      const metadata = Object.fromEntries(
        Object.entries(discovery).filter(([k]) => !k.startsWith('request_object_encryption') && k !== 'jwks_uri' && k !== 'end_session_endpoint'),
      )
      const jwt = await new SignJWT({
        jwks: { keys: [federationPublic] },
        metadata: {
          openid_provider: { ...metadata, jwks, op_name: name, logo_uri: `${issuer}/logo.svg` },
          federation_entity: { organization_name: name, logo_uri: `${issuer}/logo.svg` },
        },
        authority_hints: options.authorityHints ?? [],
      })
        .setProtectedHeader({
          alg: 'RS256',
          kid: federationJwk.kid,
          ...(quirks.has('entity-configuration-without-typ') ? {} : { typ: 'entity-statement+jwt' }),
        })
        .setIssuer(issuer)
        .setSubject(issuer)
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(federationKey)
      entityConfiguration = { jwt, expires: now + 3600 }
    }
    res.writeHead(200, { 'content-type': ENTITY_STATEMENT_CONTENT_TYPE })
    res.end(entityConfiguration.jwt)
  }

  async function handleInteraction(op: Provider, req: IncomingMessage, res: ServerResponse, submitted: boolean): Promise<void> {
    const details = await op.interactionDetails(req, res)
    const params = details.params as Record<string, string | undefined>
    const requested = requestedClaimNames(params.claims)
    if (!submitted) {
      const client = await op.Client.find(String(params.client_id))
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      res.end(
        renderLoginPage({
          uid: details.uid,
          opName: name,
          profile: options.profile ?? 'spid',
          clientName: client?.clientName ?? String(params.client_id),
          users,
          acrValues: params.acr_values ?? SPID_L2,
          requestedClaims: requested,
          lang: pageLanguage(params.ui_locales, req.headers['accept-language']),
          bootstrapItalia: bootstrapItalia !== undefined,
        }),
      )
      return
    }
    const form = new URLSearchParams(await readBody(req))
    if (form.get('action') === 'cancel') {
      await op.interactionFinished(req, res, { error: 'access_denied', error_description: 'the user cancelled' }, { mergeWithLastSubmission: false })
      return
    }
    const user = users.find((u) => u.id === form.get('user'))
    const acr = reachedLevel(quirks, form.get('level'), params.acr_values)
    if (!user || !acr) {
      res.writeHead(400, { 'content-type': 'text/plain' })
      res.end('choose a test user and a level')
      return
    }
    const grant = new op.Grant({ accountId: user.id, clientId: String(params.client_id) })
    grant.addOIDCScope(grantedScope(params))
    grant.addOIDCClaims(requested)
    const grantId = await grant.save()
    await op.interactionFinished(
      req,
      res,
      {
        login: { accountId: user.id, acr, amr: [acr === SPID_L1 ? 'pwd' : acr === SPID_L2 ? 'otp' : 'hwk'], remember: false },
        consent: { grantId },
      },
      { mergeWithLastSubmission: false },
    )
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  issuer = options.issuer ?? `http://${options.host ?? '127.0.0.1'}:${port}`
  const build = () => {
    const frame = (lang: 'it' | 'en'): OpPageFrame => ({
      opName: name,
      profile: options.profile ?? 'spid',
      lang,
      bootstrapItalia: bootstrapItalia !== undefined,
    })
    const built = new Provider(issuer, configuration({ options, users, signingKeys, kept, quirks, frame }))
    built.proxy = true
    patchIdTokens(built)
    if (quirks.has('userinfo-without-protocol-claims')) userinfoWithoutProtocolClaims(built, () => signingKeys[0] as JWK)
    if (quirks.has('userinfo-json-quoted')) quoteUserinfo(built)
    if (options.profile === 'cie') {
      keepRefreshTokensOnRevocation(built)
      omitIdTokenOnRefresh(built)
    }
    built.use(async (ctx, next) => {
      const token = ctx.method === 'POST' && ctx.path === '/token'
      await next()
      const grant = token ? (ctx.oidc?.params?.grant_type as string | undefined) : undefined
      if (grant === 'authorization_code' || grant === 'refresh_token') tokenRequests[grant]++
      // The grant is done (a refresh token rotated, say); only the answer is late, as over a slow network.
      if (token && tokenDelay > 0) await new Promise((resolve) => setTimeout(resolve, tokenDelay))
    })
    return built
  }
  provider = build()
  return {
    issuer,
    server,
    get provider(): TestOpProvider {
      return provider as Provider
    },
    get signingKey() {
      return signingKeys[0] as JWK
    },
    tokenRequests,
    delayTokenResponses(ms) {
      tokenDelay = ms
    },
    rollSigningKey(next = newSigningKey()) {
      signingKeys = [next, ...signingKeys]
      provider = build()
      entityConfiguration = undefined
      return next
    },
    federationJwks: { keys: [federationPublic as JWK] },
    federationKey: federationJwk,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function newSigningKey(): JWK {
  return {
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
    kid: `op-sig-${randomUUID()}`,
    use: 'sig',
    alg: 'RS256',
  } as JWK
}

interface Kept {
  store: MemoryStore
  clients: FederationClientAdapter
  pairwiseSalt: string
  cookieKey: string
}

function configuration({
  options,
  users,
  signingKeys,
  kept,
  quirks,
  frame,
}: {
  options: TestOpOptions
  users: readonly TestUser[]
  signingKeys: readonly JWK[]
  kept: Kept
  quirks: ReadonlySet<TestOpQuirk>
  /** The frame of the OP's own pages, in a language. */
  frame: (lang: 'it' | 'en') => OpPageFrame
}): Configuration {
  const langOf = (ctx: KoaContextWithOIDC) => pageLanguage(ctx.oidc?.params?.ui_locales as string | undefined, ctx.get('accept-language'))
  const { store, pairwiseSalt } = kept
  const clients = withForcedEncryption(kept.clients, forcedEncryption(quirks, options.encryption))
  const cie = options.profile === 'cie'
  return {
    adapter: (model: string) => (model === 'Client' ? clients : new MemoryAdapter(model, store)),
    // The first key signs; the others stay published after a roll.
    jwks: { keys: signingKeys as never[] },
    cookies: { keys: [kept.cookieKey] },
    acrValues: [SPID_L1, SPID_L2, SPID_L3],
    scopes: cie ? ['openid', 'offline_access', 'profile', 'email'] : ['openid', 'offline_access'],
    claims: {
      openid: ['sub'],
      ...Object.fromEntries(CLAIM_NAMES.map((c) => [c, null])),
      // CIE scopes last: the `email` scope must not be mistaken for the standalone `email` claim.
      ...(cie ? { profile: ['given_name', 'family_name', 'birthdate', `${EID}fiscal_number`], email: ['email', 'email_verified'] } : {}),
    },
    subjectTypes: ['pairwise'],
    pairwiseIdentifier: async (_ctx, accountId, client) =>
      createHash('sha256').update(`${client.sectorIdentifier}|${accountId}|${pairwiseSalt}`).digest('base64url'),
    clientAuthMethods: ['private_key_jwt'],
    // Rule T3: the assertion is aimed at the endpoint called, not at the issuer.
    assertJwtClientAuthClaimsAndHeader: async (ctx, claims) => {
      const endpoint = ctx.oidc.urlFor(ctx.oidc.route)
      if (claims.aud !== endpoint) throw new errors.InvalidClientAuth('client assertion aud must be the URL of the endpoint called')
    },
    responseTypes: ['code'],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      encryption: { enabled: true },
      jwtUserinfo: { enabled: true },
      requestObjects: { enabled: true, requireSignedRequestObject: true },
      // Rules X1, X5: an RP may revoke or introspect only tokens issued to itself.
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      userinfo: { enabled: true },
      // Needed only so oidc-provider can end its SSO session when another test user logs in;
      // not advertised, as SPID has no end_session_endpoint (rule X4).
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          const t = OP_PAGE_TEXTS[langOf(ctx)]
          ctx.body = renderOpPage(
            frame(langOf(ctx)),
            t.logout,
            `<h1>${escapeHtml(t.logout)}</h1><p class="lead">${escapeHtml(t.logoutAsk)}</p>${form}<button class="btn btn-primary" form="op.logoutForm" value="yes" name="logout">${escapeHtml(t.logoutButton)}</button>`,
          )
        },
        postLogoutSuccessSource: async (ctx) => {
          const t = OP_PAGE_TEXTS[langOf(ctx)]
          ctx.body = renderOpPage(frame(langOf(ctx)), t.logout, `<h1>${escapeHtml(t.loggedOut)}</h1>`)
        },
      },
    },
    enabledJWA: {
      // The JWE algorithms of the SPID/CIE profile: RSA-OAEP(-256), and the ECDH-ES family CIE recommends.
      idTokenEncryptionAlgValues: ['RSA-OAEP', 'RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW'],
      idTokenEncryptionEncValues: ['A128CBC-HS256', 'A256CBC-HS512'],
      userinfoEncryptionAlgValues: ['RSA-OAEP', 'RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW'],
      userinfoEncryptionEncValues: ['A128CBC-HS256', 'A256CBC-HS512'],
      requestObjectSigningAlgValues: ['RS256', 'RS512', 'PS256', 'PS512', 'ES256', 'ES512'],
      clientAuthSigningAlgValues: ['RS256', 'RS512', 'PS256', 'PS512', 'ES256', 'ES512'],
    },
    ttl: {
      AccessToken: options.ttl?.accessToken ?? 900,
      IdToken: idTokenTtl(quirks, options.ttl?.idToken),
      RefreshToken: options.ttl?.refreshToken ?? 30 * 24 * 3600,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 3600,
      Grant: 30 * 24 * 3600,
    },
    // Rule L1: a refresh token only for offline_access asked with prompt=consent.
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    rotateRefreshToken: true,
    findAccount: async (_ctx, id) => {
      const user = users.find((u) => u.id === id)
      if (!user) return undefined
      return { accountId: id, claims: async () => ({ sub: id, ...user.claims }) }
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError: async (ctx: KoaContextWithOIDC, out) => {
      ctx.type = 'html'
      // A failed automatic registration is a set-up mistake of the RP: say exactly what failed.
      const clientId = ctx.oidc?.params?.client_id
      const problem = out.error === 'invalid_client' && typeof clientId === 'string' ? kept.clients.problemWith(clientId) : undefined
      const detail = problem ? `<p>Registrazione automatica non riuscita (automatic registration failed):</p><p><code>${escapeHtml(problem)}</code></p>` : ''
      const t = OP_PAGE_TEXTS[langOf(ctx)]
      ctx.body = renderOpPage(
        frame(langOf(ctx)),
        t.error,
        `<h1>${escapeHtml(t.error)}</h1><div class="alert alert-danger" role="alert"><p class="mb-0"><code>${escapeHtml(out.error)}</code>: ${escapeHtml(out.error_description ?? '')}</p></div>${detail}`,
      )
    },
  }
}

/** Revocation requests in flight, so the refresh-token model knows it is being asked from one. */
const revoking = new AsyncLocalStorage<true>()

/**
 * Rule X3: a CIE OP revokes the access token it is given and leaves the refresh token valid
 * (SPID's, and oidc-provider's default, end every token of the grant, rule X1).
 */
function keepRefreshTokensOnRevocation(provider: Provider): void {
  const model = provider.RefreshToken as unknown as { revokeByGrantId(grantId: string): Promise<void> }
  const revokeByGrantId = model.revokeByGrantId.bind(model)
  model.revokeByGrantId = (grantId) => (revoking.getStore() ? Promise.resolve() : revokeByGrantId(grantId))
  provider.use((ctx, next) => (ctx.method === 'POST' && ctx.path === '/token/revocation' ? revoking.run(true, next) : next()))
}

/**
 * Rule L3: a CIE OP answers a refresh with access and refresh tokens only; oidc-provider would
 * add an ID token for an `openid` grant.
 */
function omitIdTokenOnRefresh(provider: Provider): void {
  provider.use(async (ctx, next) => {
    await next()
    if (ctx.method !== 'POST' || ctx.path !== '/token' || ctx.oidc?.params?.grant_type !== 'refresh_token') return
    const body = ctx.body as { id_token?: string } | undefined
    if (body && typeof body === 'object') delete body.id_token
  })
}

/**
 * SPID wants a `jti` in ID tokens and UserInfo, `at_hash` in ID tokens and an `exp` in UserInfo
 * (rules I2, I3, U3); oidc-provider adds none of them on its own, so they are added here.
 */
function patchIdTokens(provider: Provider): void {
  const proto = provider.IdToken.prototype as unknown as {
    issue(this: IdTokenLike, opts?: { use?: string; expiresAt?: number }): Promise<string>
  }
  type IdTokenLike = { set(key: string, value: unknown): void; ctx?: KoaContextWithOIDC }
  const issue = proto.issue
  proto.issue = function (this: IdTokenLike, opts = {}) {
    if (opts.use === 'idtoken' || opts.use === 'userinfo') this.set('jti', randomUUID())
    if (opts.use === 'idtoken') {
      const accessToken = this.ctx?.oidc.entities.AccessToken as { jti?: string } | undefined
      if (accessToken?.jti) this.set('at_hash', accessToken.jti)
    }
    // Rule L2: a refreshed ID token says SpidL1, whatever the first login reached.
    if (opts.use === 'idtoken' && this.ctx?.oidc.params?.grant_type === 'refresh_token') this.set('acr', SPID_L1)
    const withExpiry = opts.use === 'userinfo' && !opts.expiresAt ? { ...opts, expiresAt: Math.floor(Date.now() / 1000) + 300 } : opts
    return issue.call(this, withExpiry)
  }
}

/**
 * Rule L1: offline_access is granted (and a refresh token issued) only with prompt=consent and,
 * for SPID, acr_values ending with SpidL1. Otherwise the scope is silently dropped, as SPID OPs do.
 */
function grantedScope(params: Record<string, string | undefined>): string {
  const scopes = (params.scope ?? 'openid').split(' ')
  const acrValues = (params.acr_values ?? '').split(' ')
  const prompt = (params.prompt ?? '').split(' ')
  const offlineAllowed = prompt.includes('consent') && acrValues[acrValues.length - 1] === SPID_L1
  return scopes.filter((s) => s !== 'offline_access' || offlineAllowed).join(' ')
}

/** The words of the OP's error and logout pages. */
const OP_PAGE_TEXTS = {
  it: {
    error: 'La richiesta non può essere accolta',
    logout: 'Uscita',
    logoutAsk: 'Vuoi uscire dal gestore dell’identità di prova?',
    logoutButton: 'Esci',
    loggedOut: 'Sei uscito.',
  },
  en: {
    error: 'The request cannot be accepted',
    logout: 'Log out',
    logoutAsk: 'Log out of the test identity provider?',
    logoutButton: 'Log out',
    loggedOut: 'You have logged out.',
  },
} as const

/** English when the RP's `ui_locales` (or else the browser) puts English first; Italian otherwise. */
function pageLanguage(uiLocales: string | undefined, acceptLanguage: string | undefined): 'it' | 'en' {
  const first =
    (uiLocales ?? acceptLanguage ?? '')
      .trim()
      .split(/[\s,;]+/)[0]
      ?.toLowerCase() ?? ''
  return first.startsWith('en') ? 'en' : 'it'
}

function requestedClaimNames(claims: string | undefined): string[] {
  if (!claims) return []
  try {
    const parsed = JSON.parse(claims) as { userinfo?: object; id_token?: object }
    return [...new Set([...Object.keys(parsed.userinfo ?? {}), ...Object.keys(parsed.id_token ?? {})])]
  } catch {
    return []
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = ''
  for await (const chunk of req) {
    body += chunk
    if (body.length > 16_384) throw new Error('form too large')
  }
  return body
}
