/**
 * Live metrics computed from the audit event stream: the one implementation behind the gateway's
 * `/v1/router/live-metrics`, the runtime policy, the dashboard and `router metrics tail`.
 *
 * The unit of measurement is the *attempt* (one upstream try of a request). Events about one attempt (connected,
 * response, retry, request error, stream error, rate limited) only add facts to that attempt; the attempt becomes
 * exactly one sample when it is settled: when the next attempt of the request starts, when the request's
 * `proxy_terminal` arrives, or when it expires. So a failing attempt that emits `proxy_response` 503, `proxy_retry`
 * and `proxy_rate_limited` still counts once. An attempt:
 * - fails when any of `proxy_retry`, `proxy_request_error`, `proxy_stream_error`, `proxy_rate_limited` or a non-2xx
 *   `proxy_response` was seen for it, even after a 2xx response (a stream that broke later);
 * - succeeds when it got a 2xx `proxy_response` and nothing above; a client error relayed as the answer (a 4xx other
 *   than 408 and 429: a bad request, a wrong key) also counts as a healthy upstream, without a latency sample, so that
 *   clients sending bad requests do not push a model's failure rate up;
 * - is not a sample when the client went away (`client_abort`) or nothing about its end is known.
 * Attempts listed on a `proxy_terminal` whose own events were never seen (a tail that started mid-request) are
 * settled from the terminal's attempt summary.
 *
 * Latency EWMA and percentiles use successful attempts only (a fast 503 is not a fast model); connect latency uses
 * every attempt that got response headers. Windows are measured on the events' own timestamps against `now()`, so a
 * replayed old log fills the cumulative figures but not the last-minute ones. Memory is bounded: fixed rings per key,
 * a capped number of keys and of open requests (which expire after `inFlightTtlMs`).
 */
import type {AuditEvent, AttemptSummary, BreakerState, ErrorType} from '../audit/schema.js'
import {LatencyHistogram, ewma, nearestRank, round} from './histogram.js'
import {SpendByKey, UsageAccumulator} from './usage.js'
import {COMPLEXITIES, type Complexity, type Task} from '../config/schema.js'
import type {QualityCounts} from '../policy/feedback.js'
import type {
  BreakerEntry,
  CooldownEntry,
  LiveMetricsSnapshot,
  ModelMetrics,
  OutcomeCounts,
  Percentiles,
  Series,
  StatusClass,
  StatusClasses,
  TargetMetrics,
  TimeoutCounts,
} from './schema.js'

/** Default EWMA smoothing factor (`LIVE_METRICS_EWMA_ALPHA`). */
export const DEFAULT_EWMA_ALPHA = 0.2

export interface LiveMetricsOptions {
  /** EWMA smoothing factor in (0, 1]; default 0.2. */
  alpha?: number
  /** Length of the "last minute" window, in ms; default 60 000. */
  windowMs?: number
  /** Buckets of the window's time series (sparklines); default 30 (2 s each for a minute). */
  buckets?: number
  /** Latency samples kept per model and per target for percentiles; default 512. */
  percentileWindow?: number
  /** A request without `proxy_terminal` for this long (event time) is forgotten; default 10 minutes. */
  inFlightTtlMs?: number
  /** At most this many unfinished requests are tracked (the oldest are dropped first); default 10 000. */
  maxOpenRequests?: number
  /** At most this many models, and as many targets, are tracked (the least recently seen go first); default 1000. */
  maxKeys?: number
  /** Clock in ms since the epoch; default `Date.now`. */
  now?: () => number
}

/** Sizes of the internal structures, to check that memory stays bounded. */
export interface LiveMetricsSizes {
  openRequests: number
  openAttempts: number
  models: number
  targets: number
  breakers: number
}

/** The EWMA figures of one model, as kept (read-only; valid until the next event). */
export interface ModelFigures {
  readonly samples: number
  readonly latencyEwma: number | null
  readonly connectEwma: number | null
  readonly failureEwma: number | null
}

/** How many finished request ids are remembered to drop events that arrive after their terminal. */
const FINISHED_MEMORY = 4096
const TIMEOUT_TYPES = new Set<ErrorType>(['connect_timeout', 'headers_timeout', 'idle_timeout'])
const BREAKER_RANK: Record<BreakerState, number> = {closed: 0, half_open: 1, open: 2}
const SEP = '\u0000'

interface Target {
  model: string
  account: string
  provider: string
}

/** What is known about one attempt until it is settled. */
interface AttemptState extends Target {
  status: number | null
  errorType: ErrorType | null
  failed: boolean
  succeeded: boolean
  latencyMs: number | null
  connectCounted: boolean
  retried: boolean
  rateLimited: boolean
  /** Already turned into its sample: later events about it change nothing. */
  settled: boolean
  /** Event time of the attempt's latest event. */
  ts: number
}

interface RequestState {
  lastTs: number
  attempts: Map<number, AttemptState>
}

/** One settled attempt. */
interface Sample {
  ts: number
  failed: boolean
  latencyMs: number | null
  status: StatusClass
  errorType: ErrorType | null
  retried: boolean
  rateLimited: boolean
}

/** The last `capacity` values with their times, for windowed percentiles. */
class SampleRing {
  private readonly values: Float64Array
  private readonly times: Float64Array
  private next = 0
  private size = 0

  constructor(readonly capacity: number) {
    this.values = new Float64Array(capacity)
    this.times = new Float64Array(capacity)
  }

  push(ts: number, value: number): void {
    this.values[this.next] = value
    this.times[this.next] = ts
    this.next = (this.next + 1) % this.capacity
    if (this.size < this.capacity) this.size++
  }

  percentiles(since: number): Percentiles {
    const selected: number[] = []
    for (let i = 0; i < this.size; i++) if (this.times[i] >= since) selected.push(this.values[i])
    if (selected.length === 0) return {p50: null, p95: null, p99: null}
    selected.sort((a, b) => a - b)
    return {p50: roundOrNull(nearestRank(selected, 0.5)), p95: roundOrNull(nearestRank(selected, 0.95)), p99: roundOrNull(nearestRank(selected, 0.99))}
  }
}

/** Per-bucket attempt counts over the window: the sparklines and the share of traffic. */
class SeriesRing {
  private readonly epoch: Float64Array
  readonly attempts: Uint32Array
  readonly failures: Uint32Array
  readonly latencySum: Float64Array
  readonly latencyCount: Uint32Array

  constructor(readonly length: number) {
    this.epoch = new Float64Array(length).fill(-1)
    this.attempts = new Uint32Array(length)
    this.failures = new Uint32Array(length)
    this.latencySum = new Float64Array(length)
    this.latencyCount = new Uint32Array(length)
  }

  add(bucket: number, current: number, failed: boolean, latencyMs: number | null): void {
    if (bucket <= current - this.length) return
    const slot = mod(bucket, this.length)
    if (this.epoch[slot] !== bucket) {
      if (this.epoch[slot] > bucket) return
      this.epoch[slot] = bucket
      this.attempts[slot] = 0
      this.failures[slot] = 0
      this.latencySum[slot] = 0
      this.latencyCount[slot] = 0
    }
    this.attempts[slot]++
    if (failed) this.failures[slot]++
    if (latencyMs !== null) {
      this.latencySum[slot] += latencyMs
      this.latencyCount[slot]++
    }
  }

  /** Slot of `bucket` if it holds that bucket's data, else -1. */
  slotOf(bucket: number): number {
    const slot = mod(bucket, this.length)
    return this.epoch[slot] === bucket ? slot : -1
  }
}

class KeyStats {
  samples = 0
  successes = 0
  failures = 0
  latencyEwma: number | null = null
  connectEwma: number | null = null
  failureEwma: number | null = null
  status: StatusClasses = {'2xx': 0, '4xx': 0, '5xx': 0, other: 0, error: 0}
  retries = 0
  timeouts: TimeoutCounts = {connect_timeout: 0, headers_timeout: 0, idle_timeout: 0}
  rateLimited = 0
  lastSeen = Number.NEGATIVE_INFINITY
  readonly latencies: SampleRing
  readonly series: SeriesRing

  constructor(percentileWindow: number, buckets: number) {
    this.latencies = new SampleRing(percentileWindow)
    this.series = new SeriesRing(buckets)
  }

  touch(ts: number): void {
    if (ts > this.lastSeen) this.lastSeen = ts
  }
}

class ModelStats extends KeyStats {
  /** Tokens and estimated cost of the model's answers, since the start. */
  readonly usage = new UsageAccumulator()
}

class TargetStats extends KeyStats {
  constructor(
    readonly target: Target,
    percentileWindow: number,
    buckets: number,
  ) {
    super(percentileWindow, buckets)
  }
}

/** Totals of the requests that finished in one bucket of the window. */
class TotalsBucket {
  epoch = -1
  requests = 0
  outcomes: OutcomeCounts = emptyOutcomes()
  readonly latency = new LatencyHistogram()

  reset(epoch: number): void {
    this.epoch = epoch
    this.requests = 0
    this.outcomes = emptyOutcomes()
    this.latency.reset()
  }
}

/** Live metrics fed with audit events; see the module comment for the exact definitions. */
export class LiveMetrics {
  readonly alpha: number
  readonly windowMs: number
  readonly bucketMs: number
  private readonly buckets: number
  private readonly percentileWindow: number
  private readonly inFlightTtlMs: number
  private readonly maxOpenRequests: number
  private readonly maxKeys: number
  private readonly now: () => number
  private readonly startedAt: number

  private readonly requests = new Map<string, RequestState>()
  /** Recently finished requests: a straggling event after the terminal must not reopen them. */
  private readonly finished = new Set<string>()
  private readonly finishedOrder: string[] = []
  private finishedNext = 0
  private readonly models = new Map<string, ModelStats>()
  private readonly targets = new Map<string, TargetStats>()
  private readonly breakers = new Map<string, BreakerEntry>()
  /** Answers and verdicts by task + SEP + complexity + SEP + model (bounded by `maxKeys`, like the targets). */
  private readonly quality = new Map<string, QualityCounts>()
  /** Cool-downs by account + SEP + model (nothing after SEP for an account-wide one), with their end in epoch ms. */
  private readonly cooldowns = new Map<string, {entry: CooldownEntry; until: number}>()
  private readonly totals: TotalsBucket[]
  private requestsTotal = 0
  private readonly usageTotal = new UsageAccumulator()
  private readonly spendByKey: SpendByKey
  private successesTotal = 0
  private observed = 0
  private ignored = 0
  private lastEventTs = Number.NEGATIVE_INFINITY
  private firstEventTs = Number.POSITIVE_INFINITY
  private lastSweep: number
  private lastTsText = ''
  private lastTsParsed = Number.NaN

  constructor(options: LiveMetricsOptions = {}) {
    this.alpha = options.alpha ?? DEFAULT_EWMA_ALPHA
    if (!(this.alpha > 0 && this.alpha <= 1)) throw new RangeError(`EWMA alpha must be in (0, 1], got ${this.alpha}`)
    this.windowMs = options.windowMs ?? 60_000
    this.buckets = options.buckets ?? 30
    this.bucketMs = this.windowMs / this.buckets
    this.percentileWindow = options.percentileWindow ?? 512
    this.inFlightTtlMs = options.inFlightTtlMs ?? 10 * 60_000
    this.maxOpenRequests = options.maxOpenRequests ?? 10_000
    this.maxKeys = options.maxKeys ?? 1000
    this.now = options.now ?? Date.now
    this.startedAt = this.now()
    this.lastSweep = this.startedAt
    this.totals = Array.from({length: this.buckets}, () => new TotalsBucket())
    this.spendByKey = new SpendByKey(this.maxKeys)
  }

  /** Takes one audit event into account. Unknown event names are counted and ignored. */
  observe(event: AuditEvent): void {
    const now = this.now()
    // Events of one millisecond share their `ts` text: parse it once.
    if (event.ts !== this.lastTsText) {
      this.lastTsText = event.ts
      this.lastTsParsed = Date.parse(event.ts)
    }
    const parsed = this.lastTsParsed
    // A clock ahead of ours (a remote gateway) must not put events in the future of the window.
    const ts = Number.isFinite(parsed) ? Math.min(parsed, now) : now
    if (ts > this.lastEventTs) this.lastEventTs = ts
    if (ts < this.firstEventTs) this.firstEventTs = ts
    this.observed++
    // A verdict is about a request that has finished, by its nature.
    if (event.event === 'quality_feedback') {
      const counts = this.qualityOf(event.task, event.complexity, event.model)
      if (event.verdict === 'bad') counts.bad++
      else counts.good++
      return
    }
    // The terminal already settled every attempt of its request (from its summary if need be): a late event about
    // one of them, or the terminal again (a replay), would count it twice or leave a phantom request in flight.
    if ('request_id' in event && this.finished.has(event.request_id)) return
    switch (event.event) {
      case 'route_decision': {
        this.request(event.request_id, ts)
        break
      }
      case 'proxy_attempt': {
        const request = this.request(event.request_id, ts)
        for (const [number, attempt] of request.attempts) if (number < event.attempt) this.settle(attempt, now)
        this.attempt(event.request_id, event.attempt, event, ts)
        break
      }
      case 'proxy_upstream_connected': {
        const attempt = this.attempt(event.request_id, event.attempt, event, ts)
        attempt.status = event.status
        this.connectSample(attempt, event.connect_ms)
        break
      }
      case 'proxy_response': {
        const attempt = this.attempt(event.request_id, event.attempt, event, ts)
        this.usageTotal.add(event)
        this.spendByKey.observe(event)
        this.modelStats(event.model)?.usage.add(event)
        attempt.status = event.status
        this.connectSample(attempt, event.connect_ms)
        if (event.status >= 200 && event.status < 300) {
          attempt.succeeded = true
          attempt.latencyMs = event.latency_ms
          // An answer from the target ends what was left of its cool-down (an account's probe succeeded).
          if (this.cooldowns.size > 0) {
            this.cooldowns.delete(event.account + SEP + event.model)
            this.cooldowns.delete(event.account + SEP)
          }
        } else if (isClientError(event.status)) {
          attempt.succeeded = true
        } else {
          attempt.failed = true
          attempt.errorType ??= 'upstream_status'
        }
        break
      }
      case 'proxy_retry': {
        const attempt = this.attempt(event.request_id, event.attempt, event, ts)
        attempt.failed = true
        attempt.retried = true
        attempt.status ??= event.status
        attempt.errorType ??= event.error_type
        break
      }
      case 'proxy_request_error':
      case 'proxy_stream_error': {
        const attempt = this.attempt(event.request_id, event.attempt, event, ts)
        attempt.failed = true
        // The first known cause wins, except that a transport error explains more than the status it interrupted.
        if (attempt.errorType === null || attempt.errorType === 'upstream_status') attempt.errorType = event.error_type
        break
      }
      case 'proxy_rate_limited': {
        // Logs written before `scope` existed cooled the whole account.
        const scope = event.scope ?? 'account'
        const key = event.account + SEP + (scope === 'account' ? '' : event.model)
        if (!this.cooldowns.has(key) && this.cooldowns.size >= this.maxKeys) this.cooldowns.delete(this.cooldowns.keys().next().value!)
        const entry = {account: event.account, model: scope === 'account' ? null : event.model, provider: event.provider, scope, until: event.cooldown_until, since: event.ts}
        this.cooldowns.set(key, {entry, until: Date.parse(event.cooldown_until)})
        const attempt = this.attempt(event.request_id, event.attempt, event, ts)
        attempt.failed = true
        attempt.rateLimited = true
        attempt.status ??= event.status
        attempt.errorType ??= 'upstream_status'
        break
      }
      case 'proxy_skip_circuit_open':
      case 'proxy_skip_rate_limited':
      case 'proxy_skip_unavailable': {
        this.request(event.request_id, ts)
        this.targetStats(event)?.touch(ts)
        this.modelStats(event.model)?.touch(ts)
        break
      }
      case 'proxy_exhausted': {
        this.request(event.request_id, ts)
        break
      }
      case 'proxy_terminal': {
        const request = this.requests.get(event.request_id)
        this.requests.delete(event.request_id)
        this.markFinished(event.request_id)
        this.spendByKey.observe(event)
        event.attempts.forEach((summary, index) => {
          const state = request?.attempts.get(index + 1)
          if (state && state.account === summary.account && state.model === summary.model) {
            if (!state.failed && !state.succeeded) fillFromSummary(state, summary)
            this.settle(state, now)
          } else {
            this.settleSummary(summary, ts, now)
          }
        })
        // Attempts the terminal does not list (it should list all) are settled with what is known.
        for (const attempt of request?.attempts.values() ?? []) this.settle(attempt, now)
        this.terminal(event.outcome, event.latency_ms, ts, now)
        if (event.outcome === 'success' && event.task !== null && event.complexity !== null && event.model !== null) {
          this.qualityOf(event.task, event.complexity, event.model).answered++
        }
        break
      }

      case 'circuit_state': {
        const key = event.account + SEP + (event.model ?? '')
        if (!this.breakers.has(key) && this.breakers.size >= this.maxKeys) this.evictOldestBreaker()
        this.breakers.set(key, {
          account: event.account,
          model: event.model,
          provider: event.provider,
          state: event.state,
          since: event.ts,
          reason: event.reason,
        })
        if (event.model !== null) {
          this.targetStats({account: event.account, model: event.model, provider: event.provider})?.touch(ts)
          this.modelStats(event.model)?.touch(ts)
        }
        break
      }
      case 'config_reload':
      case 'state_store': {
        break
      }
      default: {
        this.observed--
        this.ignored++
      }
    }
    if (now - this.lastSweep >= 1000) this.sweep(now)
  }

  /** The current figures, as documented in `LiveMetricsSnapshotSchema`. */
  snapshot(): LiveMetricsSnapshot {
    const now = this.now()
    this.sweep(now)
    const current = Math.floor(now / this.bucketMs)
    const windowStart = (current - this.buckets + 1) * this.bucketMs

    let modelAttempts = 0
    for (const stats of this.models.values()) modelAttempts += windowAttempts(stats.series, current)
    let targetAttempts = 0
    for (const stats of this.targets.values()) targetAttempts += windowAttempts(stats.series, current)

    const targets: TargetMetrics[] = []
    const byModel = new Map<string, TargetMetrics[]>()
    for (const stats of this.targets.values()) {
      const {model, account, provider} = stats.target
      const breaker = this.effectiveBreaker(account, model)
      const cooldown = this.effectiveCooldown(account, model, now)
      const metrics: TargetMetrics = {
        model,
        account,
        provider,
        ...this.statsFields(stats, current, windowStart, targetAttempts),
        breaker: breaker?.state ?? 'closed',
        breaker_since: breaker?.since ?? null,
        breaker_reason: breaker?.reason ?? null,
        cooldown_until: cooldown?.until ?? null,
        cooldown_scope: cooldown?.scope ?? null,
      }
      targets.push(metrics)
      const list = byModel.get(model)
      if (list) list.push(metrics)
      else byModel.set(model, [metrics])
    }
    targets.sort((a, b) => compare(a.model, b.model) || compare(a.account, b.account))

    const models: ModelMetrics[] = []
    for (const [model, stats] of this.models) {
      const modelTargets = byModel.get(model) ?? []
      const openTargets = modelTargets.filter((t) => t.breaker !== 'closed').length
      let breaker: BreakerState = 'closed'
      if (modelTargets.length > 0 && openTargets === modelTargets.length) {
        breaker = modelTargets.some((t) => t.breaker === 'half_open') ? 'half_open' : 'open'
      }
      models.push({
        model,
        ...this.statsFields(stats, current, windowStart, modelAttempts),
        breaker,
        open_targets: openTargets,
        targets: modelTargets.length,
        usage: stats.usage.result(),
      })
    }
    models.sort((a, b) => compare(a.model, b.model))

    const window = new LatencyHistogram()
    const outcomes = emptyOutcomes()
    let requests = 0
    for (let bucket = current - this.buckets + 1; bucket <= current; bucket++) {
      const totals = this.totals[mod(bucket, this.buckets)]
      if (totals.epoch !== bucket) continue
      requests += totals.requests
      window.merge(totals.latency)
      for (const key of Object.keys(outcomes) as Array<keyof OutcomeCounts>) outcomes[key] += totals.outcomes[key]
    }
    // Measured since the window start, or since the metrics started if later, unless older events were fed in
    // (a log replayed from its start): then they cover the whole window.
    const spanMs = Math.max(1000, now - Math.max(windowStart, Math.min(this.startedAt, this.firstEventTs)))

    const breakers = [...this.breakers.values()].sort(
      (a, b) => compare(a.account, b.account) || compare(a.model ?? '', b.model ?? ''),
    )
    for (const [key, cooldown] of this.cooldowns) if (cooldown.until <= now) this.cooldowns.delete(key)
    const cooldowns = [...this.cooldowns.values()]
      .sort((a, b) => a.until - b.until || compare(a.entry.account, b.entry.account))
      .map((c) => c.entry)

    return {
      schema_version: 1,
      generated_at: new Date(now).toISOString(),
      started_at: new Date(this.startedAt).toISOString(),
      alpha: this.alpha,
      window_seconds: this.windowMs / 1000,
      events: {
        observed: this.observed,
        ignored: this.ignored,
        last_event_at: isoOrNull(this.lastEventTs),
      },
      totals: {
        requests,
        rps: Math.round((requests / (spanMs / 1000)) * 100) / 100,
        success_rate: requests === 0 ? null : round4(outcomes.success / requests),
        latency_ms: {p50: window.percentile(0.5), p95: window.percentile(0.95), p99: window.percentile(0.99)},
        outcomes,
        in_flight: this.requests.size,
        requests_total: this.requestsTotal,
        successes_total: this.successesTotal,
        usage: this.usageTotal.result(),
      },
      models,
      targets,
      breakers,
      cooldowns,
      quality: this.qualityCounts()
        .sort((a, b) => compare(a.task, b.task) || COMPLEXITIES.indexOf(a.complexity) - COMPLEXITIES.indexOf(b.complexity) || compare(a.model, b.model))
        .map((q) => ({...q, bad_rate: q.answered === 0 ? null : round4(q.bad / q.answered)})),
      keys: this.spendByKey.result(),
    }
  }

  /** Answers and quality verdicts per task, complexity and model since the metrics started (copies). */
  qualityCounts(): QualityCounts[] {
    return [...this.quality.values()].map((q) => ({...q}))
  }

  private qualityOf(task: Task, complexity: Complexity, model: string): QualityCounts {
    const key = task + SEP + complexity + SEP + model
    let counts = this.quality.get(key)
    if (counts === undefined) {
      if (this.quality.size >= this.maxKeys) this.quality.delete(this.quality.keys().next().value!)
      counts = {task, complexity, model, answered: 0, bad: 0, good: 0}
      this.quality.set(key, counts)
    }
    return counts
  }

  /**
   * One model's EWMA figures without building a snapshot (routing reads them for every candidate of every request).
   * The object is live: read it at once, do not keep it.
   */
  modelFigures(model: string): ModelFigures | undefined {
    return this.models.get(model)
  }

  /** Every model with figures. */
  modelKeys(): IterableIterator<string> {
    return this.models.keys()
  }

  /** Sizes of the internal structures (for tests and diagnostics). */
  sizes(): LiveMetricsSizes {
    let openAttempts = 0
    for (const request of this.requests.values()) openAttempts += request.attempts.size
    return {
      openRequests: this.requests.size,
      openAttempts,
      models: this.models.size,
      targets: this.targets.size,
      breakers: this.breakers.size,
    }
  }

  private markFinished(requestId: string): void {
    const evicted = this.finishedOrder[this.finishedNext]
    if (evicted !== undefined) this.finished.delete(evicted)
    this.finishedOrder[this.finishedNext] = requestId
    this.finishedNext = (this.finishedNext + 1) % FINISHED_MEMORY
    this.finished.add(requestId)
  }

  private request(requestId: string, ts: number): RequestState {
    let request = this.requests.get(requestId)
    if (!request) {
      if (this.requests.size >= this.maxOpenRequests) this.dropOldestRequest()
      request = {lastTs: ts, attempts: new Map()}
      this.requests.set(requestId, request)
    } else if (ts > request.lastTs) {
      request.lastTs = ts
    }
    return request
  }

  private attempt(requestId: string, number: number, target: Target, ts: number): AttemptState {
    const request = this.request(requestId, ts)
    let attempt = request.attempts.get(number)
    if (!attempt) {
      attempt = {
        model: target.model,
        account: target.account,
        provider: target.provider,
        status: null,
        errorType: null,
        failed: false,
        succeeded: false,
        latencyMs: null,
        connectCounted: false,
        retried: false,
        rateLimited: false,
        settled: false,
        ts,
      }
      request.attempts.set(number, attempt)
    } else if (ts > attempt.ts) {
      attempt.ts = ts
    }
    this.targetStats(target)?.touch(ts)
    this.modelStats(target.model)?.touch(ts)
    return attempt
  }

  private connectSample(attempt: AttemptState, connectMs: number): void {
    if (attempt.connectCounted) return
    attempt.connectCounted = true
    for (const stats of [this.modelStats(attempt.model), this.targetStats(attempt)]) {
      if (stats) stats.connectEwma = ewma(stats.connectEwma, connectMs, this.alpha)
    }
  }

  /** Turns a finished attempt into its one sample (or none, see the module comment). */
  private settle(attempt: AttemptState, now: number): void {
    if (attempt.settled) return
    // Nothing known about its end yet: the request's terminal may still tell.
    if (!attempt.failed && !attempt.succeeded) return
    attempt.settled = true
    if (attempt.errorType === 'client_abort') return
    const failed = attempt.failed
    const nonStatusError = attempt.errorType !== null && attempt.errorType !== 'upstream_status'
    this.record(attempt, {
      ts: attempt.ts,
      failed,
      latencyMs: failed ? null : attempt.latencyMs,
      status: nonStatusError || attempt.status === null ? 'error' : statusClass(attempt.status),
      errorType: failed ? attempt.errorType : null,
      retried: attempt.retried,
      rateLimited: attempt.rateLimited,
    }, now)
  }

  private settleSummary(summary: AttemptSummary, ts: number, now: number): void {
    if (summary.error_type === 'client_abort') return
    const nonStatusError = summary.error_type !== null && summary.error_type !== 'upstream_status'
    const failed = !summary.ok && !(summary.status !== null && isClientError(summary.status))
    this.record(summary, {
      ts,
      failed,
      latencyMs: summary.ok ? summary.latency_ms : null,
      status: nonStatusError || summary.status === null ? 'error' : statusClass(summary.status),
      errorType: failed ? summary.error_type : null,
      retried: false,
      rateLimited: !summary.ok && summary.status === 429,
    }, now)
  }

  private record(target: Target, sample: Sample, now: number): void {
    const current = Math.floor(now / this.bucketMs)
    const bucket = Math.floor(sample.ts / this.bucketMs)
    for (const stats of [this.modelStats(target.model), this.targetStats(target)]) {
      if (!stats) continue
      stats.samples++
      if (sample.failed) stats.failures++
      else stats.successes++
      stats.failureEwma = ewma(stats.failureEwma, sample.failed ? 1 : 0, this.alpha)
      if (sample.latencyMs !== null) {
        stats.latencyEwma = ewma(stats.latencyEwma, sample.latencyMs, this.alpha)
        stats.latencies.push(sample.ts, sample.latencyMs)
      }
      stats.status[sample.status]++
      if (sample.retried) stats.retries++
      if (sample.rateLimited) stats.rateLimited++
      if (sample.errorType !== null && TIMEOUT_TYPES.has(sample.errorType)) {
        stats.timeouts[sample.errorType as keyof TimeoutCounts]++
      }
      stats.series.add(bucket, current, sample.failed, sample.latencyMs)
      stats.touch(sample.ts)
    }
  }

  private terminal(outcome: keyof OutcomeCounts, latencyMs: number, ts: number, now: number): void {
    this.requestsTotal++
    if (outcome === 'success') this.successesTotal++
    const current = Math.floor(now / this.bucketMs)
    const bucket = Math.floor(ts / this.bucketMs)
    if (bucket <= current - this.buckets) return
    const totals = this.totals[mod(bucket, this.buckets)]
    if (totals.epoch !== bucket) {
      if (totals.epoch > bucket) return
      totals.reset(bucket)
    }
    totals.requests++
    totals.outcomes[outcome]++
    totals.latency.add(latencyMs)
  }

  private modelStats(model: string): ModelStats | undefined {
    let stats = this.models.get(model)
    if (!stats) {
      if (this.models.size >= this.maxKeys) evictLeastRecent(this.models)
      stats = new ModelStats(this.percentileWindow, this.buckets)
      this.models.set(model, stats)
    }
    return stats
  }

  private targetStats(target: Target): TargetStats | undefined {
    const key = target.account + SEP + target.model
    let stats = this.targets.get(key)
    if (!stats) {
      if (this.targets.size >= this.maxKeys) evictLeastRecent(this.targets)
      stats = new TargetStats({model: target.model, account: target.account, provider: target.provider}, this.percentileWindow, this.buckets)
      this.targets.set(key, stats)
    }
    return stats
  }

  /** The target's cool-down, or its account's when that one ends later; undefined when neither is on at `now`. */
  private effectiveCooldown(account: string, model: string, now: number): CooldownEntry | undefined {
    if (this.cooldowns.size === 0) return undefined
    const own = this.cooldowns.get(account + SEP + model)
    const accountWide = this.cooldowns.get(account + SEP)
    const live = [own, accountWide].filter((c) => c !== undefined && c.until > now) as Array<{entry: CooldownEntry; until: number}>
    if (live.length === 0) return undefined
    return live.reduce((a, b) => (b.until > a.until ? b : a)).entry
  }

  /** The worse of the target's own breaker and its account-wide breaker. */
  private effectiveBreaker(account: string, model: string): BreakerEntry | undefined {
    const own = this.breakers.get(account + SEP + model)
    const accountWide = this.breakers.get(account + SEP)
    if (!own) return accountWide
    if (!accountWide) return own
    return BREAKER_RANK[accountWide.state] > BREAKER_RANK[own.state] ? accountWide : own
  }

  private statsFields(stats: KeyStats, current: number, windowStart: number, allAttempts: number) {
    const latency: Array<number | null> = []
    const failure: Array<number | null> = []
    const attempts: number[] = []
    let inWindow = 0
    const series = stats.series
    for (let bucket = current - this.buckets + 1; bucket <= current; bucket++) {
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
    const seriesOut: Series = {bucket_seconds: this.bucketMs / 1000, latency_ms: latency, failure, attempts}
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

  /** Settles and forgets requests whose terminal never came (the gateway crashed, the log was cut). */
  private sweep(now: number): void {
    this.lastSweep = now
    const cutoff = now - this.inFlightTtlMs
    for (const [id, request] of this.requests) {
      if (request.lastTs >= cutoff) continue
      for (const attempt of request.attempts.values()) this.settle(attempt, now)
      this.requests.delete(id)
    }
  }

  private dropOldestRequest(): void {
    const oldest = this.requests.entries().next().value
    if (!oldest) return
    for (const attempt of oldest[1].attempts.values()) this.settle(attempt, this.now())
    this.requests.delete(oldest[0])
  }

  private evictOldestBreaker(): void {
    let oldestKey: string | undefined
    let oldest = Number.POSITIVE_INFINITY
    for (const [key, entry] of this.breakers) {
      const since = Date.parse(entry.since)
      if (!(since >= oldest)) {
        oldest = since
        oldestKey = key
      }
    }
    if (oldestKey !== undefined) this.breakers.delete(oldestKey)
  }
}

function fillFromSummary(state: AttemptState, summary: AttemptSummary): void {
  state.status ??= summary.status
  if (summary.ok) {
    state.succeeded = true
    state.latencyMs ??= summary.latency_ms
  } else {
    state.failed = true
    state.errorType ??= summary.error_type
  }
}

function evictLeastRecent<T extends KeyStats>(map: Map<string, T>): void {
  let oldestKey: string | undefined
  let oldest = Number.POSITIVE_INFINITY
  for (const [key, stats] of map) {
    if (stats.lastSeen < oldest || oldestKey === undefined) {
      oldest = stats.lastSeen
      oldestKey = key
    }
  }
  if (oldestKey !== undefined) map.delete(oldestKey)
}

function windowAttempts(series: SeriesRing, current: number): number {
  let total = 0
  for (let bucket = current - series.length + 1; bucket <= current; bucket++) {
    const slot = series.slotOf(bucket)
    if (slot !== -1) total += series.attempts[slot]
  }
  return total
}

/** HTTP status → status class of an attempt that got one. */
export function statusClass(status: number): StatusClass {
  if (status >= 200 && status < 300) return '2xx'
  if (status >= 400 && status < 500) return '4xx'
  if (status >= 500 && status < 600) return '5xx'
  return 'other'
}

function emptyOutcomes(): OutcomeCounts {
  return {success: 0, upstream_error: 0, exhausted: 0, stream_error: 0, client_abort: 0, rejected: 0}
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : round(value)
}

function isoOrNull(ms: number): string | null {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** A 4xx that says the request was wrong, not that the upstream is unhealthy (timeouts and rate limits excepted). */
function isClientError(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429
}
