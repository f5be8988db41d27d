/** One check of `doctor`: what was checked, its outcome, and why, in plain words. */
export interface DoctorStep {
  name: string
  /** `skip`: not run, because a step it needs failed. */
  status: 'pass' | 'fail' | 'warn' | 'skip'
  detail: string
}

export interface DoctorReport {
  /** True when no step failed (warnings allowed). */
  ok: boolean
  /** The relying party checked. */
  entityId: string
  trustAnchor: string
  steps: DoctorStep[]
}

const MARKS: Record<DoctorStep['status'], string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' }

/** The report as a newcomer reads it: one line per step, the reason indented below, a verdict last. */
export function formatDoctorReport(report: DoctorReport): string {
  const lines = [`passport-spid-oidc doctor: ${report.entityId} through ${report.trustAnchor}`, '']
  for (const step of report.steps) {
    lines.push(`${MARKS[step.status]}  ${step.name}`)
    for (const line of step.detail.split('\n')) lines.push(`      ${line}`)
  }
  const failed = report.steps.filter((s) => s.status === 'fail').length
  const warned = report.steps.filter((s) => s.status === 'warn').length
  lines.push('')
  lines.push(
    failed === 0
      ? `No check failed: ${report.steps.length - warned} passed${warned ? `, ${warned} with a warning to read` : ''}.`
      : `${failed} of ${report.steps.length} checks failed: fix the first one first, the others may follow from it.`,
  )
  return lines.join('\n')
}
