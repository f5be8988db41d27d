/** Small statistics for benchmarks on noisy machines: medians of alternating rounds. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/**
 * Runs `baseline` and `subject` in alternation for `rounds` rounds (the order flips every round,
 * so drift in machine load hits both sides alike) and returns both series.
 */
export async function alternate<T>(rounds: number, baseline: () => Promise<T> | T, subject: () => Promise<T> | T): Promise<{ baseline: T[]; subject: T[] }> {
  const out = { baseline: [] as T[], subject: [] as T[] }
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      out.baseline.push(await baseline())
      out.subject.push(await subject())
    } else {
      out.subject.push(await subject())
      out.baseline.push(await baseline())
    }
  }
  return out
}

/** Median of the per-round ratios subject ÷ baseline: each ratio compares two neighbours in time. */
export function medianRatio(series: { baseline: readonly number[]; subject: readonly number[] }): number {
  return median(series.subject.map((s, i) => s / (series.baseline[i] as number)))
}

export const round = (value: number, digits = 2) => Number(value.toFixed(digits))
