import {Box} from 'ink'

import type {LiveMetricsSnapshot} from '../../core/metrics/schema.js'
import {formatCount, formatDuration, formatLatency, formatPercent, formatUsd} from '../format.js'
import type {SourceStatus} from '../sources/types.js'
import {type Segment, sessionSegments} from '../view-model.js'
import {Line} from './Line.js'

/** What the dashboard is attached to, shown in the header. */
export interface DashboardInfo {
  title: string
  address?: string
  file?: string
  url?: string
  /** The metrics are the fleet's (polled from `url`); the decision log is still `url`'s own event stream. */
  fleet?: boolean
  configPath?: string
  profile?: string | null
  startedAt: number
}

export interface HeaderProps {
  info: DashboardInfo
  metrics: LiveMetricsSnapshot
  now: number
  paused: boolean
  newWhilePaused: number
  status?: SourceStatus
  width?: number
}

const STATUS_COLOR: Record<SourceStatus['state'], string> = {
  starting: 'cyan',
  waiting: 'yellow',
  live: 'green',
  reconnecting: 'yellow',
  stopped: 'gray',
  failed: 'red',
}

/** Lines the header takes for these metrics: two, then one for sessions and one for keys once there are any. */
export function headerHeight(metrics: LiveMetricsSnapshot): number {
  return 2 + (sessionSegments(metrics.sessions).length > 0 ? 1 : 0) + (metrics.keys.length > 0 ? 1 : 0)
}

/**
 * Where the events come from, and the gateway's last-minute totals; then, once there are any, the sessions (active,
 * kept, moved, what affinity saved) and the spend per key.
 */
export function Header({info, metrics, now, paused, newWhilePaused, status, width}: HeaderProps) {
  const where = info.address
    ? `serving ${info.address}`
    : info.url && info.fleet
      ? `${fleetSize(metrics)} · decisions from ${info.url}`
      : info.url
        ? `tailing ${info.url}`
        : info.file
          ? `tailing ${info.file}`
          : ''
  const first: Segment[] = [{text: info.title, bold: true, color: 'cyan'}]
  if (where) first.push({text: `  ${where}`})
  first.push({text: `  up ${formatDuration(now - info.startedAt)}`, dim: true})
  if (info.configPath) first.push({text: `  config ${info.configPath}`, dim: true})
  if (info.profile) first.push({text: `  profile ${info.profile}`, dim: true})

  const {totals} = metrics
  const success = totals.success_rate
  const second: Segment[] = [
    {text: 'rps '},
    {text: totals.rps.toFixed(totals.rps >= 100 ? 0 : 1), bold: true},
    {text: '  ok '},
    {
      text: formatPercent(success),
      bold: true,
      color: success === null ? undefined : success >= 0.99 ? 'green' : success >= 0.9 ? 'yellow' : 'red',
    },
    {text: '  p50 '},
    {text: formatLatency(totals.latency_ms.p50), bold: true},
    {text: '  p95 '},
    {text: formatLatency(totals.latency_ms.p95), bold: true},
    {text: '  in flight '},
    {text: String(totals.in_flight), bold: true},
    {text: `  ${formatCount(totals.requests_total)} req`, dim: true},
  ]
  // Estimated spend since the start, once any answer has a cost.
  if (totals.usage.answers_with_cost > 0) second.push({text: `  est. ${formatUsd(totals.usage.cost_usd)}`, dim: true})
  // What the providers' prompt caches saved of it (less what cache writes cost), once it is anything.
  if (totals.usage.cache_savings_usd !== 0)
    second.push({text: `  cache saved ${formatUsd(totals.usage.cache_savings_usd)}`, dim: true})
  // Quality verdicts (retries noticed, clients' judgements) since the start, once there is one.
  let bad = 0
  let good = 0
  for (const row of metrics.quality) {
    bad += row.bad
    good += row.good
  }
  if (bad + good > 0)
    second.push({
      text: `  judged bad ${formatCount(bad)} · good ${formatCount(good)}`,
      dim: bad === 0,
      color: bad > 0 ? 'yellow' : undefined,
    })
  if (status && status.state !== 'live') second.push({text: `  ${status.detail}`, color: STATUS_COLOR[status.state]})
  if (paused)
    second.push({
      text: `  ❚❚ PAUSED${newWhilePaused > 0 ? ` (${formatCount(newWhilePaused)} new)` : ''}`,
      bold: true,
      color: 'yellow',
    })
  const sessions = sessionSegments(metrics.sessions)
  return (
    <Box flexDirection="column">
      <Line segments={first} width={width} />
      <Line segments={second} width={width} />
      {sessions.length > 0 ? <Line segments={sessions} width={width} /> : null}
      {metrics.keys.length > 0 ? <Line segments={keySegments(metrics)} width={width} /> : null}
    </Box>
  )
}

/** `fleet of 3 replicas`, from the fleet snapshot's list; `fleet` before the first snapshot. */
function fleetSize(metrics: LiveMetricsSnapshot): string {
  const replicas = metrics.fleet?.replicas.length
  return replicas === undefined ? 'fleet' : `fleet of ${replicas} replica${replicas === 1 ? '' : 's'}`
}

/** Spend per key (ingress principal), most spent first: what each key cost since the start. */
function keySegments(metrics: LiveMetricsSnapshot): Segment[] {
  const segments: Segment[] = [{text: 'keys', dim: true}]
  for (const key of metrics.keys) {
    segments.push(
      {text: `  ${key.principal} `},
      {text: key.usage.answers_with_cost > 0 ? formatUsd(key.usage.cost_usd) : '–', bold: true},
    )
    segments.push({text: ` ${formatCount(key.requests)} req`, dim: true})
    if (key.refused > 0) segments.push({text: ` ${formatCount(key.refused)} refused`, color: 'yellow'})
  }
  return segments
}
