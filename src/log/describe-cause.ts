/**
 * The chain of causes of an error as the log may show it: each one's name, code and message,
 * never its other properties (jose's claim errors carry the whole payload, openid-client's the
 * response body). The messages of jose, oauth4webapi and openid-client name the check, not values.
 */
export function describeCause(cause: unknown): { name: string; code?: string; message: string }[] | undefined {
  const chain: { name: string; code?: string; message: string }[] = []
  let current = cause
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code
    // A JSON parse error quotes the start of what it read (a token response may hold personal data).
    const message = current instanceof SyntaxError ? 'not valid JSON' : current.message.slice(0, 200)
    chain.push({ name: current.name, ...(typeof code === 'string' ? { code } : {}), message })
    current = current.cause
  }
  return chain.length > 0 ? chain : undefined
}
