import { decodeProtectedHeader } from 'jose'
import * as oidc from 'openid-client'
import { TokenValidationError } from '../errors/spid-error.ts'
import type { ResolvedOptions } from '../options/resolve-options.ts'
import type { ResolvedProvider } from '../providers/provider-registry.ts'
import { noteJwePair } from './jwe-algorithms.ts'

/**
 * The signed ID token of a token response (a code exchange or a refresh) to verify: as received,
 * or, when the RP registered encrypted ID tokens, the JWS that openid-client decrypted from the
 * JWE with the RP's encryption key. A CIE OP must then encrypt (a signed-only ID token means it
 * ignored the registration); a SPID OP, whose profile has no ID token encryption, may do either.
 */
export function signedIdToken(
  options: Pick<ResolvedOptions, 'idTokenEncryption' | 'logger'>,
  provider: ResolvedProvider,
  tokens: oidc.TokenEndpointResponse,
): string {
  if (!options.idTokenEncryption) return tokens.id_token as string
  // A code exchange records the decrypted ID token by endpoint; a refresh records it as it is.
  const decrypted = oidc.getDecryptedResponses(tokens)
  const inner = typeof decrypted === 'string' ? decrypted : decrypted?.id_token?.token_endpoint
  if (inner) {
    // The token response check let only accepted pairs through; another than the registered one is reported once.
    const { alg, enc } = decodeProtectedHeader(tokens.id_token as string)
    if (typeof alg === 'string' && typeof enc === 'string') {
      noteJwePair(options, options.logger, provider.config.issuer, 'ID token', { alg, enc }, options.idTokenEncryption)
    }
    return inner
  }
  if (provider.config.profile === 'cie') {
    throw new TokenValidationError('ERR_SPID_ID_TOKEN_INVALID', 'the ID token is not encrypted, though the RP registered id_token_encrypted_response_alg')
  }
  return tokens.id_token as string
}
