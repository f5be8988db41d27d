/**
 * The part of the test OP's oidc-provider instance that its public type shows: the token stores.
 * Declared here, not taken from oidc-provider, so an app that type-checks its dependencies
 * (`skipLibCheck: false`) needs neither oidc-provider's nor koa's type packages.
 */

/** A token the test OP issued, as it holds it. */
export interface TestOpToken {
  /** Set once a refresh token has been used (rotated). */
  readonly consumed?: unknown
  readonly isExpired: boolean
  /** Revokes the token at the OP. */
  destroy(): Promise<void>
}

/** Looks up a token the test OP issued, by its value: `undefined` once revoked or unknown. */
export interface TestOpTokenStore {
  find(value: string): Promise<TestOpToken | undefined>
}

export interface TestOpProvider {
  readonly AccessToken: TestOpTokenStore
  readonly RefreshToken: TestOpTokenStore
}
