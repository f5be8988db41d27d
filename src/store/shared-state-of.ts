import type { Request } from 'express'
import type { ProtocolContext } from '../protocol/protocol-context.ts'
import type { SharedState } from './shared-state.ts'

/**
 * The shared state of the instances serving this request: the one `createSpidSession` attached to
 * its session store (on Redis when sessions are), else the process's own.
 */
export function sharedStateOf(req: Request, ctx: ProtocolContext): SharedState {
  return (req.sessionStore as { shared?: SharedState } | undefined)?.shared ?? ctx.localShared
}
