/**
 * `GET /metrics` in Prometheus text format (prom-client, with a registry of its own, never the global one). Counters
 * and histograms are updated from the audit event bus, never from the request path: one cached child per label set,
 * no string building beyond one key per event. EWMA gauges are read from the live metrics at scrape time.
 * Metric names and labels are documented in docs/gateway.md ("Prometheus").
 */
import {Counter, Gauge, Histogram, Registry, collectDefaultMetrics} from 'prom-client'

import type {AuditEventBus} from '../core/audit/event-bus.js'
import type {AuditEvent} from '../core/audit/schema.js'
import type {LiveMetrics} from '../core/metrics/live-metrics.js'

const SEP = '\u0000'
const BREAKER_VALUE = {closed: 0, half_open: 1, open: 2} as const
/** Whole-request and upstream latency buckets, in seconds (LLM answers take from milliseconds to minutes). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160]
/** Requests tracked as in flight at most (a lost terminal event must not grow memory). */
const MAX_OPEN = 100_000

export interface PrometheusOptions {
  /** Source of the EWMA gauges; absent when live metrics are off. */
  metrics?: LiveMetrics
  /** Process and Node.js metrics (CPU, memory, event loop lag, GC); default true. */
  defaultMetrics?: boolean
}

/** The gateway's Prometheus metrics, fed by the bus. */
export class PrometheusMetrics {
  readonly registry = new Registry()
  private readonly requests: Counter<'endpoint' | 'model' | 'status_class' | 'outcome'>
  private readonly duration: Histogram<'endpoint' | 'outcome'>
  private readonly attempts: Counter<'model' | 'account' | 'outcome'>
  private readonly upstreamLatency: Histogram<'model' | 'account'>
  private readonly retries: Counter<'model' | 'account'>
  private readonly rateLimited: Counter<'model' | 'account'>
  private readonly skips: Counter<'model' | 'account' | 'reason'>
  private readonly breakerState: Gauge<'account' | 'model' | 'provider'>
  private readonly breakerTransitions: Counter<'account' | 'model' | 'state'>
  private readonly inFlight: Gauge
  private readonly auditErrors: Counter
  private readonly reloads: Counter<'result'>
  private readonly children = new Map<string, {inc(value?: number): void} & Partial<{observe(value: number): void}>>()
  private readonly open = new Set<string>()
  private readonly unsubscribe: () => void

  constructor(bus: AuditEventBus, options: PrometheusOptions = {}) {
    const registers = [this.registry]
    this.requests = new Counter({
      name: 'router_requests_total',
      help: 'Client requests by endpoint, answering model, status class and outcome.',
      labelNames: ['endpoint', 'model', 'status_class', 'outcome'],
      registers,
    })
    this.duration = new Histogram({
      name: 'router_request_duration_seconds',
      help: 'Whole-request latency, from arrival to the last byte sent.',
      labelNames: ['endpoint', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    })
    this.attempts = new Counter({
      name: 'router_upstream_attempts_total',
      help: 'Upstream attempts by model, account and outcome (status class, or the error type when no status came back).',
      labelNames: ['model', 'account', 'outcome'],
      registers,
    })
    this.upstreamLatency = new Histogram({
      name: 'router_upstream_latency_seconds',
      help: 'Latency of successful upstream attempts (request sent to last byte).',
      labelNames: ['model', 'account'],
      buckets: LATENCY_BUCKETS,
      registers,
    })
    this.retries = new Counter({
      name: 'router_upstream_retries_total',
      help: 'Attempts after which the gateway moved on to the next target.',
      labelNames: ['model', 'account'],
      registers,
    })
    this.rateLimited = new Counter({
      name: 'router_upstream_rate_limited_total',
      help: 'Attempts answered with a rate limit (429), which cool the account down.',
      labelNames: ['model', 'account'],
      registers,
    })
    this.skips = new Counter({
      name: 'router_upstream_skips_total',
      help: 'Targets passed over, by reason (circuit_open, rate_limited, unavailable).',
      labelNames: ['model', 'account', 'reason'],
      registers,
    })
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
    this.inFlight = new Gauge({name: 'router_in_flight_requests', help: 'Routed requests not finished yet.', registers})
    this.auditErrors = new Counter({name: 'router_audit_log_write_errors_total', help: 'Audit log batches the disk refused.', registers})
    this.reloads = new Counter({name: 'router_config_reloads_total', help: 'Config reloads, by result (ok, error).', labelNames: ['result'], registers})

    const live = options.metrics
    if (live) {
      const ewma = (name: string, help: string, read: (m: NonNullable<ReturnType<LiveMetrics['modelFigures']>>) => number | null, scale = 1) =>
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
      ewma('router_model_latency_ewma_seconds', 'EWMA latency of successful attempts per model.', (m) => m.latencyEwma, 1 / 1000)
      ewma('router_model_connect_ewma_seconds', 'EWMA time to response headers per model.', (m) => m.connectEwma, 1 / 1000)
      ewma('router_model_failure_rate_ewma', 'EWMA failure rate of attempts per model (0-1).', (m) => m.failureEwma)
      ewma('router_model_samples', 'Finished attempts per model since the gateway started.', (m) => m.samples)
    }
    if (options.defaultMetrics ?? true) collectDefaultMetrics({register: this.registry})
    this.unsubscribe = bus.subscribe((event) => this.observe(event))
  }

  /** The audit log could not write a batch. */
  auditWriteError(): void {
    this.auditErrors.inc()
  }

  get contentType(): string {
    return this.registry.contentType
  }

  render(): Promise<string> {
    return this.registry.metrics()
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
        this.inFlight.set(this.open.size)
        break
      }
      case 'proxy_terminal': {
        if (this.open.delete(event.request_id)) this.inFlight.set(this.open.size)
        const model = event.model ?? 'none'
        const status = statusClass(event.status)
        this.child(this.requests, 'r', event.endpoint, model, status, event.outcome).inc()
        this.child(this.duration, 'd', event.endpoint, event.outcome).observe!(event.latency_ms / 1000)
        break
      }
      case 'proxy_response': {
        const ok = event.status >= 200 && event.status < 300
        this.child(this.attempts, 'a', event.model, event.account, statusClass(event.status)).inc()
        if (ok) this.child(this.upstreamLatency, 'l', event.model, event.account).observe!(event.latency_ms / 1000)
        break
      }
      case 'proxy_request_error':
      case 'proxy_stream_error': {
        this.child(this.attempts, 'a', event.model, event.account, event.error_type).inc()
        break
      }
      case 'proxy_retry': {
        this.child(this.retries, 't', event.model, event.account).inc()
        break
      }
      case 'proxy_rate_limited': {
        this.child(this.rateLimited, 'q', event.model, event.account).inc()
        break
      }
      case 'proxy_skip_circuit_open':
      case 'proxy_skip_rate_limited':
      case 'proxy_skip_unavailable': {
        this.child(this.skips, 's', event.model, event.account, event.event.slice(11)).inc()
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

  /** The child of `metric` for these label values, cached by one key string. */
  private child(metric: Counter<string> | Histogram<string>, tag: string, ...values: string[]) {
    let key = tag
    for (const value of values) key += SEP + value
    let child = this.children.get(key)
    if (child === undefined) {
      child = (metric as Counter<string>).labels(...values) as unknown as {inc(value?: number): void; observe?(value: number): void}
      this.children.set(key, child)
    }
    return child
  }
}

function statusClass(status: number): string {
  if (status >= 200 && status < 300) return '2xx'
  if (status >= 400 && status < 500) return '4xx'
  if (status >= 500 && status < 600) return '5xx'
  return 'other'
}
