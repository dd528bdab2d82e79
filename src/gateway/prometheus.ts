/**
 * `GET /metrics` in Prometheus text format (prom-client, with a registry of its own, never the global one). Metrics
 * are updated from the audit event bus, never from the request path, and cheaply (prom-client hashes and validates
 * the labels on every `inc` and `observe`): counters and histograms are plain numbers per label set, found by one key
 * string per event and handed to the registry at scrape time; the in-flight and EWMA gauges are computed at scrape
 * time. Metric names and labels are documented in docs/gateway.md ("Prometheus").
 */
import {
  Counter,
  Gauge,
  Registry,
  collectDefaultMetrics,
  type Metric,
  type MetricObjectWithValues,
  type MetricType,
  type MetricValueWithName,
} from 'prom-client'

import type {AuditEventBus} from '../core/audit/event-bus.js'
import type {AuditEvent} from '../core/audit/schema.js'
import type {LiveMetrics} from '../core/metrics/live-metrics.js'
import {NANO_PER_USD, nanoUsd} from '../core/metrics/usage.js'
import {classifierCacheStats} from '../core/routing/classifier.js'
import type {AuditLogStatus} from './audit-log.js'

const SEP = '\u0000'
const BREAKER_VALUE = {closed: 0, half_open: 1, open: 2} as const
/** Whole-request and upstream latency buckets, in seconds (LLM answers take from milliseconds to minutes). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160]
/** Requests tracked as in flight at most (a lost terminal event must not grow memory). */
const MAX_OPEN = 100_000

export interface PrometheusOptions {
  /** Source of the EWMA gauges; absent when live metrics are off. */
  metrics?: LiveMetrics
  /** Source of the audit log figures; absent when the audit log is off. */
  auditLog?: {status(): AuditLogStatus}
  /** Process and Node.js metrics (CPU, memory, event loop lag, GC); default true. */
  defaultMetrics?: boolean
}

/** Label values in `labelNames` order → a labels object (built once per series). */
function labelsOf(names: readonly string[], a: string, b: string, c?: string, d?: string): Record<string, string> {
  const values = [a, b, c, d]
  const labels: Record<string, string> = {}
  names.forEach((name, index) => (labels[name] = values[index] ?? ''))
  return labels
}

/**
 * Counts per label set, kept as plain numbers and copied into a prom-client counter when it is scraped. With a
 * `divisor`, amounts are added in whole units of 1/divisor (so that a sum of decimal fractions is exact) and divided
 * on the way out.
 */
class Tally {
  private readonly series = new Map<string, {labels: Record<string, string>; value: number}>()

  constructor(
    private readonly labelNames: readonly string[],
    private readonly divisor = 1,
  ) {}

  /** Adds one to the series of these label values (in `labelNames` order); `key` must identify them. */
  add(key: string, a: string, b: string, c?: string, d?: string): void {
    this.addAmount(key, 1, a, b, c, d)
  }

  /** Adds `amount` to the series of these label values. */
  addAmount(key: string, amount: number, a: string, b: string, c?: string, d?: string): void {
    const entry = this.series.get(key)
    if (entry !== undefined) entry.value += amount
    else this.series.set(key, {labels: labelsOf(this.labelNames, a, b, c, d), value: amount})
  }

  /** Copies the counts into `counter` (its `collect`). */
  flush(counter: Counter<string>): void {
    counter.reset()
    for (const {labels, value} of this.series.values()) counter.inc(labels, value / this.divisor)
  }
}

/** A counter whose values come from a `Tally` at scrape time. */
function tallied(registry: Registry, name: string, help: string, labelNames: string[], divisor = 1): Tally {
  const tally = new Tally(labelNames, divisor)
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      tally.flush(this)
    },
  })
  return tally
}

interface HistogramSeries {
  labels: Record<string, string>
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  counts: Float64Array
  sum: number
  count: number
}

/**
 * A histogram with plain per-series bucket counts, registered with `Registry.registerMetric` and read through `get()`
 * like prom-client's own (same text output).
 */
class LeanHistogram implements Pick<Metric, 'get' | 'reset'> {
  readonly type = 'histogram' as const
  readonly aggregator = 'sum' as const
  private readonly series = new Map<string, HistogramSeries>()

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly bounds: readonly number[],
  ) {}

  observe(key: string, value: number, a: string, b: string): void {
    let series = this.series.get(key)
    if (series === undefined) {
      series = {
        labels: labelsOf(this.labelNames, a, b),
        counts: new Float64Array(this.bounds.length + 1),
        sum: 0,
        count: 0,
      }
      this.series.set(key, series)
    }
    const bounds = this.bounds
    let slot = 0
    while (slot < bounds.length && value > bounds[slot]) slot++
    series.counts[slot]++
    series.sum += value
    series.count++
  }

  async get(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
    const values: Array<MetricValueWithName<string>> = []
    const bucket = `${this.name}_bucket`
    for (const {labels, counts, sum, count} of this.series.values()) {
      let cumulative = 0
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += counts[i]
        values.push({
          metricName: bucket,
          labels: {le: i < this.bounds.length ? this.bounds[i] : '+Inf', ...labels},
          value: cumulative,
        })
      }
      values.push({metricName: `${this.name}_sum`, labels, value: sum})
      values.push({metricName: `${this.name}_count`, labels, value: count})
    }
    // prom-client's typings declare the type as a numeric enum; at run time it is the string.
    return {
      name: this.name,
      help: this.help,
      type: 'histogram' as unknown as MetricType,
      values,
      aggregator: this.aggregator,
      collect: () => undefined,
    }
  }

  reset(): void {
    this.series.clear()
  }
}

/** The gateway's Prometheus metrics, fed by the bus. */
export class PrometheusMetrics {
  readonly registry = new Registry()
  private readonly requests: Tally
  private readonly duration: LeanHistogram
  private readonly attempts: Tally
  private readonly upstreamLatency: LeanHistogram
  private readonly retries: Tally
  private readonly rateLimited: Tally
  private readonly skips: Tally
  private readonly tokens: Tally
  private readonly cachedTokens: Tally
  private readonly cost: Tally
  private readonly breakerState: Gauge<'account' | 'model' | 'provider'>
  private readonly breakerTransitions: Counter<'account' | 'model' | 'state'>
  private readonly reloads: Counter<'result'>
  private readonly compactions: Counter
  private readonly compactionSeconds: Counter
  private readonly open = new Set<string>()
  private readonly unsubscribe: () => void

  constructor(bus: AuditEventBus, options: PrometheusOptions = {}) {
    const registry = this.registry
    const registers = [registry]
    this.requests = tallied(
      registry,
      'router_requests_total',
      'Client requests by endpoint, answering model, status class and outcome.',
      ['endpoint', 'model', 'status_class', 'outcome'],
    )
    this.duration = new LeanHistogram(
      'router_request_duration_seconds',
      'Whole-request latency, from arrival to the last byte sent.',
      ['endpoint', 'outcome'],
      LATENCY_BUCKETS,
    )
    registry.registerMetric(this.duration as unknown as Metric)
    this.attempts = tallied(
      registry,
      'router_upstream_attempts_total',
      'Upstream attempts by model, account and outcome (status class, or the error type when no status came back).',
      ['model', 'account', 'outcome'],
    )
    this.upstreamLatency = new LeanHistogram(
      'router_upstream_latency_seconds',
      'Latency of successful upstream attempts (request sent to last byte).',
      ['model', 'account'],
      LATENCY_BUCKETS,
    )
    registry.registerMetric(this.upstreamLatency as unknown as Metric)
    this.retries = tallied(
      registry,
      'router_upstream_retries_total',
      'Attempts after which the gateway moved on to the next target.',
      ['model', 'account'],
    )
    this.rateLimited = tallied(
      registry,
      'router_upstream_rate_limited_total',
      'Attempts answered with a rate limit (429), which cool the account down.',
      ['model', 'account'],
    )
    this.tokens = tallied(
      registry,
      'router_upstream_tokens_total',
      'Tokens the upstreams reported for their answers, by type (prompt, completion).',
      ['model', 'account', 'type'],
    )
    this.cachedTokens = tallied(
      registry,
      'router_upstream_cached_tokens_total',
      "Prompt tokens the upstreams reported as read from their prompt cache (type read) or written to it (type write); part of router_upstream_tokens_total's prompt tokens.",
      ['model', 'account', 'type'],
    )
    this.cost = tallied(
      registry,
      'router_upstream_cost_usd_total',
      "Estimated cost of the upstreams' answers in USD, at the configured or catalog prices (answers without usage or prices count nothing).",
      ['model', 'account'],
      // Summed in nano-dollars: exact, where summing dollars would drift.
      NANO_PER_USD,
    )
    this.skips = tallied(
      registry,
      'router_upstream_skips_total',
      'Targets passed over, by reason (circuit_open, rate_limited, unavailable).',
      ['model', 'account', 'reason'],
    )
    this.breakerState = new Gauge({
      name: 'router_circuit_breaker_state',
      help: 'Circuit breaker state per target: 0 closed, 1 half-open, 2 open (model "*" for an account-wide breaker).',
      labelNames: ['account', 'model', 'provider'],
      registers,
    })
    this.breakerTransitions = new Counter({
      name: 'router_circuit_breaker_transitions_total',
      help: 'Circuit breaker transitions, by the state entered.',
      labelNames: ['account', 'model', 'state'],
      registers,
    })
    const open = this.open
    new Gauge({
      name: 'router_in_flight_requests',
      help: 'Routed requests not finished yet.',
      registers,
      collect() {
        this.set(open.size)
      },
    })
    const auditLog = options.auditLog
    if (auditLog) {
      const read = (field: 'write_errors' | 'dropped_events') =>
        function (this: Counter) {
          this.reset()
          this.inc(auditLog.status()[field])
        }
      new Counter({
        name: 'router_audit_log_write_errors_total',
        help: 'Audit log writes the disk refused (each is retried).',
        registers,
        collect: read('write_errors'),
      })
      new Counter({
        name: 'router_audit_log_dropped_events_total',
        help: 'Audit events lost: held past the pending bound while writes failed, or unwritten at shutdown.',
        registers,
        collect: read('dropped_events'),
      })
      new Gauge({
        name: 'router_audit_log_failing',
        help: 'Whether audit log writes are failing now (1) or not (0).',
        registers,
        collect() {
          this.set(auditLog.status().state === 'failing' ? 1 : 0)
        },
      })
    }
    this.reloads = new Counter({
      name: 'router_config_reloads_total',
      help: 'Config reloads, by result (ok, error).',
      labelNames: ['result'],
      registers,
    })
    this.compactions = new Counter({
      name: 'router_memory_compactions_total',
      help: 'Heap compactions after a quiet period.',
      registers,
    })
    this.compactionSeconds = new Counter({
      name: 'router_memory_compaction_seconds_total',
      help: 'Time the event loop spent paused in heap compactions.',
      registers,
    })

    // The classifier's cache of what it read from system prompts and earlier turns (process-wide).
    new Counter({
      name: 'router_classifier_cache_hits_total',
      help: 'Texts the classifier took from its cache instead of reading them again.',
      registers,
      collect() {
        this.reset()
        this.inc(classifierCacheStats().hits)
      },
    })
    new Counter({
      name: 'router_classifier_cache_misses_total',
      help: 'Texts the classifier looked up in its cache and had to read.',
      registers,
      collect() {
        this.reset()
        this.inc(classifierCacheStats().misses)
      },
    })
    new Gauge({
      name: 'router_classifier_cache_texts',
      help: 'Texts in the classifier cache.',
      registers,
      collect() {
        this.set(classifierCacheStats().texts)
      },
    })
    new Gauge({
      name: 'router_classifier_cache_chars',
      help: 'Characters of the texts in the classifier cache.',
      registers,
      collect() {
        this.set(classifierCacheStats().chars)
      },
    })

    const live = options.metrics
    if (live) {
      const ewma = (
        name: string,
        help: string,
        read: (m: NonNullable<ReturnType<LiveMetrics['modelFigures']>>) => number | null,
        scale = 1,
      ) =>
        new Gauge({
          name,
          help,
          labelNames: ['model'],
          registers,
          collect() {
            this.reset()
            for (const model of live.modelKeys()) {
              const value = read(live.modelFigures(model)!)
              if (value !== null) this.labels(model).set(value * scale)
            }
          },
        })
      ewma(
        'router_model_latency_ewma_seconds',
        'EWMA latency of successful attempts per model.',
        (m) => m.latencyEwma,
        1 / 1000,
      )
      ewma(
        'router_model_connect_ewma_seconds',
        'EWMA time to response headers per model.',
        (m) => m.connectEwma,
        1 / 1000,
      )
      ewma('router_model_failure_rate_ewma', 'EWMA failure rate of attempts per model (0-1).', (m) => m.failureEwma)
      ewma('router_model_samples', 'Finished attempts per model since the gateway started.', (m) => m.samples)
      ewma(
        'router_model_cache_hit_ratio',
        'Prompt tokens read from the prompt cache / prompt tokens, of the answers per model that reported cache counts (0-1).',
        (m) => m.cacheHitRatio,
      )
      new Gauge({
        name: 'router_sessions_active',
        help: 'Distinct sessions with a routing decision in the sessions window (5 minutes: the usual prompt-cache lifetime).',
        registers,
        collect() {
          this.set(live.sessionMetrics().active)
        },
      })
      new Counter({
        name: 'router_session_turns_total',
        help: 'Turns of recognised sessions by what cache affinity did (stay, move_up, downgrade, cold, unavailable, new, off).',
        labelNames: ['affinity'],
        registers,
        collect() {
          this.reset()
          for (const [affinity, count] of Object.entries(live.sessionMetrics().decisions))
            this.labels(affinity).inc(count)
        },
      })
      // A gauge, not a counter: the estimate is net, and goes down for a stay that cost more than switching.
      new Gauge({
        name: 'router_affinity_saved_usd',
        help: 'Estimated USD session affinity saved since the start: switch minus stay cost of the successful turns that stayed.',
        registers,
        collect() {
          this.set(live.sessionMetrics().affinity_saved_usd)
        },
      })
    }
    if (options.defaultMetrics ?? true) collectDefaultMetrics({register: this.registry})
    this.unsubscribe = bus.subscribe((event) => this.observe(event))
  }

  /** The heap was compacted after a quiet period (see `IdleCompactor`). */
  memoryCompacted(durationMs: number): void {
    this.compactions.inc()
    this.compactionSeconds.inc(durationMs / 1000)
  }

  get contentType(): string {
    return this.registry.contentType
  }

  async render(): Promise<string> {
    const text = await this.registry.metrics()
    // prom-client writes NaN (e.g. an event-loop figure before its first sample) as "Nan"; the format spells it "NaN".
    return text.includes(' Nan\n') ? text.replaceAll(' Nan\n', ' NaN\n') : text
  }

  close(): void {
    this.unsubscribe()
    this.registry.clear()
  }

  private observe(event: AuditEvent): void {
    switch (event.event) {
      case 'route_decision': {
        if (this.open.size >= MAX_OPEN) this.open.clear()
        this.open.add(event.request_id)
        break
      }
      case 'proxy_terminal': {
        this.open.delete(event.request_id)
        const model = event.model ?? 'none'
        const status = statusClass(event.status)
        this.requests.add(
          event.endpoint + SEP + model + SEP + status + SEP + event.outcome,
          event.endpoint,
          model,
          status,
          event.outcome,
        )
        this.duration.observe(
          event.endpoint + SEP + event.outcome,
          event.latency_ms / 1000,
          event.endpoint,
          event.outcome,
        )
        break
      }
      case 'proxy_response': {
        const status = statusClass(event.status)
        this.attempts.add(event.model + SEP + event.account + SEP + status, event.model, event.account, status)
        if (status === '2xx') {
          this.upstreamLatency.observe(
            event.model + SEP + event.account,
            event.latency_ms / 1000,
            event.model,
            event.account,
          )
        }
        const usage = event.usage
        if (usage !== null) {
          const target = event.model + SEP + event.account
          if (usage.prompt_tokens !== null)
            this.tokens.addAmount(target + SEP + 'p', usage.prompt_tokens, event.model, event.account, 'prompt')
          if (usage.completion_tokens !== null) {
            this.tokens.addAmount(target + SEP + 'c', usage.completion_tokens, event.model, event.account, 'completion')
          }
          // Only counts an upstream reported: a provider without a cache (or that never says) has no series.
          if (usage.cached_tokens != null)
            this.cachedTokens.addAmount(target + SEP + 'r', usage.cached_tokens, event.model, event.account, 'read')
          if (usage.cache_write_tokens != null) {
            this.cachedTokens.addAmount(
              target + SEP + 'w',
              usage.cache_write_tokens,
              event.model,
              event.account,
              'write',
            )
          }
          if (typeof event.cost_usd === 'number')
            this.cost.addAmount(target, nanoUsd(event.cost_usd), event.model, event.account)
        }
        break
      }
      case 'proxy_request_error':
      case 'proxy_stream_error': {
        this.attempts.add(
          event.model + SEP + event.account + SEP + event.error_type,
          event.model,
          event.account,
          event.error_type,
        )
        break
      }
      case 'proxy_retry': {
        this.retries.add(event.model + SEP + event.account, event.model, event.account)
        break
      }
      case 'proxy_rate_limited': {
        this.rateLimited.add(event.model + SEP + event.account, event.model, event.account)
        break
      }
      case 'proxy_skip_circuit_open':
      case 'proxy_skip_rate_limited':
      case 'proxy_skip_unavailable': {
        const reason = event.event.slice(11)
        this.skips.add(event.model + SEP + event.account + SEP + reason, event.model, event.account, reason)
        break
      }
      case 'circuit_state': {
        const model = event.model ?? '*'
        this.breakerState.labels(event.account, model, event.provider).set(BREAKER_VALUE[event.state])
        this.breakerTransitions.labels(event.account, model, event.state).inc()
        break
      }
      case 'config_reload': {
        this.reloads.labels(event.ok ? 'ok' : 'error').inc()
        break
      }
      default:
        break
    }
  }
}

function statusClass(status: number): string {
  if (status >= 200 && status < 300) return '2xx'
  if (status >= 400 && status < 500) return '4xx'
  if (status >= 500 && status < 600) return '5xx'
  return 'other'
}
