/** `npm run docs:options`: writes the options table of docs/options.md from the option schema itself. */
import { optionsTable } from '../src/options/schema.ts'
import { writeDocTable } from './doc-table.ts'

export const renderOptionsTable = optionsTable

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = new URL('../docs/options.md', import.meta.url).pathname
  writeDocTable(file, optionsTable())
  console.log(`wrote the options table into ${file}`)
}
