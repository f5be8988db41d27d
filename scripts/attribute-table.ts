/**
 * Writes the attribute table of docs/attributes.md from src/profile/attribute-table.ts:
 * `npm run docs:attributes`. test/unit/docs.test.ts checks the page holds this exact text.
 */
import { ATTRIBUTES, COMPANY_FIELDS } from '../src/profile/attribute-table.ts'
import { writeDocTable } from './doc-table.ts'

export function renderAttributeTable(): string {
  const rows = ATTRIBUTES.map((a) => {
    const companyKey = COMPANY_FIELDS[a.field]
    const field = companyKey ? `company.${companyKey}` : a.field
    const sources = a.sources.map((s) => `\`${s.claim}\`${s.with ? ` + \`${s.with}\`` : ''}`).join('<br>')
    return `| \`${field}\` | \`${a.request}\` | ${a.releasedBy.join(', ')} | ${sources} | ${
      a.sources[0]?.parser === 'placeCode'
        ? 'place'
        : a.sources
            .map((s) => s.parser)
            .filter((p, i, all) => all.indexOf(p) === i)
            .join(', ')
    } |`
  })
  return ['| Profile field | Requested as | Released by | Accepted claim names (first match wins) | Normalized by |', '|---|---|---|---|---|', ...rows].join(
    '\n',
  )
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = new URL('../docs/attributes.md', import.meta.url).pathname
  writeDocTable(file, renderAttributeTable())
  console.log(`wrote the attribute table into ${file}`)
}
