/**
 * The rounding of every figure that audit events, `--json` outputs and explanations carry: to a fixed number of
 * decimals, milliseconds to the microsecond.
 */

/** `value` rounded to `digits` decimals (null stays null); -0 comes out as 0, which JSON and tests show as plain 0. */
export function roundTo(value: number, digits: number): number
export function roundTo(value: number | null, digits: number): number | null
export function roundTo(value: number | null, digits: number): number | null {
  if (value === null) return null
  const factor = 10 ** digits
  return Math.round(value * factor) / factor + 0
}

/** Milliseconds rounded to the microsecond (three decimals), as every latency in the audit log. */
export function roundMs(ms: number): number {
  return roundTo(ms, 3)
}
