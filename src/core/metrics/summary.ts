/**
 * Whole-log summary for `router metrics tail --once`: one pass over the audit events, bounded memory (histograms
 * and counters, not lists of requests). Requests are counted from `proxy_terminal` (exactly one per request) and
 * their attempt summaries; decisions from `route_decision`.
 */
import type {AuditEvent, ErrorType, ProxyTerminalEvent} from '../audit/schema.js'
import {LatencyHistogram} from './histogram.js'
import {AffinityTally} from './sessions.js'
import {SpendByKey, UsageAccumulator} from './usage.js'
import type {AuditSummary, GroupSummary, LatencyStats, ModelSummary, OutcomeCounts} from './schema.js'

/** Routed requests whose terminal is still awaited are tracked up to this many; older ones count as unfinished. */
const MAX_OPEN_DECISIONS = 100_000
/** Distinct fallback chains tracked; rarer ones beyond this are counted under `(other)`. */
const MAX_CHAINS = 10_000
const TOP_CHAINS = 10
/** Distinct session ids counted at most. */
const MAX_SESSIONS = 100_000

interface ModelAccumulator {
  requests: number
  selected: number
  attempts: number
  failedAttempts: number
  latency: LatencyHistogram
  accounts: Set<string>
  usage: UsageAccumulator
}

interface GroupAccumulator {
  requests: number
  successes: number
  latency: LatencyHistogram
}

/** Accumulates audit events into an `AuditSummary`. */
export class AuditSummarizer {
  private malformed = 0
  private unknown = 0
  private events = 0
  private firstTs = Number.POSITIVE_INFINITY
  private lastTs = Number.NEGATIVE_INFINITY
  private readonly byType = new Map<string, number>()
  private readonly openDecisions = new Set<string>()
  private droppedDecisions = 0
  private terminals = 0
  private readonly outcomes: OutcomeCounts = {
    success: 0,
    upstream_error: 0,
    exhausted: 0,
    stream_error: 0,
    client_abort: 0,
    rejected: 0,
  }
  private streamed = 0
  private autoRouted = 0
  private explicitModel = 0
  private readonly statuses = new Map<string, number>()
  private readonly latency = new LatencyHistogram()
  private readonly decisionMs = new LatencyHistogram()
  private fallbackRequests = 0
  private rescued = 0
  private readonly chains = new Map<string, number>()
  private readonly attemptErrors = new Map<ErrorType, number>()
  private readonly requestErrors = new Map<ErrorType, number>()
  private readonly rejected = new Map<string, number>()
  private readonly models = new Map<string, ModelAccumulator>()
  private readonly tasks = new Map<string, GroupAccumulator>()
  private readonly complexities = new Map<string, GroupAccumulator>()
  private readonly opened = new Map<string, number>()
  private readonly usage = new UsageAccumulator()
  private readonly spendByKey = new SpendByKey()
  private readonly sessions = new Set<string>()
  /** A whole log's stays wait for their terminal as long as the log has room for them: no expiry. */
  private readonly affinity = new AffinityTally(MAX_OPEN_DECISIONS, Number.POSITIVE_INFINITY)

  /** Lines that were not JSON or not a valid audit event. */
  addMalformed(count = 1): void {
    this.malformed += count
  }

  /** Valid JSON events with an `event` name this version does not know. */
  addUnknown(count = 1): void {
    this.unknown += count
  }

  observe(event: AuditEvent): void {
    this.events++
    increment(this.byType, event.event)
    const ts = Date.parse(event.ts)
    if (Number.isFinite(ts)) {
      if (ts < this.firstTs) this.firstTs = ts
      if (ts > this.lastTs) this.lastTs = ts
    }
    this.spendByKey.observe(event)
    switch (event.event) {
      case 'route_decision': {
        if (event.source === 'auto') this.autoRouted++
        else this.explicitModel++
        this.decisionMs.add(event.decision_ms)
        this.model(event.selected_model).selected++
        if (this.openDecisions.size >= MAX_OPEN_DECISIONS) {
          const oldest = this.openDecisions.values().next().value
          if (oldest !== undefined) this.openDecisions.delete(oldest)
          this.droppedDecisions++
        }
        this.openDecisions.add(event.request_id)
        if (event.session) {
          if (this.sessions.size < MAX_SESSIONS) this.sessions.add(event.session.id)
          this.affinity.decision(event.request_id, event.session, ts)
        }
        break
      }
      case 'proxy_terminal': {
        this.openDecisions.delete(event.request_id)
        this.affinity.terminal(event)
        this.terminal(event)
        break
      }
      case 'proxy_response': {
        this.usage.add(event)
        this.model(event.model).usage.add(event)
        break
      }
      case 'circuit_state': {
        if (event.state === 'open')
          increment(this.opened, event.model === null ? event.account : `${event.account} ${event.model}`)
        break
      }
      default:
    }
  }

  result(source: string | null = null): AuditSummary {
    const first = Number.isFinite(this.firstTs) ? this.firstTs : null
    const last = Number.isFinite(this.lastTs) ? this.lastTs : null
    const total = this.terminals
    const models: ModelSummary[] = [...this.models]
      .map(([model, m]) => ({
        model,
        requests: m.requests,
        share: ratio(m.requests, total) ?? 0,
        selected: m.selected,
        attempts: m.attempts,
        failed_attempts: m.failedAttempts,
        attempt_failure_rate: ratio(m.failedAttempts, m.attempts),
        latency_ms: stats(m.latency),
        accounts: [...m.accounts].sort(),
        usage: m.usage.result(),
      }))
      .sort((a, b) => b.requests - a.requests || b.attempts - a.attempts || compare(a.model, b.model))
    return {
      schema_version: 1,
      source,
      first_event_at: first === null ? null : new Date(first).toISOString(),
      last_event_at: last === null ? null : new Date(last).toISOString(),
      duration_seconds: first === null || last === null ? null : (last - first) / 1000,
      lines: {events: this.events, malformed: this.malformed, unknown: this.unknown},
      events_by_type: counts(this.byType),
      requests: {
        total,
        unfinished: this.openDecisions.size + this.droppedDecisions,
        success_rate: ratio(this.outcomes.success, total),
        outcomes: {...this.outcomes},
        streamed: this.streamed,
        auto_routed: this.autoRouted,
        explicit_model: this.explicitModel,
        status: counts(this.statuses),
      },
      latency_ms: stats(this.latency),
      usage: this.usage.result(),
      keys: this.spendByKey.result(),
      decision_ms: stats(this.decisionMs),
      fallbacks: {
        requests: this.fallbackRequests,
        rescued: this.rescued,
        top_chains: counts(this.chains).slice(0, TOP_CHAINS),
      },
      errors: {
        attempts: counts(this.attemptErrors),
        requests: counts(this.requestErrors),
        rejected: counts(this.rejected),
      },
      models,
      tasks: groups(this.tasks, total),
      complexities: groups(this.complexities, total),
      breakers: {opened: counts(this.opened)},
      sessions: {sessions: this.sessions.size, ...this.affinity.result()},
    }
  }

  private terminal(event: ProxyTerminalEvent): void {
    this.terminals++
    this.outcomes[event.outcome]++
    if (event.stream) this.streamed++
    increment(this.statuses, String(event.status))
    this.latency.add(event.latency_ms)
    const success = event.outcome === 'success'
    if (event.attempts.length > 1) {
      this.fallbackRequests++
      if (success) this.rescued++
      const chain = event.attempts.map((a) => a.model).join(' → ')
      if (this.chains.has(chain) || this.chains.size < MAX_CHAINS) increment(this.chains, chain)
      else increment(this.chains, '(other)')
    }
    for (const attempt of event.attempts) {
      const model = this.model(attempt.model)
      model.attempts++
      model.accounts.add(attempt.account)
      if (attempt.ok) model.latency.add(attempt.latency_ms)
      else {
        model.failedAttempts++
        if (attempt.error_type !== null) increment(this.attemptErrors, attempt.error_type)
      }
    }
    if (event.model !== null) this.model(event.model).requests++
    if (!success && event.error_type !== null) increment(this.requestErrors, event.error_type)
    if (event.outcome === 'rejected') increment(this.rejected, event.error_code ?? 'unknown')
    for (const [map, key] of [
      [this.tasks, event.task ?? 'unknown'],
      [this.complexities, event.complexity ?? 'unknown'],
    ] as const) {
      let group = map.get(key)
      if (!group) {
        group = {requests: 0, successes: 0, latency: new LatencyHistogram()}
        map.set(key, group)
      }
      group.requests++
      if (success) group.successes++
      group.latency.add(event.latency_ms)
    }
  }

  private model(model: string): ModelAccumulator {
    let entry = this.models.get(model)
    if (!entry) {
      entry = {
        requests: 0,
        selected: 0,
        attempts: 0,
        failedAttempts: 0,
        latency: new LatencyHistogram(),
        accounts: new Set(),
        usage: new UsageAccumulator(),
      }
      this.models.set(model, entry)
    }
    return entry
  }
}

/** Summarises a list (or any iterable) of events in one go. */
export function summarizeAuditEvents(events: Iterable<AuditEvent>, source: string | null = null): AuditSummary {
  const summarizer = new AuditSummarizer()
  for (const event of events) summarizer.observe(event)
  return summarizer.result(source)
}

function stats(histogram: LatencyHistogram): LatencyStats {
  return {
    count: histogram.count,
    mean: histogram.mean(),
    p50: histogram.percentile(0.5),
    p90: histogram.percentile(0.9),
    p95: histogram.percentile(0.95),
    p99: histogram.percentile(0.99),
    max: histogram.count === 0 ? null : Math.round(histogram.max * 10) / 10,
  }
}

function groups(map: Map<string, GroupAccumulator>, total: number): GroupSummary[] {
  return [...map]
    .map(([key, g]) => ({
      key,
      requests: g.requests,
      share: ratio(g.requests, total) ?? 0,
      successes: g.successes,
      success_rate: ratio(g.successes, g.requests),
      latency_ms: stats(g.latency),
    }))
    .sort((a, b) => b.requests - a.requests || compare(a.key, b.key))
}

function increment<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1)
}

function counts<K extends string>(map: Map<K, number>): Array<{key: K; count: number}> {
  return [...map].map(([key, count]) => ({key, count})).sort((a, b) => b.count - a.count || compare(a.key, b.key))
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
