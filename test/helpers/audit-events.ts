/**
 * Builders of audit events for tests: each returns a schema-valid event with realistic defaults, and `requestEvents`
 * scripts the whole event sequence of one request (decision, attempts with their outcomes, terminal) the way the
 * gateway emits it.
 */
import type {
  AttemptSummary,
  AuditEvent,
  ErrorType,
  ProxyTerminalEvent,
  RouteDecisionEvent,
} from '../../src/core/audit/schema.js'

export const T0 = Date.parse('2026-03-02T10:00:00.000Z')

export function iso(ms: number): string {
  return new Date(ms).toISOString()
}

/** How one attempt of a scripted request ends. */
export interface AttemptScript {
  model: string
  account?: string
  /** HTTP status of the response; omit for a transport error. */
  status?: number
  /** Transport error (`connect_timeout`, `connection_reset`, …) or, after a 200, a broken stream. */
  error?: ErrorType
  latency_ms?: number
  connect_ms?: number
  /** After a 429: the cool-down's length (default 1 s) and what it cools (absent, as in logs older than the field). */
  cooldown_ms?: number
  scope?: 'model' | 'account'
}

export interface RequestScript {
  id: string
  at: number
  task?: RouteDecisionEvent['task']
  complexity?: RouteDecisionEvent['complexity']
  stream?: boolean
  selected?: string
  fallbacks?: string[]
  attempts: AttemptScript[]
  /** Whole-request latency; defaults to the sum of the attempts' latencies plus 2 ms. */
  latency_ms?: number
  /** Leave out the terminal (a request still in flight). */
  noTerminal?: boolean
  /** The decision's session part (a turn of a recognised session). */
  session?: RouteDecisionEvent['session']
}

const RETRYABLE = new Set([429, 500, 502, 503, 504])

export function provider(model: string): string {
  return model.includes('/') ? model.slice(0, model.indexOf('/')) : 'openai'
}

export function decision(id: string, at: number, overrides: Partial<RouteDecisionEvent> = {}): RouteDecisionEvent {
  const selected = overrides.selected_model ?? 'openai/gpt-5.2'
  return {
    ts: iso(at),
    request_id: id,
    event: 'route_decision',
    endpoint: 'chat.completions',
    source: 'auto',
    requested_model: 'auto',
    task: 'coding',
    complexity: 'high',
    selected_model: selected,
    fallback_models: ['gemini/gemini-2.5-flash'],
    profile: 'balanced',
    stream: false,
    decision_ms: 0.4,
    signals: [
      {name: 'code_fence', target: 'coding', weight: 2.5, detail: '```python fence, 14 lines'},
      {name: 'long_prompt', target: 'complexity', weight: 1.2, detail: '3.1k tokens'},
    ],
    candidates: [
      {model: selected, rank: 1, score: 0.91, excluded: false, exclusion: null},
      {model: 'gemini/gemini-2.5-flash', rank: 2, score: 0.74, excluded: false, exclusion: null},
      {model: 'openai/gpt-4o-mini', rank: null, score: null, excluded: true, exclusion: 'context_too_small'},
    ],
    ...overrides,
  }
}

/** The whole event sequence of one request, in the order the gateway emits it. */
export function requestEvents(script: RequestScript): AuditEvent[] {
  const events: AuditEvent[] = []
  let t = script.at
  const stream = script.stream ?? false
  const selected = script.selected ?? script.attempts[0]?.model ?? 'openai/gpt-5.2'
  events.push(
    decision(script.id, t, {
      selected_model: selected,
      fallback_models: script.fallbacks ?? script.attempts.slice(1).map((a) => a.model),
      task: script.task ?? 'coding',
      complexity: script.complexity ?? 'high',
      stream,
      ...(script.session === undefined ? {} : {session: script.session}),
    }),
  )
  const summaries: AttemptSummary[] = []
  script.attempts.forEach((attempt, index) => {
    const number = index + 1
    const target = {model: attempt.model, account: attempt.account ?? 'main', provider: provider(attempt.model)}
    const base = {request_id: script.id, ...target, attempt: number}
    const latency = attempt.latency_ms ?? 100
    const connect = attempt.connect_ms ?? 40
    events.push({...base, ts: iso(t), event: 'proxy_attempt', upstream_model: attempt.model.split('/').pop()!, stream})
    let ok = false
    if (attempt.status !== undefined) {
      events.push({
        ...base,
        ts: iso(t + connect),
        event: 'proxy_upstream_connected',
        status: attempt.status,
        connect_ms: connect,
      })
      const brokenStream = attempt.error !== undefined && attempt.status < 300
      if (brokenStream) {
        events.push({
          ...base,
          ts: iso(t + latency),
          event: 'proxy_stream_error',
          error_type: attempt.error!,
          message: 'upstream stopped sending',
          bytes_sent: 512,
        })
      } else {
        events.push({
          ...base,
          ts: iso(t + latency),
          event: 'proxy_response',
          status: attempt.status,
          stream,
          connect_ms: connect,
          latency_ms: latency,
          bytes: 800,
          usage: attempt.status < 300 ? {prompt_tokens: 120, completion_tokens: 48} : null,
          // 120 × $0.002 + 48 × $0.0125 per 1 000 tokens.
          cost_usd: attempt.status < 300 ? 0.00084 : null,
        })
        ok = attempt.status >= 200 && attempt.status < 300
        if (attempt.status === 429) {
          events.push({
            ...base,
            ts: iso(t + latency),
            event: 'proxy_rate_limited',
            status: 429,
            retry_after_ms: attempt.cooldown_ms ?? 1000,
            cooldown_until: iso(t + latency + (attempt.cooldown_ms ?? 1000)),
            ...(attempt.scope ? {scope: attempt.scope} : {}),
          })
        }
        if (!ok && RETRYABLE.has(attempt.status) && index < script.attempts.length - 1) {
          events.push({
            ...base,
            ts: iso(t + latency),
            event: 'proxy_retry',
            status: attempt.status,
            error_type: 'upstream_status',
            reason: `upstream answered ${attempt.status}`,
          })
        }
      }
    } else {
      const error = attempt.error ?? 'connect_error'
      events.push({
        ...base,
        ts: iso(t + latency),
        event: 'proxy_request_error',
        error_type: error,
        message: `${error} after ${latency} ms`,
        latency_ms: latency,
      })
      if (index < script.attempts.length - 1) {
        events.push({
          ...base,
          ts: iso(t + latency),
          event: 'proxy_retry',
          status: null,
          error_type: error,
          reason: error,
        })
      }
    }
    summaries.push({
      ...target,
      status: attempt.status ?? null,
      error_type: ok ? null : (attempt.error ?? (attempt.status !== undefined ? 'upstream_status' : 'connect_error')),
      latency_ms: latency,
      ok,
    })
    t += latency
  })
  if (!script.noTerminal) events.push(terminal(script, summaries, t + 2))
  return events
}

function terminal(script: RequestScript, attempts: AttemptSummary[], at: number): ProxyTerminalEvent {
  const last = attempts.at(-1)
  const lastScript = script.attempts.at(-1)
  const brokenStream = lastScript?.error !== undefined && lastScript.status !== undefined && lastScript.status < 300
  let outcome: ProxyTerminalEvent['outcome'] = 'success'
  if (brokenStream) outcome = 'stream_error'
  else if (!last) outcome = 'rejected'
  else if (!last.ok) outcome = attempts.length > 1 ? 'exhausted' : 'upstream_error'
  return {
    ts: iso(at),
    request_id: script.id,
    event: 'proxy_terminal',
    endpoint: 'chat.completions',
    outcome,
    status: brokenStream ? 200 : (last?.status ?? 502),
    task: script.task ?? 'coding',
    complexity: script.complexity ?? 'high',
    model: last?.model ?? null,
    account: last?.account ?? null,
    provider: last?.provider ?? null,
    stream: script.stream ?? false,
    latency_ms: script.latency_ms ?? attempts.reduce((sum, a) => sum + a.latency_ms, 0) + 2,
    attempts,
    error_type: outcome === 'success' ? null : (last?.error_type ?? 'internal'),
    error_code: null,
  }
}

export function circuit(
  at: number,
  account: string,
  model: string | null,
  state: 'open' | 'closed' | 'half_open',
  previous: 'open' | 'closed' | 'half_open' = 'closed',
): AuditEvent {
  return {
    ts: iso(at),
    event: 'circuit_state',
    account,
    model,
    provider: model ? provider(model) : 'openai',
    state,
    previous,
    reason: state === 'open' ? '5 consecutive failures' : 'probe succeeded',
  }
}
