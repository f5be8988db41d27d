import type { z } from 'zod'

/**
 * One line per problem, each with its dotted path and, for simple values, what was received:
 * `clientId: must be an https URL (got "http://rp.example.it")`.
 */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '')
    const got =
      issue.code !== 'custom' && 'input' in issue && issue.input !== undefined && typeof issue.input !== 'object' ? ` (got ${JSON.stringify(issue.input)})` : ''
    return `${path || '(options)'}: ${issue.message}${got}`
  })
}
