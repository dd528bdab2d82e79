/**
 * The audit events of one proxied request, built in one place. `ProxyRun` says what happened; this says it in the
 * shape of the audit schema (src/core/audit/schema.ts), with the request id and the ingress principal on every event.
 * Each event is one object literal with its fields written out: a spread of shared fields makes V8 build slower
 * objects, which every subscriber (the audit log's JSON, live metrics) then pays for again.
 */
import type {
  AttemptSummary,
  AuditEvent,
  ErrorType,
  ProxyTerminalEvent,
  SkipEventName,
  SkippedTarget,
  TerminalOutcome,
} from '../../core/audit/schema.js'
import {auditTimestamp} from '../../core/audit/timestamp.js'
import {roundMs} from '../../core/round.js'
import type {UsageCost} from '../../core/routing/model-info.js'
import type {RoutingDecision, TokenUsage} from '../../core/routing/schema.js'
import type {GatewayState} from '../state.js'
import type {Target} from './target.js'

/** Events about one request (every kind but the gateway-wide `circuit_state`, `config_reload` and `state_store`). */
type RequestEvent = Exclude<AuditEvent, {event: 'circuit_state' | 'config_reload' | 'state_store'}>

export class RequestEvents {
  constructor(
    private readonly state: GatewayState,
    private readonly requestId: string,
    private readonly principal: string | undefined,
  ) {}

  skip(target: Target, event: SkipEventName, until: number | null, reason: string): void {
    this.emit({
      ts: auditTimestamp(),
      request_id: this.requestId,
      model: target.model,
      account: target.account.name,
      provider: target.provider,
      event,
      until: until === null ? null : new Date(until).toISOString(),
      reason,
    })
  }

  attempt(target: Target, attempt: number, upstreamModel: string, stream: boolean): void {
    this.emit({
      ts: auditTimestamp(),
      request_id: this.requestId,
      model: target.model,
      account: target.account.name,
      provider: target.provider,
      event: 'proxy_attempt',
      attempt,
      upstream_model: upstreamModel,
      stream,
    })
  }

  connected(target: Target, attempt: number, status: number, connectMs: number): void {
    this.emit({
      ts: auditTimestamp(),
      request_id: this.requestId,
      model: target.model,
      account: target.account.name,
      provider: target.provider,
      event: 'proxy_upstream_connected',
      attempt,
      status,
      connect_ms: roundMs(connectMs),
    })
  }

  response(
    target: Target,
    attempt: number,
    answer: {
      status: number
      stream: boolean
      connectMs: number
      latencyMs: number
      bytes: number
      usage: TokenUsage | null
      cost: UsageCost | null
    },
  ): void {
    this.emit({
      ts: auditTimestamp(),
      request_id: this.requestId,
      model: target.model,
      account: target.account.name,
      provider: target.provider,
      event: 'proxy_response',
      attempt,
      status: answer.status,
      stream: answer.stream,
      connect_ms: roundMs(answer.connectMs),
      latency_ms: roundMs(answer.latencyMs),
      bytes: answer.bytes,
      usage: answer.usage,
      cost_usd: answer.cost?.cost_usd ?? null,
      cache_savings_usd: answer.cost?.cache_savings_usd ?? null,
    })
  }

  requestError(target: Target, attempt: number, errorType: ErrorType, message: string, latencyMs: number): void {
    this.emit({
      ts: auditTimestamp(),
      request_id: this.requestId,
      model: target.model,
      account: target.account.name,
      provider: target.provider,
      event: 'proxy_request_error',
      attempt,
      error_type: errorType,
      message,
      latency_ms: roundMs(latencyMs),
    })
  }

  streamError(target: Target, attempt: number, errorType: ErrorType, message: string, bytesSent: number): void {
    this.emit({
      ts: auditTimestamp(),
      request_id: this.requestId,
      model: target.model,
      account: target.account.name,
      provider: target.provider,
      event: 'proxy_stream_error',
      attempt,
      error_type: errorType,
      message,
      bytes_sent: bytesSent,
    })
  }

  rateLimited(
    target: Target,
    attempt: number,
    retryAfterMs: number,
    until: number,
    scope: 'model' | 'account',
    reason: string,
  ): void {
    this.emit({
      ts: auditTimestamp(),
      request_id: this.requestId,
      model: target.model,
      account: target.account.name,
      provider: target.provider,
      event: 'proxy_rate_limited',
      attempt,
      status: 429,
      retry_after_ms: retryAfterMs,
      cooldown_until: new Date(until).toISOString(),
      scope,
      reason,
    })
  }

  retry(target: Target, attempt: number, status: number | null, errorType: ErrorType, reason: string): void {
    this.emit({
      ts: auditTimestamp(),
      request_id: this.requestId,
      model: target.model,
      account: target.account.name,
      provider: target.provider,
      event: 'proxy_retry',
      attempt,
      status,
      error_type: errorType,
      reason,
    })
  }

  exhausted(status: number, attempts: AttemptSummary[], skipped: SkippedTarget[]): void {
    this.emit({ts: auditTimestamp(), request_id: this.requestId, event: 'proxy_exhausted', status, attempts, skipped})
  }

  terminal(
    endpoint: RoutingDecision['endpoint'],
    decision: RoutingDecision,
    summary: Omit<TerminalSummary, 'task' | 'complexity'>,
  ): void {
    this.state.bus.publish(
      terminalEvent(this.requestId, this.principal, endpoint, {
        task: decision.task,
        complexity: decision.complexity,
        ...summary,
      }),
    )
  }

  /** Publishes an event, with the ingress principal when there is one. */
  private emit(event: RequestEvent): void {
    if (this.principal !== undefined) event.principal = this.principal
    this.state.bus.publish(event)
  }
}

/** How a request ended, as `terminalEvent` records it. */
export interface TerminalSummary {
  outcome: TerminalOutcome
  status: number
  task: RoutingDecision['task'] | null
  complexity: RoutingDecision['complexity'] | null
  target: {model: string | null; account: string | null; provider: string | null} | null
  stream: boolean
  latencyMs: number
  attempts: AttemptSummary[]
  errorType: ErrorType | null
  errorCode: string | null
  /** The request whose remembered answer this one was given (an idempotent replay). */
  replayOf?: string
}

/**
 * The one builder of `proxy_terminal`: the end of a proxied request, of an idempotent replay, and of a request refused
 * before it was routed all go through here.
 */
export function terminalEvent(
  requestId: string,
  principal: string | undefined,
  endpoint: RoutingDecision['endpoint'],
  summary: TerminalSummary,
): ProxyTerminalEvent {
  const event: ProxyTerminalEvent = {
    ts: auditTimestamp(),
    request_id: requestId,
    event: 'proxy_terminal',
    endpoint,
    outcome: summary.outcome,
    status: summary.status,
    task: summary.task,
    complexity: summary.complexity,
    model: summary.target?.model ?? null,
    account: summary.target?.account ?? null,
    provider: summary.target?.provider ?? null,
    stream: summary.stream,
    latency_ms: roundMs(summary.latencyMs),
    attempts: summary.attempts,
    error_type: summary.errorType,
    error_code: summary.errorCode,
  }
  if (summary.replayOf !== undefined) event.replay_of = summary.replayOf
  if (principal !== undefined) event.principal = principal
  return event
}
