import type { HasSpidRuntime } from '../core/spid-runtime.ts'
import { SpidConfigError } from '../errors/spid-error.ts'
import type { DoctorReport } from './report.ts'
import { runDoctor } from './run-doctor.ts'

/**
 * The RP checks itself as `doctor` would, against one of its `trustAnchors` (the first, unless
 * named): its entity configuration as served, its trust marks, and that the anchor has a
 * statement about it whose policy accepts its metadata. Call it once the app listens (the RP
 * fetches its own entity configuration), at start-up or from an admin route; it changes nothing.
 */
export async function checkFederationSetup(strategy: HasSpidRuntime, { trustAnchor }: { trustAnchor?: string } = {}): Promise<DoctorReport> {
  const { options, federationFetch } = strategy.runtime
  const anchor = options.trustAnchors.find((a) => trustAnchor === undefined || a.entityId === trustAnchor)
  if (!anchor)
    throw new SpidConfigError([`trustAnchors: ${trustAnchor ?? 'no trust anchor'} is not configured; checkFederationSetup checks against a pinned anchor`])
  return runDoctor({
    entityId: options.clientId,
    anchor,
    providers: false,
    fetch: federationFetch,
    now: strategy.runtime.now(),
    clockTolerance: options.clockTolerance,
  })
}
