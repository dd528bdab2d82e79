/**
 * The benchmark's targets (issue 8; information only, never a failure) and the printed report.
 */
import {round} from './stats.js'

/** Every target: the figure's path in the results, how to read it, and the comparison. */
export const TARGETS = [
  {id: 'json_cpu_us', label: 'gateway CPU per non-streaming request', unit: 'µs', max: 150},
  {id: 'stream_cpu_us', label: 'gateway CPU per streaming request (20 chunks)', unit: 'µs', max: 250},
  {id: 'json_rps_ratio', label: 'gateway RPS / direct RPS, non-streaming', unit: '%', min: 20, scale: 100},
  {id: 'stream_rps_ratio', label: 'gateway RPS / direct RPS, streaming', unit: '%', min: 20, scale: 100},
  {id: 'added_p50_one_connection_ms', label: 'added p50 latency, one connection', unit: 'ms', max: 0.3},
  {id: 'added_first_chunk_ms', label: 'added time to first streamed chunk (p50)', unit: 'ms', max: 0.5},
  {id: 'rss_idle_mb', label: 'RSS idle', unit: 'MB', max: 60},
  {id: 'rss_peak_mb', label: 'RSS peak under load', unit: 'MB', max: 120},
  {
    id: 'rss_after_mb',
    label: 'RSS 30 s after the load',
    unit: 'MB',
    maxFrom: (figures) => figures.rss_idle_mb + 20,
    maxText: 'idle + 20',
  },
  {id: 'routing_2kb_p99_us', label: 'routing decision p99, 2 KB request', unit: 'µs', max: 100},
  {id: 'routing_100kb_p99_us', label: 'routing decision p99, 100 KB request', unit: 'µs', max: 2000},
  {
    id: 'soak_rss_trend_mb_per_min',
    label: 'soak RSS trend (after the ramp; 0 when r² < 0.3)',
    unit: 'MB/min',
    max: 0.5,
  },
  {id: 'soak_errors', label: 'soak errors', unit: '', max: 0},
]

/** The targets that have a figure, with the verdict: `{label, value, target, ok}`. */
export function evaluateTargets(figures) {
  const out = []
  for (const target of TARGETS) {
    const raw = figures[target.id]
    if (raw === undefined || raw === null) continue
    const value = raw * (target.scale ?? 1)
    const max = target.maxFrom ? target.maxFrom(figures) : target.max
    const ok = target.min !== undefined ? value >= target.min : value <= max
    const bound = target.min !== undefined ? `≥ ${target.min}` : `≤ ${target.maxText ?? max}`
    out.push({
      id: target.id,
      label: target.label,
      value: round(value, 2),
      unit: target.unit,
      target: `${bound} ${target.unit}`.trim(),
      ok,
    })
  }
  return out
}

/** Lays out rows of cells as aligned columns (first column left-aligned, the others right-aligned). */
export function table(rows, indent = '  ') {
  const widths = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, String(cell ?? '').length)))
  return rows
    .map(
      (row) =>
        indent +
        row
          .map((cell, i) => (i === 0 ? String(cell ?? '').padEnd(widths[i]) : String(cell ?? '').padStart(widths[i])))
          .join('   ')
          .trimEnd(),
    )
    .join('\n')
}

/** `12 345` style thousands for readability. */
export function int(value) {
  if (value === null || value === undefined) return '–'
  return Math.round(value).toLocaleString('en-US').replaceAll(',', ' ')
}

/** A number with fixed decimals and a unit, or `–`. */
export function num(value, digits, unit = '') {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–'
  return `${value.toFixed(digits)}${unit ? ' ' + unit : ''}`
}

/** `+0.21 ms` for added latency. */
export function signed(value, digits, unit) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–'
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)} ${unit}`
}

/** `✓ ≤ 150 µs` / `✗ ≤ 150 µs` for a figure with a target. */
export function verdict(checks, id) {
  const check = checks.find((c) => c.id === id)
  return check ? `${check.ok ? '✓' : '✗'} ${check.target}` : ''
}
