/** `npm run docs:options`: prints the README options table, written from the option schema itself. */
import { optionsTable } from '../src/options/schema.ts'

export const renderOptionsTable = optionsTable

if (import.meta.url === `file://${process.argv[1]}`) console.log(optionsTable())
