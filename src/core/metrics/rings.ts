/**
 * The live metrics' time-windowed counters: per model and per target, the EWMA figures with fixed rings of recent
 * latencies and per-bucket attempt counts (`KeyStats`); gateway-wide, the requests that finished in each bucket of the
 * window (`RequestTotals`). Every ring has a fixed size: memory does not grow with traffic.
 */
import type {ErrorType, TerminalOutcome} from '../audit/schema.js'
import {LatencyHistogram, ewma, nearestRank, round} from './histogram.js'
import {UsageAccumulator} from './usage.js'
import type {OutcomeCounts, Percentiles, StatusClass, StatusClasses, TimeoutCounts} from './schema.js'

const TIMEOUT_TYPES = new Set<ErrorType>(['connect_timeout', 'headers_timeout', 'idle_timeout'])
/** Separates the parts of a map key (account + SEP + model, …). */
export const SEP = '\u0000'

/** An account serving a model. */
export interface Target {
  model: string
  account: string
  provider: string
}

/** One settled attempt. */
export interface Sample {
  ts: number
  failed: boolean
  latencyMs: number | null
  status: StatusClass
  errorType: ErrorType | null
  retried: boolean
  rateLimited: boolean
}

/** The last `capacity` values with their times, for windowed percentiles. */
export class SampleRing {
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
    return {
      p50: roundOrNull(nearestRank(selected, 0.5)),
      p95: roundOrNull(nearestRank(selected, 0.95)),
      p99: roundOrNull(nearestRank(selected, 0.99)),
    }
  }
}

/** Per-bucket attempt counts over the window: the sparklines and the share of traffic. */
export class SeriesRing {
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

/** `kinds` counters per bucket over a window (the sessions' kept and moved turns). */
export class CounterRing {
  private readonly epoch: Float64Array
  private readonly counts: Uint32Array

  constructor(
    readonly length: number,
    private readonly kinds: number,
  ) {
    this.epoch = new Float64Array(length).fill(-1)
    this.counts = new Uint32Array(length * kinds)
  }

  add(bucket: number, current: number, kind: number): void {
    if (bucket <= current - this.length) return
    const slot = mod(bucket, this.length)
    if (this.epoch[slot] !== bucket) {
      if (this.epoch[slot] > bucket) return
      this.epoch[slot] = bucket
      this.counts.fill(0, slot * this.kinds, (slot + 1) * this.kinds)
    }
    this.counts[slot * this.kinds + kind]++
  }

  /** The count of `kind` over the window ending with bucket `current`. */
  sum(current: number, kind: number): number {
    let total = 0
    for (let bucket = current - this.length + 1; bucket <= current; bucket++) {
      const slot = mod(bucket, this.length)
      if (this.epoch[slot] === bucket) total += this.counts[slot * this.kinds + kind]
    }
    return total
  }
}

/** What is measured for a model or a target: counts and EWMAs since the start, rings over the window. */
export class KeyStats {
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

  /** Adds one settled attempt that ended in `bucket` (`current` is the bucket of now). */
  record(sample: Sample, bucket: number, current: number, alpha: number): void {
    this.samples++
    if (sample.failed) this.failures++
    else this.successes++
    this.failureEwma = ewma(this.failureEwma, sample.failed ? 1 : 0, alpha)
    if (sample.latencyMs !== null) {
      this.latencyEwma = ewma(this.latencyEwma, sample.latencyMs, alpha)
      this.latencies.push(sample.ts, sample.latencyMs)
    }
    this.status[sample.status]++
    if (sample.retried) this.retries++
    if (sample.rateLimited) this.rateLimited++
    if (sample.errorType !== null && TIMEOUT_TYPES.has(sample.errorType)) {
      this.timeouts[sample.errorType as keyof TimeoutCounts]++
    }
    this.series.add(bucket, current, sample.failed, sample.latencyMs)
    this.touch(sample.ts)
  }
}

export class ModelStats extends KeyStats {
  /** Tokens and estimated cost of the model's answers, since the start. */
  readonly usage = new UsageAccumulator()

  get cacheHitRatio(): number | null {
    return this.usage.cacheHitRatio()
  }
}

export class TargetStats extends KeyStats {
  /** Tokens and estimated cost of the target's answers, since the start. */
  readonly usage = new UsageAccumulator()

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

/** Finished requests (`proxy_terminal`): counts since the start, and per bucket of the window. */
export class RequestTotals {
  total = 0
  successes = 0
  private readonly buckets: TotalsBucket[]

  constructor(private readonly length: number) {
    this.buckets = Array.from({length}, () => new TotalsBucket())
  }

  add(outcome: TerminalOutcome, latencyMs: number, bucket: number, current: number): void {
    this.total++
    if (outcome === 'success') this.successes++
    if (bucket <= current - this.length) return
    const totals = this.buckets[mod(bucket, this.length)]
    if (totals.epoch !== bucket) {
      if (totals.epoch > bucket) return
      totals.reset(bucket)
    }
    totals.requests++
    totals.outcomes[outcome]++
    totals.latency.add(latencyMs)
  }

  /** The requests that finished in the window ending with bucket `current`. */
  window(current: number): {requests: number; outcomes: OutcomeCounts; latency: LatencyHistogram} {
    const latency = new LatencyHistogram()
    const outcomes = emptyOutcomes()
    let requests = 0
    for (let bucket = current - this.length + 1; bucket <= current; bucket++) {
      const totals = this.buckets[mod(bucket, this.length)]
      if (totals.epoch !== bucket) continue
      requests += totals.requests
      latency.merge(totals.latency)
      for (const key of Object.keys(outcomes) as Array<keyof OutcomeCounts>) outcomes[key] += totals.outcomes[key]
    }
    return {requests, outcomes, latency}
  }
}

/** Drops the entry seen least recently. */
export function evictLeastRecent<T extends KeyStats>(map: Map<string, T>): void {
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

/** Attempts of a series that ended in the window ending with bucket `current`. */
export function windowAttempts(series: SeriesRing, current: number): number {
  let total = 0
  for (let bucket = current - series.length + 1; bucket <= current; bucket++) {
    const slot = series.slotOf(bucket)
    if (slot !== -1) total += series.attempts[slot]
  }
  return total
}

function emptyOutcomes(): OutcomeCounts {
  return {success: 0, upstream_error: 0, exhausted: 0, stream_error: 0, client_abort: 0, rejected: 0}
}

function mod(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor
}

/** A latency rounded for output, or null. */
export function roundOrNull(value: number | null): number | null {
  return value === null ? null : round(value)
}
