import {describe, expect, it} from 'vitest'

import type {AuditEvent} from '../../../src/core/audit/schema.js'
import {LiveMetrics} from '../../../src/core/metrics/live-metrics.js'
import {LiveMetricsSnapshotSchema} from '../../../src/core/metrics/schema.js'
import {summarizeAuditEvents} from '../../../src/core/metrics/summary.js'
import {formatSummary} from '../../../src/tui/summary-text.js'
import type {Affinity, SessionDecision, TokenUsage} from '../../../src/core/routing/schema.js'
import {T0, iso, requestEvents} from '../../helpers/audit-events.js'

const A = 'anthropic/claude-sonnet-4.5'
const B = 'openai/gpt-5-mini'
const MINUTE = 60_000

/** The session part of a decision as the gateway writes it for a turn with this affinity. */
function session(
  id: string,
  affinity: Affinity,
  at: number,
  costs: {stay?: number; switch?: number} = {},
): SessionDecision {
  const known = affinity !== 'new' && affinity !== 'off'
  return {
    id,
    source: 'header',
    affinity,
    previous_model: known ? A : null,
    previous_account: known ? 'main' : null,
    turn_task: 'coding',
    turn_complexity: 'medium',
    follow_up: affinity === 'stay',
    warm_until: known ? iso(at + 5 * MINUTE) : null,
    stay_cost_usd: costs.stay ?? null,
    switch_cost_usd: costs.switch ?? null,
  }
}

function turn(
  id: string,
  sessionId: string,
  affinity: Affinity,
  at: number,
  options: {model?: string; status?: number; costs?: {stay?: number; switch?: number}} = {},
): AuditEvent[] {
  return requestEvents({
    id,
    at,
    attempts: [{model: options.model ?? A, status: options.status ?? 200}],
    session: session(sessionId, affinity, at, options.costs),
  })
}

function metricsAt(start: number) {
  const clock = {now: start}
  const metrics = new LiveMetrics({now: () => clock.now})
  const feed = (events: AuditEvent[]) => {
    for (const event of events) metrics.observe(event)
  }
  return {metrics, clock, feed}
}

describe('LiveMetrics sessions', () => {
  it('counts the sessions active in the last five minutes and the turns that kept or moved their model', () => {
    const {metrics, clock, feed} = metricsAt(T0)
    // s1: three turns, the last one moved up; s2: two turns that stayed; s3: one turn six minutes ago (out of the window).
    feed(turn('r0', 's3', 'new', T0))
    clock.now = T0 + 6 * MINUTE
    const now = clock.now
    feed(turn('r1', 's1', 'new', now - 4 * MINUTE))
    feed(turn('r2', 's1', 'stay', now - 3 * MINUTE))
    feed(turn('r3', 's1', 'move_up', now - 2 * MINUTE))
    feed(turn('r4', 's2', 'cold', now - 90_000))
    feed(turn('r5', 's2', 'stay', now - 60_000))
    feed(turn('r6', 's2', 'stay', now - 30_000))
    // A request without a session counts nowhere.
    feed(requestEvents({id: 'r7', at: now - 10_000, attempts: [{model: B, status: 200}]}))
    const snapshot = metrics.snapshot()
    expect(LiveMetricsSnapshotSchema.parse(snapshot)).toEqual(snapshot)
    expect(snapshot.sessions).toMatchObject({
      window_seconds: 300,
      active: 2,
      kept: 3,
      moved: 2,
      decisions: {new: 2, stay: 3, move_up: 1, downgrade: 0, cold: 1, unavailable: 0, off: 0},
    })

    // Four minutes later only s2's last turns are in the window; s1 has left it.
    clock.now = now + 4 * MINUTE + 10_000
    expect(metrics.snapshot().sessions).toMatchObject({active: 1, kept: 1, moved: 0})
    clock.now = now + 10 * MINUTE
    expect(metrics.sessionMetrics()).toMatchObject({active: 0, kept: 0, moved: 0, decisions: {stay: 3}})
  })

  it('sums switch minus stay over the turns that stayed and were answered by the session model', () => {
    const {metrics, feed} = metricsAt(T0 + MINUTE)
    // Priced stays: saved 0.004 − 0.0012 and 0.003 − 0.001; one where staying cost more counts negative.
    feed(turn('r1', 's1', 'stay', T0, {costs: {stay: 0.0012, switch: 0.004}}))
    feed(turn('r2', 's1', 'stay', T0 + 1000, {costs: {stay: 0.001, switch: 0.003}}))
    feed(turn('r3', 's2', 'stay', T0 + 2000, {costs: {stay: 0.002, switch: 0.0015}}))
    // Not counted: a stay that failed, one answered by a fallback model, one without prices, one answered by the
    // session's model on another account (whose cache is another), a move.
    feed(turn('r4', 's1', 'stay', T0 + 3000, {status: 503, costs: {stay: 0.001, switch: 0.009}}))
    feed(
      requestEvents({
        id: 'r5',
        at: T0 + 4000,
        attempts: [
          {model: A, status: 503},
          {model: B, status: 200},
        ],
        session: session('s1', 'stay', T0 + 4000, {stay: 0.001, switch: 0.009}),
      }),
    )
    feed(turn('r6', 's1', 'stay', T0 + 5000))
    feed(
      requestEvents({
        id: 'r8',
        at: T0 + 5500,
        attempts: [{model: A, account: 'spare', status: 200}],
        session: session('s1', 'stay', T0 + 5500, {stay: 0.001, switch: 0.009}),
      }),
    )
    feed(turn('r7', 's2', 'downgrade', T0 + 6000, {model: B, costs: {stay: 0.004, switch: 0.001}}))
    const sessions = metrics.snapshot().sessions!
    // 0.0028 + 0.002 − 0.0005, exact (summed in nano-dollars).
    expect(sessions.affinity_saved_usd).toBe(0.0043)
    expect(sessions.priced_stays).toBe(3)
    expect(sessions.decisions).toMatchObject({stay: 7, downgrade: 1})
  })

  it('keeps memory bounded: stays whose terminal never comes are forgotten, and sessions beyond the cap', () => {
    const clock = {now: T0}
    const metrics = new LiveMetrics({now: () => clock.now, maxSessions: 100})
    for (let i = 0; i < 500; i++) {
      for (const event of requestEvents({
        id: `r${i}`,
        at: T0 + i,
        attempts: [{model: A, status: 200}],
        noTerminal: true,
        session: session(`s${i}`, 'stay', T0, {stay: 0.001, switch: 0.002}),
      })) {
        metrics.observe(event)
      }
    }
    expect(metrics.sessionMetrics()).toMatchObject({active: 100, kept: 500, priced_stays: 0})
    expect(metrics.sizes()).toMatchObject({sessions: 100, pendingStays: 500})
    clock.now = T0 + 20 * MINUTE
    expect(metrics.sessionMetrics()).toMatchObject({active: 0, kept: 0, priced_stays: 0})
    expect(metrics.sizes()).toMatchObject({sessions: 0, pendingStays: 0})
  })

  it("gives each account target its own cache hit ratio beside the model's", () => {
    const {metrics, feed} = metricsAt(T0 + 30_000)
    const answer = (id: string, at: number, account: string, usage: TokenUsage) =>
      requestEvents({id, at, attempts: [{model: A, account, status: 200}]}).map((event) =>
        event.event === 'proxy_response' ? {...event, usage} : event,
      )
    // The cache belongs to the account: "main" reads 1800 of 2000 prompt tokens, "spare" starts cold.
    feed(
      answer('c1', T0, 'main', {
        prompt_tokens: 2000,
        completion_tokens: 40,
        cached_tokens: 1800,
        cache_write_tokens: 200,
      }),
    )
    feed(
      answer('c2', T0 + 1000, 'spare', {
        prompt_tokens: 2000,
        completion_tokens: 40,
        cached_tokens: 0,
        cache_write_tokens: 2000,
      }),
    )
    const snapshot = metrics.snapshot()
    expect(snapshot.models.find((m) => m.model === A)!.usage.cache_hit_ratio).toBe(0.45)
    expect(snapshot.targets.map((t) => [t.account, t.usage?.cache_hit_ratio])).toEqual([
      ['main', 0.9],
      ['spare', 0],
    ])
    expect(metrics.modelFigures(A)!.cacheHitRatio).toBe(0.45)
  })
})

describe('summary of sessions', () => {
  it("counts a whole log's sessions, turns by affinity and what affinity saved, and prints a Sessions line", () => {
    const events = [
      ...turn('r1', 's1', 'new', T0),
      ...turn('r2', 's1', 'stay', T0 + 1000, {costs: {stay: 0.001, switch: 0.004}}),
      ...turn('r3', 's2', 'new', T0 + 2000),
      ...turn('r4', 's2', 'cold', T0 + 20 * MINUTE),
    ]
    const summary = summarizeAuditEvents(events)
    expect(summary.sessions).toEqual({
      sessions: 2,
      decisions: {new: 2, stay: 1, move_up: 0, downgrade: 0, cold: 1, unavailable: 0, off: 0},
      affinity_saved_usd: 0.003,
      priced_stays: 1,
    })
    expect(formatSummary(summary)).toContain(
      'Sessions   2 sessions · 4 turns: 1 kept, 1 moved (cold 1), 2 new · affinity saved $0.0030 on 1 turn',
    )
    // Staying on a model dearer than the one routing would pick, even cached, is said as such.
    const dearer = summarizeAuditEvents([
      ...events,
      ...turn('r5', 's1', 'stay', T0 + 2000, {costs: {stay: 0.009, switch: 0.002}}),
    ])
    expect(formatSummary(dearer)).toContain('affinity cost $0.0040 more on 2 turns')
  })
})
