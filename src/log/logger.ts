/**
 * The logger shape the library writes to: pino's (object first, then a short message), so an
 * app can pass its pino instance as is. Objects passed here are already redacted.
 */
export interface Logger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

/**
 * Default logger: warnings and errors as one JSON line each on stderr; debug and info dropped,
 * so a quiet app stays quiet until something goes wrong.
 */
export function createDefaultLogger(name = 'passport-spid-oidc'): Logger {
  const write = (level: string) => (obj: object, msg?: string) => {
    process.stderr.write(`${JSON.stringify({ level, time: new Date().toISOString(), name, ...obj, msg })}\n`)
  }
  const drop = () => {}
  return { debug: drop, info: drop, warn: write('warn'), error: write('error') }
}

/** A logger that writes nothing. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }
