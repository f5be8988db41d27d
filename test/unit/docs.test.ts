/**
 * The docs must keep up with the code: options, error codes, the attribute table; and a newcomer
 * can walk them: the README is a landing page of at most 250 lines whose contents reach every
 * page in docs/, and each page opens by saying what the reader can do after it.
 */
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { ERROR_CODES } from '../../src/errors/codes.ts'
import { optionsTable } from '../../src/options/schema.ts'
import { renderAttributeTable } from '../../scripts/attribute-table.ts'

const root = new URL('../../', import.meta.url).pathname
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const page = (name: string) => readFileSync(join(root, 'docs', name), 'utf8')
const pages = readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md'))

describe('docs', () => {
  it('show the options table exactly as the schema declares it (npm run docs:options)', () => {
    assert.ok(page('options.md').includes(optionsTable()), 'docs/options.md options table is out of date: run npm run docs:options')
  })

  it('document every error code', () => {
    const table = page('errors.md')
    for (const code of Object.keys(ERROR_CODES)) assert.ok(table.includes(code), `${code} is in docs/errors.md`)
  })

  it('show the attribute table exactly as the code defines it (npm run docs:attributes)', () => {
    assert.ok(page('attributes.md').includes(renderAttributeTable()), 'docs/attributes.md attribute table is out of date: run npm run docs:attributes')
  })

  it('keep the README a landing page: at most 250 lines, linking every docs page', () => {
    assert.ok(readme.split('\n').length <= 250, `README.md has ${readme.split('\n').length} lines`)
    for (const name of pages) assert.ok(readme.includes(`(docs/${name})`), `README.md links docs/${name}`)
  })

  it('open every docs page with what the reader can do after reading it', () => {
    for (const name of pages) assert.match(page(name), /^# .+\n\nAfter reading this page you (can|know) /, `docs/${name} opens with what it is for`)
  })

  it('link only to pages and files that exist', () => {
    for (const [file, text] of [['README.md', readme], ...pages.map((name) => [`docs/${name}`, page(name)])] as const) {
      const base = file === 'README.md' ? root : join(root, 'docs')
      for (const [, target] of text.matchAll(/\]\((?!https?:|#|mailto:)([^)#\s]+)[^)]*\)/g)) {
        assert.ok(existsSync(join(base, target as string)), `${file} links ${target}, which does not exist`)
      }
    }
  })

  it('name the example app’s variables the way the example app reads them', () => {
    const all = [readme, ...pages.map(page)].join('\n')
    assert.doesNotMatch(all, /SPID_ANCHOR_JWKS/, 'the variable is SPID_TRUST_ANCHOR_JWKS')
  })
})
