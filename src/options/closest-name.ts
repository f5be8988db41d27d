/**
 * The known name a misspelled one was most likely meant to be (`defautLevel` → `defaultLevel`,
 * `--jsn` → `--json`): the nearest by edit distance, if it is near enough to be a typo (at most
 * 2 edits, and fewer than a third of the name), else undefined.
 */
export function closestName(given: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined
  for (const name of known) {
    const distance = editDistance(given.toLowerCase(), name.toLowerCase())
    if (!best || distance < best.distance) best = { name, distance }
  }
  if (!best || best.name === given) return undefined
  // Distance 0 here is a difference of case only (`clientID`): always a typo.
  return best.distance <= Math.min(2, Math.ceil(given.length / 3)) ? best.name : undefined
}

/** Levenshtein distance, with a swap of two neighbouring letters counted as one edit. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, at(i - 2, j - 2) + 1)
      ;(rows[i] as number[])[j] = d
    }
  }
  return at(a.length, b.length)
}
