/**
 * A return path is kept only when it is a path on this site: it starts with a single "/"
 * and holds no backslash or control character (browsers read "/\evil" as "//evil").
 * Anything else becomes "/", so a login link cannot be turned into an open redirect.
 */
// biome-ignore-start lint/suspicious/noControlCharactersInRegex: control characters are what these patterns look for
export function checkReturnTo(value: unknown, fallback = '/'): string {
  // At most 1 KB in bytes, not characters: it travels in a login cookie, which a browser caps at 4 KB.
  if (typeof value !== 'string' || value.length === 0 || Buffer.byteLength(value) > 1024) return fallback
  if (!value.startsWith('/') || value.startsWith('//')) return fallback
  if (/[\\\x00-\x1f\x7f]/.test(value)) return fallback
  try {
    // Decoding must not reveal a scheme-relative or backslash path either.
    const decoded = decodeURIComponent(value)
    if (decoded.startsWith('//') || /[\\\x00-\x1f\x7f]/.test(decoded)) return fallback
  } catch {
    return fallback
  }
  return value
}
// biome-ignore-end lint/suspicious/noControlCharactersInRegex: control characters are what these patterns look for
