import type { Request } from 'express'
import type { SpidLevel } from '../levels.ts'
import type { ProviderProfileName } from '../providers/provider-config.ts'
import type { SpidProfile } from '../profile/spid-profile.ts'

/** What the login established, besides the person's attributes: the second argument of `verify`. */
export interface SpidLoginInfo {
  /** The OP that authenticated the person. */
  readonly issuer: string
  /** `spid` or `cie`: the profile of that OP. */
  readonly provider: ProviderProfileName
  /** Pairwise subject at that OP. */
  readonly sub: string
  /** The level reached (the ID token `acr`, checked against the level asked for). */
  readonly acr: SpidLevel
  /** Epoch seconds of the authentication at the OP. */
  readonly authTime: number
  /** True when the OP issued a refresh token ("remember me"). */
  readonly offline: boolean
  /** True when this login raised the level of a session already logged in at the same OP. */
  readonly stepUp: boolean
  /** The verified ID token claims. */
  readonly idTokenClaims: Readonly<Record<string, unknown>>
}

/** Refusal details an app may pass as the third argument of `done(null, false, info)`. */
export interface SpidRefusal {
  /**
   * Why: the `message` of the `ERR_SPID_ACCESS_REFUSED` error, so it reaches the log and the JSON
   * `error_description`. The default HTML page shows a generic localized text instead.
   */
  message?: string
}

/**
 * The callback `verify` calls: `done(null, user)` logs `user` in, `done(null, false, { message })`
 * refuses the person (`ERR_SPID_ACCESS_REFUSED`, 403), `done(error)` fails the login and hands
 * `error` to the app's error handlers untouched.
 */
export type SpidVerified = (error: unknown, user?: Express.User | false | null, info?: SpidRefusal) => void

/** Maps a verified SPID identity to the application's user: look up or create an account, or refuse. */
export type SpidVerifyFunction = (profile: SpidProfile, login: SpidLoginInfo, done: SpidVerified) => void

/** `SpidVerifyFunction` with the request first, for `passReqToCallback: true`. */
export type SpidVerifyFunctionWithRequest = (req: Request, profile: SpidProfile, login: SpidLoginInfo, done: SpidVerified) => void

/**
 * The default: the person is the user, as the mapped profile. (Through unknown: an app that
 * declares its own user type gives its own verify function, and this one is never used.)
 */
export const profileAsUser: SpidVerifyFunction = (profile, _login, done) => done(null, profile as unknown as Express.User)

export type VerifyOutcome = { user: Express.User } | { refused: SpidRefusal }

/** Calls the app's verify function once and turns its callback into a promise (a throw fails the login). */
export function runVerify(
  verify: SpidVerifyFunction | SpidVerifyFunctionWithRequest,
  passReq: boolean,
  req: Request,
  profile: SpidProfile,
  login: SpidLoginInfo,
): Promise<VerifyOutcome> {
  return new Promise((resolve, reject) => {
    let called = false
    const done: SpidVerified = (error, user, info) => {
      if (called) return
      called = true
      if (error) return reject(error)
      if (!user) return resolve({ refused: info ?? {} })
      resolve({ user })
    }
    try {
      if (passReq) (verify as SpidVerifyFunctionWithRequest)(req, profile, login, done)
      else (verify as SpidVerifyFunction)(profile, login, done)
    } catch (error) {
      if (!called) {
        called = true
        reject(error)
      }
    }
  })
}
