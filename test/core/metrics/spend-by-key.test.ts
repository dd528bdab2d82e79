import {describe, expect, it} from 'vitest'

import type {AuditEvent} from '../../../src/core/audit/schema.js'
import {LiveMetrics} from '../../../src/core/metrics/live-metrics.js'
import {summarizeAuditEvents} from '../../../src/core/metrics/summary.js'
import {formatSummary} from '../../../src/tui/summary-text.js'
import {iso, requestEvents} from '../../helpers/audit-events.js'

/** Two answers for alice, one for bob, and a request of alice refused by her budget. */
function events(now: number): AuditEvent[] {
  const as = (principal: string, list: AuditEvent[]) => list.map((e) => ({...e, principal}) as AuditEvent)
  return [
    ...as('alice', requestEvents({id: 'req_a1', at: now - 3000, attempts: [{model: 'openai/gpt-5.2', status: 200}]})),
    ...as('bob', requestEvents({id: 'req_b1', at: now - 2500, attempts: [{model: 'openai/gpt-5.2', status: 200}]})),
    ...as('alice', requestEvents({id: 'req_a2', at: now - 2000, attempts: [{model: 'openai/gpt-5.2', status: 200}]})),
    {
      ts: iso(now - 1000),
      request_id: 'req_a3',
      principal: 'alice',
      event: 'proxy_terminal',
      endpoint: 'chat.completions',
      outcome: 'rejected',
      status: 429,
      task: null,
      complexity: null,
      model: null,
      account: null,
      provider: null,
      stream: false,
      latency_ms: 0.4,
      attempts: [],
      error_type: null,
      error_code: 'budget_usd_day_exceeded',
    },
  ]
}

describe('spend per key', () => {
  it('sums each principal’s requests, refusals, tokens and estimated cost in the live metrics, most spent first', () => {
    const now = Date.now()
    const metrics = new LiveMetrics({now: () => now})
    for (const event of events(now)) metrics.observe(event)
    const keys = metrics.snapshot().keys
    expect(keys.map((k) => [k.principal, k.requests, k.refused, k.usage.cost_usd])).toEqual([
      ['alice', 3, 1, 0.00168],
      ['bob', 1, 0, 0.00084],
    ])
    expect(keys[0].usage).toMatchObject({prompt_tokens: 240, completion_tokens: 96, answers_with_cost: 2})
  })

  it('lists each key in the summary of a log, with a table in its text', () => {
    const summary = summarizeAuditEvents(events(Date.now()), 'audit.jsonl')
    expect(summary.keys.map((k) => k.principal)).toEqual(['alice', 'bob'])
    const text = formatSummary(summary)
    expect(text).toMatch(/key\s+requests\s+refused\s+tokens\s+est\. cost/)
    expect(text).toMatch(/alice\s+3\s+1\s+336\s+\$0\.0017/)
  })
})
