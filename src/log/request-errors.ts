import { randomUUID } from 'node:crypto'

const ids = new WeakMap<object, string>()
const logged = new WeakSet<object>()

/** The id of a request in the log and on its error page: made once, on first use. */
export function requestIdOf(req: object): string {
  let id = ids.get(req)
  if (!id) {
    id = randomUUID()
    ids.set(req, id)
  }
  return id
}

/** Marks an error as logged where it happened, so the error handler does not log it a second time. */
export function markLogged(error: unknown): void {
  if (error && typeof error === 'object') logged.add(error)
}

export function wasLogged(error: unknown): boolean {
  return Boolean(error && typeof error === 'object' && logged.has(error))
}
