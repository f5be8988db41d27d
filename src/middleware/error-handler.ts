import type { ErrorRequestHandler, Request, Response } from 'express'
import { InsufficientLevelError, SpidError, isSpidError } from '../errors/spid-error.ts'
import { label, userMessage, type Language } from '../errors/messages.ts'
import type { Logger } from '../log/logger.ts'
import { createDefaultLogger } from '../log/logger.ts'
import { describeCause } from '../log/describe-cause.ts'
import { requestIdOf, wasLogged } from '../log/request-errors.ts'
import { escapeHtml } from './html.ts'
import { levelNumber } from '../levels.ts'
import type { ProviderProfileName } from '../providers/provider-config.ts'
import { requestLanguage } from './language.ts'
import { wantsJson } from './wants-json.ts'

/** What a custom error page receives. Everything in it is safe to show; escape it all the same. */
export interface ErrorPageContext {
  code: string
  status: number
  title: string
  text: string
  requestId: string
  lang: Language
  /** Where "try again" should lead (the login start), when it makes sense. */
  retryUrl: string | undefined
  /**
   * Set when the OP confirmed a lower level than the page needs: the level (1-3) a retry asks
   * for, `retryUrl` then starting that login at the same OP and coming back to the same page.
   */
  retryLevel?: 1 | 2 | 3
  /**
   * The profile (`spid` or `cie`) of the OP of that retry: pass the context to `levelName` as its
   * words, `levelName(ctx.retryLevel, ctx.lang, ctx)`, so a CIE id login reads in CIE's words.
   */
  provider?: ProviderProfileName
  /**
   * Set when that login had asked to stay logged in ("remember me", `offline`): SPID asks it with
   * `acr_values` ending in SpidL1 (rule L1) and some OPs then authenticate at SpidL1, so the retry
   * (`retryUrl`) asks without it. The page should say so.
   */
  retryWithoutRememberMe?: boolean
}

export interface SpidErrorHandlerOptions {
  /** Renders the HTML error page. Default: a small self-contained page in Italian or English. */
  renderErrorPage?: (ctx: ErrorPageContext, req: Request, res: Response) => void
  /** Where the "try again" link points. Default: `/`. */
  retryUrl?: string
  /** Default: the strategy-independent default logger (warnings and errors on stderr). */
  logger?: Logger
}

/**
 * Express error middleware for SPID errors: JSON for API clients, an HTML page for browsers.
 * Neither ever contains the `cause`, claims or tokens; both carry the request id of the log line.
 * Errors that are not SPID errors are passed on to the next error handler untouched.
 */
export function spidErrorHandler(options: SpidErrorHandlerOptions = {}): ErrorRequestHandler {
  const logger = options.logger ?? createDefaultLogger()
  const render = options.renderErrorPage ?? renderDefaultErrorPage
  return (error, req, res, next) => {
    const err = isSpidError(error) ? error : fromRequestParsing(error)
    if (!err) return next(error)
    const requestId = requestIdOf(req)
    // Once per failure: the strategy logs a failed login itself, with this request id.
    if (!wasLogged(err)) {
      const level = err.status >= 500 ? 'error' : 'warn'
      logger[level]({ event: 'request.failed', code: err.code, status: err.status, requestId, path: req.path, cause: describeCause(err.cause) }, err.message)
    }
    // The store is down: express-session would try to save again as the answer ends, and fail again.
    if (err.code === 'ERR_SPID_STORE_UNAVAILABLE') (req as { session?: unknown }).session = undefined
    // An error after the answer was sent (a session save failing at the end, say) is only logged:
    // passed on, Express would destroy the socket and break the client's next keep-alive request.
    if (res.headersSent) return

    res.status(err.status)
    res.set('Cache-Control', 'no-store')
    const challenge = wwwAuthenticate(err)
    if (challenge) res.set('WWW-Authenticate', challenge)

    // A login that came back below the level: the same login again, at the same OP, never `offline`.
    const retry = err instanceof InsufficientLevelError && err.retry && req.spid ? err.retry : undefined
    const retryUrl = retry ? req.spid.loginUrl(retry.level, retry.returnTo, retry.issuer) : undefined
    const withoutRememberMe = retry?.offline === true
    if (wantsJson(req)) {
      const loginUrl = retryUrl ?? (err instanceof InsufficientLevelError ? err.loginUrl : undefined)
      res.json(
        err.expose
          ? {
              error: err.oauthError,
              error_description: err.message,
              code: err.code,
              request_id: requestId,
              ...(loginUrl ? { login_url: loginUrl } : {}),
              ...(withoutRememberMe ? { retry_without_offline: true } : {}),
            }
          : { error: 'server_error', code: err.code, request_id: requestId },
      )
      return
    }
    const lang = requestLanguage(req)
    const { title, text } = userMessage(err.code, lang)
    const retryLevel = retry ? levelNumber(retry.level) : undefined
    render(
      {
        code: err.code,
        status: err.status,
        title,
        text: withoutRememberMe ? `${text} ${label('offlineTooLow', lang)}` : text,
        requestId,
        lang,
        retryUrl: retryUrl ?? options.retryUrl ?? '/',
        ...(retryLevel ? { retryLevel } : {}),
        ...(retry?.provider ? { provider: retry.provider } : {}),
        ...(withoutRememberMe ? { retryWithoutRememberMe: true } : {}),
      },
      req,
      res,
    )
  }
}

/**
 * body-parser's own errors (413 too large, 400 malformed, 415 charset) become typed 4xx errors, so
 * an oversized or broken form gets the same clean answer as any other bad input.
 */
function fromRequestParsing(error: unknown): SpidError | undefined {
  const e = error as { type?: unknown; status?: unknown; statusCode?: unknown } | null
  const status = Number(e?.status ?? e?.statusCode)
  if (typeof e?.type !== 'string' || !/^(entity|encoding|charset|request|parameters)\./.test(e.type) || !(status >= 400 && status < 500)) return undefined
  return new SpidError('ERR_SPID_BAD_REQUEST', `request body refused (${e.type})`, { status, cause: error })
}

/** RFC 6750 / RFC 9470 challenge for 401s, so API clients know whether to log in or step up. */
function wwwAuthenticate(err: SpidError): string | undefined {
  if (err.status !== 401) return undefined
  if (err instanceof InsufficientLevelError && err.requiredLevel) {
    return `Bearer error="insufficient_user_authentication", error_description="${quoteSafe(err.message)}", acr_values="${err.requiredLevel}"`
  }
  if (err.code === 'ERR_SPID_NOT_AUTHENTICATED') return 'Bearer'
  return undefined
}

function quoteSafe(text: string): string {
  return text.replace(/["\\\r\n]/g, ' ')
}

/**
 * The default page: plain semantic HTML, no script, no style and nothing external, so it renders
 * under any Content Security Policy. Apps with a look of their own pass `renderErrorPage`.
 */
export function renderDefaultErrorPage(ctx: ErrorPageContext, _req: Request, res: Response): void {
  res.type('html').send(`<!doctype html>
<html lang="${ctx.lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(ctx.title)}</title></head>
<body>
<main>
<h1>${escapeHtml(ctx.title)}</h1>
<p>${escapeHtml(ctx.text)}</p>
${ctx.retryLevel ? `<p><a href="${escapeHtml(ctx.retryUrl ?? '/')}">${escapeHtml(label('retryAtLevel', ctx.lang))} ${ctx.retryLevel}${ctx.retryWithoutRememberMe ? ` ${escapeHtml(label('withoutRememberMe', ctx.lang))}` : ''}</a></p>\n<p><a href="/">${escapeHtml(label('home', ctx.lang))}</a></p>` : `<p><a href="${escapeHtml(ctx.retryUrl ?? '/')}">${escapeHtml(label('home', ctx.lang))}</a></p>`}
<p><small>${escapeHtml(ctx.code)} · ${escapeHtml(ctx.requestId)}</small></p>
</main>
</body>
</html>`)
}
