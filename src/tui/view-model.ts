/**
 * Pure view logic of the dashboard (no React): row filtering, health of a model or target, the columns that fit a
 * width, the decision log's cells and the detail view's lines. Components only lay these out and colour them.
 */
import type {CooldownEntry, ModelMetrics, SessionMetrics, TargetMetrics} from '../core/metrics/schema.js'
import type {DecisionRow} from './dashboard-store.js'
import {
  attemptMark,
  fit,
  formatAttemptChain,
  formatClock,
  formatCount,
  formatLatency,
  formatTaskComplexity,
  formatUsd,
  shortRequestId,
} from './format.js'

/** A piece of text with an optional colour; nothing may depend on the colour alone. */
export interface Segment {
  text: string
  color?: string
  bold?: boolean
  dim?: boolean
}

export type Health = 'ok' | 'degraded' | 'cooling' | 'half_open' | 'open' | 'idle'

/** Failure EWMA from which a model or target is shown as degraded. */
export const DEGRADED_FAILURE_RATE = 0.2

/** Health of a model or target: the breaker first, then a cool-down after a 429, then the failure EWMA. */
export function healthOf(metrics: ModelMetrics | TargetMetrics): Health {
  if (metrics.breaker === 'open') return 'open'
  if (metrics.breaker === 'half_open') return 'half_open'
  if ('cooldown_until' in metrics && metrics.cooldown_until !== null) return 'cooling'
  if (metrics.samples === 0) return 'idle'
  if ((metrics.failure_ewma ?? 0) >= DEGRADED_FAILURE_RATE) return 'degraded'
  if ('open_targets' in metrics && metrics.open_targets > 0) return 'degraded'
  return 'ok'
}

/** Symbol, word and colour of each health state (the symbol and word carry the meaning; colour only helps). */
export const HEALTH_STYLE: Record<Health, {symbol: string; label: string; color: string}> = {
  ok: {symbol: '●', label: 'ok', color: 'green'},
  degraded: {symbol: '▲', label: 'degraded', color: 'yellow'},
  cooling: {symbol: '◷', label: 'cooling', color: 'magenta'},
  half_open: {symbol: '◐', label: 'probing', color: 'cyan'},
  open: {symbol: '✖', label: 'open', color: 'red'},
  idle: {symbol: '○', label: 'idle', color: 'gray'},
}

/** Colour of an HTTP status. */
export function statusColor(status: number | null | undefined): string | undefined {
  if (status === null || status === undefined) return undefined
  if (status < 300) return 'green'
  if (status < 500) return 'yellow'
  return 'red'
}

/**
 * Whether a row matches the filter: every word of it must appear (case-insensitive) in the row's models, accounts,
 * task, complexity, status, outcome or error type.
 */
export function rowMatches(row: DecisionRow, filter: string): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean)
  if (words.length === 0) return true
  const haystack = rowSearchText(row)
  return words.every((word) => haystack.includes(word))
}

function rowSearchText(row: DecisionRow): string {
  const {decision, terminal} = row
  const parts: Array<string | null | undefined> = [
    row.requestId,
    decision?.selected_model,
    decision?.task,
    decision?.complexity,
    terminal?.model,
    terminal?.account,
    terminal?.task,
    terminal?.complexity,
    terminal ? String(terminal.status) : 'pending',
    terminal?.outcome,
    terminal?.error_type,
    terminal?.error_code,
    terminal?.stream || decision?.stream ? 'stream' : undefined,
  ]
  for (const attempt of terminal?.attempts ?? [])
    parts.push(
      attempt.model,
      attempt.account,
      attempt.status === null ? null : String(attempt.status),
      attempt.error_type,
    )
  return parts.filter(Boolean).join(' ').toLowerCase()
}

/** Widths of the decision log's columns for a terminal width. */
export interface LogColumns {
  time: number
  id: number
  task: number
  /** Narrow layouts merge model and attempts into one column. */
  merged: boolean
  model: number
  account: number
  attempts: number
  status: number
  latency: number
  stream: number
}

/** Fits the decision log's columns into `width` (one space between columns). */
export function logColumns(width: number): LogColumns {
  const time = 8
  const id = width >= 100 ? 8 : 6
  const task = 14
  const status = 3
  const latency = 6
  const stream = 1
  if (width >= 120) {
    const model = 30
    const account = 16
    const fixed = time + id + task + model + account + status + latency + stream + 8
    return {
      time,
      id,
      task,
      merged: false,
      model,
      account,
      attempts: Math.max(10, width - fixed - 1),
      status,
      latency,
      stream,
    }
  }
  const account = width >= 100 ? 14 : 0
  const fixed = time + id + task + account + status + latency + stream + (account ? 7 : 6)
  return {
    time,
    id,
    task,
    merged: true,
    model: Math.max(10, width - fixed - 1),
    account,
    attempts: 0,
    status,
    latency,
    stream,
  }
}

/** The cells of one decision log row, each already fitted to its column. */
export function logRowSegments(row: DecisionRow, columns: LogColumns): Segment[] {
  const {decision, terminal} = row
  const segments: Segment[] = []
  const push = (text: string, width: number, options: Omit<Segment, 'text'> & {align?: 'left' | 'right'} = {}) => {
    if (width <= 0) return
    // The separating space takes the style of the previous cell, so that unstyled neighbours merge into one node.
    if (segments.length > 0)
      segments[segments.length - 1] = Object.assign({}, segments[segments.length - 1], {
        text: segments[segments.length - 1].text + ' ',
      })
    segments.push({text: fit(text, width, options.align), color: options.color, bold: options.bold, dim: options.dim})
  }
  push(formatClock(row.ts), columns.time, {dim: true})
  push(shortRequestId(row.requestId, columns.id), columns.id, {dim: true})
  push(
    formatTaskComplexity(terminal?.task ?? decision?.task, terminal?.complexity ?? decision?.complexity),
    columns.task,
  )
  const model = terminal?.model ?? decision?.selected_model ?? '–'
  const attempts = terminal?.attempts ?? []
  const failed = terminal !== undefined && terminal.outcome !== 'success'
  if (columns.merged) {
    let text: string
    if (!terminal) text = `${model} …`
    else if (attempts.length > 1) text = formatAttemptChain(attempts)
    else if (attempts.length === 1) text = `${model} ${attemptMark(attempts[0])}`
    else text = terminal.error_code ? `rejected: ${terminal.error_code}` : terminal.outcome
    push(text, columns.model, {color: failed ? 'red' : attempts.length > 1 ? 'yellow' : undefined})
    if (columns.account) push(terminal?.account ?? '', columns.account, {dim: true})
  } else {
    push(model, columns.model)
    push(terminal?.account ?? '', columns.account, {dim: true})
    let chain = '…'
    if (terminal)
      chain = attempts.length === 0 ? (terminal.error_code ?? terminal.outcome) : formatAttemptChain(attempts)
    push(chain, columns.attempts, {color: failed ? 'red' : attempts.length > 1 ? 'yellow' : undefined})
  }
  push(terminal ? String(terminal.status) : '…', columns.status, {color: statusColor(terminal?.status), align: 'right'})
  push(terminal ? formatLatency(terminal.latency_ms) : '', columns.latency, {align: 'right'})
  push((terminal?.stream ?? decision?.stream) ? '~' : ' ', columns.stream, {dim: true})
  return segments
}

/** The decision log's header line for the same columns. */
export function logHeader(columns: LogColumns): string {
  const cells = [fit('time', columns.time), fit('id', columns.id), fit('task/cx', columns.task)]
  if (columns.merged) {
    cells.push(fit('model / attempts', columns.model))
    if (columns.account) cells.push(fit('account', columns.account))
  } else {
    cells.push(fit('model', columns.model), fit('account', columns.account), fit('attempts', columns.attempts))
  }
  cells.push(fit('st', columns.status, 'right'), fit('time', columns.latency, 'right'), '~')
  return cells.join(' ')
}

/** The full explanation of one request, line by line. */
export function detailLines(row: DecisionRow): Segment[][] {
  const {decision, terminal} = row
  const lines: Segment[][] = []
  const heading = (text: string) => lines.push([{text, bold: true}])

  lines.push([
    {text: `Request ${row.requestId}`, bold: true},
    {text: `  ${row.ts}`, dim: true},
  ])
  if (decision) {
    const routing = decision.source === 'auto' ? 'auto-routed' : `client asked for ${decision.requested_model ?? '?'}`
    lines.push([
      {
        text: `${decision.endpoint}${decision.stream ? ' (stream)' : ''} · ${routing} · profile ${decision.profile ?? '–'} · decided in ${formatLatency(decision.decision_ms)}`,
        dim: true,
      },
    ])
    lines.push([
      {text: 'task '},
      {text: `${decision.task} / ${decision.complexity}`, bold: true},
      {text: ' → '},
      {text: decision.selected_model, bold: true},
      {text: decision.fallback_models.length ? `, then ${decision.fallback_models.join(', ')}` : '', dim: true},
    ])
  } else {
    lines.push([
      {text: 'No route_decision seen for this request (it came before the tail started, or was rejected).', dim: true},
    ])
  }
  if (terminal) {
    const ok = terminal.outcome === 'success'
    const detail = [terminal.error_type, terminal.error_code].filter(Boolean).join(', ')
    lines.push([
      {
        text: `${ok ? '✓' : '✗'} ${terminal.outcome}${detail ? ` (${detail})` : ''}`,
        color: ok ? 'green' : 'red',
        bold: true,
      },
      {text: ' · status '},
      {text: String(terminal.status), color: statusColor(terminal.status)},
      {
        text: ` · ${formatLatency(terminal.latency_ms)}${terminal.principal ? ` · principal ${terminal.principal}` : ''}`,
      },
    ])
  } else {
    lines.push([{text: '… in flight', color: 'cyan'}])
  }
  const feedback = row.feedback
  if (feedback) {
    const how =
      feedback.source === 'retry' ? `the client asked again (${feedback.by_request_id ?? '?'})` : 'judged by the client'
    lines.push([
      {text: `quality: ${feedback.verdict}`, bold: true, color: feedback.verdict === 'bad' ? 'red' : 'green'},
      {text: ` · ${how}${feedback.comment ? `: “${feedback.comment}”` : ''}`, dim: true},
    ])
  }

  if (decision) {
    lines.push([])
    heading(`Signals (${decision.signals.length})`)
    if (decision.signals.length === 0) lines.push([{text: '  none', dim: true}])
    for (const signal of decision.signals) {
      const weight = `${signal.weight >= 0 ? '+' : ''}${signal.weight.toFixed(2)}`
      lines.push([
        {text: '  ' + fit(signal.name, 22)},
        {text: ' ' + fit(signal.target, 22), dim: true},
        {text: ' ' + fit(weight, 6, 'right'), color: signal.weight >= 0 ? 'green' : 'yellow'},
        {text: signal.detail ? `  ${signal.detail}` : '', dim: true},
      ])
    }
    lines.push([])
    heading(`Candidates (${decision.candidates.length})`)
    for (const candidate of decision.candidates) {
      const rank = candidate.rank === null ? '  –' : fit(`#${candidate.rank}`, 3, 'right')
      const score = candidate.score === null ? '' : candidate.score.toFixed(3)
      lines.push([
        {text: `  ${rank} `},
        {text: fit(candidate.model, 34), bold: candidate.model === decision.selected_model, dim: candidate.excluded},
        {text: ' ' + fit(score, 6, 'right')},
        candidate.excluded ? {text: `  excluded: ${candidate.exclusion ?? '?'}`, color: 'yellow'} : {text: ''},
      ])
    }
  }

  lines.push([])
  const attempts = terminal?.attempts ?? []
  heading(`Attempts (${attempts.length})`)
  if (attempts.length === 0)
    lines.push([
      {text: terminal ? '  none: the request was not sent upstream' : '  … waiting for the result', dim: true},
    ])
  attempts.forEach((attempt, index) => {
    lines.push([
      {text: `  ${index + 1}. `},
      {text: fit(attempt.model, 30)},
      {text: ' ' + fit(attempt.account, 16), dim: true},
      {text: ' ' + fit(attemptMark(attempt), 10), color: attempt.ok ? 'green' : 'red'},
      {text: ' ' + fit(formatLatency(attempt.latency_ms), 7, 'right')},
      {text: attempt.error_type ? `  ${attempt.error_type}` : '', dim: true},
    ])
  })
  return lines
}

/** One line of the model table. */
export interface TableLine {
  kind: 'model' | 'target'
  name: string
  metrics: ModelMetrics | TargetMetrics
}

/** Models by share of traffic (then name), each followed by its account targets when `withTargets`. */
export function tableLines(
  models: readonly ModelMetrics[],
  targets: readonly TargetMetrics[],
  withTargets: boolean,
): TableLine[] {
  const sorted = [...models].sort((a, b) => b.share - a.share || b.samples - a.samples || (a.model < b.model ? -1 : 1))
  const lines: TableLine[] = []
  for (const model of sorted) {
    lines.push({kind: 'model', name: model.model, metrics: model})
    if (!withTargets) continue
    for (const target of targets)
      if (target.model === model.model) lines.push({kind: 'target', name: target.account, metrics: target})
  }
  return lines
}

/** Widths of the model table's columns for a terminal width. */
export interface TableColumns {
  name: number
  health: number
  latency: number
  p95: number
  failure: number
  samples: number
  share: number
  /** The models' prompt-cache hit ratio; 0 (left out) on narrow screens. */
  cache: number
  latencySpark: number
  failureSpark: number
}

export function tableColumns(width: number): TableColumns {
  const health = 10
  const latency = 7
  const p95 = width >= 100 ? 7 : 0
  const failure = 6
  const samples = 6
  const share = 5
  const cache = width >= 110 ? 5 : 0
  const failureSpark = width >= 120 ? 15 : width >= 100 ? 10 : 0
  const latencySpark = width >= 120 ? 15 : 10
  const used = health + latency + p95 + failure + samples + share + cache + latencySpark + failureSpark
  const gaps = [health, latency, p95, failure, samples, share, cache, latencySpark, failureSpark].filter(
    (w) => w > 0,
  ).length
  return {
    name: Math.max(12, width - used - gaps - 1),
    health,
    latency,
    p95,
    failure,
    samples,
    share,
    cache,
    latencySpark,
    failureSpark,
  }
}

/** The model table's header line. */
export function tableHeader(columns: TableColumns): string {
  const cells = [
    fit('model / account', columns.name),
    fit('health', columns.health),
    fit('ewma', columns.latency, 'right'),
  ]
  if (columns.p95) cells.push(fit('p95', columns.p95, 'right'))
  cells.push(
    fit('fail', columns.failure, 'right'),
    fit('n', columns.samples, 'right'),
    fit('share', columns.share, 'right'),
  )
  if (columns.cache) cells.push(fit('cache', columns.cache, 'right'))
  cells.push(fit('latency/1m', columns.latencySpark))
  if (columns.failureSpark) cells.push(fit('fail/1m', columns.failureSpark))
  return cells.join(' ')
}

/** Formats a sample count compactly: `987`, `12.3k`, `4.5M`. */
export function compactCount(n: number): string {
  if (n < 1000) return String(n)
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`
  return `${(n / 1_000_000).toFixed(1)}M`
}

/** The name cell of a table line: models by routing key, targets indented under them. */
export function tableName(line: TableLine, width: number): string {
  return line.kind === 'model' ? fit(line.name, width) : fit(`  └ ${line.name}`, width)
}

/**
 * The cool-downs line under the model table: each active cool-down with what cools (a model on an account, or a
 * whole account) and when it ends.
 */
export function cooldownSegments(cooldowns: readonly CooldownEntry[]): Segment[] {
  if (cooldowns.length === 0) return []
  const segments: Segment[] = [{text: 'cooling down: ', color: 'magenta', bold: true}]
  cooldowns.forEach((c, i) => {
    if (i > 0) segments.push({text: ' · ', dim: true})
    const what = c.model === null ? `${c.account} (whole account)` : `${c.model} via ${c.account}`
    segments.push({text: what}, {text: ` until ${formatClock(c.until)}`, dim: true})
  })
  return segments
}

/**
 * The sessions line of the header, once a turn of a session was routed:
 * `sessions 3 active (5m) · kept 12 · moved 2 · affinity saved $0.0123 on 10 turns` (`affinity cost $0.0040 more on 10
 * turns` when staying cost more than switching would have).
 */
export function sessionSegments(sessions: SessionMetrics | undefined): Segment[] {
  if (sessions === undefined) return []
  let turns = 0
  for (const count of Object.values(sessions.decisions)) turns += count
  if (turns === 0) return []
  const window = sessions.window_seconds % 60 === 0 ? `${sessions.window_seconds / 60}m` : `${sessions.window_seconds}s`
  const segments: Segment[] = [
    {text: 'sessions '},
    {text: formatCount(sessions.active), bold: true},
    {text: ` active (${window})`, dim: true},
    {text: ' · kept '},
    {text: formatCount(sessions.kept), bold: true},
    {text: ' · moved '},
    {text: formatCount(sessions.moved), bold: true, color: sessions.moved > 0 ? 'yellow' : undefined},
  ]
  if (sessions.priced_stays > 0) {
    // Net: staying can cost more than switching would have (a session kept on a dearer model it fell back to).
    const saved = sessions.affinity_saved_usd >= 0
    segments.push(
      {text: saved ? ' · affinity saved ' : ' · affinity cost '},
      {text: formatUsd(Math.abs(sessions.affinity_saved_usd)), bold: true, color: saved ? 'green' : 'yellow'},
      ...(saved ? [] : [{text: ' more'}]),
      {text: ` on ${formatCount(sessions.priced_stays)} ${sessions.priced_stays === 1 ? 'turn' : 'turns'}`, dim: true},
    )
  }
  return segments
}
