/**
 * In-process cost of a guarded request that passes: `spidContext` + `requireSpidLevel(2)` on a
 * logged-in session, against the plain check `req.isAuthenticated()`, with request objects
 * shaped as Express makes them (a browser's Accept header included).
 */
import { performance } from 'node:perf_hooks'
import express, { type NextFunction, type Request, type Response } from 'express'
import { SPID_L2, requireSpidLevel, spidContext, type SpidStrategy } from '../../src/index.ts'
import { alternate, median } from './stats.ts'

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8'

export async function measureGuardCpu(strategy: SpidStrategy, { rounds, perRound }: { rounds: number; perRound: number }) {
  const proto = express().request
  const now = Math.floor(Date.now() / 1000)
  const session = {
    spid: {
      issuer: 'https://op.example.it',
      providerProfile: 'spid',
      sub: 'x'.repeat(43),
      acr: SPID_L2,
      authTime: now,
      accessToken: 'a'.repeat(43),
      accessTokenExpiresAt: now + 3600,
      refreshed: false,
      idTokenJti: 'j',
    },
  }
  const user = { sub: 'x'.repeat(43), issuer: 'https://op.example.it', personType: 'natural', fiscalNumber: 'LVLDAA85T50G702B' }
  const isAuthenticated = function (this: Request) {
    return Boolean(this.user)
  }
  const makeRequest = () => {
    const req = Object.create(proto) as Request & Record<string, unknown>
    req.headers = { accept: BROWSER_ACCEPT, host: 'rp.example.it' }
    req.method = 'GET'
    req.url = '/guarded'
    req.originalUrl = '/guarded'
    req.session = session as unknown as Request['session']
    req.sessionID = 'sid'
    req.user = user as unknown as Express.User
    req.isAuthenticated = isAuthenticated as Request['isAuthenticated']
    return req
  }
  const res = {} as Response
  const context = spidContext(strategy)
  const guard = requireSpidLevel(2)

  async function timeLoop(run: (req: Request, done: NextFunction) => void): Promise<number> {
    let finished = 0
    const done = ((error?: unknown) => {
      if (error) throw error
      finished++
    }) as NextFunction
    const start = performance.now()
    for (let i = 0; i < perRound; i++) run(makeRequest(), done)
    while (finished < perRound) await new Promise((resolve) => setImmediate(resolve))
    return ((performance.now() - start) * 1000) / perRound
  }
  const plain = () => timeLoop((req, done) => (req.isAuthenticated() ? done() : undefined))
  const guarded = () => timeLoop((req, done) => context(req, res, () => guard(req, res, done)))
  // Warm-up: let V8 optimize both paths before anything is kept.
  for (let i = 0; i < 3; i++) {
    await plain()
    await guarded()
  }
  const series = await alternate(rounds, plain, guarded)
  const plainMicros = median(series.baseline)
  const guardedMicros = median(series.subject)
  return { plainMicros, guardedMicros, overheadMicros: median(series.subject.map((s, i) => s - (series.baseline[i] as number))) }
}
