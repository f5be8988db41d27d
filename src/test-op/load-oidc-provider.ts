/**
 * oidc-provider, loaded without its "Unsupported runtime" warning on Node 20: sound advice for a
 * real OP, noise for a test OP that anyone trying the library sees first. Only that line, and only
 * while the module loads, is dropped.
 */
import type * as OidcProvider from 'oidc-provider'

const warn = console.warn
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime')) return
  warn(...args)
}
let loaded: typeof OidcProvider
try {
  loaded = await import('oidc-provider')
} finally {
  console.warn = warn
}

export const Provider = loaded.default
export type Provider = OidcProvider.default
export const errors = loaded.errors
