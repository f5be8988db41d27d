import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { ServerResponse } from 'node:http'

/** Where the test OP's pages find Bootstrap Italia's CSS and fonts, under the OP's own origin. */
export const ASSET_PREFIX = '/static/bootstrap-italia/'

/** The files served: the one stylesheet and the Titillium Web fonts it uses. Nothing else is reachable. */
const SERVED = /^(css\/bootstrap-italia\.min\.css|fonts\/Titillium_Web\/titillium-web-v10-latin-ext_latin-(?:regular|600|700)\.woff2)$/

/**
 * Bootstrap Italia's `dist` folder, when the package is installed beside this one (it is the
 * example app's devDependency, so a development checkout has it). The test OP ships in the
 * package; an app that installs it without Bootstrap Italia gets the same pages with a small
 * built-in style instead.
 */
export function findBootstrapItalia(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('bootstrap-italia/package.json')), 'dist')
  } catch {
    return undefined
  }
}

/** Serves a file under ASSET_PREFIX from Bootstrap Italia's `dist`; false when the path is not one of SERVED. */
export async function serveBootstrapItalia(dist: string | undefined, pathname: string, res: ServerResponse): Promise<boolean> {
  if (!dist || !pathname.startsWith(ASSET_PREFIX)) return false
  const file = pathname.slice(ASSET_PREFIX.length)
  if (!SERVED.test(file)) return false
  const body = await readFile(join(dist, file)).catch(() => undefined)
  if (!body) return false
  res.writeHead(200, { 'content-type': file.endsWith('.css') ? 'text/css; charset=utf-8' : 'font/woff2', 'cache-control': 'max-age=86400' })
  res.end(body)
  return true
}

/** The @font-face rules for the served Titillium Web weights. */
export const TITILLIUM_FACES = (['regular', '600', '700'] as const)
  .map(
    (w) =>
      `@font-face{font-family:"Titillium Web";font-style:normal;font-weight:${w === 'regular' ? 400 : w};font-display:swap;src:url(${ASSET_PREFIX}fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-${w}.woff2) format("woff2")}`,
  )
  .join('\n')
