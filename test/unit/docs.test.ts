/** The README must keep up with the code: options, error codes, the attribute table. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { ERROR_CODES } from '../../src/errors/codes.ts'
import { optionsTable } from '../../src/options/schema.ts'
import { renderAttributeTable } from '../../scripts/attribute-table.ts'

const root = new URL('../../', import.meta.url).pathname
const readme = readFileSync(join(root, 'README.md'), 'utf8')

function section(title: string): string {
  const start = readme.indexOf(`## ${title}\n`)
  assert.ok(start >= 0, `README has a "${title}" section`)
  const end = readme.indexOf('\n## ', start + 4)
  return readme.slice(start, end < 0 ? undefined : end)
}

describe('README', () => {
  it('shows the options table exactly as the schema declares it (npm run docs:options)', () => {
    assert.ok(section('Options').includes(optionsTable()), 'README options table is out of date: run npm run docs:options')
  })

  it('documents every error code', () => {
    const table = section('Errors')
    for (const code of Object.keys(ERROR_CODES)) assert.ok(table.includes(code), `${code} is in the README`)
  })

  it('shows the attribute table exactly as the code defines it (npm run docs:attributes)', () => {
    assert.ok(section('Attributes').includes(renderAttributeTable()), 'README attribute table is out of date: run npm run docs:attributes')
  })
})
