import {describe, expect, it} from 'vitest'

import type {AuditEvent} from '../../../src/core/audit/schema.js'
import {LiveMetrics} from '../../../src/core/metrics/live-metrics.js'
import {LiveMetricsSnapshotSchema} from '../../../src/core/metrics/schema.js'
import type {TokenUsage} from '../../../src/core/routing/schema.js'
import {T0, circuit, decision, iso, requestEvents} from '../../helpers/audit-events.js'

function metricsAt(start: number, options: ConstructorParameters<typeof LiveMetrics>[0] = {}) {
  const clock = {now: start}
  const metrics = new LiveMetrics({now: () => clock.now, ...options})
  const feed = (events: AuditEvent[]) => {
    for (const event of events) metrics.observe(event)
  }
  return {metrics, clock, feed}
}

const A = 'openai/gpt-5.2'
const B = 'gemini/gemini-2.5-flash'

describe('LiveMetrics usage and cost', () => {
  it("sums the answers' tokens and estimated cost per model and in total, exactly", () => {
    const {metrics, feed} = metricsAt(T0 + 30_000)
    // r2's 503 has no usage; its fallback to B does.
    feed(requestEvents({id: 'r1', at: T0, attempts: [{model: A, status: 200}]}))
    feed(
      requestEvents({
        id: 'r2',
        at: T0 + 1000,
        attempts: [
          {model: A, status: 503},
          {model: B, status: 200},
        ],
      }),
    )
    for (let i = 0; i < 10; i++)
      feed(requestEvents({id: `r${i + 3}`, at: T0 + 2000 + i, attempts: [{model: B, status: 200}]}))
    const snapshot = metrics.snapshot()
    expect(LiveMetricsSnapshotSchema.safeParse(snapshot).success).toBe(true)
    // Each answer: 120 + 48 tokens at $0.00084; twelve answers sum to $0.01008 with no float drift.
    // Events as logs before the cache counts had them: no cached tokens, no hit ratio, nothing saved.
    expect(snapshot.totals.usage).toEqual({
      prompt_tokens: 12 * 120,
      completion_tokens: 12 * 48,
      cached_tokens: 0,
      cache_write_tokens: 0,
      cache_hit_ratio: null,
      cost_usd: 0.01008,
      cache_savings_usd: 0,
      answers_with_usage: 12,
      answers_with_cost: 12,
      answers_without_cost: 0,
    })
    expect(snapshot.models.find((m) => m.model === A)!.usage).toMatchObject({
      prompt_tokens: 120,
      cost_usd: 0.00084,
      answers_with_usage: 1,
    })
    expect(snapshot.models.find((m) => m.model === B)!.usage).toMatchObject({
      completion_tokens: 11 * 48,
      answers_with_cost: 11,
    })
  })

  it('counts a successful answer without usage or price as one without a cost', () => {
    const {metrics, feed} = metricsAt(T0 + 30_000)
    const events = requestEvents({id: 'r1', at: T0, stream: true, attempts: [{model: A, status: 200}]}).map((event) =>
      event.event === 'proxy_response' ? {...event, usage: null, cost_usd: null} : event,
    )
    feed(events)
    expect(metrics.snapshot().totals.usage).toEqual({
      prompt_tokens: 0,
      completion_tokens: 0,
      cached_tokens: 0,
      cache_write_tokens: 0,
      cache_hit_ratio: null,
      cost_usd: 0,
      cache_savings_usd: 0,
      answers_with_usage: 0,
      answers_with_cost: 0,
      answers_without_cost: 1,
    })
  })
  it('sums cached and written prompt tokens and the cache savings, with the hit ratio over the answers that report cache counts', () => {
    const {metrics, feed} = metricsAt(T0 + 30_000)
    const answer = (id: string, at: number, model: string, usage: TokenUsage, cost: number, savings: number | null) =>
      requestEvents({id, at, attempts: [{model, status: 200}]}).map((event) =>
        event.event === 'proxy_response' ? {...event, usage, cost_usd: cost, cache_savings_usd: savings} : event,
      )
    // A (OpenAI-like): a first turn with nothing cached, a second with 1024 of its 1200 prompt tokens cached, and an
    // answer whose upstream reports no cache counts (its tokens count, but not towards the hit ratio).
    feed(
      answer(
        'c1',
        T0,
        A,
        {prompt_tokens: 1200, completion_tokens: 50, cached_tokens: 0, cache_write_tokens: null},
        0.0028,
        0,
      ),
    )
    feed(
      answer(
        'c2',
        T0 + 1000,
        A,
        {prompt_tokens: 1200, completion_tokens: 50, cached_tokens: 1024, cache_write_tokens: null},
        0.001188,
        0.001612,
      ),
    )
    feed(answer('c3', T0 + 2000, A, {prompt_tokens: 800, completion_tokens: 50}, 0.002, null))
    // B (Anthropic-like): a turn that writes its prefix (which costs more than the input price), then one that reads it.
    feed(
      answer(
        'c4',
        T0 + 3000,
        B,
        {prompt_tokens: 2000, completion_tokens: 50, cached_tokens: 0, cache_write_tokens: 2000},
        0.003,
        -0.0005,
      ),
    )
    feed(
      answer(
        'c5',
        T0 + 4000,
        B,
        {prompt_tokens: 2100, completion_tokens: 50, cached_tokens: 2000, cache_write_tokens: 100},
        0.0011,
        0.0054,
      ),
    )
    const snapshot = metrics.snapshot()
    expect(LiveMetricsSnapshotSchema.safeParse(snapshot).success).toBe(true)
    const usage = (model: string) => snapshot.models.find((m) => m.model === model)!.usage
    // 1024 ÷ (1200 + 1200): the answer without counts is left out.
    expect(usage(A)).toMatchObject({
      prompt_tokens: 3200,
      cached_tokens: 1024,
      cache_write_tokens: 0,
      cache_hit_ratio: 0.4267,
      cache_savings_usd: 0.001612,
    })
    expect(usage(B)).toMatchObject({
      prompt_tokens: 4100,
      cached_tokens: 2000,
      cache_write_tokens: 2100,
      cache_hit_ratio: 0.4878,
      cache_savings_usd: 0.0049,
    })
    expect(snapshot.totals.usage).toMatchObject({
      cached_tokens: 3024,
      cache_write_tokens: 2100,
      cache_hit_ratio: 0.4652,
      cache_savings_usd: 0.006512,
    })
  })
})

describe('LiveMetrics EWMA', () => {
  it('computes latency, connect and failure EWMAs with alpha 0.2 from a known sequence', () => {
    const {metrics, feed} = metricsAt(T0 + 30_000)
    feed(requestEvents({id: 'r1', at: T0, attempts: [{model: A, status: 200, latency_ms: 100, connect_ms: 40}]}))
    feed(
      requestEvents({
        id: 'r2',
        at: T0 + 1000,
        attempts: [
          {model: A, status: 503, latency_ms: 20, connect_ms: 10},
          {model: B, status: 200, latency_ms: 200},
        ],
      }),
    )
    feed(requestEvents({id: 'r3', at: T0 + 2000, attempts: [{model: A, status: 200, latency_ms: 300, connect_ms: 70}]}))

    const snapshot = metrics.snapshot()
    const a = snapshot.models.find((m) => m.model === A)!
    // Samples 0, 1, 0: 0 → 0.2·1 + 0.8·0 = 0.2 → 0.2·0 + 0.8·0.2 = 0.16.
    expect(a.failure_ewma).toBe(0.16)
    // Successful attempts only: 100 → 0.2·300 + 0.8·100 = 140.
    expect(a.latency_ewma_ms).toBe(140)
    // Every attempt with headers: 40 → 0.2·10 + 0.8·40 = 34 → 0.2·70 + 0.8·34 = 41.2.
    expect(a.connect_ewma_ms).toBe(41.2)
    expect(a).toMatchObject({samples: 3, successes: 2, failures: 1, retries: 1})
    expect(a.status).toEqual({'2xx': 2, '4xx': 0, '5xx': 1, other: 0, error: 0})
    const b = snapshot.models.find((m) => m.model === B)!
    expect(b).toMatchObject({samples: 1, failure_ewma: 0, latency_ewma_ms: 200})
    expect(LiveMetricsSnapshotSchema.parse(snapshot)).toEqual(snapshot)
  })

  it('uses the configured alpha', () => {
    const {metrics, feed} = metricsAt(T0 + 30_000, {alpha: 0.5})
    for (const [i, latency] of [100, 200, 400].entries()) {
      feed(requestEvents({id: `r${i}`, at: T0 + i * 100, attempts: [{model: A, status: 200, latency_ms: latency}]}))
    }
    // 100 → 150 → 275.
    expect(metrics.snapshot().models[0].latency_ewma_ms).toBe(275)
  })

  it('rejects an alpha outside (0, 1]', () => {
    expect(() => new LiveMetrics({alpha: 0})).toThrow(/alpha/)
    expect(() => new LiveMetrics({alpha: 1.5})).toThrow(/alpha/)
  })
})

describe('LiveMetrics failure counting', () => {
  it('counts a 429 attempt once although it emits a response, a rate limit and a retry', () => {
    const {metrics, feed} = metricsAt(T0 + 30_000)
    const events = requestEvents({
      id: 'r1',
      at: T0,
      attempts: [
        {model: A, status: 429},
        {model: B, status: 200},
      ],
    })
    expect(events.map((e) => e.event)).toEqual([
      'route_decision',
      'proxy_attempt',
      'proxy_upstream_connected',
      'proxy_response',
      'proxy_rate_limited',
      'proxy_retry',
      'proxy_attempt',
      'proxy_upstream_connected',
      'proxy_response',
      'proxy_terminal',
    ])
    feed(events)
    const a = metrics.snapshot().targets.find((t) => t.model === A)!
    expect(a).toMatchObject({samples: 1, failures: 1, retries: 1, rate_limited: 1, failure_ewma: 1})
    expect(a.status['4xx']).toBe(1)
  })

  it('does not count a relayed client error (400) against the model, nor as a latency sample', () => {
    const {metrics, feed} = metricsAt(T0 + 30_000)
    feed(requestEvents({id: 'r1', at: T0, attempts: [{model: A, status: 400, latency_ms: 50}]}))
    const a = metrics.snapshot().models.find((m) => m.model === A)!
    expect(a).toMatchObject({samples: 1, failures: 0, failure_ewma: 0, latency_ewma_ms: null})
    expect(a.status['4xx']).toBe(1)
  })

  it('counts a connect timeout once, as an error with its timeout kind', () => {
    const {metrics, feed} = metricsAt(T0 + 30_000)
    feed(
      requestEvents({
        id: 'r1',
        at: T0,
        attempts: [
          {model: A, error: 'connect_timeout'},
          {model: B, status: 200},
        ],
      }),
    )
    const a = metrics.snapshot().models.find((m) => m.model === A)!
    expect(a).toMatchObject({samples: 1, failures: 1, retries: 1, connect_ewma_ms: null})
    expect(a.status.error).toBe(1)
    expect(a.timeouts).toEqual({connect_timeout: 1, headers_timeout: 0, idle_timeout: 0})
  })

  it('turns a 200 whose stream later broke into one failure, not a success and a failure', () => {
    const {metrics, feed} = metricsAt(T0 + 30_000)
    const base = {request_id: 'r1', model: A, account: 'main', provider: 'openai', attempt: 1}
    feed([
      decision('r1', T0, {stream: true}),
      {...base, ts: iso(T0), event: 'proxy_attempt', upstream_model: 'gpt-5.2', stream: true},
      {...base, ts: iso(T0 + 30), event: 'proxy_upstream_connected', status: 200, connect_ms: 30},
      {
        ...base,
        ts: iso(T0 + 900),
        event: 'proxy_response',
        status: 200,
        stream: true,
        connect_ms: 30,
        latency_ms: 900,
        bytes: 100,
        usage: null,
      },
      {
        ...base,
        ts: iso(T0 + 900),
        event: 'proxy_stream_error',
        error_type: 'idle_timeout',
        message: 'no chunk for 30 s',
        bytes_sent: 100,
      },
      {
        ts: iso(T0 + 901),
        request_id: 'r1',
        event: 'proxy_terminal',
        endpoint: 'chat.completions',
        outcome: 'stream_error',
        status: 200,
        task: 'coding',
        complexity: 'high',
        model: A,
        account: 'main',
        provider: 'openai',
        stream: true,
        latency_ms: 901,
        attempts: [
          {
            model: A,
            account: 'main',
            provider: 'openai',
            status: 200,
            error_type: 'idle_timeout',
            latency_ms: 900,
            ok: false,
          },
        ],
        error_type: 'idle_timeout',
        error_code: null,
      },
    ])
    const snapshot = metrics.snapshot()
    const a = snapshot.models[0]
    expect(a).toMatchObject({
      samples: 1,
      successes: 0,
      failures: 1,
      failure_ewma: 1,
      latency_ewma_ms: null,
      connect_ewma_ms: 30,
    })
    expect(a.status.error).toBe(1)
    expect(a.timeouts.idle_timeout).toBe(1)
    expect(snapshot.totals.outcomes.stream_error).toBe(1)
    expect(snapshot.totals.success_rate).toBe(0)
  })

  it('does not count an attempt the client abandoned', () => {
    const {metrics, feed} = metricsAt(T0 + 30_000)
    feed(requestEvents({id: 'r1', at: T0, attempts: [{model: A, error: 'client_abort'}]}))
    expect(metrics.snapshot().models[0]).toMatchObject({samples: 0, failure_ewma: null})
  })

  it('settles attempts from the terminal summary when their own events were not seen', () => {
    const {metrics, feed} = metricsAt(T0 + 30_000)
    const events = requestEvents({
      id: 'r1',
      at: T0,
      attempts: [
        {model: A, status: 502},
        {model: B, status: 200, latency_ms: 250},
      ],
    })
    feed([events.at(-1)!])
    const snapshot = metrics.snapshot()
    expect(snapshot.models.find((m) => m.model === A)).toMatchObject({samples: 1, failures: 1})
    expect(snapshot.models.find((m) => m.model === B)).toMatchObject({samples: 1, successes: 1, latency_ewma_ms: 250})
  })

  it('does not count an attempt twice when both its events and the terminal summary are seen', () => {
    const {metrics, feed} = metricsAt(T0 + 30_000)
    feed(
      requestEvents({
        id: 'r1',
        at: T0,
        attempts: [
          {model: A, status: 503},
          {model: A, account: 'backup', status: 200},
        ],
      }),
    )
    const snapshot = metrics.snapshot()
    expect(snapshot.models[0]).toMatchObject({samples: 2, failures: 1, successes: 1})
    expect(snapshot.targets.map((t) => [t.account, t.samples, t.failures])).toEqual([
      ['backup', 1, 0],
      ['main', 1, 1],
    ])
  })
})

describe('LiveMetrics windows', () => {
  it('gives nearest-rank p50/p95/p99 over the window and drops samples older than the window', () => {
    const {metrics, clock, feed} = metricsAt(T0 + 60_000)
    for (let i = 1; i <= 100; i++) {
      feed(requestEvents({id: `r${i}`, at: T0 + 10_000 + i * 10, attempts: [{model: A, status: 200, latency_ms: i}]}))
    }
    expect(metrics.snapshot().models[0].latency_ms).toEqual({p50: 50, p95: 95, p99: 99})
    clock.now = T0 + 200_000
    const later = metrics.snapshot().models[0]
    expect(later.latency_ms).toEqual({p50: null, p95: null, p99: null})
    expect(later.window_samples).toBe(0)
    // Cumulative figures stay.
    expect(later.samples).toBe(100)
    expect(later.latency_ewma_ms).not.toBeNull()
  })

  it('keeps only the last percentileWindow samples per key', () => {
    const {metrics, feed} = metricsAt(T0 + 30_000, {percentileWindow: 10})
    for (let i = 1; i <= 30; i++)
      feed(requestEvents({id: `r${i}`, at: T0 + i, attempts: [{model: A, status: 200, latency_ms: i * 10}]}))
    // The last ten samples are 210…300.
    expect(metrics.snapshot().models[0].latency_ms).toEqual({p50: 250, p95: 300, p99: 300})
  })

  it('reports requests per second, success rate and latency percentiles of the last minute', () => {
    const {metrics, clock, feed} = metricsAt(T0)
    clock.now = T0 + 60_000
    for (let i = 0; i < 120; i++) {
      const failing = i % 4 === 0
      feed(
        requestEvents({
          id: `r${i}`,
          at: T0 + 2000 + i * 400,
          attempts: [{model: A, status: failing ? 500 : 200, latency_ms: 100}],
          latency_ms: 100 + i,
        }),
      )
    }
    const {totals} = metrics.snapshot()
    // The window is 29 whole 2 s buckets plus the current one: here [T0 + 2 s, T0 + 60 s], 58 s.
    expect(totals.requests).toBe(120)
    expect(totals.rps).toBe(2.07)
    expect(totals.success_rate).toBe(0.75)
    expect(totals.outcomes).toMatchObject({success: 90, upstream_error: 30})
    // Latencies 100…219: true p50 159, p95 213 (histogram: within 2%).
    expect(totals.latency_ms.p50).toBeGreaterThan(159 * 0.98)
    expect(totals.latency_ms.p50).toBeLessThan(159 * 1.02)
    expect(totals.latency_ms.p95).toBeGreaterThan(213 * 0.98)
    expect(totals.latency_ms.p95).toBeLessThan(213 * 1.02)
    expect(totals.requests_total).toBe(120)
  })

  it('gives each model its share of the window attempts and a per-bucket series', () => {
    const {metrics, feed} = metricsAt(T0 + 59_999)
    for (let i = 0; i < 3; i++)
      feed(requestEvents({id: `a${i}`, at: T0 + 58_500 + i, attempts: [{model: A, status: 200, latency_ms: 100}]}))
    feed(requestEvents({id: 'b0', at: T0 + 58_500, attempts: [{model: B, status: 500, latency_ms: 100}]}))
    const snapshot = metrics.snapshot()
    const a = snapshot.models.find((m) => m.model === A)!
    const b = snapshot.models.find((m) => m.model === B)!
    expect(a.share).toBe(0.75)
    expect(b.share).toBe(0.25)
    expect(a.series.bucket_seconds).toBe(2)
    expect(a.series.attempts).toHaveLength(30)
    expect(a.series.attempts.at(-1)).toBe(3)
    expect(a.series.latency_ms.at(-1)).toBe(100)
    expect(a.series.failure.at(-1)).toBe(0)
    expect(b.series.failure.at(-1)).toBe(1)
    expect(a.series.attempts.slice(0, -1).every((n) => n === 0)).toBe(true)
  })
})

describe('LiveMetrics in-flight requests', () => {
  it('counts routed requests until their terminal, and forgets lost ones after the TTL', () => {
    const {metrics, clock, feed} = metricsAt(T0, {inFlightTtlMs: 60_000})
    const finished = requestEvents({id: 'done', at: T0, attempts: [{model: A, status: 200}]})
    feed(finished.slice(0, -1))
    feed([decision('lost', T0)])
    expect(metrics.snapshot().totals.in_flight).toBe(2)
    feed([finished.at(-1)!])
    expect(metrics.snapshot().totals.in_flight).toBe(1)
    clock.now = T0 + 59_000
    expect(metrics.snapshot().totals.in_flight).toBe(1)
    clock.now = T0 + 61_000
    expect(metrics.snapshot().totals.in_flight).toBe(0)
    expect(metrics.sizes().openRequests).toBe(0)
  })

  it('ignores an event that straggles in after its request’s terminal, and a repeated terminal', () => {
    const {metrics, feed} = metricsAt(T0 + 30_000)
    const events = requestEvents({id: 'r1', at: T0, attempts: [{model: A, status: 200, latency_ms: 80}]})
    const connected = events.find((e) => e.event === 'proxy_upstream_connected')!
    feed([...events, connected, events.at(-1)!])
    const snapshot = metrics.snapshot()
    expect(snapshot.totals).toMatchObject({in_flight: 0, requests: 1, requests_total: 1})
    expect(snapshot.models[0].samples).toBe(1)
  })

  it('settles a lost request’s finished attempts when it expires', () => {
    const {metrics, clock, feed} = metricsAt(T0, {inFlightTtlMs: 1000})
    const events = requestEvents({id: 'r1', at: T0, attempts: [{model: A, status: 200, latency_ms: 80}]})
    feed(events.slice(0, -1))
    expect(metrics.snapshot().models[0].samples).toBe(0)
    clock.now = T0 + 5000
    expect(metrics.snapshot().models[0]).toMatchObject({samples: 1, latency_ewma_ms: 80})
  })
})

describe('LiveMetrics breakers', () => {
  it('shows an open target breaker, and the model open only when all its targets are', () => {
    const {metrics, feed} = metricsAt(T0 + 30_000)
    feed(requestEvents({id: 'r1', at: T0, attempts: [{model: A, account: 'main', status: 200}]}))
    feed(requestEvents({id: 'r2', at: T0 + 10, attempts: [{model: A, account: 'backup', status: 200}]}))
    feed([circuit(T0 + 100, 'main', A, 'open')])
    let snapshot = metrics.snapshot()
    expect(snapshot.targets.find((t) => t.account === 'main')).toMatchObject({
      breaker: 'open',
      breaker_reason: '5 consecutive failures',
      breaker_since: iso(T0 + 100),
    })
    expect(snapshot.models[0]).toMatchObject({breaker: 'closed', open_targets: 1, targets: 2})
    feed([circuit(T0 + 200, 'backup', A, 'open')])
    expect(metrics.snapshot().models[0]).toMatchObject({breaker: 'open', open_targets: 2})
    feed([circuit(T0 + 300, 'backup', A, 'half_open', 'open')])
    expect(metrics.snapshot().models[0]).toMatchObject({breaker: 'half_open', open_targets: 2})
    feed([circuit(T0 + 400, 'backup', A, 'closed', 'half_open')])
    snapshot = metrics.snapshot()
    expect(snapshot.models[0]).toMatchObject({breaker: 'closed', open_targets: 1})
    expect(snapshot.breakers.map((b) => [b.account, b.state])).toEqual([
      ['backup', 'closed'],
      ['main', 'open'],
    ])
  })

  it('applies an account-wide breaker to every target of the account', () => {
    const {metrics, feed} = metricsAt(T0 + 30_000)
    feed(requestEvents({id: 'r1', at: T0, attempts: [{model: A, account: 'main', status: 200}]}))
    feed(requestEvents({id: 'r2', at: T0, attempts: [{model: B, account: 'main', status: 200}]}))
    feed([circuit(T0 + 100, 'main', null, 'open')])
    const snapshot = metrics.snapshot()
    expect(snapshot.targets.map((t) => t.breaker)).toEqual(['open', 'open'])
    expect(snapshot.models.map((m) => m.breaker)).toEqual(['open', 'open'])
  })

  it('lists a target known only from its breaker event', () => {
    const {metrics, feed} = metricsAt(T0 + 30_000)
    feed([circuit(T0, 'team', B, 'open')])
    const snapshot = metrics.snapshot()
    expect(snapshot.targets).toHaveLength(1)
    expect(snapshot.targets[0]).toMatchObject({model: B, account: 'team', breaker: 'open', samples: 0})
  })
})

describe('LiveMetrics memory', () => {
  it('stays bounded after 100k events with lost terminals and ever-new models', () => {
    const {metrics, clock, feed} = metricsAt(T0, {maxOpenRequests: 500, maxKeys: 50, percentileWindow: 64})
    let n = 0
    while (n < 100_000) {
      const id = `r${n}`
      // One request in ten names a model never seen before: without a bound the maps would grow forever.
      const model = n % 10 === 0 ? `p${n}/m${n}` : `p${n % 3}/m`
      clock.now = T0 + n
      const events = requestEvents({
        id,
        at: clock.now,
        attempts: [{model, account: `acct${n % 7}`, status: n % 5 === 0 ? 503 : 200}],
        noTerminal: n % 2 === 0,
      })
      feed(events)
      n += events.length
    }
    const sizes = metrics.sizes()
    expect(sizes.openRequests).toBeLessThanOrEqual(500)
    expect(sizes.models).toBeLessThanOrEqual(50)
    expect(sizes.targets).toBeLessThanOrEqual(50)
    const snapshot = metrics.snapshot()
    expect(snapshot.events.observed).toBe(n)
    expect(snapshot.totals.in_flight).toBeLessThanOrEqual(500)
  })

  it('ignores events it does not know, and counts them', () => {
    const {metrics} = metricsAt(T0)
    metrics.observe({ts: iso(T0), event: 'proxy_future_thing'} as unknown as AuditEvent)
    const snapshot = metrics.snapshot()
    expect(snapshot.events).toMatchObject({observed: 0, ignored: 1})
  })
})

describe('LiveMetrics cool-downs', () => {
  it('shows a model cool-down on its target and an account-wide one on every target of the account, until they end', () => {
    const {metrics, clock, feed} = metricsAt(T0 + 2000)
    feed(
      requestEvents({
        id: 'c1',
        at: T0,
        attempts: [
          {model: A, account: 'main', status: 429, cooldown_ms: 30_000, scope: 'model'},
          {model: B, account: 'other', status: 200},
        ],
      }),
    )
    feed(requestEvents({id: 'c2', at: T0 + 100, attempts: [{model: B, account: 'main', status: 200}]}))
    let snapshot = metrics.snapshot()
    expect(LiveMetricsSnapshotSchema.safeParse(snapshot).success).toBe(true)
    expect(snapshot.cooldowns).toEqual([
      {
        account: 'main',
        model: A,
        provider: 'openai',
        scope: 'model',
        until: expect.any(String),
        since: expect.any(String),
      },
    ])
    const modelUntil = snapshot.cooldowns[0].until
    expect(Date.parse(modelUntil) - Date.parse(snapshot.cooldowns[0].since)).toBe(30_000)
    const target = (model: string, account: string) =>
      snapshot.targets.find((t) => t.model === model && t.account === account)!
    expect(target(A, 'main')).toMatchObject({cooldown_until: modelUntil, cooldown_scope: 'model'})
    // The account's other model is not cooling down.
    expect(target(B, 'main')).toMatchObject({cooldown_until: null, cooldown_scope: null})

    feed(
      requestEvents({
        id: 'c3',
        at: T0 + 1000,
        attempts: [{model: B, account: 'main', status: 429, cooldown_ms: 60_000, scope: 'account'}],
      }),
    )
    snapshot = metrics.snapshot()
    expect(snapshot.cooldowns.map((c) => [c.model, c.scope])).toEqual([
      [A, 'model'],
      [null, 'account'],
    ])
    // The account's cool-down ends later than the model's: it is the one that counts for the target.
    expect(target(A, 'main')).toMatchObject({cooldown_until: snapshot.cooldowns[1].until, cooldown_scope: 'account'})

    clock.now = T0 + 70_000
    snapshot = metrics.snapshot()
    expect(snapshot.cooldowns).toEqual([])
    expect(target(B, 'main').cooldown_until).toBeNull()
  })

  it('ends a cool-down when the target answers again (the probe succeeded)', () => {
    const {metrics, feed} = metricsAt(T0 + 2000)
    feed(
      requestEvents({
        id: 'p1',
        at: T0,
        attempts: [{model: A, account: 'main', status: 429, cooldown_ms: 5000, scope: 'account'}],
      }),
    )
    expect(metrics.snapshot().cooldowns).toHaveLength(1)
    feed(requestEvents({id: 'p2', at: T0 + 600, attempts: [{model: A, account: 'main', status: 200}]}))
    expect(metrics.snapshot().cooldowns).toEqual([])
  })

  it('reads a rate limit from a log older than the scope field as an account-wide cool-down', () => {
    const {metrics, feed} = metricsAt(T0 + 2000)
    feed(requestEvents({id: 'o1', at: T0, attempts: [{model: A, account: 'main', status: 429, cooldown_ms: 30_000}]}))
    expect(metrics.snapshot().cooldowns).toEqual([
      expect.objectContaining({account: 'main', model: null, scope: 'account'}),
    ])
  })
})
