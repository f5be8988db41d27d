import type { SpidProfile } from '../profile/spid-profile.ts'

/**
 * Type settings of the package, for apps to augment. By default `req.user` is the mapped
 * `SpidProfile`; an app whose verify function returns its own account type says so once:
 *
 * @example
 * declare module 'passport-spid-oidc' {
 *   interface SpidTypes { user: Account }
 * }
 */
// biome-ignore lint/suspicious/noEmptyInterface: an interface for apps to augment
export interface SpidTypes {}

/** What `req.user` is: the `user` of `SpidTypes` when the app set one, else `SpidProfile`. */
export type SpidAppUser = SpidTypes extends { user: infer User } ? User : SpidProfile

declare global {
  namespace Express {
    // Importing anything from the package types `req.user`, and what verify functions return.
    interface User extends SpidAppUser {}
  }
}
