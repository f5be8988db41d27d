import type { HasSpidRuntime } from '../core/spid-runtime.ts'
import type { ProviderChoice } from './login-buttons.ts'

/**
 * The configured OPs as the buttons show them, split by profile: names and logos from each OP's
 * resolved metadata (`organization_name`, `logo_uri`), else the configured name. An
 * OP whose metadata cannot be resolved now is still listed, with its configured name.
 */
export async function providerChoices(strategy: HasSpidRuntime): Promise<{ spid: ProviderChoice[]; cie: ProviderChoice[] }> {
  const { registry } = strategy.runtime
  const all = await Promise.all(
    registry.list().map(async (p) => {
      const resolved = await registry.resolve(p.issuer).catch(() => undefined)
      const name = resolved?.displayName ?? p.name ?? new URL(p.issuer).host
      const logo = resolved?.metadata.logo_uri
      const logoUri = typeof logo === 'string' ? logo : undefined
      return { profile: p.profile, choice: { issuer: p.issuer, name, ...(logoUri ? { logoUri } : {}) } }
    }),
  )
  return {
    spid: all.filter((p) => p.profile !== 'cie').map((p) => p.choice),
    cie: all.filter((p) => p.profile === 'cie').map((p) => p.choice),
  }
}
