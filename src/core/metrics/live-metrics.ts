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
 *
 * The parts: `attempt-tracker.ts` (attempts until settled), `rings.ts` (the windowed counters and EWMAs per key),
 * `sessions.ts` (sessions and what cache affinity saved, from `route_decision.session`), `snapshot.ts` (the snapshot).
 */
import type {AuditEvent} from '../audit/schema.js'
import {parseAuditTimestamp} from '../audit/timestamp.js'
import {ewma} from './histogram.js'
import {SpendByKey, UsageAccumulator} from './usage.js'
import type {Complexity, Task} from '../config/schema.js'
import type {QualityCounts} from '../policy/feedback.js'
import {AttemptTracker, type AttemptState, isClientError} from './attempt-tracker.js'
import {ModelStats, RequestTotals, SEP, type Sample, type Target, TargetStats, evictLeastRecent} from './rings.js'
import {SessionStats} from './sessions.js'
import {type ActiveCooldown, buildSnapshot} from './snapshot.js'
import type {BreakerEntry, CooldownEntry, LiveMetricsSnapshot, SessionMetrics} from './schema.js'

export {statusClass} from './attempt-tracker.js'

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
  /** The window in which a session counts as active, in ms; default 300 000 (5 minutes, the usual cache lifetime). */
  sessionWindowMs?: number
  /** At most this many sessions are tracked (the least recently seen go first); default 10 000. */
  maxSessions?: number
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
  /** Sessions tracked, and priced stays awaiting their terminal. */
  sessions: number
  pendingStays: number
}

/** The EWMA figures of one model, as kept (read-only; valid until the next event). */
export interface ModelFigures {
  readonly samples: number
  readonly latencyEwma: number | null
  readonly connectEwma: number | null
  readonly failureEwma: number | null
  /** Cached prompt tokens ÷ prompt tokens of the answers that reported cache counts; null before one did. */
  readonly cacheHitRatio: number | null
}

/** Live metrics fed with audit events; see the module comment for the exact definitions. */
export class LiveMetrics {
  readonly alpha: number
  readonly windowMs: number
  readonly bucketMs: number
  private readonly buckets: number
  private readonly percentileWindow: number
  private readonly maxKeys: number
  private readonly now: () => number
  private readonly startedAt: number

  private readonly tracker: AttemptTracker
  private readonly models = new Map<string, ModelStats>()
  private readonly targets = new Map<string, TargetStats>()
  private readonly breakers = new Map<string, BreakerEntry>()
  /** Answers and verdicts by task + SEP + complexity + SEP + model (bounded by `maxKeys`, like the targets). */
  private readonly quality = new Map<string, QualityCounts>()
  /** Cool-downs by account + SEP + model (nothing after SEP for an account-wide one), with their end in epoch ms. */
  private readonly cooldowns = new Map<string, ActiveCooldown>()
  private readonly totals: RequestTotals
  private readonly usageTotal = new UsageAccumulator()
  private readonly spendByKey: SpendByKey
  private readonly sessions: SessionStats
  private observed = 0
  private ignored = 0
  private lastEventTs = Number.NEGATIVE_INFINITY
  private firstEventTs = Number.POSITIVE_INFINITY
  private lastTsText = ''
  private lastTsParsed = Number.NaN

  constructor(options: LiveMetricsOptions = {}) {
    this.alpha = options.alpha ?? DEFAULT_EWMA_ALPHA
    if (!(this.alpha > 0 && this.alpha <= 1)) throw new RangeError(`EWMA alpha must be in (0, 1], got ${this.alpha}`)
    this.windowMs = options.windowMs ?? 60_000
    this.buckets = options.buckets ?? 30
    this.bucketMs = this.windowMs / this.buckets
    this.percentileWindow = options.percentileWindow ?? 512
    this.maxKeys = options.maxKeys ?? 1000
    this.now = options.now ?? Date.now
    this.startedAt = this.now()
    this.tracker = new AttemptTracker({
      inFlightTtlMs: options.inFlightTtlMs ?? 10 * 60_000,
      maxOpenRequests: options.maxOpenRequests ?? 10_000,
      now: this.now,
      record: (target, sample, now) => this.record(target, sample, now),
    })
    this.totals = new RequestTotals(this.buckets)
    this.spendByKey = new SpendByKey(this.maxKeys)
    this.sessions = new SessionStats({windowMs: options.sessionWindowMs, maxSessions: options.maxSessions})
  }

  /** Takes one audit event into account. Unknown event names are counted and ignored. */
  observe(event: AuditEvent): void {
    const now = this.now()
    // Events of one millisecond share their `ts` text: parse it once.
    if (event.ts !== this.lastTsText) {
      this.lastTsText = event.ts
      this.lastTsParsed = parseAuditTimestamp(event.ts)
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
    if ('request_id' in event && this.tracker.isFinished(event.request_id)) return
    const tracker = this.tracker
    switch (event.event) {
      case 'route_decision': {
        tracker.request(event.request_id, ts)
        if (event.session) this.sessions.decision(event.request_id, event.session, ts, now)
        break
      }
      case 'proxy_attempt': {
        tracker.start(event.request_id, event.attempt, event, ts, now)
        this.touch(event, ts)
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
        this.targetStats(event)?.usage.add(event)
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
        if (!this.cooldowns.has(key) && this.cooldowns.size >= this.maxKeys)
          this.cooldowns.delete(this.cooldowns.keys().next().value!)
        const entry: CooldownEntry = {
          account: event.account,
          model: scope === 'account' ? null : event.model,
          provider: event.provider,
          scope,
          until: event.cooldown_until,
          since: event.ts,
        }
        if (event.reason !== undefined) entry.reason = event.reason
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
        tracker.request(event.request_id, ts)
        this.touch(event, ts)
        break
      }
      case 'proxy_exhausted': {
        tracker.request(event.request_id, ts)
        break
      }
      case 'proxy_terminal': {
        tracker.finish(event, ts, now)
        this.spendByKey.observe(event)
        this.sessions.terminal(event)
        this.totals.add(
          event.outcome,
          event.latency_ms,
          Math.floor(ts / this.bucketMs),
          Math.floor(now / this.bucketMs),
        )
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
    tracker.maybeSweep(now)
  }

  /** The current figures, as documented in `LiveMetricsSnapshotSchema`. */
  snapshot(): LiveMetricsSnapshot {
    const now = this.now()
    this.tracker.sweep(now)
    for (const [key, cooldown] of this.cooldowns) if (cooldown.until <= now) this.cooldowns.delete(key)
    return buildSnapshot({
      now,
      startedAt: this.startedAt,
      alpha: this.alpha,
      windowMs: this.windowMs,
      bucketMs: this.bucketMs,
      buckets: this.buckets,
      observed: this.observed,
      ignored: this.ignored,
      lastEventTs: this.lastEventTs,
      firstEventTs: this.firstEventTs,
      inFlight: this.tracker.openRequests,
      models: this.models,
      targets: this.targets,
      breakers: this.breakers,
      cooldowns: this.cooldowns,
      totals: this.totals,
      usage: this.usageTotal.result(),
      quality: this.qualityCounts(),
      keys: this.spendByKey.result(),
      sessions: this.sessions.result(now),
    })
  }

  /** Sessions and cache affinity as in the snapshot, without building the rest of it. */
  sessionMetrics(): SessionMetrics {
    return this.sessions.result(this.now())
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
    return {
      openRequests: this.tracker.openRequests,
      openAttempts: this.tracker.openAttempts,
      models: this.models.size,
      targets: this.targets.size,
      breakers: this.breakers.size,
      sessions: this.sessions.size,
      pendingStays: this.sessions.tally.pendingSize,
    }
  }

  /** The attempt (opened if need be); its target and model were seen now. */
  private attempt(requestId: string, number: number, target: Target, ts: number): AttemptState {
    const attempt = this.tracker.attempt(requestId, number, target, ts)
    this.touch(target, ts)
    return attempt
  }

  private touch(target: Target, ts: number): void {
    this.targetStats(target)?.touch(ts)
    this.modelStats(target.model)?.touch(ts)
  }

  private connectSample(attempt: AttemptState, connectMs: number): void {
    if (attempt.connectCounted) return
    attempt.connectCounted = true
    for (const stats of [this.modelStats(attempt.model), this.targetStats(attempt)]) {
      if (stats) stats.connectEwma = ewma(stats.connectEwma, connectMs, this.alpha)
    }
  }

  private record(target: Target, sample: Sample, now: number): void {
    const current = Math.floor(now / this.bucketMs)
    const bucket = Math.floor(sample.ts / this.bucketMs)
    for (const stats of [this.modelStats(target.model), this.targetStats(target)]) {
      if (stats) stats.record(sample, bucket, current, this.alpha)
    }
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
      stats = new TargetStats(
        {model: target.model, account: target.account, provider: target.provider},
        this.percentileWindow,
        this.buckets,
      )
      this.targets.set(key, stats)
    }
    return stats
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
