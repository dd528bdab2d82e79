/**
 * Schemas of the live metrics: the snapshot that `GET /v1/router/live-metrics` serves and `router metrics tail --json`
 * prints (one per line), and the whole-log summary that `router metrics tail --once` prints. Documented in
 * docs/metrics.md; adding a field is compatible, renaming or removing one is a breaking change.
 */
import {z} from 'zod'

import {BreakerStateSchema, ErrorTypeSchema, TerminalOutcomeSchema} from '../audit/schema.js'
import {ComplexitySchema, TaskSchema} from '../config/schema.js'
import {AffinitySchema} from '../routing/schema.js'

/** Nearest-rank percentiles in milliseconds; null when there was no sample. */
export const PercentilesSchema = z.strictObject({
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
})
export type Percentiles = z.infer<typeof PercentilesSchema>

/** Attempt outcomes by class: HTTP status class, or `error` when no status came back (timeout, reset, refused). */
export const StatusClassesSchema = z.strictObject({
  '2xx': z.number().int().nonnegative(),
  '4xx': z.number().int().nonnegative(),
  '5xx': z.number().int().nonnegative(),
  /** A 1xx or 3xx status: the upstream answered something a client cannot use. */
  other: z.number().int().nonnegative(),
  error: z.number().int().nonnegative(),
})
export type StatusClasses = z.infer<typeof StatusClassesSchema>
export type StatusClass = keyof StatusClasses

/** Attempts that ended with a timeout, by kind. */
export const TimeoutCountsSchema = z.strictObject({
  connect_timeout: z.number().int().nonnegative(),
  headers_timeout: z.number().int().nonnegative(),
  idle_timeout: z.number().int().nonnegative(),
})
export type TimeoutCounts = z.infer<typeof TimeoutCountsSchema>

/** A small time series over the window, oldest bucket first (for sparklines). */
export const SeriesSchema = z.strictObject({
  bucket_seconds: z.number().positive(),
  /** Mean latency of the successful attempts in each bucket; null for a bucket without one. */
  latency_ms: z.array(z.number().nullable()),
  /** Share of failed attempts in each bucket (0–1); null for a bucket without attempts. */
  failure: z.array(z.number().nullable()),
  /** Attempts that ended in each bucket. */
  attempts: z.array(z.number().int().nonnegative()),
})
export type Series = z.infer<typeof SeriesSchema>

/**
 * Tokens the upstreams reported (`proxy_response.usage`) and their estimated cost (`proxy_response.cost_usd`). See
 * docs/audit-events.md for when a stream reports its counts and when a cost is known.
 */
export const UsageTotalsSchema = z.strictObject({
  /** Every prompt token, the cached ones included. */
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  /**
   * Prompt tokens read from the providers' prompt caches, and written to them (`usage.cached_tokens`,
   * `usage.cache_write_tokens`). Absent from snapshots of gateways older than the fields (read as 0).
   */
  cached_tokens: z.number().int().nonnegative().default(0),
  cache_write_tokens: z.number().int().nonnegative().default(0),
  /**
   * `cached_tokens` ÷ the prompt tokens of the answers that reported a cache count (0–1); null when none did (an
   * upstream that never reports one says nothing about its cache). Absent from older snapshots (read as null).
   */
  cache_hit_ratio: z.number().min(0).max(1).nullable().default(null),
  /** Estimated USD of the answers whose counts and prices are known. */
  cost_usd: z.number().nonnegative(),
  /**
   * What the prompt caches saved, in USD: the sum of `proxy_response.cache_savings_usd` (negative when cache writes
   * cost more than the reads saved). Absent from older snapshots (read as 0).
   */
  cache_savings_usd: z.number().default(0),
  /** Answers (`proxy_response`) that reported token counts. */
  answers_with_usage: z.number().int().nonnegative(),
  /** Answers with an estimated cost (`cost_usd`), the ones `cost_usd` sums. */
  answers_with_cost: z.number().int().nonnegative(),
  /** Successful answers with no cost: no counts (an OpenAI-compatible stream without usage) or no known price. */
  answers_without_cost: z.number().int().nonnegative(),
})
export type UsageTotals = z.infer<typeof UsageTotalsSchema>

/** What is measured for a model and for an account target alike. One sample = one finished upstream attempt. */
const statsFields = {
  /** Finished attempts since the metrics started. */
  samples: z.number().int().nonnegative(),
  successes: z.number().int().nonnegative(),
  failures: z.number().int().nonnegative(),
  /** EWMA of the latency of successful attempts (`proxy_response.latency_ms`, 2xx only). */
  latency_ewma_ms: z.number().nullable(),
  /** EWMA of the time to response headers (`proxy_upstream_connected.connect_ms`), any status. */
  connect_ewma_ms: z.number().nullable(),
  /** EWMA of the failure indicator (1 failed attempt, 0 successful attempt), 0–1. */
  failure_ewma: z.number().min(0).max(1).nullable(),
  /** Latency percentiles of the successful attempts in the window (bounded: the last N samples per key). */
  latency_ms: PercentilesSchema,
  status: StatusClassesSchema,
  /** Attempts after which the gateway tried again (`proxy_retry`). */
  retries: z.number().int().nonnegative(),
  timeouts: TimeoutCountsSchema,
  /** Attempts answered with a rate limit (`proxy_rate_limited`). */
  rate_limited: z.number().int().nonnegative(),
  /** Attempts that ended in the window. */
  window_samples: z.number().int().nonnegative(),
  /** This key's share of all attempts that ended in the window, 0–1. */
  share: z.number().min(0).max(1),
  /** Time of the last event seen for this key. */
  last_seen: z.string().nullable(),
  series: SeriesSchema,
}

/** Metrics of one model (routing key `provider/model`), over all accounts that serve it. */
export const ModelMetricsSchema = z.strictObject({
  model: z.string(),
  ...statsFields,
  /** `closed` while any target of the model is usable, `half_open` while only probes go through, else `open`. */
  breaker: BreakerStateSchema,
  /** Targets of this model whose breaker is open or half-open. */
  open_targets: z.number().int().nonnegative(),
  targets: z.number().int().nonnegative(),
  /** Tokens and estimated cost of this model's answers since the metrics started. */
  usage: UsageTotalsSchema,
})
export type ModelMetrics = z.infer<typeof ModelMetricsSchema>

/** Metrics of one account target: an account serving a model. */
export const TargetMetricsSchema = z.strictObject({
  model: z.string(),
  account: z.string(),
  provider: z.string(),
  ...statsFields,
  /** The target's breaker, or its account's account-wide breaker when that one is worse. */
  breaker: BreakerStateSchema,
  breaker_since: z.string().nullable(),
  breaker_reason: z.string().nullable(),
  /**
   * When the target's cool-down after a 429 ends (its own, or its account's when that one ends later); null when it
   * is not cooling down. Absent from snapshots of gateways older than the field (read as null).
   */
  cooldown_until: z.string().nullable().default(null),
  /** What cools down: `model` (this model on this account) or `account` (the whole account). */
  cooldown_scope: z.enum(['model', 'account']).nullable().default(null),
  /**
   * Tokens and estimated cost of this target's answers since the metrics started: a provider's prompt cache belongs to
   * the account, so its `cache_hit_ratio` is the one a session staying on this target sees. Absent from older snapshots.
   */
  usage: UsageTotalsSchema.optional(),
})
export type TargetMetrics = z.infer<typeof TargetMetricsSchema>

/** An active cool-down after a 429, from `proxy_rate_limited`; `model` is null for an account-wide one. */
export const CooldownEntrySchema = z.strictObject({
  account: z.string(),
  model: z.string().nullable(),
  provider: z.string(),
  scope: z.enum(['model', 'account']),
  /** When it ends (for an account: when its probe request may go). */
  until: z.string(),
  since: z.string(),
  /** Why (the `proxy_rate_limited` event's `reason`); absent when the log predates it. */
  reason: z.string().optional(),
})
export type CooldownEntry = z.infer<typeof CooldownEntrySchema>

/** One circuit breaker as last reported; `model` is null for an account-wide breaker. */
export const BreakerEntrySchema = z.strictObject({
  account: z.string(),
  model: z.string().nullable(),
  provider: z.string(),
  state: BreakerStateSchema,
  since: z.string(),
  reason: z.string(),
})
export type BreakerEntry = z.infer<typeof BreakerEntrySchema>

/** Answers and quality verdicts of one task, complexity and model since the metrics started (`quality_feedback`). */
export const QualityRowSchema = z.strictObject({
  task: TaskSchema,
  complexity: ComplexitySchema,
  model: z.string(),
  /** Requests of this task and complexity that this model answered successfully. */
  answered: z.number().int().nonnegative(),
  /** Verdicts: `bad` (retried by the client, or judged bad by it) and `good`. */
  bad: z.number().int().nonnegative(),
  good: z.number().int().nonnegative(),
  /** `bad` ÷ `answered`; null before the first answer. */
  bad_rate: z.number().min(0).nullable(),
})
export type QualityRow = z.infer<typeof QualityRowSchema>

/** Requests by how they ended (`proxy_terminal.outcome`). */
export const OutcomeCountsSchema = z.record(TerminalOutcomeSchema, z.number().int().nonnegative())
export type OutcomeCounts = z.infer<typeof OutcomeCountsSchema>

/** Gateway-wide figures over the window, from `proxy_terminal` (one per request). */
export const GatewayTotalsSchema = z.strictObject({
  /** Requests that finished in the window. */
  requests: z.number().int().nonnegative(),
  /** Requests per second over the window (or over the time since the metrics started, if shorter). */
  rps: z.number().nonnegative(),
  /** Share of the window's requests whose outcome is `success`; null without requests. */
  success_rate: z.number().min(0).max(1).nullable(),
  /** Whole-request latency percentiles over the window (log-bucket histogram, within about 2%). */
  latency_ms: PercentilesSchema,
  outcomes: OutcomeCountsSchema,
  /** Requests routed (`route_decision`) whose `proxy_terminal` has not arrived yet (lost ones expire). */
  in_flight: z.number().int().nonnegative(),
  /** Requests finished since the metrics started. */
  requests_total: z.number().int().nonnegative(),
  successes_total: z.number().int().nonnegative(),
  /** Tokens and estimated cost of every answer since the metrics started. */
  usage: UsageTotalsSchema,
})
export type GatewayTotals = z.infer<typeof GatewayTotalsSchema>

/** Requests and spend of one ingress principal (a key's name or a token's subject), from the events carrying it. */
export const KeySpendSchema = z.strictObject({
  principal: z.string(),
  /** Requests finished (`proxy_terminal`). */
  requests: z.number().int().nonnegative(),
  /** Of those, refused by one of the key's limits (a 429 `*_exceeded`, a 403 `model_not_allowed`). */
  refused: z.number().int().nonnegative(),
  usage: UsageTotalsSchema,
})
export type KeySpend = z.infer<typeof KeySpendSchema>

/**
 * Turns of sessions by what cache affinity did (`route_decision.session.affinity`), and the estimated spend affinity
 * saved: the sum of `switch_cost_usd − stay_cost_usd` over the turns that stayed, were priced both ways, and were
 * answered successfully by the session's model and account (see docs/metrics.md, "Sessions and cache affinity").
 */
export const AffinityTotalsSchema = z.strictObject({
  /** Decisions of recognised sessions since the start, by affinity. */
  decisions: z.record(AffinitySchema, z.number().int().nonnegative()),
  /** Net: negative when staying on the session's model, cached, cost more than switching would have. */
  affinity_saved_usd: z.number(),
  /** The stays `affinity_saved_usd` sums. */
  priced_stays: z.number().int().nonnegative(),
})
export type AffinityTotals = z.infer<typeof AffinityTotalsSchema>

/** Sessions in the live metrics: the ones active in their window, and the window's turns that kept or moved. */
export const SessionMetricsSchema = z.strictObject({
  /** The sessions' window (default 300 s: the providers' usual prompt-cache lifetime). */
  window_seconds: z.number().positive(),
  /** Distinct sessions with a decision in the window. */
  active: z.number().int().nonnegative(),
  /** The window's turns that stayed on their session's model (`stay`). */
  kept: z.number().int().nonnegative(),
  /** The window's turns that moved (`move_up`, `downgrade`, `cold`, `unavailable`). */
  moved: z.number().int().nonnegative(),
  ...AffinityTotalsSchema.shape,
})
export type SessionMetrics = z.infer<typeof SessionMetricsSchema>

/** The replicas a fleet view merged (`GET /v1/router/live-metrics?scope=fleet`, docs/metrics.md "Fleet view"). */
export const FleetInfoSchema = z.strictObject({
  replicas: z.array(
    z.strictObject({
      /** The replica's id (random per process, also in `/health`). */
      replica: z.string(),
      /** When its snapshot was taken: the asked replica's now, the others' at their last publication. */
      generated_at: z.string(),
      /** Its `totals.requests_total`. */
      requests_total: z.number().int().nonnegative(),
    }),
  ),
})
export type FleetInfo = z.infer<typeof FleetInfoSchema>

/** The live metrics snapshot. */
export const LiveMetricsSnapshotSchema = z.strictObject({
  schema_version: z.literal(1),
  generated_at: z.string(),
  started_at: z.string(),
  /** EWMA smoothing factor: `ewma = alpha * sample + (1 - alpha) * ewma`; the first sample seeds it. */
  alpha: z.number().gt(0).max(1),
  window_seconds: z.number().positive(),
  events: z.strictObject({
    /** Audit events taken into account. */
    observed: z.number().int().nonnegative(),
    /** Events with an `event` name these metrics do not know (newer gateways). */
    ignored: z.number().int().nonnegative(),
    last_event_at: z.string().nullable(),
  }),
  totals: GatewayTotalsSchema,
  /** Per model, sorted by routing key. */
  models: z.array(ModelMetricsSchema),
  /** Per account target, sorted by model then account. */
  targets: z.array(TargetMetricsSchema),
  /** Every breaker reported so far, sorted by account then model. */
  breakers: z.array(BreakerEntrySchema),
  /** Cool-downs that have not ended yet, soonest end first (absent from older gateways' snapshots). */
  cooldowns: z.array(CooldownEntrySchema).default([]),
  /** Answers and quality verdicts per task, complexity and model, sorted by task, complexity, model. */
  quality: z.array(QualityRowSchema).default([]),
  /** Spend per ingress principal since the metrics started, most spent first (absent from older snapshots). */
  keys: z.array(KeySpendSchema).default([]),
  /** Sessions and cache affinity (absent from older gateways' snapshots). */
  sessions: SessionMetricsSchema.optional(),
  /** Only in the fleet view: the replicas merged. A snapshot without it is one replica's. */
  fleet: FleetInfoSchema.optional(),
})
export type LiveMetricsSnapshot = z.infer<typeof LiveMetricsSnapshotSchema>

/** A count per key, sorted by count (descending) then key. */
export const CountEntrySchema = z.strictObject({key: z.string(), count: z.number().int().nonnegative()})

/** Latency statistics of a set of requests or attempts, in milliseconds (log-bucket histogram, within about 2%). */
export const LatencyStatsSchema = z.strictObject({
  count: z.number().int().nonnegative(),
  mean: z.number().nullable(),
  p50: z.number().nullable(),
  p90: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
  max: z.number().nullable(),
})
export type LatencyStats = z.infer<typeof LatencyStatsSchema>

/** Requests grouped by a field (task, complexity). */
export const GroupSummarySchema = z.strictObject({
  key: z.string(),
  requests: z.number().int().nonnegative(),
  share: z.number().min(0).max(1),
  successes: z.number().int().nonnegative(),
  success_rate: z.number().min(0).max(1).nullable(),
  latency_ms: LatencyStatsSchema,
})
export type GroupSummary = z.infer<typeof GroupSummarySchema>

/** Per model in the summary: as the answering model of requests, and as the target of attempts. */
export const ModelSummarySchema = z.strictObject({
  model: z.string(),
  /** Requests this model answered (or was last tried for). */
  requests: z.number().int().nonnegative(),
  share: z.number().min(0).max(1),
  /** Requests whose decision selected this model first. */
  selected: z.number().int().nonnegative(),
  attempts: z.number().int().nonnegative(),
  failed_attempts: z.number().int().nonnegative(),
  attempt_failure_rate: z.number().min(0).max(1).nullable(),
  /** Latency of this model's successful attempts. */
  latency_ms: LatencyStatsSchema,
  accounts: z.array(z.string()),
  /** Tokens and estimated cost of this model's answers. */
  usage: UsageTotalsSchema,
})
export type ModelSummary = z.infer<typeof ModelSummarySchema>

/** What `router metrics tail --once` prints: a summary of a whole audit log. */
export const AuditSummarySchema = z.strictObject({
  schema_version: z.literal(1),
  /** The file read, as given. */
  source: z.string().nullable(),
  first_event_at: z.string().nullable(),
  last_event_at: z.string().nullable(),
  duration_seconds: z.number().nonnegative().nullable(),
  lines: z.strictObject({
    /** Lines that held a known audit event. */
    events: z.number().int().nonnegative(),
    /** Lines that were not JSON or not a valid audit event. */
    malformed: z.number().int().nonnegative(),
    /** Valid JSON events with an `event` name this version does not know. */
    unknown: z.number().int().nonnegative(),
  }),
  events_by_type: z.array(CountEntrySchema),
  requests: z.strictObject({
    /** Requests that finished (`proxy_terminal`). */
    total: z.number().int().nonnegative(),
    /** Requests routed but never finished in this log (cut off, or the gateway stopped). */
    unfinished: z.number().int().nonnegative(),
    success_rate: z.number().min(0).max(1).nullable(),
    outcomes: OutcomeCountsSchema,
    streamed: z.number().int().nonnegative(),
    /** Requests routed by the classifier (`model: "auto"`) and requests that named a model. */
    auto_routed: z.number().int().nonnegative(),
    explicit_model: z.number().int().nonnegative(),
    status: z.array(CountEntrySchema),
  }),
  latency_ms: LatencyStatsSchema,
  /** Tokens and estimated cost of every answer in the log. */
  usage: UsageTotalsSchema,
  /** Requests and spend per ingress principal, most spent first (absent from older summaries). */
  keys: z.array(KeySpendSchema).default([]),
  /** Time the router spent deciding (`route_decision.decision_ms`). */
  decision_ms: LatencyStatsSchema,
  fallbacks: z.strictObject({
    /** Requests with more than one attempt. */
    requests: z.number().int().nonnegative(),
    /** Of those, requests that still succeeded. */
    rescued: z.number().int().nonnegative(),
    /** The most frequent chains of attempted models, e.g. `openai/gpt-5.2 → gemini/gemini-2.5-flash`. */
    top_chains: z.array(CountEntrySchema),
  }),
  /** Failed attempts by error type, and failed requests by their final error type. */
  errors: z.strictObject({
    attempts: z.array(z.strictObject({key: ErrorTypeSchema, count: z.number().int().nonnegative()})),
    requests: z.array(z.strictObject({key: ErrorTypeSchema, count: z.number().int().nonnegative()})),
    /** Rejected requests by the gateway's error code. */
    rejected: z.array(CountEntrySchema),
  }),
  models: z.array(ModelSummarySchema),
  tasks: z.array(GroupSummarySchema),
  complexities: z.array(GroupSummarySchema),
  breakers: z.strictObject({
    /** Transitions to `open`, per `account` or `account model`. */
    opened: z.array(CountEntrySchema),
  }),
  /** Sessions in the log and what cache affinity did (absent from older summaries). */
  sessions: z
    .strictObject({
      /** Distinct session ids with a decision (counted up to 100 000). */
      sessions: z.number().int().nonnegative(),
      ...AffinityTotalsSchema.shape,
    })
    .optional(),
})
export type AuditSummary = z.infer<typeof AuditSummarySchema>
