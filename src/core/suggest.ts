/** "Did you mean …" suggestions by edit distance, used for unknown keys, providers, models and profiles. */

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase()
  const t = b.toLowerCase()
  if (s === t) return 0
  const rows = s.length + 1
  const cols = t.length + 1
  const d: number[][] = Array.from({length: rows}, (_, i) =>
    Array.from({length: cols}, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
    }
  }
  return d[rows - 1][cols - 1]
}

/**
 * Up to `limit` candidates closest to `input`, best first. A candidate counts when its distance is at most about
 * half the input's length, or when one contains the other (`sonet` → `sonnet`, `gpt5` → `gpt-5`).
 * `candidates` may map a spelling to the value to suggest (an alias to its canonical key); values are deduplicated.
 */
export function suggest(input: string, candidates: Iterable<string> | Map<string, string>, limit = 3): string[] {
  const pairs: Array<[string, string]> =
    candidates instanceof Map ? [...candidates.entries()] : [...candidates].map((candidate) => [candidate, candidate])
  const needle = input.toLowerCase()
  const squash = (text: string) => text.toLowerCase().replace(/[-_.:\s]/g, '')
  const squashed = squash(input)
  const best = new Map<string, number>()
  for (const [spelling, value] of pairs) {
    const threshold = Math.max(2, Math.ceil(Math.min(input.length, spelling.length) / 2))
    const contains = needle.length >= 3 && (spelling.toLowerCase().includes(needle) || squash(spelling) === squashed)
    // The distance is at least the difference in length: a name far longer than any candidate (a client can send a
    // megabyte as `model`) is not compared at all, which would cost its length times the candidate's.
    if (!contains && Math.abs(input.length - spelling.length) > threshold) continue
    let distance = editDistance(input, spelling)
    if (distance > threshold && !contains) continue
    if (contains) distance = Math.min(distance, 1)
    const previous = best.get(value)
    if (previous === undefined || distance < previous) best.set(value, distance)
  }
  const ranked = [...best.entries()].sort(
    (a, b) => a[1] - b[1] || a[0].length - b[0].length || a[0].localeCompare(b[0]),
  )
  // Far worse than the best guess is noise: keep those within twice its distance.
  const cutoff = ranked.length > 0 ? Math.max(ranked[0][1] * 2, ranked[0][1] + 1) : 0
  return ranked
    .filter(([, distance]) => distance <= cutoff)
    .slice(0, limit)
    .map(([value]) => value)
}

/** `did you mean \`a\`, \`b\` or \`c\`?`, or undefined when there is nothing to suggest. */
export function didYouMean(suggestions: string[]): string | undefined {
  if (suggestions.length === 0) return undefined
  const quoted = suggestions.map((s) => `\`${s}\``)
  const list = quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`
  return `did you mean ${list}?`
}
