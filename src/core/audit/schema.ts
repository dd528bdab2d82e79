/**
 * The audit event stream: the one contract between the gateway (which emits) and the dashboard, live metrics and
 * `metrics tail` (which read). Every event is one JSON line in the audit log and one message on the in-process bus.
 * Documented in docs/audit-events.md; changing a field is a breaking change.
 *
 * Order of events for one request:
 *   route_decision                       (once; absent when the request is rejected before routing)
 *   for each target tried:
 *     proxy_skip_*                       (a target passed over: circuit open, cooling down, no credential)
 *     proxy_attempt                      (a request is sent)
 *     proxy_upstream_connected           (headers arrived; absent on connection errors)
 *     ONE outcome event per attempt:     proxy_response (any status, also a retryable 503 or 429),
 *                                        proxy_request_error (no usable response: connect error, timeout, reset),
 *                                        or proxy_stream_error (the body broke after it started)
 *     proxy_rate_limited                 (after a 429 outcome: the cool-down that was set)
 *     proxy_retry                        (the gateway moves on to the next target; informational)
 *   proxy_exhausted                      (every target failed or was skipped)
 *   proxy_terminal                       (always last, exactly once)
 * Metrics count one sample per attempt from the outcome events only; proxy_retry and proxy_rate_limited describe
 * an attempt whose outcome event was already sent and must not be counted again.
 */
import {z} from 'zod'

import {ComplexitySchema, TaskSchema} from '../config/schema.js'
import {EndpointSchema, RequirementsSchema, SessionDecisionSchema, TokenUsageSchema} from '../routing/schema.js'

/** Why an attempt or a request failed. */
export const ErrorTypeSchema = z.enum([
  /** TCP/TLS connect did not finish within the connect timeout. */
  'connect_timeout',
  /** Connection refused, DNS failure, unreachable host. */
  'connect_error',
  /** The upstream closed or reset the connection. */
  'connection_reset',
  /** No response headers within the first-byte timeout. */
  'headers_timeout',
  /** A gap between body chunks longer than the idle timeout. */
  'idle_timeout',
  /** The upstream answered with an error status. */
  'upstream_status',
  /** The upstream body was larger than the response size guard. */
  'response_too_large',
  /** The upstream sent something the adapter could not understand (bad JSON, a `response.failed` event). */
  'protocol_error',
  /** No usable credential for the account (missing env var, OAuth refresh failed). */
  'auth_unavailable',
  /** The client went away; the upstream request was cancelled. */
  'client_abort',
  /** A bug in the gateway; the message says what. */
  'internal',
])
export type ErrorType = z.infer<typeof ErrorTypeSchema>

const base = {
  /** ISO 8601 time of the event, with milliseconds. */
  ts: z.string(),
  /** The gateway's request id (also sent to the client as `x-router-request-id`). */
  request_id: z.string(),
  /** Authenticated ingress principal (key name or JWT subject), when ingress auth is on. */
  principal: z.string().optional(),
}

/** The upstream target of one attempt. */
const target = {
  /** Routing key, `provider/model`, as in the config. */
  model: z.string(),
  account: z.string(),
  provider: z.string(),
}

/** One try in a request's chain, as summarised on the terminal event. */
export const AttemptSummarySchema = z.strictObject({
  ...target,
  status: z.number().int().nullable(),
  error_type: ErrorTypeSchema.nullable(),
  latency_ms: z.number().nonnegative(),
  ok: z.boolean(),
})
export type AttemptSummary = z.infer<typeof AttemptSummarySchema>

/** Why a target of the chain was passed over without an attempt. */
export const SkipReasonSchema = z.enum([
  /** Its circuit breaker is open (or its probe slots are taken). */
  'circuit_open',
  /** It is cooling down after a 429 (the model on that account, or the whole account). */
  'rate_limited',
  /** No usable credential for the account. */
  'auth_unavailable',
  /** A connection to the account already failed in this request. */
  'already_tried',
  /** The account's provider does not serve the endpoint. */
  'unsupported_endpoint',
  /** The provider's protocol cannot express this request (e.g. a tool only another provider runs). */
  'unsupported_request',
])
export type SkipReason = z.infer<typeof SkipReasonSchema>

/** The events that report a skipped target (`reason` there is the human text; the code is in `proxy_exhausted`). */
export const SkipEventNameSchema = z.enum([
  'proxy_skip_circuit_open',
  'proxy_skip_rate_limited',
  'proxy_skip_unavailable',
])
export type SkipEventName = z.infer<typeof SkipEventNameSchema>

/** How a request ended, on its `proxy_terminal` event. */
export const TerminalOutcomeSchema = z.enum([
  'success',
  'upstream_error',
  'exhausted',
  'stream_error',
  'client_abort',
  'rejected',
])
export type TerminalOutcome = z.infer<typeof TerminalOutcomeSchema>

/** State of a circuit breaker, as the `circuit_state` event reports it. */
export const BreakerStateSchema = z.enum(['closed', 'open', 'half_open'])
export type BreakerState = z.infer<typeof BreakerStateSchema>

/** A skipped target: which, and why. */
export const SkippedTargetSchema = z.strictObject({
  ...target,
  reason: SkipReasonSchema,
})
export type SkippedTarget = z.infer<typeof SkippedTargetSchema>

export const RouteDecisionEventSchema = z.strictObject({
  ...base,
  event: z.literal('route_decision'),
  endpoint: EndpointSchema,
  source: z.enum(['auto', 'request']),
  /** The `model` the client sent, as it sent it; null when it sent none. */
  requested_model: z.string().nullable(),
  /**
   * The `model_aliases` entry that mapped `requested_model` (a name the config does not know) to a model or to `auto`;
   * null when none did. Absent from logs written before the field existed.
   */
  model_alias: z.strictObject({pattern: z.string(), target: z.string()}).nullable().optional(),
  /**
   * The conversation and what session affinity did (see `SessionDecisionSchema`); null when none was recognised.
   * Absent from logs written before it existed.
   */
  session: SessionDecisionSchema.nullable().optional(),
  /**
   * What the request needed (capabilities, estimated input tokens, requested output tokens): with `task`, `complexity`
   * and `session`, all `route replay` needs to run selection again on another config, prompts not included.
   */
  requirements: RequirementsSchema.optional(),
  /**
   * The request's tool types that only some providers run (as in `RoutingDecision.provider_tools`), which `route
   * replay` needs too. Absent from logs written before it existed.
   */
  provider_tools: z.array(z.string()).optional(),
  task: TaskSchema,
  complexity: ComplexitySchema,
  selected_model: z.string(),
  fallback_models: z.array(z.string()),
  profile: z.string().nullable(),
  stream: z.boolean(),
  decision_ms: z.number().nonnegative(),
  /** The classifier's evidence, as in `RoutingDecision.signals`. */
  signals: z.array(
    z.strictObject({name: z.string(), target: z.string(), weight: z.number(), detail: z.string().optional()}),
  ),
  /** Candidates with rank/score or exclusion, without the per-component breakdown. */
  candidates: z.array(
    z.strictObject({
      model: z.string(),
      rank: z.number().int().nullable(),
      score: z.number().nullable(),
      excluded: z.boolean(),
      exclusion: z.string().nullable(),
    }),
  ),
  /** Prompt text, only when `ROUTER_AUDIT_LOG_PROMPTS` is on (redacted unless `ROUTER_AUDIT_LOG_PROMPTS=raw`). */
  prompt: z.string().optional(),
})

export const ProxyAttemptEventSchema = z.strictObject({
  ...base,
  ...target,
  event: z.literal('proxy_attempt'),
  /** 1-based attempt number within the request. */
  attempt: z.number().int().positive(),
  upstream_model: z.string(),
  stream: z.boolean(),
})

export const ProxyUpstreamConnectedEventSchema = z.strictObject({
  ...base,
  ...target,
  event: z.literal('proxy_upstream_connected'),
  attempt: z.number().int().positive(),
  status: z.number().int(),
  /** Time from sending the request to receiving the response headers. */
  connect_ms: z.number().nonnegative(),
})

export const ProxyResponseEventSchema = z.strictObject({
  ...base,
  ...target,
  event: z.literal('proxy_response'),
  attempt: z.number().int().positive(),
  status: z.number().int(),
  stream: z.boolean(),
  connect_ms: z.number().nonnegative(),
  /** Time from sending the request to the end of the response body. */
  latency_ms: z.number().nonnegative(),
  bytes: z.number().int().nonnegative(),
  /** The upstream's token counts (`TokenUsageSchema`: cached tokens inside `prompt_tokens`); null when it gave none. */
  usage: TokenUsageSchema.nullable(),
  /**
   * Estimated cost of `usage` in USD at the model's configured or catalog prices: cached tokens at the cached-input
   * price, tokens written to the cache at the cache-write price, the rest of the prompt at the input price. Null when a
   * token count is missing or nothing describes the model. Absent from logs written before the field existed.
   */
  cost_usd: z.number().nonnegative().nullable().optional(),
  /**
   * What the prompt cache saved on this answer in USD: its prompt at the full input price minus what `cost_usd`
   * charged for it. Negative when a cache write costs more than it saved (Anthropic bills writes above the input
   * price). Null when `cost_usd` is, or when the upstream reported no cache counts. Absent from logs written before it.
   */
  cache_savings_usd: z.number().nullable().optional(),
})

export const ProxyRetryEventSchema = z.strictObject({
  ...base,
  ...target,
  event: z.literal('proxy_retry'),
  attempt: z.number().int().positive(),
  status: z.number().int().nullable(),
  error_type: ErrorTypeSchema,
  /** Human reason, e.g. `upstream answered 503`. */
  reason: z.string(),
})

export const ProxyRequestErrorEventSchema = z.strictObject({
  ...base,
  ...target,
  event: z.literal('proxy_request_error'),
  attempt: z.number().int().positive(),
  error_type: ErrorTypeSchema,
  message: z.string(),
  latency_ms: z.number().nonnegative(),
})

export const ProxyRateLimitedEventSchema = z.strictObject({
  ...base,
  ...target,
  event: z.literal('proxy_rate_limited'),
  attempt: z.number().int().positive(),
  status: z.number().int(),
  /** Cool-down from `Retry-After` (or the reset time in the error body, or the default), in milliseconds. */
  retry_after_ms: z.number().nonnegative(),
  cooldown_until: z.string(),
  /**
   * What cools down: `model` (this model on this account, the default) or `account` (the provider said the account
   * itself is out: `insufficient_quota`, a plan's usage limit, a daily quota). Absent from logs written before it.
   */
  scope: z.enum(['model', 'account']).optional(),
  /**
   * Why, as the gateway read the provider's answer: its error code for an account-wide cool-down
   * (`insufficient_quota`, `usage_limit_reached`, …), else `rate limited (Retry-After)` or `rate limited (no
   * Retry-After)`. Absent from logs written before it.
   */
  reason: z.string().optional(),
})

export const ProxySkipEventSchema = z.strictObject({
  ...base,
  ...target,
  event: SkipEventNameSchema,
  /** When the target becomes usable again, if known. */
  until: z.string().nullable(),
  reason: z.string(),
})

export const ProxyExhaustedEventSchema = z.strictObject({
  ...base,
  event: z.literal('proxy_exhausted'),
  status: z.number().int(),
  attempts: z.array(AttemptSummarySchema),
  skipped: z.array(SkippedTargetSchema),
})

export const ProxyStreamErrorEventSchema = z.strictObject({
  ...base,
  ...target,
  event: z.literal('proxy_stream_error'),
  attempt: z.number().int().positive(),
  error_type: ErrorTypeSchema,
  message: z.string(),
  /** Bytes already relayed to the client when the stream broke. */
  bytes_sent: z.number().int().nonnegative(),
})

/** The last event of every request: one per request, whatever happened. */
export const ProxyTerminalEventSchema = z.strictObject({
  ...base,
  event: z.literal('proxy_terminal'),
  endpoint: EndpointSchema,
  outcome: TerminalOutcomeSchema,
  /** Status sent to the client (for a broken stream: the status already sent, 200). */
  status: z.number().int(),
  task: TaskSchema.nullable(),
  complexity: ComplexitySchema.nullable(),
  /** The target that answered (or the last one tried); null when nothing was tried. */
  model: z.string().nullable(),
  account: z.string().nullable(),
  provider: z.string().nullable(),
  stream: z.boolean(),
  /** Whole request, from arrival to the last byte sent. */
  latency_ms: z.number().nonnegative(),
  attempts: z.array(AttemptSummarySchema),
  error_type: ErrorTypeSchema.nullable(),
  /** For `rejected`: the gateway's own error code (e.g. `model_not_found`, `invalid_json`, `auth_expired`). */
  error_code: z.string().nullable(),
  /**
   * Set when the answer was replayed from an earlier request with the same `Idempotency-Key`: that request's id. A
   * replay calls no upstream (`attempts` is empty) and has no `route_decision`.
   */
  replay_of: z.string().optional(),
})

/** A circuit breaker changed state (not tied to one request). */
export const CircuitStateEventSchema = z.strictObject({
  ts: z.string(),
  event: z.literal('circuit_state'),
  account: z.string(),
  /** Null for an account-wide breaker. */
  model: z.string().nullable(),
  provider: z.string(),
  state: BreakerStateSchema,
  previous: BreakerStateSchema,
  reason: z.string(),
})

/**
 * A verdict on an answered request's quality: the client retried it (the same conversation and last user turn again
 * within the retry window) or said so (`POST /v1/router/feedback`). `request_id` is the request judged; it counts
 * against (or for) the task, complexity and model that answered it.
 */
export const QualityFeedbackEventSchema = z.strictObject({
  ...base,
  event: z.literal('quality_feedback'),
  source: z.enum(['retry', 'client']),
  verdict: z.enum(['good', 'bad']),
  task: TaskSchema,
  complexity: ComplexitySchema,
  /** The model that answered the judged request. */
  model: z.string(),
  /** For a retry: the request that repeated it. */
  by_request_id: z.string().nullable(),
  /** The client's words, if it gave any (at most 500 characters). */
  comment: z.string().nullable(),
})
export type QualityFeedbackEvent = z.infer<typeof QualityFeedbackEventSchema>

/** The gateway (re)loaded its configuration (not tied to one request). */
export const ConfigReloadEventSchema = z.strictObject({
  ts: z.string(),
  event: z.literal('config_reload'),
  path: z.string(),
  ok: z.boolean(),
  message: z.string(),
})

/**
 * Ingress auth refused a request to a route that proxies nothing (`GET /v1/models`, the operations endpoints,
 * `/metrics` with `METRICS_AUTH_REQUIRED`, an unknown path). A refused `POST /v1/*` is a `proxy_terminal` with
 * outcome `rejected` instead. `principal` is never set: the credentials were refused.
 */
export const IngressRejectedEventSchema = z.strictObject({
  ...base,
  event: z.literal('ingress_rejected'),
  method: z.string(),
  /** The path without its query string. */
  path: z.string(),
  /** 401, or 503 when the keys to check a token could not be fetched. */
  status: z.number().int(),
  /** Why, as in `proxy_terminal.error_code` (`auth_missing`, `auth_unknown_key`, `auth_expired`, …). */
  error_code: z.string(),
})

/**
 * The shared state store (Redis) became unreachable or too slow (`down`: requests go on with this replica's own
 * state), or is back (`up`: sharing resumes). Not tied to one request.
 */
export const StateStoreEventSchema = z.strictObject({
  ts: z.string(),
  event: z.literal('state_store'),
  store: z.enum(['redis', 'primary']),
  status: z.enum(['up', 'down']),
  /** Why, in words (the client's error, the time-out), never the URL's password. */
  message: z.string(),
})

/** Every audit event. Readers must ignore events whose `event` they do not know (forward compatibility). */
export const AuditEventSchema = z.discriminatedUnion('event', [
  RouteDecisionEventSchema,
  ProxyAttemptEventSchema,
  ProxyUpstreamConnectedEventSchema,
  ProxyResponseEventSchema,
  ProxyRetryEventSchema,
  ProxyRequestErrorEventSchema,
  ProxyRateLimitedEventSchema,
  ProxySkipEventSchema,
  ProxyExhaustedEventSchema,
  ProxyStreamErrorEventSchema,
  ProxyTerminalEventSchema,
  CircuitStateEventSchema,
  ConfigReloadEventSchema,
  QualityFeedbackEventSchema,
  IngressRejectedEventSchema,
  StateStoreEventSchema,
])
export type AuditEvent = z.infer<typeof AuditEventSchema>
export type AuditEventName = AuditEvent['event']
export type RouteDecisionEvent = z.infer<typeof RouteDecisionEventSchema>
export type ProxyTerminalEvent = z.infer<typeof ProxyTerminalEventSchema>
export type ProxyResponseEvent = z.infer<typeof ProxyResponseEventSchema>
export type CircuitStateEvent = z.infer<typeof CircuitStateEventSchema>
export type StateStoreEvent = z.infer<typeof StateStoreEventSchema>
