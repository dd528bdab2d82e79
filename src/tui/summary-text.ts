/** The human form of the whole-log summary (`router metrics tail --once`): aligned plain-text tables. */
import type {AffinityTotals, AuditSummary, GroupSummary, LatencyStats, UsageTotals} from '../core/metrics/schema.js'
import {formatCount, formatDuration, formatLatency, formatPercent, formatUsd} from './format.js'

/** Aligns rows into columns separated by two spaces; `right` lists the right-aligned column indexes. */
export function formatTable(rows: string[][], right: readonly number[] = []): string[] {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, Array.from(cell).length)))
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i] - Array.from(cell).length)
        return right.includes(i) ? pad + cell : i === row.length - 1 ? cell : cell + pad
      })
      .join('  ')
      .trimEnd(),
  )
}

function latencyLine(stats: LatencyStats): string {
  if (stats.count === 0) return 'no samples'
  return `mean ${formatLatency(stats.mean)} · p50 ${formatLatency(stats.p50)} · p90 ${formatLatency(stats.p90)} · p95 ${formatLatency(stats.p95)} · p99 ${formatLatency(stats.p99)} · max ${formatLatency(stats.max)}`
}

/**
 * `12,400 prompt (8,192 cached, 66%) + 3,100 completion tokens · est. $0.042 · cache saved $0.011 · 3 answers without
 * a cost (…)`.
 */
function usageLine(usage: UsageTotals): string {
  if (usage.answers_with_usage === 0 && usage.answers_without_cost === 0) return 'no answers'
  const cached =
    usage.cache_hit_ratio === null
      ? ''
      : ` (${formatCount(usage.cached_tokens)} cached, ${formatPercent(usage.cache_hit_ratio, 0)})`
  const tokens = `${formatCount(usage.prompt_tokens)} prompt${cached} + ${formatCount(usage.completion_tokens)} completion tokens`
  const cost = usage.answers_with_cost === 0 ? 'no cost known' : `est. ${formatUsd(usage.cost_usd)}`
  const saved = usage.cache_savings_usd === 0 ? '' : ` · cache saved ${formatUsd(usage.cache_savings_usd)}`
  const missing =
    usage.answers_without_cost === 0
      ? ''
      : ` · ${formatCount(usage.answers_without_cost)} answers without a cost (no token counts or no price)`
  return `${tokens} · ${cost}${saved}${missing}`
}

/**
 * `12 sessions · 40 turns: 30 kept, 6 moved (move_up 4, cold 2), 4 new · affinity saved $0.041 on 28 turns`.
 */
function sessionsLine(sessions: AffinityTotals & {sessions: number}): string {
  const {decisions} = sessions
  let turns = 0
  for (const count of Object.values(decisions)) turns += count
  const movedKinds = (['move_up', 'downgrade', 'cold', 'unavailable'] as const).filter((a) => decisions[a] > 0)
  let moved = 0
  for (const kind of movedKinds) moved += decisions[kind]
  const parts = [
    `${formatCount(decisions.stay)} kept`,
    `${formatCount(moved)} moved${moved === 0 ? '' : ` (${movedKinds.map((a) => `${a} ${formatCount(decisions[a])}`).join(', ')})`}`,
  ]
  if (decisions.new > 0) parts.push(`${formatCount(decisions.new)} new`)
  if (decisions.off > 0) parts.push(`${formatCount(decisions.off)} affinity off`)
  const amount =
    sessions.affinity_saved_usd >= 0
      ? `saved ${formatUsd(sessions.affinity_saved_usd)}`
      : `cost ${formatUsd(-sessions.affinity_saved_usd)} more`
  const saved =
    sessions.priced_stays === 0
      ? ''
      : ` · affinity ${amount} on ${formatCount(sessions.priced_stays)} ${sessions.priced_stays === 1 ? 'turn' : 'turns'}`
  return `${formatCount(sessions.sessions)} sessions · ${formatCount(turns)} turns: ${parts.join(', ')}${saved}`
}

function counts(entries: ReadonlyArray<{key: string; count: number}>): string {
  return entries.length === 0 ? 'none' : entries.map((e) => `${e.key} ${formatCount(e.count)}`).join(' · ')
}

function groupTable(title: string, groups: readonly GroupSummary[]): string[] {
  if (groups.length === 0) return []
  const rows = [[title, 'requests', 'share', 'success', 'p50', 'p95']]
  for (const g of groups) {
    rows.push([
      g.key,
      formatCount(g.requests),
      formatPercent(g.share),
      formatPercent(g.success_rate),
      formatLatency(g.latency_ms.p50),
      formatLatency(g.latency_ms.p95),
    ])
  }
  return ['', ...formatTable(rows, [1, 2, 3, 4, 5])]
}

/** The summary as text, one section per paragraph. */
export function formatSummary(summary: AuditSummary): string {
  const lines: string[] = []
  const {requests} = summary
  lines.push(`Audit log ${summary.source ?? '(stdin)'}`)
  const span =
    summary.first_event_at && summary.last_event_at
      ? `${summary.first_event_at} → ${summary.last_event_at} (${formatDuration((summary.duration_seconds ?? 0) * 1000)})`
      : 'no events'
  lines.push(
    `  ${span}; ${formatCount(summary.lines.events)} events, ${formatCount(summary.lines.malformed)} malformed lines, ${formatCount(summary.lines.unknown)} unknown events`,
  )
  lines.push('')
  const labelled = (label: string, text: string) => lines.push(`${label.padEnd(11)}${text}`)
  labelled(
    'Requests',
    `${formatCount(requests.total)} finished, ${formatCount(requests.unfinished)} unfinished · success ${formatPercent(requests.success_rate)} · ${formatCount(requests.streamed)} streamed · ${formatCount(requests.auto_routed)} auto-routed, ${formatCount(requests.explicit_model)} named a model`,
  )
  labelled(
    'Outcomes',
    counts(
      Object.entries(requests.outcomes)
        .filter(([, n]) => n > 0)
        .map(([key, count]) => ({key, count})),
    ),
  )
  labelled('Status', counts(requests.status))
  labelled('Latency', latencyLine(summary.latency_ms))
  labelled('Usage', usageLine(summary.usage))
  if (summary.sessions && summary.sessions.sessions > 0) labelled('Sessions', sessionsLine(summary.sessions))
  labelled('Deciding', latencyLine(summary.decision_ms))
  labelled(
    'Fallbacks',
    `${formatCount(summary.fallbacks.requests)} requests needed more than one attempt, ${formatCount(summary.fallbacks.rescued)} of them succeeded`,
  )
  for (const chain of summary.fallbacks.top_chains) lines.push(`${String(chain.count).padStart(8)}  ${chain.key}`)
  labelled('Errors', `attempts: ${counts(summary.errors.attempts)}`)
  labelled('', `requests: ${counts(summary.errors.requests)}`)
  labelled('', `rejected: ${counts(summary.errors.rejected)}`)
  labelled('Breakers', `opened: ${counts(summary.breakers.opened)}`)
  if (summary.models.length > 0) {
    const rows = [
      [
        'model',
        'requests',
        'share',
        'selected',
        'attempts',
        'failed',
        'p50',
        'p95',
        'tokens',
        'cached',
        'est. cost',
        'accounts',
      ],
    ]
    for (const m of summary.models) {
      rows.push([
        m.model,
        formatCount(m.requests),
        formatPercent(m.share),
        formatCount(m.selected),
        formatCount(m.attempts),
        formatPercent(m.attempt_failure_rate),
        formatLatency(m.latency_ms.p50),
        formatLatency(m.latency_ms.p95),
        formatCount(m.usage.prompt_tokens + m.usage.completion_tokens),
        formatPercent(m.usage.cache_hit_ratio, 0),
        m.usage.answers_with_cost === 0 ? '–' : formatUsd(m.usage.cost_usd),
        m.accounts.join(', '),
      ])
    }
    lines.push('', ...formatTable(rows, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))
  }
  if (summary.keys.length > 0) {
    const rows = [['key', 'requests', 'refused', 'tokens', 'est. cost']]
    for (const k of summary.keys) {
      rows.push([
        k.principal,
        formatCount(k.requests),
        formatCount(k.refused),
        formatCount(k.usage.prompt_tokens + k.usage.completion_tokens),
        k.usage.answers_with_cost === 0 ? '–' : formatUsd(k.usage.cost_usd),
      ])
    }
    lines.push('', ...formatTable(rows, [1, 2, 3, 4]))
  }
  lines.push(...groupTable('task', summary.tasks), ...groupTable('complexity', summary.complexities))
  return lines.join('\n')
}
