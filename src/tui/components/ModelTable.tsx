import {Box} from 'ink'

import type {LiveMetricsSnapshot} from '../../core/metrics/schema.js'
import {downsample, fit, formatLatency, formatPercent, sparkline} from '../format.js'
import {
  HEALTH_STYLE,
  type Segment,
  type TableLine,
  compactCount,
  cooldownSegments,
  healthOf,
  tableColumns,
  tableHeader,
  tableLines,
  tableName,
} from '../view-model.js'
import {Line} from './Line.js'

export interface ModelTableProps {
  metrics: LiveMetricsSnapshot
  width: number
  /** Lines available for the table, its header included. */
  height: number
}

/**
 * Per model (and, when there is room, per account target): health, EWMA latency, p95, EWMA failure rate, samples,
 * share of traffic, the prompt-cache hit ratio of each model and target (wide screens), and sparklines of latency and failures over the last
 * minute.
 */
export function ModelTable({metrics, width, height}: ModelTableProps) {
  const columns = tableColumns(width)
  const cooling = cooldownSegments(metrics.cooldowns)
  // The cool-downs line, when there is one, takes the table's last line.
  const body = Math.max(0, height - 1 - (cooling.length > 0 ? 1 : 0))
  let lines = tableLines(metrics.models, metrics.targets, true)
  if (lines.length > body) lines = tableLines(metrics.models, metrics.targets, false)
  const hidden = Math.max(0, lines.length - body)
  const shown = hidden > 0 ? lines.slice(0, Math.max(0, body - 1)) : lines
  return (
    <Box flexDirection="column">
      <Line segments={[{text: tableHeader(columns), bold: true}]} width={width} />
      {metrics.models.length === 0 ? (
        <Line segments={[{text: 'no upstream attempts yet', dim: true}]} width={width} />
      ) : null}
      {shown.map((line) => (
        <TableRow key={`${line.kind}:${line.metrics.model}:${line.name}`} line={line} columns={columns} width={width} />
      ))}
      {hidden > 0 ? (
        <Line segments={[{text: `… ${lines.length - shown.length} more`, dim: true}]} width={width} />
      ) : null}
      {cooling.length > 0 ? <Line segments={cooling} width={width} /> : null}
    </Box>
  )
}

function TableRow({line, columns, width}: {line: TableLine; columns: ReturnType<typeof tableColumns>; width: number}) {
  const m = line.metrics
  const health = HEALTH_STYLE[healthOf(m)]
  const failure = m.failure_ewma
  const failureColor = failure === null ? undefined : failure >= 0.2 ? 'red' : failure >= 0.05 ? 'yellow' : 'green'
  const segments: Segment[] = [
    {text: tableName(line, columns.name), bold: line.kind === 'model', dim: line.kind === 'target' && m.samples === 0},
    {text: ' ' + fit(`${health.symbol} ${health.label}`, columns.health), color: health.color},
    {text: ' ' + fit(formatLatency(m.latency_ewma_ms), columns.latency, 'right')},
  ]
  if (columns.p95) segments.push({text: ' ' + fit(formatLatency(m.latency_ms.p95), columns.p95, 'right')})
  segments.push(
    {text: ' ' + fit(formatPercent(failure), columns.failure, 'right'), color: failureColor},
    {text: ' ' + fit(compactCount(m.samples), columns.samples, 'right')},
    {text: ' ' + fit(m.window_samples === 0 ? '–' : formatPercent(m.share, 0), columns.share, 'right')},
  )
  // The prompt-cache hit ratio of the model's answers, or of the target's (a provider's cache is the account's).
  if (columns.cache)
    segments.push({text: ' ' + fit(formatPercent(m.usage?.cache_hit_ratio, 0), columns.cache, 'right')})
  segments.push({
    text:
      ' ' + sparkline(downsample(m.series.latency_ms, m.series.attempts, columns.latencySpark), columns.latencySpark),
    color: 'cyan',
  })
  if (columns.failureSpark) {
    const failures = downsample(m.series.failure, m.series.attempts, columns.failureSpark)
    segments.push({text: ' ' + sparkline(failures, columns.failureSpark, 1), color: 'red'})
  }
  return <Line segments={segments} width={width} />
}
