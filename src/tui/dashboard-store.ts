/**
 * The dashboard's model, outside React: every event goes at once into the live metrics and into a bounded ring of
 * request rows (a `route_decision` paired with its `proxy_terminal`); the UI reads a frame from it at most ten
 * times a second. Rows are immutable: an update replaces the row object, so React can compare by reference.
 */
import type {AuditEvent, ProxyTerminalEvent, RouteDecisionEvent, QualityFeedbackEvent} from '../core/audit/schema.js'
import {LiveMetrics, type LiveMetricsOptions} from '../core/metrics/live-metrics.js'
import type {LiveMetricsSnapshot} from '../core/metrics/schema.js'
import type {AuditSource} from './sources/types.js'

/** One request as the decision log shows it. */
export interface DecisionRow {
  /** Order of arrival; unique per store. */
  readonly seq: number
  readonly requestId: string
  readonly ts: string
  readonly decision?: RouteDecisionEvent
  readonly terminal?: ProxyTerminalEvent
  /** A verdict on the answer: the client retried it, or judged it. */
  readonly feedback?: QualityFeedbackEvent
}

/** What one frame shows. */
export interface DashboardFrame {
  /** Rows oldest first. */
  rows: readonly DecisionRow[]
  metrics: LiveMetricsSnapshot
  /** Rows added since the store started (also those evicted since). */
  totalRows: number
}

export interface DashboardStoreOptions {
  /** Rows kept for the decision log; default 1000. */
  capacity?: number
  metrics?: LiveMetricsOptions
  /**
   * Live metrics that something else already feeds with the same events (the gateway's own, in `router serve`): the
   * store shows them instead of computing a second copy, and does not feed them.
   */
  sharedMetrics?: LiveMetrics
  /**
   * Where the frame's metrics come from instead of the events (`metrics tail --url … --fleet`: the fleet's snapshot,
   * polled): the latest one, or undefined before the first (the frame then shows empty metrics). The events still fill
   * the decision log; the store computes no metrics of its own.
   */
  polledMetrics?: () => LiveMetricsSnapshot | undefined
}

export class DashboardStore {
  readonly metrics: LiveMetrics
  /** False when the metrics are shared (their owner feeds them) or polled. */
  private readonly feedsMetrics: boolean
  private readonly polledMetrics?: () => LiveMetricsSnapshot | undefined
  private lastPolled: LiveMetricsSnapshot | undefined
  private readonly capacity: number
  private readonly ring: Array<DecisionRow | undefined>
  private readonly slots = new Map<string, number>()
  private start = 0
  private count = 0
  private seq = 0
  private changes = 0

  constructor(options: DashboardStoreOptions = {}) {
    this.capacity = options.capacity ?? 1000
    this.ring = new Array(this.capacity)
    this.metrics = options.sharedMetrics ?? new LiveMetrics(options.metrics)
    this.polledMetrics = options.polledMetrics
    this.feedsMetrics = options.sharedMetrics === undefined && options.polledMetrics === undefined
  }

  /**
   * Increases with every event that changed something, and with each new polled snapshot; the UI renders only when it
   * moved.
   */
  get version(): number {
    if (this.polledMetrics !== undefined) {
      const latest = this.polledMetrics()
      if (latest !== this.lastPolled) {
        this.lastPolled = latest
        this.changes++
      }
    }
    return this.changes
  }

  get totalRows(): number {
    return this.seq
  }

  observe(event: AuditEvent): void {
    if (this.feedsMetrics) this.metrics.observe(event)
    this.changes++
    if (event.event === 'route_decision') {
      const slot = this.slots.get(event.request_id)
      if (slot === undefined) this.append({requestId: event.request_id, ts: event.ts, decision: event})
      else this.replace(slot, Object.assign({}, this.ring[slot]!, {decision: event}))
    } else if (event.event === 'proxy_terminal') {
      const slot = this.slots.get(event.request_id)
      if (slot === undefined) this.append({requestId: event.request_id, ts: event.ts, terminal: event})
      else this.replace(slot, Object.assign({}, this.ring[slot]!, {terminal: event}))
    } else if (event.event === 'quality_feedback') {
      const slot = this.slots.get(event.request_id)
      if (slot !== undefined) this.replace(slot, Object.assign({}, this.ring[slot]!, {feedback: event}))
    }
  }

  /** Feeds the store from a source; returns the function that stops. */
  connect(source: AuditSource): () => void {
    return source.subscribe((event) => this.observe(event))
  }

  /** Rows oldest first (a copy). */
  rows(): DecisionRow[] {
    const rows: DecisionRow[] = new Array(this.count)
    for (let i = 0; i < this.count; i++) rows[i] = this.ring[(this.start + i) % this.capacity]!
    return rows
  }

  frame(): DashboardFrame {
    return {rows: this.rows(), metrics: this.polledMetrics?.() ?? this.metrics.snapshot(), totalRows: this.seq}
  }

  private append(row: Omit<DecisionRow, 'seq'>): void {
    if (this.count === this.capacity) {
      const evicted = this.ring[this.start]!
      if (this.slots.get(evicted.requestId) === this.start) this.slots.delete(evicted.requestId)
      this.start = (this.start + 1) % this.capacity
      this.count--
    }
    const slot = (this.start + this.count) % this.capacity
    this.ring[slot] = Object.assign({}, row, {seq: ++this.seq})
    this.slots.set(row.requestId, slot)
    this.count++
  }

  private replace(slot: number, row: DecisionRow): void {
    this.ring[slot] = row
  }
}
