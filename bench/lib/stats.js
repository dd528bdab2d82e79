/** Small statistics for the benchmark report. */

/** Arithmetic mean; null for an empty list. */
export function mean(values) {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length
}

/** The value at quantile `q` (0–1) of the numbers, nearest rank; null for an empty list. */
export function quantile(values, q) {
  if (values.length === 0) return null
  const sorted = Float64Array.from(values).sort()
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}

/** Least-squares line through `[x, y]` points: `{slope, intercept, r2}`; null with fewer than 2 distinct x. */
export function linearFit(points) {
  const n = points.length
  if (n < 2) return null
  let sx = 0
  let sy = 0
  for (const [x, y] of points) {
    sx += x
    sy += y
  }
  const mx = sx / n
  const my = sy / n
  let sxx = 0
  let sxy = 0
  let syy = 0
  for (const [x, y] of points) {
    sxx += (x - mx) ** 2
    sxy += (x - mx) * (y - my)
    syy += (y - my) ** 2
  }
  if (sxx === 0) return null
  const slope = sxy / sxx
  return {slope, intercept: my - slope * mx, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy)}
}

/** Rounds to `digits` decimals (numbers only; null stays null). */
export function round(value, digits = 1) {
  if (value === null || value === undefined || !Number.isFinite(value)) return value ?? null
  const f = 10 ** digits
  return Math.round(value * f) / f
}
