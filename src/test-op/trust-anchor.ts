import { generateKeyPairSync, randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, type JWK, SignJWT } from 'jose'
import { ENTITY_STATEMENT_CONTENT_TYPE } from '../federation/entity-configuration.ts'

/** A subordinate of the test trust anchor: its entity id and the federation keys the anchor vouches for. */
export interface TestSubordinate {
  entityId: string
  jwks: { keys: JWK[] }
  /** Listed by `federation_list_endpoint?entity_type=openid_provider`. Default true. */
  openidProvider?: boolean
  /** The anchor's `metadata_policy` for it. */
  metadataPolicy?: Record<string, Record<string, Record<string, unknown>>>
  /**
   * Trust marks stated in the anchor's statement about it, as the italia/spid-cie-oidc-django anchor
   * does for its OPs (whose own entity configurations then carry none).
   */
  trustMarks?: { trust_mark_type: string; trust_mark: string }[]
}

export interface TestTrustAnchorOptions {
  port?: number
  host?: string
  /** Seconds its statements live. Default 3600. */
  lifetime?: number
}

export interface TestTrustAnchor {
  readonly entityId: string
  /** Its public keys: what a relying party pins (SPID_TRUST_ANCHOR_JWKS in the example app). */
  readonly jwks: { keys: JWK[] }
  readonly server: Server
  /** Adds or replaces a subordinate. */
  subordinate(entity: TestSubordinate): void
  /** The trust mark type it issues to relying parties: `<entityId>/openid_relying_party/public/`, as the SPID registry's. */
  readonly trustMarkType: string
  /** The trust mark type it issues to OPs: `<entityId>/openid_provider/public/`. */
  readonly opTrustMarkType: string
  /**
   * Issues a trust mark to `subject` (signed by the anchor, listed in its `trust_mark_issuers`),
   * ready for the `trustMarks` option. A negative lifetime gives an expired one, for tests.
   * `type` defaults to the relying-party type.
   */
  issueTrustMark(subject: string, lifetime?: number, type?: string): Promise<{ trust_mark_type: string; trust_mark: string }>
  close(): Promise<void>
}

/**
 * A local OpenID Federation trust anchor for development and tests (never for production): its
 * entity configuration, a `federation_fetch_endpoint` answering subordinate statements about the
 * entities added to it, and a `federation_list_endpoint`. With test OPs started with
 * `authorityHints: [anchor.entityId]`, a relying party can run in federation mode locally.
 *
 * @example
 * const anchor = await startTestTrustAnchor()
 * const op = await startTestOp({ authorityHints: [anchor.entityId] })
 * anchor.subordinate({ entityId: op.issuer, jwks: op.federationJwks })
 */
export async function startTestTrustAnchor(options: TestTrustAnchorOptions = {}): Promise<TestTrustAnchor> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid: `ta-${randomUUID().slice(0, 8)}`, alg: 'ES256', use: 'sig' }
  const subordinates = new Map<string, TestSubordinate>()
  const lifetime = options.lifetime ?? 3600
  let entityId = ''
  const trustMarkType = () => `${entityId}/openid_relying_party/public/`
  const opTrustMarkType = () => `${entityId}/openid_provider/public/`

  const sign = (claims: Record<string, unknown>, subject: string) => {
    const now = Math.floor(Date.now() / 1000)
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: publicJwk.kid as string, typ: 'entity-statement+jwt' })
      .setIssuer(entityId)
      .setSubject(subject)
      .setIssuedAt(now)
      .setExpirationTime(now + lifetime)
      .sign(privateKey)
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', entityId)
    const answer = (status: number, type: string, body: string) => void res.writeHead(status, { 'content-type': type }).end(body)
    const signed = (jwt: Promise<string>) =>
      void jwt.then(
        (body) => answer(200, ENTITY_STATEMENT_CONTENT_TYPE, body),
        (error: Error) => answer(500, 'text/plain', error.message),
      )
    if (url.pathname === '/.well-known/openid-federation') {
      return signed(
        sign(
          {
            jwks: { keys: [publicJwk] },
            trust_mark_issuers: { [trustMarkType()]: [entityId], [opTrustMarkType()]: [entityId] },
            metadata: {
              federation_entity: {
                organization_name: 'Trust anchor di prova',
                federation_fetch_endpoint: `${entityId}/fetch`,
                federation_list_endpoint: `${entityId}/list`,
              },
            },
          },
          entityId,
        ),
      )
    }
    if (url.pathname === '/list') {
      const onlyOps = url.searchParams.get('entity_type') === 'openid_provider'
      const ids = [...subordinates.values()].filter((s) => !onlyOps || s.openidProvider !== false).map((s) => s.entityId)
      return answer(200, 'application/json', JSON.stringify(ids))
    }
    if (url.pathname === '/fetch') {
      const subject = subordinates.get(url.searchParams.get('sub') ?? '')
      if (!subject) return answer(404, 'application/json', '{"error":"not_found","error_description":"no statement about this entity"}')
      return signed(
        sign(
          {
            jwks: subject.jwks,
            ...(subject.metadataPolicy ? { metadata_policy: subject.metadataPolicy } : {}),
            ...(subject.trustMarks ? { trust_marks: subject.trustMarks } : {}),
          },
          subject.entityId,
        ),
      )
    }
    answer(404, 'application/json', '{"error":"not_found"}')
  })
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve))
  entityId = `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`
  return {
    entityId,
    trustMarkType: trustMarkType(),
    opTrustMarkType: opTrustMarkType(),
    async issueTrustMark(subject, markLifetime = 365 * 86400, type = trustMarkType()) {
      const now = Math.floor(Date.now() / 1000)
      const trustMark = await new SignJWT({ trust_mark_type: type, organization_type: 'public' })
        .setProtectedHeader({ alg: 'ES256', kid: publicJwk.kid as string, typ: 'trust-mark+jwt' })
        .setIssuer(entityId)
        .setSubject(subject)
        .setIssuedAt(Math.min(now, now + markLifetime - 60))
        .setExpirationTime(now + markLifetime)
        .sign(privateKey)
      return { trust_mark_type: type, trust_mark: trustMark }
    },
    jwks: { keys: [publicJwk] },
    server,
    subordinate: (entity) => void subordinates.set(entity.entityId, entity),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
