/**
 * Text formatting shared by the dashboard and the plain request log: latencies, percentages, attempt chains
 * (`gpt-5.2 ✗503 → gemini-2.5-flash ✓`), sparklines, and width-aware truncation and padding.
 */
import type {AttemptSummary, ErrorType} from '../core/audit/schema.js'

/** `0.4ms`, `420ms`, `1.9s`, `42s`, `2m03s`; `–` for no value. */
export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–'
  if (ms < 10) return `${Math.round(ms * 10) / 10}ms`
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)}s`
  if (ms < 60_000) return `${Math.round(ms / 1000)}s`
  const minutes = Math.floor(ms / 60_000)
  const seconds = Math.round((ms % 60_000) / 1000)
  return `${minutes}m${String(seconds).padStart(2, '0')}s`
}

/** `98.1%` from 0.981; `–` for no value. */
export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '–'
  if (ratio >= 1) return '100%'
  if (ratio <= 0) return '0%'
  const text = (ratio * 100).toFixed(digits)
  // 99.97% must not read as 100%: only a perfect record does.
  return `${Number(text) >= 100 ? (100 - 10 ** -digits).toFixed(digits) : text}%`
}

/** `1h02m`, `3m20s`, `12s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000))
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours}h${String(minutes % 60).padStart(2, '0')}m`
  return `${Math.floor(hours / 24)}d${String(hours % 24).padStart(2, '0')}h`
}

/** `12,345`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}

/** An estimated amount in US dollars: `$0.0042`, `$0.418`, `$12.40`, `-$0.0011`, with the precision small sums need. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0'
  if (usd < 0) return `-${formatUsd(-usd)}`
  if (usd < 0.01) return `$${usd.toFixed(4)}`
  if (usd < 1) return `$${usd.toFixed(3)}`
  return `$${usd.toFixed(2)}`
}

/** `openai/gpt-5.2` → `gpt-5.2`. */
export function shortModel(key: string): string {
  const slash = key.indexOf('/')
  return slash === -1 ? key : key.slice(slash + 1)
}

/** The distinctive part of a request id: `req_3f9a2c1d7e` → `3f9a2c`. */
export function shortRequestId(id: string, length = 8): string {
  const bare = id.replace(/^(req|chatcmpl|resp)[_-]/, '')
  return bare.length <= length ? bare : bare.slice(0, length)
}

const ERROR_LABELS: Record<ErrorType, string> = {
  connect_timeout: 'timeout',
  connect_error: 'conn',
  connection_reset: 'reset',
  headers_timeout: 'timeout',
  idle_timeout: 'idle',
  upstream_status: 'status',
  response_too_large: 'too-large',
  protocol_error: 'protocol',
  auth_unavailable: 'auth',
  client_abort: 'abort',
  internal: 'internal',
}

/** `✓`, `✗503`, `✗timeout`: how one attempt ended. */
export function attemptMark(attempt: Pick<AttemptSummary, 'ok' | 'status' | 'error_type'>): string {
  if (attempt.ok) return '✓'
  if (attempt.error_type && attempt.error_type !== 'upstream_status') return `✗${ERROR_LABELS[attempt.error_type]}`
  return attempt.status === null ? '✗' : `✗${attempt.status}`
}

/**
 * The attempt chain, `gpt-5.2 ✗503 → gemini-2.5-flash ✓`. Models are named by their id (`full` for routing keys);
 * the account is added when two attempts in the chain share a model (a fallback between accounts).
 */
export function formatAttemptChain(attempts: readonly AttemptSummary[], options: {full?: boolean} = {}): string {
  if (attempts.length === 0) return '–'
  const models = attempts.map((a) => a.model)
  const repeated = new Set(models.filter((m, i) => models.indexOf(m) !== i))
  return attempts
    .map((a) => {
      const name = options.full ? a.model : shortModel(a.model)
      return `${repeated.has(a.model) ? `${name}@${a.account}` : name} ${attemptMark(a)}`
    })
    .join(' → ')
}

const SPARK = '▁▂▃▄▅▆▇█'

/**
 * Shrinks a series to at most `width` points (the newest last), each the mean of its group weighted by `weights`
 * (e.g. attempts per bucket); a group without values is null.
 */
export function downsample(
  values: ReadonlyArray<number | null>,
  weights: ReadonlyArray<number>,
  width: number,
): Array<number | null> {
  if (values.length <= width) return [...values]
  const group = Math.ceil(values.length / width)
  const out: Array<number | null> = []
  for (let end = values.length; end > 0; end -= group) {
    let sum = 0
    let weight = 0
    for (let i = Math.max(0, end - group); i < end; i++) {
      const value = values[i]
      if (value === null) continue
      const w = Math.max(1, weights[i] ?? 1)
      sum += value * w
      weight += w
    }
    out.unshift(weight === 0 ? null : sum / weight)
  }
  return out
}

/**
 * A sparkline of the last `width` values; null is a gap. Values are scaled to `max` (default: the largest value),
 * so the lowest block also means "measured, and low".
 */
export function sparkline(values: ReadonlyArray<number | null>, width: number, max?: number): string {
  const tail = values.slice(-width)
  const top = max ?? Math.max(0, ...tail.map((v) => v ?? 0))
  const chars = tail.map((v) => {
    if (v === null) return ' '
    if (top <= 0) return SPARK[0]
    const level = Math.round((Math.min(v, top) / top) * (SPARK.length - 1))
    return SPARK[Math.max(0, level)]
  })
  return chars.join('').padStart(width, ' ')
}

/** Cuts `text` to `width` characters, ending with `…` when cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return ''
  const chars = Array.from(text)
  if (chars.length <= width) return text
  if (width === 1) return '…'
  return chars.slice(0, width - 1).join('') + '…'
}

/** Truncates or pads `text` to exactly `width` characters (right-aligned with `align: 'right'`). */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = truncate(text, width)
  const pad = width - Array.from(cut).length
  if (pad <= 0) return cut
  return align === 'right' ? ' '.repeat(pad) + cut : cut + ' '.repeat(pad)
}

/** `HH:MM:SS` in local time, from an ISO timestamp. */
export function formatClock(ts: string): string {
  const date = new Date(ts)
  if (Number.isNaN(date.getTime())) return '--:--:--'
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':')
}

const TASK_LABELS: Record<string, string> = {instruction_following: 'instruct'}
const COMPLEXITY_LABELS: Record<string, string> = {medium: 'med'}

/** `coding/high`, `instruct/med`: task and complexity in at most 14 characters. */
export function formatTaskComplexity(task: string | null | undefined, complexity: string | null | undefined): string {
  if (!task && !complexity) return '–'
  return `${task ? (TASK_LABELS[task] ?? task) : '?'}/${complexity ? (COMPLEXITY_LABELS[complexity] ?? complexity) : '?'}`
}
