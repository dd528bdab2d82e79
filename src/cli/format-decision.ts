/**
 * Text forms of a routing decision for `route explain`: the full report (task and complexity with the signals that
 * decided them, the candidate table, the selected model and the chain), one compact line per request for `--input`,
 * and the summary of many decisions. Pure functions: no I/O.
 */
import {roundUsd} from '../core/routing/model-info.js'
import type {Candidate, RoutingDecision, Signal} from '../core/routing/schema.js'
import {formatUsd} from '../tui/format.js'

/** How many signals the report shows for the task and for the complexity. */
const TOP_SIGNALS = 3
/** Characters of the prompt shown on a compact line. */
const PREVIEW_CHARS = 48

/**
 * The full human report of one decision. `notes` are printed first (e.g. "no config file: built-in profile");
 * `cooling`, the lines of the gateway's active cool-downs on the chain (`--log`/`--url`), after the chain.
 */
export function formatDecision(
  decision: RoutingDecision,
  notes: readonly string[] = [],
  cooling: readonly string[] = [],
): string {
  const lines: string[] = notes.map((note) => `Note: ${note}`)
  if (lines.length > 0) lines.push('')

  lines.push(label('Request', requestLine(decision)))
  lines.push(label('Task', `${decision.task}, confidence ${decision.confidence.toFixed(2)}`))
  lines.push(...signalLines(decision.signals.filter((s) => s.target === decision.task)))
  lines.push(label('Complexity', `${decision.complexity}, score ${decision.complexity_score.toFixed(2)}`))
  lines.push(...signalLines(decision.signals.filter((s) => s.target === 'complexity')))
  if (decision.session !== null) lines.push(label('Session', sessionLine(decision.session)))
  lines.push(label('Route', routeLine(decision)))
  lines.push('Candidates')
  lines.push(...candidateTable(decision.candidates).map((row) => `  ${row}`))
  lines.push(label('Selected', decision.selected_model))
  lines.push(label('Fallbacks', decision.fallback_models.length > 0 ? decision.fallback_models.join(' → ') : 'none'))
  lines.push(...cooling.map((line, i) => label(i === 0 ? 'Cooling' : '', line)))
  lines.push(label('Decided in', `${decision.decision_ms.toFixed(3)} ms`))
  return lines.join('\n')
}

/** One line per request: `#3  coding/high  → acme/large  [zen/large, acme/mid]  "Write a Python…"`. */
export function formatDecisionLine(line: number, decision: RoutingDecision, body: unknown): string {
  const chain = decision.fallback_models.length > 0 ? `  [${decision.fallback_models.join(', ')}]` : ''
  const explicit = decision.source === 'request' ? ' (requested)' : ''
  const preview = promptPreview(body)
  return `#${line}  ${`${decision.task}/${decision.complexity}`.padEnd(27)}→ ${decision.selected_model}${explicit}${chain}${
    preview ? `  ${JSON.stringify(preview)}` : ''
  }`
}

/** The compact line of a request that could not be routed or read. */
export function formatErrorLine(line: number, code: string, message: string): string {
  return `#${line}  ${'error'.padEnd(27)}${code}: ${message}`
}

/** Counts over many decisions, as `--input` prints them at the end. */
export interface ExplainSummary {
  requests: number
  routed: number
  /** Requests the router refused (unknown model, no candidates, no account, invalid router fields). */
  refused: number
  /** Lines that were not a request (bad JSON, wrong shape). */
  invalid: number
  task: Record<string, number>
  complexity: Record<string, number>
  selected_model: Record<string, number>
  /** Refusals by error code. */
  refusals: Record<string, number>
  /**
   * Estimated cost in USD of the routed requests on their selected models (each decision's `est_cost_usd` of the
   * selected candidate): what the profile would spend on this traffic, before fallbacks.
   */
  est_cost_usd: number
}

/** An empty summary to add to. */
export function emptySummary(): ExplainSummary {
  return {
    requests: 0,
    routed: 0,
    refused: 0,
    invalid: 0,
    task: {},
    complexity: {},
    selected_model: {},
    refusals: {},
    est_cost_usd: 0,
  }
}

/** Adds one outcome to `summary` (mutates it). */
export function addToSummary(
  summary: ExplainSummary,
  outcome: {decision: RoutingDecision} | {refused: string} | {invalid: true},
): void {
  summary.requests++
  if ('decision' in outcome) {
    summary.routed++
    count(summary.task, outcome.decision.task)
    count(summary.complexity, outcome.decision.complexity)
    count(summary.selected_model, outcome.decision.selected_model)
    const {selected_model: selected, candidates} = outcome.decision
    const cost = candidates.find((c) => c.model === selected && !c.excluded)?.est_cost_usd ?? 0
    summary.est_cost_usd = roundUsd(summary.est_cost_usd + cost)
  } else if ('refused' in outcome) {
    summary.refused++
    count(summary.refusals, outcome.refused)
  } else {
    summary.invalid++
  }
}

/** The summary as text: totals, then counts per task, complexity and model, most frequent first. */
export function formatSummary(summary: ExplainSummary): string {
  const totals = [`${summary.requests} request${summary.requests === 1 ? '' : 's'}`, `${summary.routed} routed`]
  if (summary.refused > 0) totals.push(`${summary.refused} refused`)
  if (summary.invalid > 0) totals.push(`${summary.invalid} unreadable`)
  const lines = ['Summary', `  ${totals.join(' · ')}`]
  const rows: Array<[string, Record<string, number>]> = [
    ['task', summary.task],
    ['complexity', summary.complexity],
    ['model', summary.selected_model],
    ['refused', summary.refusals],
  ]
  for (const [name, counts] of rows) {
    const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    if (entries.length === 0) continue
    lines.push(
      `  ${name.padEnd(11)}${entries.map(([key, n]) => `${key} ${n} (${percent(n, summary.requests)})`).join(' · ')}`,
    )
  }
  if (summary.routed > 0) {
    lines.push(
      `  ${'est. cost'.padEnd(11)}${formatUsd(summary.est_cost_usd)} for the ${summary.routed} routed on their selected models (estimated tokens)`,
    )
  }
  return lines.join('\n')
}

/** The text a user would recognise a request by: the last user message, the `input`, or the `prompt`, shortened. */
export function promptPreview(body: unknown, max = PREVIEW_CHARS): string {
  if (body === null || typeof body !== 'object') return ''
  const record = body as Record<string, unknown>
  let text = ''
  if (Array.isArray(record.messages)) {
    const users = record.messages.filter((m) => (m as {role?: unknown})?.role === 'user')
    text = contentText((users.at(-1) as {content?: unknown} | undefined)?.content)
  } else if (record.input !== undefined) {
    text = typeof record.input === 'string' ? record.input : contentText(lastUserInput(record.input))
  } else if (typeof record.prompt === 'string') {
    text = record.prompt
  }
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat
}

function lastUserInput(input: unknown): unknown {
  if (!Array.isArray(input)) return undefined
  const items = input.filter((item) => (item as {role?: unknown})?.role === 'user')
  return (items.at(-1) as {content?: unknown} | undefined)?.content
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content
    .map((part) => (typeof (part as {text?: unknown})?.text === 'string' ? (part as {text: string}).text : ''))
    .filter(Boolean)
    .join(' ')
}

function requestLine(decision: RoutingDecision): string {
  const parts: string[] = [decision.endpoint]
  const alias = decision.model_alias
  const mapped = alias ? ` (model_aliases: ${alias.pattern} → ${alias.target})` : ''
  if (decision.source === 'auto') parts.push(`model ${decision.requested_model ?? '(none)'} → auto${mapped}`)
  else if (alias) parts.push(`model ${decision.requested_model} → ${alias.target}${mapped}`)
  else parts.push(`model ${decision.requested_model ?? decision.route.models.join(', ')} (named by the request)`)
  const r = decision.requirements
  parts.push(
    `~${tokens(r.input_tokens)} input tokens${r.output_tokens === null ? '' : `, max ${tokens(r.output_tokens)} output`}`,
  )
  const needs = (['vision', 'tools', 'json_mode', 'streaming', 'embeddings', 'image_generation'] as const).filter(
    (k) => r[k],
  )
  if (needs.length > 0) parts.push(`needs ${needs.join(', ')}`)
  if (decision.provider_tools.length > 0) parts.push(`provider tools ${decision.provider_tools.join(', ')}`)
  return parts.join(' · ')
}

/** What session affinity did: `prefix:… · stay on openai/gpt-5.2 via alpha (cache warm until 10:15:00) · stay $0.0012, switch $0.0040`. */
function sessionLine(session: NonNullable<RoutingDecision['session']>): string {
  const via =
    session.previous_model === null
      ? ''
      : ` ${session.previous_model}${session.previous_account ? ` via ${session.previous_account}` : ''}`
  const warm = session.warm_until === null ? '' : ` (cache warm until ${session.warm_until.slice(11, 19)})`
  const what: Record<typeof session.affinity, string> = {
    new: 'its first turn seen',
    stay: `stays on${via}${warm}`,
    move_up: `moves up from${via}: this turn needs more`,
    downgrade: `moves down from${via}: cheaper by the config's margin with the cache lost`,
    cold: `routed on its own: the cache of${via} has gone cold`,
    unavailable: `routed on its own:${via} cannot take this turn`,
    off: 'affinity is off',
  }
  const parts = [`${session.id} (${session.source})`, what[session.affinity]]
  if (session.follow_up) parts.push(`a follow-up turn (alone: ${session.turn_complexity})`)
  else if (session.affinity === 'stay') parts.push(`this turn alone: ${session.turn_complexity}`)
  if (session.stay_cost_usd !== null || session.switch_cost_usd !== null) {
    parts.push(`stay ${usd(session.stay_cost_usd)}, switch ${usd(session.switch_cost_usd)}`)
  }
  return parts.join(' · ')
}

function usd(value: number | null): string {
  return value === null ? 'unknown' : `$${value < 0.01 ? value.toPrecision(2) : value.toFixed(4)}`
}

function routeLine(decision: RoutingDecision): string {
  const profile = decision.profile ? ` · profile ${decision.profile}` : ''
  if (decision.source === 'request') return `none: the request named its model${profile}`
  const {task, tier} = decision.route
  let why = ''
  if (task !== decision.task) why = ` (no ${decision.task} route; general is used)`
  else if (tier !== decision.complexity) why = ` (no ${decision.task}/${decision.complexity} models; next tier)`
  if (task === 'general' && tier === 'default' && decision.route.models.length === 1 && why !== '') {
    why = ` (no ${decision.task} or general route: default_model)`
  }
  return `${task}/${tier}${why}: ${decision.route.models.join(', ')}${profile}`
}

function signalLines(signals: readonly Signal[]): string[] {
  const top = [...signals].sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight)).slice(0, TOP_SIGNALS)
  const more = signals.length - top.length
  const width = Math.max(0, ...top.map((s) => s.name.length))
  const lines = top.map(
    (s) =>
      `${' '.repeat(12)}${signed(s.weight).padStart(6)}  ${s.name.padEnd(width)}${s.detail ? `  ${s.detail}` : ''}`,
  )
  if (more > 0) lines.push(`${' '.repeat(20)}(+${more} more signal${more === 1 ? '' : 's'})`)
  return lines
}

/** The candidate table, one row per candidate in chain order, kept ones with their score components. */
export function candidateTable(candidates: readonly Candidate[]): string[] {
  const header = ['#', 'model', 'source', 'score', 'qual', 'cost', 'lat', 'fail', 'order', 'est. $', 'why']
  const rows = candidates.map((c) => {
    const n = c.components
    const numbers =
      n && c.score !== null
        ? [
            ...[c.score, n.quality, n.cost, n.latency, n.failure, n.order].map(fixed),
            c.est_cost_usd === null ? '–' : formatUsd(c.est_cost_usd),
          ]
        : null
    const why = c.excluded ? `excluded: ${c.reasons.join('; ')}` : c.reasons.join('; ')
    // Excluded rows without a score put the reason right after the source instead of under the score columns.
    return {cells: [c.rank === null ? '–' : String(c.rank), c.model, c.source, ...(numbers ?? [])], why}
  })
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row.cells[i]?.length ?? 0)))
  const numeric = (i: number) => i >= 3 && i <= 9
  const render = (cells: string[], why: string) =>
    [...cells.map((cell, i) => (numeric(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))), why]
      .join('  ')
      .trimEnd()
  return [render(header.slice(0, -1), header.at(-1)!), ...rows.map((row) => render(row.cells, row.why))]
}

function label(name: string, value: string): string {
  return `${name.padEnd(12)}${value}`
}

function fixed(value: number): string {
  const text = value.toFixed(2)
  return text === '-0.00' ? '0.00' : text
}

function signed(value: number): string {
  return value > 0 ? `+${value.toFixed(2)}` : value.toFixed(2)
}

function tokens(count: number): string {
  return count >= 1000 ? `${(count / 1000).toFixed(1)}k` : String(count)
}

function percent(n: number, total: number): string {
  return `${total === 0 ? 0 : Math.round((n / total) * 100)}%`
}

function count(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1
}
