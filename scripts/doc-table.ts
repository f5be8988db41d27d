/**
 * Writes a generated table into its docs page, in place of the table there with the same header
 * row (`npm run docs:options`, `npm run docs:attributes`). test/unit/docs.test.ts checks the pages
 * hold exactly what these generate.
 */
import { readFileSync, writeFileSync } from 'node:fs'

export function writeDocTable(file: string, table: string): void {
  const lines = readFileSync(file, 'utf8').split('\n')
  const header = table.split('\n')[0]
  const start = lines.indexOf(header as string)
  if (start < 0) throw new Error(`${file} has no table starting with ${header}`)
  let end = start
  while (end < lines.length && lines[end]?.startsWith('|')) end++
  lines.splice(start, end - start, ...table.split('\n'))
  writeFileSync(file, lines.join('\n'))
}
