import {describe, expect, it} from 'vitest'

import type {AuditEvent} from '../../../src/core/audit/schema.js'
import {mergeSnapshots} from '../../../src/core/metrics/fleet.js'
import {LiveMetrics} from '../../../src/core/metrics/live-metrics.js'
import {LiveMetricsSnapshotSchema} from '../../../src/core/metrics/schema.js'
import {T0, requestEvents} from '../../helpers/audit-events.js'

const A = 'openai/gpt-5.2'
const B = 'gemini/gemini-2.5-flash'

function replica(events: AuditEvent[][]) {
  const metrics = new LiveMetrics({now: () => T0 + 30_000})
  for (const list of events) for (const event of list) metrics.observe(event)
  return metrics
}

describe('the fleet view of the live metrics', () => {
  // Replica 1: three answers of A (one after a 503 of A on account a, then account b); replica 2: one of B and a 503.
  const first = [
    requestEvents({id: 'r1', at: T0, attempts: [{model: A, status: 200, latency_ms: 100}]}),
    requestEvents({
      id: 'r2',
      at: T0 + 1000,
      attempts: [
        {model: A, account: 'a', status: 503},
        {model: A, account: 'b', status: 200, latency_ms: 100},
      ],
    }),
    requestEvents({id: 'r3', at: T0 + 2000, attempts: [{model: A, status: 200, latency_ms: 100}]}),
  ]
  const second = [
    requestEvents({id: 'r4', at: T0 + 3000, attempts: [{model: B, status: 200, latency_ms: 500}]}),
    requestEvents({id: 'r5', at: T0 + 4000, attempts: [{model: B, status: 503}]}),
  ]

  it('sums what is counted exactly as one gateway that saw every request would', () => {
    const merged = mergeSnapshots(
      [
        {replica: 'one', snapshot: replica(first).snapshot()},
        {replica: 'two', snapshot: replica(second).snapshot()},
      ],
      T0 + 30_000,
    )
    const whole = replica([...first, ...second]).snapshot()
    expect(LiveMetricsSnapshotSchema.safeParse(merged).success).toBe(true)
    expect(merged.totals.requests_total).toBe(5)
    expect(merged.totals).toMatchObject({
      requests: whole.totals.requests,
      requests_total: whole.totals.requests_total,
      successes_total: whole.totals.successes_total,
      outcomes: whole.totals.outcomes,
      success_rate: whole.totals.success_rate,
      usage: whole.totals.usage,
    })
    const counts = (m: (typeof whole.models)[number]) => [
      m.model,
      m.samples,
      m.successes,
      m.failures,
      m.status,
      m.window_samples,
      m.share,
      m.usage.cost_usd,
    ]
    expect(merged.models.map(counts)).toEqual(whole.models.map(counts))
    expect(merged.targets.map((t) => [t.model, t.account, t.samples, t.failures])).toEqual(
      whole.targets.map((t) => [t.model, t.account, t.samples, t.failures]),
    )
    expect(merged.fleet?.replicas).toEqual([
      {replica: 'one', generated_at: expect.any(String), requests_total: 3},
      {replica: 'two', generated_at: expect.any(String), requests_total: 2},
    ])
  })

  it('weights each replica’s percentiles and EWMAs by what it measured (an approximation)', () => {
    const one = replica(first).snapshot()
    const two = replica(second).snapshot()
    const merged = mergeSnapshots(
      [
        {replica: 'one', snapshot: one},
        {replica: 'two', snapshot: two},
      ],
      T0 + 30_000,
    )
    const p50 =
      (one.totals.latency_ms.p50! * one.totals.requests + two.totals.latency_ms.p50! * two.totals.requests) /
      (one.totals.requests + two.totals.requests)
    expect(merged.totals.latency_ms.p50).toBeCloseTo(p50, 2)
    // A model measured by one replica only keeps that replica's figures.
    expect(merged.models.find((m) => m.model === B)?.latency_ewma_ms).toBe(
      two.models.find((m) => m.model === B)?.latency_ewma_ms,
    )
  })
})
