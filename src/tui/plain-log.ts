/**
 * The non-TTY request log: one line per finished request, as text or as JSON lines (`router serve` when stdout is
 * not a terminal, `router metrics tail --no-tui`). A request's `route_decision` is paired with its `proxy_terminal`.
 */
import type {AuditEvent, ProxyTerminalEvent, RouteDecisionEvent} from '../core/audit/schema.js'
import {formatAttemptChain, formatLatency} from './format.js'
import type {AuditSource} from './sources/types.js'

/** Decisions awaiting their terminal; beyond this many the oldest are dropped (their request lines lose task info). */
const MAX_PENDING_DECISIONS = 10_000

/**
 * One human line per request:
 * `2026-03-02T10:00:01.736Z req_3f9a2c coding/high openai/gpt-5.2@work gpt-5.2 ✗503 → gemini-2.5-flash ✓ 200 1.2s stream`.
 * Fields: time, request id, task/complexity, answering model@account, attempt chain, status, latency, then
 * `stream` for streamed requests, `session:<affinity>` for a session's turn, and the outcome when it is not a success.
 */
export function formatRequestLine(terminal: ProxyTerminalEvent, decision?: RouteDecisionEvent): string {
  const task = terminal.task ?? decision?.task ?? '-'
  const complexity = terminal.complexity ?? decision?.complexity ?? '-'
  const model = terminal.model ?? decision?.selected_model ?? '-'
  const target = terminal.account ? `${model}@${terminal.account}` : model
  const parts = [
    terminal.ts,
    terminal.request_id,
    `${task}/${complexity}`,
    target,
    terminal.attempts.length === 0 ? '-' : formatAttemptChain(terminal.attempts),
    String(terminal.status),
    formatLatency(terminal.latency_ms),
  ]
  if (terminal.stream) parts.push('stream')
  // What cache affinity did for a session's turn: `session:stay`, `session:move_up`, …
  if (decision?.session) parts.push(`session:${decision.session.affinity}`)
  if (terminal.outcome !== 'success') {
    const detail = terminal.error_code ?? terminal.error_type
    // `client_abort:client_abort` says nothing more than `client_abort`.
    parts.push(detail && detail !== terminal.outcome ? `${terminal.outcome}:${detail}` : terminal.outcome)
  }
  return parts.join(' ')
}

/** The JSON-lines form of a request (documented in docs/metrics.md). */
export function formatRequestJson(terminal: ProxyTerminalEvent, decision?: RouteDecisionEvent): string {
  return JSON.stringify({
    ts: terminal.ts,
    request_id: terminal.request_id,
    principal: terminal.principal,
    endpoint: terminal.endpoint,
    outcome: terminal.outcome,
    status: terminal.status,
    task: terminal.task ?? decision?.task ?? null,
    complexity: terminal.complexity ?? decision?.complexity ?? null,
    source: decision?.source ?? null,
    selected_model: decision?.selected_model ?? null,
    model: terminal.model,
    account: terminal.account,
    provider: terminal.provider,
    fallbacks: Math.max(0, terminal.attempts.length - 1),
    attempts: terminal.attempts.map((a) => ({
      model: a.model,
      account: a.account,
      status: a.status,
      error_type: a.error_type,
      latency_ms: a.latency_ms,
      ok: a.ok,
    })),
    latency_ms: terminal.latency_ms,
    decision_ms: decision?.decision_ms ?? null,
    stream: terminal.stream,
    error_type: terminal.error_type,
    error_code: terminal.error_code,
    ...(decision?.session ? {session: decision.session.id, affinity: decision.session.affinity} : {}),
  })
}

/** Output form of the plain log. */
export type PlainLogFormat = 'text' | 'json'

/**
 * Subscribes to `source` and writes one line (with its newline) per finished request. Returns the function that
 * unsubscribes.
 */
export function createPlainLogger(
  source: AuditSource,
  write: (line: string) => void,
  format: PlainLogFormat,
): () => void {
  const pending = new Map<string, RouteDecisionEvent>()
  const formatLine = format === 'json' ? formatRequestJson : formatRequestLine
  return source.subscribe((event: AuditEvent) => {
    if (event.event === 'route_decision') {
      if (pending.size >= MAX_PENDING_DECISIONS) {
        const oldest = pending.keys().next().value
        if (oldest !== undefined) pending.delete(oldest)
      }
      pending.set(event.request_id, event)
    } else if (event.event === 'proxy_terminal') {
      const decision = pending.get(event.request_id)
      pending.delete(event.request_id)
      write(formatLine(event, decision) + '\n')
    }
  })
}
