/**
 * Whether the guards of production apply. Only `development` and `test` relax them: an unset,
 * misspelt or unknown NODE_ENV (`prod`, `Production`, `staging`) is production, so a typo never
 * turns a safety off.
 */
export function isProductionEnv(env: string | undefined = process.env.NODE_ENV): boolean {
  return env !== 'development' && env !== 'test'
}
