/**
 * Builds the live metrics snapshot (`GET /v1/router/live-metrics`, `metrics tail --json`, the dashboard) from what
 * `LiveMetrics` keeps: per model and per target figures over the window, each target with its breaker and cool-down,
 * the gateway's totals, breakers, cool-downs, quality counts and spend per key. It reads and never changes them.
 */
import type {BreakerState} from '../audit/schema.js'
import {COMPLEXITIES} from '../config/schema.js'
import type {QualityCounts} from '../policy/feedback.js'
import {round} from './histogram.js'
import {
  type KeyStats,
  type ModelStats,
  type RequestTotals,
  SEP,
  type TargetStats,
  roundOrNull,
  windowAttempts,
} from './rings.js'
import type {
  BreakerEntry,
  CooldownEntry,
  KeySpend,
  LiveMetricsSnapshot,
  ModelMetrics,
  Series,
  SessionMetrics,
  TargetMetrics,
  UsageTotals,
} from './schema.js'

const BREAKER_RANK: Record<BreakerState, number> = {closed: 0, half_open: 1, open: 2}

/** An active cool-down with its end in epoch ms. */
export interface ActiveCooldown {
  entry: CooldownEntry
  until: number
}

/** What the snapshot is built from. */
export interface SnapshotInput {
  now: number
  startedAt: number
  alpha: number
  windowMs: number
  bucketMs: number
  buckets: number
  observed: number
  ignored: number
  lastEventTs: number
  firstEventTs: number
  inFlight: number
  models: ReadonlyMap<string, ModelStats>
  targets: ReadonlyMap<string, TargetStats>
  /** By account + SEP + model (nothing after SEP for an account-wide one). */
  breakers: ReadonlyMap<string, BreakerEntry>
  /** By account + SEP + model (nothing after SEP for an account-wide one); the ended ones already removed. */
  cooldowns: ReadonlyMap<string, ActiveCooldown>
  totals: RequestTotals
  usage: UsageTotals
  quality: QualityCounts[]
  keys: KeySpend[]
  sessions: SessionMetrics
}

/** The current figures, as documented in `LiveMetricsSnapshotSchema`. */
export function buildSnapshot(input: SnapshotInput): LiveMetricsSnapshot {
  const {now, bucketMs, buckets} = input
  const current = Math.floor(now / bucketMs)
  const windowStart = (current - buckets + 1) * bucketMs
  const fields = (stats: KeyStats, allAttempts: number) =>
    statsFields(stats, current, windowStart, allAttempts, buckets, bucketMs)

  let modelAttempts = 0
  for (const stats of input.models.values()) modelAttempts += windowAttempts(stats.series, current)
  let targetAttempts = 0
  for (const stats of input.targets.values()) targetAttempts += windowAttempts(stats.series, current)

  const targets: TargetMetrics[] = []
  const byModel = new Map<string, TargetMetrics[]>()
  for (const stats of input.targets.values()) {
    const {model, account, provider} = stats.target
    const breaker = effectiveBreaker(input.breakers, account, model)
    const cooldown = effectiveCooldown(input.cooldowns, account, model, now)
    const metrics: TargetMetrics = Object.assign({model, account, provider}, fields(stats, targetAttempts), {
      breaker: breaker?.state ?? 'closed',
      breaker_since: breaker?.since ?? null,
      breaker_reason: breaker?.reason ?? null,
      cooldown_until: cooldown?.until ?? null,
      cooldown_scope: cooldown?.scope ?? null,
      usage: stats.usage.result(),
    })
    targets.push(metrics)
    const list = byModel.get(model)
    if (list) list.push(metrics)
    else byModel.set(model, [metrics])
  }
  targets.sort((a, b) => compare(a.model, b.model) || compare(a.account, b.account))

  const models: ModelMetrics[] = []
  for (const [model, stats] of input.models) {
    const modelTargets = byModel.get(model) ?? []
    const openTargets = modelTargets.filter((t) => t.breaker !== 'closed').length
    let breaker: BreakerState = 'closed'
    if (modelTargets.length > 0 && openTargets === modelTargets.length) {
      breaker = modelTargets.some((t) => t.breaker === 'half_open') ? 'half_open' : 'open'
    }
    models.push(
      Object.assign({model}, fields(stats, modelAttempts), {
        breaker,
        open_targets: openTargets,
        targets: modelTargets.length,
        usage: stats.usage.result(),
      }),
    )
  }
  models.sort((a, b) => compare(a.model, b.model))

  const {requests, outcomes, latency: window} = input.totals.window(current)
  // Measured since the window start, or since the metrics started if later, unless older events were fed in
  // (a log replayed from its start): then they cover the whole window.
  const spanMs = Math.max(1000, now - Math.max(windowStart, Math.min(input.startedAt, input.firstEventTs)))

  const breakers = [...input.breakers.values()].sort(
    (a, b) => compare(a.account, b.account) || compare(a.model ?? '', b.model ?? ''),
  )
  const cooldowns = [...input.cooldowns.values()]
    .sort((a, b) => a.until - b.until || compare(a.entry.account, b.entry.account))
    .map((c) => c.entry)

  return {
    schema_version: 1,
    generated_at: new Date(now).toISOString(),
    started_at: new Date(input.startedAt).toISOString(),
    alpha: input.alpha,
    window_seconds: input.windowMs / 1000,
    events: {
      observed: input.observed,
      ignored: input.ignored,
      last_event_at: isoOrNull(input.lastEventTs),
    },
    totals: {
      requests,
      rps: Math.round((requests / (spanMs / 1000)) * 100) / 100,
      success_rate: requests === 0 ? null : round4(outcomes.success / requests),
      latency_ms: {p50: window.percentile(0.5), p95: window.percentile(0.95), p99: window.percentile(0.99)},
      outcomes,
      in_flight: input.inFlight,
      requests_total: input.totals.total,
      successes_total: input.totals.successes,
      usage: input.usage,
    },
    models,
    targets,
    breakers,
    cooldowns,
    quality: input.quality
      .sort(
        (a, b) =>
          compare(a.task, b.task) ||
          COMPLEXITIES.indexOf(a.complexity) - COMPLEXITIES.indexOf(b.complexity) ||
          compare(a.model, b.model),
      )
      .map((q) => Object.assign({}, q, {bad_rate: q.answered === 0 ? null : round4(q.bad / q.answered)})),
    keys: input.keys,
    sessions: input.sessions,
  }
}

function statsFields(
  stats: KeyStats,
  current: number,
  windowStart: number,
  allAttempts: number,
  buckets: number,
  bucketMs: number,
) {
  const latency: Array<number | null> = []
  const failure: Array<number | null> = []
  const attempts: number[] = []
  let inWindow = 0
  const series = stats.series
  for (let bucket = current - buckets + 1; bucket <= current; bucket++) {
    const slot = series.slotOf(bucket)
    if (slot === -1) {
      latency.push(null)
      failure.push(null)
      attempts.push(0)
      continue
    }
    const n = series.attempts[slot]
    inWindow += n
    attempts.push(n)
    failure.push(n === 0 ? null : round4(series.failures[slot] / n))
    latency.push(series.latencyCount[slot] === 0 ? null : round(series.latencySum[slot] / series.latencyCount[slot]))
  }
  const seriesOut: Series = {bucket_seconds: bucketMs / 1000, latency_ms: latency, failure, attempts}
  return {
    samples: stats.samples,
    successes: stats.successes,
    failures: stats.failures,
    latency_ewma_ms: roundOrNull(stats.latencyEwma),
    connect_ewma_ms: roundOrNull(stats.connectEwma),
    failure_ewma: stats.failureEwma === null ? null : round4(stats.failureEwma),
    latency_ms: stats.latencies.percentiles(windowStart),
    status: {...stats.status},
    retries: stats.retries,
    timeouts: {...stats.timeouts},
    rate_limited: stats.rateLimited,
    window_samples: inWindow,
    share: allAttempts === 0 ? 0 : round4(inWindow / allAttempts),
    last_seen: isoOrNull(stats.lastSeen),
    series: seriesOut,
  }
}

/** The target's cool-down, or its account's when that one ends later; undefined when neither is on at `now`. */
function effectiveCooldown(
  cooldowns: ReadonlyMap<string, ActiveCooldown>,
  account: string,
  model: string,
  now: number,
): CooldownEntry | undefined {
  if (cooldowns.size === 0) return undefined
  const own = cooldowns.get(account + SEP + model)
  const accountWide = cooldowns.get(account + SEP)
  const live = [own, accountWide].filter((c) => c !== undefined && c.until > now) as ActiveCooldown[]
  if (live.length === 0) return undefined
  return live.reduce((a, b) => (b.until > a.until ? b : a)).entry
}

/** The worse of the target's own breaker and its account-wide breaker. */
function effectiveBreaker(
  breakers: ReadonlyMap<string, BreakerEntry>,
  account: string,
  model: string,
): BreakerEntry | undefined {
  const own = breakers.get(account + SEP + model)
  const accountWide = breakers.get(account + SEP)
  if (!own) return accountWide
  if (!accountWide) return own
  return BREAKER_RANK[accountWide.state] > BREAKER_RANK[own.state] ? accountWide : own
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000
}

function isoOrNull(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
