// `npm test -- --express4`: loaded into every test process (and, through NODE_OPTIONS, into the
// processes the tests start), so that `import express from 'express'` anywhere gives Express 4,
// installed beside Express 5 under the alias `express4` (package.json devDependencies).
import { register } from 'node:module'

register(
  `data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === 'express' || specifier.startsWith('express/')) return next('express4' + specifier.slice('express'.length), context)
  return next(specifier, context)
}`)}`,
  import.meta.url,
)
