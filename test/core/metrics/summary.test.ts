import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {parseAuditEventJson} from '../../../src/core/audit/parse-event.js'
import type {AuditEvent, ProxyTerminalEvent} from '../../../src/core/audit/schema.js'
import {AuditSummarySchema} from '../../../src/core/metrics/schema.js'
import {AuditSummarizer, summarizeAuditEvents} from '../../../src/core/metrics/summary.js'
import {T0, circuit, decision, requestEvents} from '../../helpers/audit-events.js'

const A = 'openai/gpt-5.2'
const B = 'gemini/gemini-2.5-flash'

describe('summarizeAuditEvents', () => {
  it('summarises requests, fallbacks, errors, models, tasks and breakers of a scripted log', () => {
    const events: AuditEvent[] = [
      ...requestEvents({id: 'r1', at: T0, task: 'coding', attempts: [{model: A, status: 200, latency_ms: 100}]}),
      ...requestEvents({
        id: 'r2',
        at: T0 + 1000,
        task: 'coding',
        attempts: [
          {model: A, status: 503},
          {model: B, status: 200, latency_ms: 300},
        ],
      }),
      ...requestEvents({
        id: 'r3',
        at: T0 + 2000,
        task: 'general',
        complexity: 'low',
        attempts: [
          {model: A, error: 'connect_timeout'},
          {model: B, status: 500},
        ],
      }),
      ...requestEvents({
        id: 'r4',
        at: T0 + 3000,
        task: 'general',
        complexity: 'low',
        stream: true,
        attempts: [{model: B, status: 200, error: 'idle_timeout'}],
      }),
      decision('r5', T0 + 4000),
      circuit(T0 + 5000, 'main', A, 'open'),
      circuit(T0 + 6000, 'main', A, 'closed', 'open'),
    ]
    const summary = summarizeAuditEvents(events, 'audit.jsonl')
    expect(AuditSummarySchema.parse(summary)).toEqual(summary)
    expect(summary.source).toBe('audit.jsonl')
    expect(summary.first_event_at).toBe('2026-03-02T10:00:00.000Z')
    expect(summary.last_event_at).toBe('2026-03-02T10:00:06.000Z')
    expect(summary.duration_seconds).toBe(6)
    expect(summary.requests).toMatchObject({
      total: 4,
      unfinished: 1,
      success_rate: 0.5,
      outcomes: {success: 2, exhausted: 1, stream_error: 1, upstream_error: 0, client_abort: 0, rejected: 0},
      streamed: 1,
      auto_routed: 5,
    })
    expect(summary.fallbacks).toEqual({
      requests: 2,
      rescued: 1,
      top_chains: [{key: `${A} → ${B}`, count: 2}],
    })
    expect(summary.errors.attempts).toEqual([
      {key: 'upstream_status', count: 2},
      {key: 'connect_timeout', count: 1},
      {key: 'idle_timeout', count: 1},
    ])
    expect(summary.errors.requests).toEqual([
      {key: 'idle_timeout', count: 1},
      {key: 'upstream_status', count: 1},
    ])
    const a = summary.models.find((m) => m.model === A)!
    expect(a).toMatchObject({requests: 1, selected: 4, attempts: 3, failed_attempts: 2, accounts: ['main']})
    expect(a.attempt_failure_rate).toBe(0.6667)
    expect(a.latency_ms).toMatchObject({count: 1, p50: 100, max: 100})
    const b = summary.models.find((m) => m.model === B)!
    expect(b).toMatchObject({requests: 3, attempts: 3, failed_attempts: 2})
    expect(summary.tasks.map((t) => [t.key, t.requests, t.successes])).toEqual([
      ['coding', 2, 2],
      ['general', 2, 0],
    ])
    expect(summary.complexities.map((c) => [c.key, c.requests])).toEqual([
      ['high', 2],
      ['low', 2],
    ])
    expect(summary.breakers.opened).toEqual([{key: `main ${A}`, count: 1}])
  })

  it('agrees with a direct count over the sample fixture', () => {
    const summarizer = new AuditSummarizer()
    const terminals: ProxyTerminalEvent[] = []
    const lines = readFileSync(new URL('../../fixtures/audit/sample.jsonl', import.meta.url), 'utf8').split('\n')
    for (const line of lines) {
      const parsed = parseAuditEventJson(line)
      if (parsed.kind === 'event') {
        summarizer.observe(parsed.event)
        if (parsed.event.event === 'proxy_terminal') terminals.push(parsed.event)
      }
    }
    const summary = summarizer.result()
    expect(summary.requests.total).toBe(terminals.length)
    expect(summary.fallbacks.requests).toBe(terminals.filter((t) => t.attempts.length > 1).length)
    expect(summary.requests.outcomes.success).toBe(terminals.filter((t) => t.outcome === 'success').length)
    expect(summary.requests.outcomes.stream_error).toBeGreaterThan(0)
    expect(summary.requests.outcomes.exhausted).toBeGreaterThan(0)
    expect(summary.errors.rejected).toEqual([
      {key: 'invalid_json', count: terminals.filter((t) => t.outcome === 'rejected').length},
    ])
    const sorted = terminals.map((t) => t.latency_ms).sort((x, y) => x - y)
    const p95 = sorted[Math.ceil(0.95 * sorted.length) - 1]
    expect(Math.abs(summary.latency_ms.p95! - p95) / p95).toBeLessThan(0.02)
    expect(summary.tasks.reduce((n, t) => n + t.requests, 0)).toBe(terminals.length)
    // Tokens and cost: the sums of the log's proxy_response figures, in total and per model.
    const responses = lines
      .map((line) => parseAuditEventJson(line))
      .flatMap((p) => (p.kind === 'event' && p.event.event === 'proxy_response' ? [p.event] : []))
    const prompt = responses.reduce((n, e) => n + (e.usage?.prompt_tokens ?? 0), 0)
    const cost = responses.reduce((n, e) => n + (e.cost_usd ?? 0), 0)
    expect(summary.usage.prompt_tokens).toBe(prompt)
    expect(summary.usage.cost_usd).toBeCloseTo(cost, 9)
    expect(summary.usage.answers_with_cost).toBe(responses.filter((e) => typeof e.cost_usd === 'number').length)
    expect(summary.models.reduce((n, m) => n + m.usage.cost_usd, 0)).toBeCloseTo(cost, 9)
  })

  it('counts malformed and unknown lines it is told about', () => {
    const summarizer = new AuditSummarizer()
    summarizer.addMalformed()
    summarizer.addUnknown()
    summarizer.addUnknown()
    expect(summarizer.result().lines).toEqual({events: 0, malformed: 1, unknown: 2})
    expect(summarizer.result().latency_ms).toEqual({
      count: 0,
      mean: null,
      p50: null,
      p90: null,
      p95: null,
      p99: null,
      max: null,
    })
  })
})
