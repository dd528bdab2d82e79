/**
 * The fleet view of the live metrics (`GET /v1/router/live-metrics?scope=fleet`): the snapshots of every replica,
 * merged into one of the same shape (docs/metrics.md, "Fleet view").
 *
 * Counts are summed (requests, attempts, statuses, outcomes, tokens, spend, per key, per model and target, turns of
 * sessions). What is not a count is combined approximately, as the replicas' own figures weighted by what they
 * measured: percentiles and EWMAs of a model or target by its samples in the window (percentiles) or since the start
 * (EWMAs), the gateway's percentiles by the window's requests, a series bucket's latency by its attempts. The true
 * fleet p99 can lie above that mean (one slow replica); the docs say so. Active sessions are summed, so a session
 * whose turns two replicas answered in the window counts twice. Breakers and cool-downs are mirrored, so each is
 * listed once, as the replica that saw it last reports it; a model's or target's breaker is the worst reported.
 */
import type {BreakerState} from '../audit/schema.js'
import {COMPLEXITIES} from '../config/schema.js'
import type {
  BreakerEntry,
  CooldownEntry,
  KeySpend,
  LiveMetricsSnapshot,
  ModelMetrics,
  Percentiles,
  QualityRow,
  Series,
  SessionMetrics,
  TargetMetrics,
  UsageTotals,
} from './schema.js'

/** One replica's snapshot, named by the replica's id. */
export interface FleetPart {
  replica: string
  snapshot: LiveMetricsSnapshot
}

const BREAKER_RANK: Record<BreakerState, number> = {closed: 0, half_open: 1, open: 2}

/** Merges the replicas' snapshots (at least one) into the fleet's, generated at `now`. */
export function mergeSnapshots(parts: readonly FleetPart[], now: number): LiveMetricsSnapshot {
  if (parts.length === 0) throw new Error('mergeSnapshots needs at least one snapshot')
  const snapshots = parts.map((p) => p.snapshot)
  const first = snapshots[0]
  const totals = snapshots.map((s) => s.totals)
  const requests = sum(totals, (t) => t.requests)
  const successes = sum(totals, (t) => Math.round((t.success_rate ?? 0) * t.requests))
  const outcomes: Record<string, number> = {}
  for (const t of totals)
    for (const [outcome, n] of Object.entries(t.outcomes)) outcomes[outcome] = (outcomes[outcome] ?? 0) + (n ?? 0)

  const models = mergeBy(
    snapshots.flatMap((s) => s.models),
    (m) => m.model,
    (list): ModelMetrics => {
      const worst = worstBreaker(list.map((m) => m.breaker))
      return Object.assign({model: list[0].model}, mergeStats(list), {
        breaker: worst,
        open_targets: Math.max(...list.map((m) => m.open_targets)),
        targets: Math.max(...list.map((m) => m.targets)),
        usage: sumUsage(list.map((m) => m.usage)),
      })
    },
  )
  const targets = mergeBy(
    snapshots.flatMap((s) => s.targets),
    (t) => `${t.model}\n${t.account}`,
    (list): TargetMetrics => {
      const worst = list.reduce((a, b) => (BREAKER_RANK[b.breaker] > BREAKER_RANK[a.breaker] ? b : a))
      const cooling = list.reduce((a, b) => ((b.cooldown_until ?? '') > (a.cooldown_until ?? '') ? b : a))
      const usages = list.map((t) => t.usage).filter((u): u is UsageTotals => u !== undefined)
      return Object.assign(
        {model: list[0].model, account: list[0].account, provider: list[0].provider},
        mergeStats(list),
        {
          breaker: worst.breaker,
          breaker_since: worst.breaker_since,
          breaker_reason: worst.breaker_reason,
          cooldown_until: cooling.cooldown_until,
          cooldown_scope: cooling.cooldown_scope,
          usage: usages.length === 0 ? undefined : sumUsage(usages),
        },
      )
    },
  )
  shares(models)
  shares(targets)

  return {
    schema_version: 1,
    generated_at: new Date(now).toISOString(),
    started_at: minString(snapshots.map((s) => s.started_at))!,
    alpha: first.alpha,
    window_seconds: first.window_seconds,
    events: {
      observed: sum(snapshots, (s) => s.events.observed),
      ignored: sum(snapshots, (s) => s.events.ignored),
      last_event_at: maxString(snapshots.map((s) => s.events.last_event_at)),
    },
    totals: {
      requests,
      rps: round2(sum(totals, (t) => t.rps)),
      success_rate: requests === 0 ? null : round4(successes / requests),
      latency_ms: weightedPercentiles(totals.map((t) => [t.latency_ms, t.requests])),
      outcomes: outcomes as LiveMetricsSnapshot['totals']['outcomes'],
      in_flight: sum(totals, (t) => t.in_flight),
      requests_total: sum(totals, (t) => t.requests_total),
      successes_total: sum(totals, (t) => t.successes_total),
      usage: sumUsage(totals.map((t) => t.usage)),
    },
    models: models.sort((a, b) => compare(a.model, b.model)),
    targets: targets.sort((a, b) => compare(a.model, b.model) || compare(a.account, b.account)),
    breakers: latestOf(
      snapshots.flatMap((s) => s.breakers),
      (b) => `${b.account}\n${b.model ?? ''}`,
      (b) => b.since,
    ).sort(
      (a: BreakerEntry, b: BreakerEntry) => compare(a.account, b.account) || compare(a.model ?? '', b.model ?? ''),
    ),
    cooldowns: latestOf(
      snapshots.flatMap((s) => s.cooldowns),
      (c) => `${c.account}\n${c.model ?? ''}`,
      (c) => c.until,
    ).sort((a: CooldownEntry, b: CooldownEntry) => compare(a.until, b.until) || compare(a.account, b.account)),
    quality: mergeBy(
      snapshots.flatMap((s) => s.quality),
      (q) => `${q.task}\n${q.complexity}\n${q.model}`,
      (list): QualityRow => {
        const answered = sum(list, (q) => q.answered)
        const bad = sum(list, (q) => q.bad)
        return {
          task: list[0].task,
          complexity: list[0].complexity,
          model: list[0].model,
          answered,
          bad,
          good: sum(list, (q) => q.good),
          bad_rate: answered === 0 ? null : round4(bad / answered),
        }
      },
    ).sort(
      (a, b) =>
        compare(a.task, b.task) ||
        COMPLEXITIES.indexOf(a.complexity) - COMPLEXITIES.indexOf(b.complexity) ||
        compare(a.model, b.model),
    ),
    keys: mergeBy(
      snapshots.flatMap((s) => s.keys),
      (k) => k.principal,
      (list): KeySpend => ({
        principal: list[0].principal,
        requests: sum(list, (k) => k.requests),
        refused: sum(list, (k) => k.refused),
        usage: sumUsage(list.map((k) => k.usage)),
      }),
    ).sort((a, b) => b.usage.cost_usd - a.usage.cost_usd || compare(a.principal, b.principal)),
    sessions: mergeSessions(snapshots.map((s) => s.sessions).filter((s): s is SessionMetrics => s !== undefined)),
    fleet: {
      replicas: parts.map((p) => ({
        replica: p.replica,
        generated_at: p.snapshot.generated_at,
        requests_total: p.snapshot.totals.requests_total,
      })),
    },
  }
}

type Stats = Omit<ModelMetrics, 'model' | 'breaker' | 'open_targets' | 'targets' | 'usage'>

/** The measured fields of one model's (or target's) entries from several replicas. */
function mergeStats(list: readonly Stats[]): Stats {
  const status = {'2xx': 0, '4xx': 0, '5xx': 0, other: 0, error: 0}
  const timeouts = {connect_timeout: 0, headers_timeout: 0, idle_timeout: 0}
  for (const s of list) {
    for (const key of Object.keys(status) as Array<keyof typeof status>) status[key] += s.status[key]
    for (const key of Object.keys(timeouts) as Array<keyof typeof timeouts>) timeouts[key] += s.timeouts[key]
  }
  return {
    samples: sum(list, (s) => s.samples),
    successes: sum(list, (s) => s.successes),
    failures: sum(list, (s) => s.failures),
    latency_ewma_ms: weightedMean(
      list.map((s) => [s.latency_ewma_ms, s.successes]),
      round2,
    ),
    connect_ewma_ms: weightedMean(
      list.map((s) => [s.connect_ewma_ms, s.samples]),
      round2,
    ),
    failure_ewma: weightedMean(
      list.map((s) => [s.failure_ewma, s.samples]),
      round4,
    ),
    latency_ms: weightedPercentiles(list.map((s) => [s.latency_ms, s.window_samples])),
    status,
    retries: sum(list, (s) => s.retries),
    timeouts,
    rate_limited: sum(list, (s) => s.rate_limited),
    window_samples: sum(list, (s) => s.window_samples),
    share: 0,
    last_seen: maxString(list.map((s) => s.last_seen)),
    series: mergeSeries(list.map((s) => s.series)),
  }
}

/** Bucket by bucket, oldest first; the replicas' buckets end at their own `generated_at`, within an interval. */
function mergeSeries(list: readonly Series[]): Series {
  const length = Math.max(...list.map((s) => s.attempts.length))
  const attempts = new Array<number>(length).fill(0)
  const latency: Array<number | null> = []
  const failure: Array<number | null> = []
  for (let i = 0; i < length; i++) {
    // Aligned on the newest bucket: a shorter series lacks the oldest ones.
    const at = (s: Series): number => i - (length - s.attempts.length)
    for (const s of list) attempts[i] += s.attempts[at(s)] ?? 0
    latency.push(
      weightedMean(
        list.map((s) => [s.latency_ms[at(s)] ?? null, s.attempts[at(s)] ?? 0]),
        round2,
      ),
    )
    failure.push(
      weightedMean(
        list.map((s) => [s.failure[at(s)] ?? null, s.attempts[at(s)] ?? 0]),
        round4,
      ),
    )
  }
  return {bucket_seconds: list[0].bucket_seconds, latency_ms: latency, failure, attempts}
}

function mergeSessions(list: readonly SessionMetrics[]): SessionMetrics | undefined {
  if (list.length === 0) return undefined
  const decisions: Record<string, number> = {}
  for (const s of list)
    for (const [affinity, n] of Object.entries(s.decisions)) decisions[affinity] = (decisions[affinity] ?? 0) + (n ?? 0)
  return {
    window_seconds: list[0].window_seconds,
    active: sum(list, (s) => s.active),
    kept: sum(list, (s) => s.kept),
    moved: sum(list, (s) => s.moved),
    decisions: decisions as SessionMetrics['decisions'],
    affinity_saved_usd: round9(sum(list, (s) => s.affinity_saved_usd)),
    priced_stays: sum(list, (s) => s.priced_stays),
  }
}

function sumUsage(list: readonly UsageTotals[]): UsageTotals {
  const prompt = sum(list, (u) => u.prompt_tokens)
  const cached = sum(list, (u) => u.cached_tokens)
  // The hit ratio's denominator (prompt tokens of the answers that reported a cache count) is not in the snapshot:
  // each replica's ratio weighted by its prompt tokens comes closest.
  const ratio = weightedMean(
    list.map((u) => [u.cache_hit_ratio, u.prompt_tokens]),
    round4,
  )
  return {
    prompt_tokens: prompt,
    completion_tokens: sum(list, (u) => u.completion_tokens),
    cached_tokens: cached,
    cache_write_tokens: sum(list, (u) => u.cache_write_tokens),
    cache_hit_ratio: ratio === null ? null : Math.min(1, ratio),
    cost_usd: round9(sum(list, (u) => u.cost_usd)),
    cache_savings_usd: round9(sum(list, (u) => u.cache_savings_usd)),
    answers_with_usage: sum(list, (u) => u.answers_with_usage),
    answers_with_cost: sum(list, (u) => u.answers_with_cost),
    answers_without_cost: sum(list, (u) => u.answers_without_cost),
  }
}

function weightedPercentiles(list: ReadonlyArray<readonly [Percentiles, number]>): Percentiles {
  return {
    p50: weightedMean(
      list.map(([p, n]) => [p.p50, n]),
      round2,
    ),
    p95: weightedMean(
      list.map(([p, n]) => [p.p95, n]),
      round2,
    ),
    p99: weightedMean(
      list.map(([p, n]) => [p.p99, n]),
      round2,
    ),
  }
}

/** The mean of the non-null values weighted by their counts (equal weights when every count is 0); null without one. */
function weightedMean(
  list: ReadonlyArray<readonly [number | null, number]>,
  roundTo: (n: number) => number,
): number | null {
  let total = 0
  let weight = 0
  let plain = 0
  let n = 0
  for (const [value, count] of list) {
    if (value === null) continue
    total += value * count
    weight += count
    plain += value
    n++
  }
  if (n === 0) return null
  return roundTo(weight > 0 ? total / weight : plain / n)
}

/** Each entry's share of all attempts in the window (recomputed on the merged counts). */
function shares(list: Array<{window_samples: number; share: number}>): void {
  const all = sum(list, (e) => e.window_samples)
  for (const e of list) e.share = all === 0 ? 0 : round4(e.window_samples / all)
}

function mergeBy<T, R>(list: readonly T[], key: (t: T) => string, merge: (group: T[]) => R): R[] {
  const groups = new Map<string, T[]>()
  for (const item of list) {
    const k = key(item)
    const group = groups.get(k)
    if (group) group.push(item)
    else groups.set(k, [item])
  }
  return [...groups.values()].map(merge)
}

/** One entry per key: the one with the latest `time`. */
function latestOf<T>(list: readonly T[], key: (t: T) => string, time: (t: T) => string): T[] {
  const out = new Map<string, T>()
  for (const item of list) {
    const held = out.get(key(item))
    if (held === undefined || time(item) > time(held)) out.set(key(item), item)
  }
  return [...out.values()]
}

function worstBreaker(list: readonly BreakerState[]): BreakerState {
  return list.reduce((a, b) => (BREAKER_RANK[b] > BREAKER_RANK[a] ? b : a), 'closed')
}

function sum<T>(list: readonly T[], of: (t: T) => number): number {
  let total = 0
  for (const item of list) total += of(item)
  return total
}

function maxString(list: ReadonlyArray<string | null>): string | null {
  let max: string | null = null
  for (const s of list) if (s !== null && (max === null || s > max)) max = s
  return max
}

function minString(list: ReadonlyArray<string | null>): string | null {
  let min: string | null = null
  for (const s of list) if (s !== null && (min === null || s < min)) min = s
  return min
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function round2(n: number): number {
  return Math.round(n * 100) / 100
}

function round4(n: number): number {
  return Math.round(n * 10_000) / 10_000
}

function round9(n: number): number {
  return Math.round(n * 1e9) / 1e9
}
