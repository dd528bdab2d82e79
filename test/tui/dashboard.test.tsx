import {EventEmitter} from 'node:events'
import {stripVTControlCharacters} from 'node:util'

import {render as inkRender} from 'ink'
import {render} from 'ink-testing-library'

import {afterEach, describe, expect, it, vi} from 'vitest'

import {AuditEventBus} from '../../src/core/audit/event-bus.js'
import type {AuditEvent} from '../../src/core/audit/schema.js'
import type {SessionDecision} from '../../src/core/routing/schema.js'
import {Dashboard} from '../../src/tui/components/Dashboard.js'
import {DashboardStore} from '../../src/tui/dashboard-store.js'
import {renderDashboard} from '../../src/tui/render-dashboard.js'
import {circuit, decision, requestEvents} from '../helpers/audit-events.js'

const A = 'openai/gpt-5.2'
const B = 'gemini/gemini-2.5-flash'
const C = 'anthropic/claude-sonnet-4.5'

const ESC = '\u001B'
const UP = '\u001B[A'
const DOWN = '\u001B[B'
const ENTER = '\r'

/** A scripted minute of traffic ending now: fallbacks, a 503 then success, errors, an open breaker, a broken stream. */
function script(now: number): AuditEvent[] {
  const at = (secondsAgo: number) => now - secondsAgo * 1000
  return [
    ...requestEvents({
      id: 'req_aaaa0001',
      at: at(50),
      task: 'coding',
      complexity: 'high',
      attempts: [{model: A, status: 200, latency_ms: 1200}],
    }),
    ...requestEvents({
      id: 'req_bbbb0002',
      at: at(40),
      task: 'coding',
      complexity: 'high',
      attempts: [
        {model: A, status: 503, latency_ms: 30},
        {model: B, status: 200, latency_ms: 480},
      ],
    }),
    ...requestEvents({
      id: 'req_cccc0003',
      at: at(30),
      task: 'general',
      complexity: 'low',
      attempts: [
        {model: A, error: 'connect_timeout', latency_ms: 5000},
        {model: B, status: 500, latency_ms: 40},
      ],
    }),
    circuit(at(25), 'main', C, 'open'),
    ...requestEvents({
      id: 'req_dddd0004',
      at: at(20),
      task: 'thinking',
      complexity: 'medium',
      stream: true,
      attempts: [{model: B, status: 200, error: 'idle_timeout', latency_ms: 9000}],
    }),
    ...requestEvents({
      id: 'req_eeee0005',
      at: at(10),
      task: 'general',
      complexity: 'low',
      attempts: [{model: B, status: 200, latency_ms: 300}],
    }),
  ]
}

const strip = (text: string | undefined) => stripVTControlCharacters(text ?? '')

const mounted: Array<{unmount: () => void}> = []
afterEach(() => {
  for (const app of mounted.splice(0)) app.unmount()
})

function mount(events: AuditEvent[] = []) {
  const bus = new AuditEventBus()
  const store = new DashboardStore()
  store.connect(bus)
  for (const event of events) bus.publish(event)
  const app = render(
    <Dashboard
      store={store}
      info={{title: 'router metrics tail', file: 'logs/audit.jsonl', startedAt: Date.now() - 65_000}}
      frameIntervalMs={10}
      metricsIntervalMs={20}
    />,
  )
  mounted.push(app)
  const frame = () => strip(app.lastFrame())
  const press = async (keys: string) => {
    app.stdin.write(keys)
    await new Promise((resolve) => setTimeout(resolve, 30))
  }
  return {app, bus, store, frame, press}
}

describe('Dashboard', () => {
  it('shows the header with the source, uptime and last-minute totals', () => {
    const {frame} = mount(script(Date.now()))
    const text = frame()
    expect(text).toContain('router metrics tail  tailing logs/audit.jsonl  up 1m05s')
    // Five requests in the last minute, three successes (a broken stream and an exhausted chain are failures).
    expect(text).toMatch(/rps 0\.\d\s+ok 60\.0%/)
    expect(text).toContain('in flight 0')
    expect(text).toMatch(/p50 \S+\s+p95 \S+/)
    // Three answers with usage at $0.00084 each (the broken stream and the failed chain have none).
    expect(text).toMatch(/5 req\s+est\. \$0\.0025/)
  })

  it('shows each decision with its attempt chain, status, latency and stream marker', () => {
    const {frame} = mount(script(Date.now()))
    const lines = frame().split('\n')
    const line = (id: string) => lines.find((l) => l.includes(id)) ?? ''
    expect(line('aaaa0001')).toMatch(/coding\/high\s+openai\/gpt-5\.2 ✓\s+main\s+200\s+1\.2s/)
    expect(line('bbbb0002')).toMatch(/coding\/high\s+gpt-5\.2 ✗503 → gemini-2\.5-flash ✓\s+main\s+200\s+512ms/)
    expect(line('cccc0003')).toMatch(/general\/low\s+gpt-5\.2 ✗timeout → gemini-2\.5-flash ✗…\s+main\s+500\s+5\.0s/)
    expect(line('dddd0004')).toMatch(/thinking\/med\s+gemini\/gemini-2\.5-flash ✗idle\s+main\s+200\s+9\.0s ~/)
    // Newest at the bottom.
    expect(lines.indexOf(line('eeee0005'))).toBeGreaterThan(lines.indexOf(line('aaaa0001')))
  })

  it('shows per-model health with a symbol and a word, including an open breaker', () => {
    const {frame} = mount(script(Date.now()))
    const lines = frame().split('\n')
    const row = (prefix: string) => lines.find((l) => l.startsWith(prefix)) ?? ''
    expect(row(C)).toContain('✖ open')
    // gemini: 3 of 5 attempts failed in a row at the end → degraded.
    expect(row(B)).toMatch(/▲ degraded/)
    expect(row(A)).toMatch(/gpt-5\.2\s+[▲●] \w+\s+1\.2s/)
    expect(frame()).toContain('└ main')
  })

  it('updates when events arrive', async () => {
    const {bus, frame} = mount()
    expect(frame()).toContain('waiting for requests…')
    for (const event of requestEvents({
      id: 'req_ffff0006',
      at: Date.now(),
      attempts: [{model: C, status: 200, latency_ms: 700}],
    }))
      bus.publish(event)
    await vi.waitFor(() => expect(frame()).toMatch(/ffff0006.*anthropic\/claude-sonnet-4\.5 ✓/))
  })

  it('shows an unfinished request as in flight', async () => {
    const {bus, frame} = mount()
    bus.publish(decision('req_gggg0007', Date.now(), {selected_model: C}))
    await vi.waitFor(() => expect(frame()).toMatch(/gggg0007.*anthropic\/claude-sonnet-4\.5 …/))
    await vi.waitFor(() => expect(frame()).toContain('in flight 1'))
  })

  it('pauses the decision log with p while the metrics keep counting', async () => {
    const {bus, frame, press} = mount(script(Date.now()))
    await press('p')
    await vi.waitFor(() => expect(frame()).toContain('PAUSED'))
    for (const event of requestEvents({id: 'req_hhhh0008', at: Date.now(), attempts: [{model: C, status: 200}]}))
      bus.publish(event)
    await vi.waitFor(() => expect(frame()).toContain('PAUSED (1 new)'))
    expect(frame()).not.toContain('hhhh0008')
    await vi.waitFor(() => expect(frame()).toContain('6 req'))
    await press('p')
    await vi.waitFor(() => expect(frame()).toContain('hhhh0008'))
    expect(frame()).not.toContain('PAUSED')
  })

  it('filters the list with / and clears the filter with esc', async () => {
    const {frame, press} = mount(script(Date.now()))
    await press('/')
    await press('thinking')
    await vi.waitFor(() => expect(frame()).toContain('/thinking█'))
    expect(frame()).toContain('dddd0004')
    expect(frame()).not.toContain('aaaa0001')
    expect(frame()).toContain('4 filtered out')
    await press(ENTER)
    await vi.waitFor(() => expect(frame()).toContain('filter: thinking'))
    await press('/')
    await press(ESC)
    await vi.waitFor(() => expect(frame()).toContain('aaaa0001'))
    expect(frame()).not.toContain('filter:')
  })

  it('filters by status', async () => {
    const {frame, press} = mount(script(Date.now()))
    await press('/')
    await press('503')
    await press(ENTER)
    await vi.waitFor(() => expect(frame()).toContain('filter: 503'))
    expect(frame()).toContain('bbbb0002')
    expect(frame()).not.toContain('eeee0005')
  })

  it('explains the selected request with its signals, candidates and attempts', async () => {
    const {frame, press} = mount(script(Date.now()))
    // ↑ selects the newest; three more reach the 503 fallback.
    await press(UP)
    await press(UP)
    await press(UP)
    await press(UP)
    await press(ENTER)
    await vi.waitFor(() => expect(frame()).toContain('Request req_bbbb0002'))
    const text = frame()
    expect(text).toContain('Signals (2)')
    expect(text).toMatch(/code_fence\s+coding\s+\+2\.50\s+```python fence/)
    expect(text).toContain('Candidates (3)')
    expect(text).toMatch(/#1 openai\/gpt-5\.2\s+0\.910/)
    expect(text).toContain('excluded: context_too_small')
    expect(text).toContain('Attempts (2)')
    expect(text).toMatch(/1\. openai\/gpt-5\.2\s+main\s+✗503/)
    expect(text).toMatch(/2\. gemini\/gemini-2\.5-flash\s+main\s+✓/)
    await press(ESC)
    await vi.waitFor(() => expect(frame()).not.toContain('Signals ('))
    // ↓ back down to the newest and past it: following the stream again.
    await press(DOWN)
    await press(DOWN)
    await press(DOWN)
    await press(DOWN)
    await press(ENTER)
    expect(frame()).not.toContain('Request req_')
  })

  it('shows help with ? and closes it with esc', async () => {
    const {frame, press} = mount(script(Date.now()))
    await press('?')
    await vi.waitFor(() => expect(frame()).toContain('Keys'))
    expect(frame()).toContain('pause or resume')
    expect(frame()).toContain('✖ open')
    await press(ESC)
    await vi.waitFor(() => expect(frame()).not.toContain('pause or resume'))
  })

  it('quits with q', async () => {
    const bus = new AuditEventBus()
    const stdout = fakeStdout(100, 30)
    const stdin = fakeStdin()
    const handle = renderDashboard({
      source: bus,
      info: {title: 'router serve', address: 'http://127.0.0.1:8000', startedAt: Date.now()},
      stdout: stdout as never,
      stdin: stdin as never,
      patchConsole: false,
    })
    expect(bus.size).toBe(1)
    stdin.write('q')
    await handle.waitUntilExit()
    // Quitting stops listening to the bus.
    expect(bus.size).toBe(0)
  })
})

describe('Dashboard at 80×24', () => {
  it('fits every line in 80 columns and 24 rows, and redraws on resize', async () => {
    const stdout = fakeStdout(80, 24)
    const stdin = fakeStdin()
    const store = new DashboardStore()
    for (const event of script(Date.now())) store.observe(event)
    for (let i = 0; i < 40; i++) {
      for (const event of requestEvents({
        id: `req_${String(i).padStart(8, '0')}`,
        at: Date.now() - 5000 + i,
        task: 'instruction_following',
        complexity: 'xhigh',
        attempts: [
          {model: 'anthropic/claude-opus-4.5-with-a-long-name', account: 'a-rather-long-account-name', status: 503},
          {model: C, status: 200},
        ],
      }))
        store.observe(event)
    }
    const app = inkRender(
      <Dashboard
        store={store}
        info={{
          title: 'router serve',
          address: 'http://127.0.0.1:8000',
          configPath: '/home/someone/projects/router/router.profile.yaml',
          profile: 'balanced',
          startedAt: Date.now(),
        }}
        frameIntervalMs={10}
        metricsIntervalMs={20}
      />,
      {stdout: stdout as never, stdin: stdin as never, debug: true, exitOnCtrlC: false, patchConsole: false},
    )
    try {
      const check = (columns: number, rows: number) => {
        const lines = strip(stdout.last).split('\n')
        expect(lines.length).toBeLessThanOrEqual(rows)
        for (const line of lines) expect(Array.from(line).length, line).toBeLessThanOrEqual(columns)
      }
      check(80, 24)
      expect(strip(stdout.last)).toContain('claude-opus-4.5-with-a-long-name')
      stdout.resize(120, 40)
      await vi.waitFor(() => expect(strip(stdout.last)).toContain('account'))
      check(120, 40)
      stdout.resize(80, 24)
      await vi.waitFor(() => check(80, 24))
    } finally {
      app.unmount()
    }
  })
})

describe('Dashboard prompt-cache figures', () => {
  it("shows each model's cache hit ratio on a wide screen and what the cache saved in the header", async () => {
    const stdout = fakeStdout(120, 30)
    const store = new DashboardStore()
    const now = Date.now()
    // A: 1 536 of 2 048 prompt tokens from the cache on its second turn; B reports no cache counts at all.
    const answer = (id: string, at: number, model: string, cached: number | null, saved: number | null) =>
      requestEvents({id, at, attempts: [{model, status: 200}]}).map((event) =>
        event.event === 'proxy_response'
          ? {
              ...event,
              usage: {prompt_tokens: 2048, completion_tokens: 48, cached_tokens: cached, cache_write_tokens: null},
              cache_savings_usd: saved,
            }
          : event,
      )
    for (const event of [
      ...answer('req_cache001', now - 3000, A, 0, 0),
      ...answer('req_cache002', now - 2000, A, 1536, 0.0024192),
      ...answer('req_cache003', now - 1000, B, null, null),
    ]) {
      store.observe(event)
    }
    const app = renderServeDashboard(store, stdout, now)
    try {
      await vi.waitFor(() => expect(strip(stdout.last)).toMatch(/share\s+cache\s+latency\/1m/))
      const lines = strip(stdout.last).split('\n')
      // 1 536 ÷ 4 096: 38%; B has no figure.
      expect(lines.find((l) => l.startsWith(A))).toMatch(/\s38%\s/)
      expect(lines.find((l) => l.startsWith(B))).toMatch(/\s–\s/)
      expect(strip(stdout.last)).toMatch(/est\. \$\S+\s+cache saved \$0\.0024/)
    } finally {
      app.unmount()
    }
  })
})

function fakeStdout(columns: number, rows: number) {
  const stream = Object.assign(new EventEmitter(), {
    columns,
    rows,
    isTTY: false,
    last: '',
    write(chunk: string) {
      stream.last = chunk
      return true
    },
    resize(c: number, r: number) {
      stream.columns = c
      stream.rows = r
      stream.emit('resize')
    },
  })
  return stream
}

/** The dashboard of `router serve` on `store`, drawn into `stdout` with fast frames (started at `now`). */
function renderServeDashboard(store: DashboardStore, stdout: ReturnType<typeof fakeStdout>, now: number) {
  return inkRender(
    <Dashboard
      store={store}
      info={{title: 'router serve', address: 'http://127.0.0.1:8000', startedAt: now}}
      frameIntervalMs={10}
      metricsIntervalMs={20}
    />,
    {stdout: stdout as never, stdin: fakeStdin() as never, debug: true, exitOnCtrlC: false, patchConsole: false},
  )
}

function fakeStdin() {
  const stream = Object.assign(new EventEmitter(), {
    isTTY: true,
    data: null as string | null,
    setEncoding() {},
    setRawMode() {},
    resume() {},
    pause() {},
    ref() {},
    unref() {},
    read() {
      const data = stream.data
      stream.data = null
      return data
    },
    write(data: string) {
      stream.data = data
      stream.emit('readable')
      stream.emit('data', data)
    },
  })
  return stream
}

describe('DashboardStore with shared live metrics', () => {
  it('shows the metrics their owner feeds from the same bus and never feeds them itself', async () => {
    const {LiveMetrics} = await import('../../src/core/metrics/live-metrics.js')
    const bus = new AuditEventBus()
    const gatewayMetrics = new LiveMetrics()
    const stopOwner = bus.subscribe((event) => gatewayMetrics.observe(event))
    const store = new DashboardStore({sharedMetrics: gatewayMetrics})
    store.connect(bus)
    const now = Date.now()
    for (const event of requestEvents({
      id: 'req_shared01',
      at: now - 2000,
      attempts: [
        {model: A, status: 503, latency_ms: 30},
        {model: B, status: 200, latency_ms: 400},
      ],
    }))
      bus.publish(event)
    expect(store.metrics).toBe(gatewayMetrics)
    expect(Object.fromEntries(store.frame().metrics.models.map((m) => [m.model, m.samples]))).toEqual({[A]: 1, [B]: 1})
    // Once the owner stops feeding them, the figures stay put: the store only shows them. Its rows still move.
    stopOwner()
    for (const event of requestEvents({
      id: 'req_shared02',
      at: now - 1000,
      attempts: [{model: B, status: 200, latency_ms: 300}],
    }))
      bus.publish(event)
    const frame = store.frame()
    expect(frame.rows.map((r) => r.requestId)).toEqual(['req_shared01', 'req_shared02'])
    expect(Object.fromEntries(frame.metrics.models.map((m) => [m.model, m.samples]))).toEqual({[A]: 1, [B]: 1})
  })
})

describe("Dashboard with the fleet's metrics (metrics tail --fleet)", () => {
  it("shows the polled fleet snapshot's figures and names the fleet, while the log lists the local stream's decisions", async () => {
    const {LiveMetrics} = await import('../../src/core/metrics/live-metrics.js')
    const {mergeSnapshots} = await import('../../src/core/metrics/fleet.js')
    const now = Date.now()
    // The asked replica's own stream: the scripted five requests (models A and B).
    const local = script(now)
    // Another replica answered four more, all on a model the local stream never sees.
    const D = 'openai/gpt-5-mini'
    const other = new LiveMetrics()
    const ownMetrics = new LiveMetrics()
    for (const event of local) ownMetrics.observe(event)
    for (let i = 0; i < 4; i++)
      for (const event of requestEvents({
        id: `req_other00${i}`,
        at: now - 5000 + i * 100,
        attempts: [{model: D, status: 200, latency_ms: 700}],
      }))
        other.observe(event)
    // What the command's poller last fetched: nothing yet.
    const polled: {snapshot?: ReturnType<typeof mergeSnapshots>} = {}
    const bus = new AuditEventBus()
    const store = new DashboardStore({polledMetrics: () => polled.snapshot})
    store.connect(bus)
    for (const event of local) bus.publish(event)
    const app = render(
      <Dashboard
        store={store}
        info={{title: 'router metrics tail', url: 'http://127.0.0.1:8000', fleet: true, startedAt: now - 65_000}}
        frameIntervalMs={10}
        metricsIntervalMs={20}
      />,
    )
    mounted.push(app)
    const frame = () => strip(app.lastFrame())
    // Before the first snapshot: the decisions already, no figures of the replica's own passed off as the fleet's.
    expect(frame()).toContain('router metrics tail  fleet · decisions from http://127.0.0.1:8000')
    expect(frame()).toMatch(/ 0 req/)
    expect(frame()).toContain('aaaa00')

    polled.snapshot = mergeSnapshots(
      [
        {replica: 'r1', snapshot: ownMetrics.snapshot()},
        {replica: 'r2', snapshot: other.snapshot()},
      ],
      Date.now(),
    )
    await vi.waitFor(() => expect(frame()).toContain('fleet of 2 replicas · decisions from http://127.0.0.1:8000'))
    const text = frame()
    // Nine requests in the fleet (five here, four there), seven of them successes; the local stream alone has five.
    expect(text).toMatch(/ok 77\.8%/)
    expect(text).toMatch(/ 9 req/)
    // D's row, which only the other replica measured: healthy, 700 ms, four samples.
    expect(text.split('\n').find((l) => l.startsWith(D))).toMatch(/● ok\s+700ms\s+700ms\s+0%\s+4\s/)
    // The log: only what the asked replica's stream carried.
    expect(text).toContain('eeee00')
    expect(text).not.toContain('other0')
    // The store fed no metrics of its own.
    expect(store.metrics.snapshot().totals.requests_total).toBe(0)
  })
})

describe('Dashboard cool-downs', () => {
  it('marks a cooling target and lists each cool-down with what cools and when it ends', async () => {
    const now = Date.now()
    const {frame} = mount([
      ...requestEvents({
        id: 'req_cool0001',
        at: now - 2000,
        attempts: [
          {model: A, account: 'main', status: 429, cooldown_ms: 120_000, scope: 'model'},
          {model: B, status: 200},
        ],
      }),
      ...requestEvents({
        id: 'req_cool0002',
        at: now - 1000,
        attempts: [{model: C, account: 'spare', status: 429, cooldown_ms: 300_000, scope: 'account'}],
      }),
    ])
    await vi.waitFor(() => expect(frame()).toContain('cooling down:'))
    expect(frame()).toMatch(
      new RegExp(
        `cooling down: ${A.replace('.', '\\.')} via main until \\d\\d:\\d\\d:\\d\\d · spare \\(whole account\\) until`,
      ),
    )
    expect(frame()).toContain('◷ cooling')
  })
})

describe('Dashboard quality verdicts', () => {
  it("counts verdicts in the header and shows a request's verdict in its detail view", async () => {
    const now = Date.now()
    const {frame, press} = mount([
      ...requestEvents({id: 'req_qual0001', at: now - 3000, attempts: [{model: A, status: 200}]}),
      ...requestEvents({id: 'req_qual0002', at: now - 1000, attempts: [{model: A, status: 200}]}),
      {
        ts: new Date(now - 900).toISOString(),
        request_id: 'req_qual0001',
        event: 'quality_feedback',
        source: 'retry',
        verdict: 'bad',
        task: 'general',
        complexity: 'low',
        model: A,
        by_request_id: 'req_qual0002',
        comment: null,
      },
    ])
    await vi.waitFor(() => expect(frame()).toContain('judged bad 1 · good 0'))
    await press(UP)
    await press(UP)
    await press(ENTER)
    await vi.waitFor(() => expect(frame()).toContain('Request req_qual0001'))
    expect(frame()).toContain('quality: bad · the client asked again (req_qual0002)')
  })
})

describe('Dashboard spend per key', () => {
  it('shows a line with what each key spent, its requests and its refusals, when requests carry a principal', () => {
    const now = Date.now()
    const as = (principal: string, list: AuditEvent[]) => list.map((e) => ({...e, principal}) as AuditEvent)
    const {frame} = mount([
      ...as('alice', requestEvents({id: 'req_ffff0001', at: now - 3000, attempts: [{model: A, status: 200}]})),
      ...as('alice', requestEvents({id: 'req_ffff0002', at: now - 2000, attempts: [{model: A, status: 200}]})),
      ...as('bob', requestEvents({id: 'req_ffff0003', at: now - 1000, attempts: [{model: A, status: 429}]})),
    ])
    expect(frame()).toMatch(/keys\s+alice \$0\.0017 2 req\s+bob – 1 req/)
  })
})

describe('Dashboard sessions', () => {
  it("shows a sessions line (active, kept, moved, what affinity saved) and each account target's cache hit ratio", async () => {
    const stdout = fakeStdout(120, 30)
    const store = new DashboardStore()
    const now = Date.now()
    const sessionOf = (
      id: string,
      affinity: SessionDecision['affinity'],
      costs: [number, number] | null = null,
    ): SessionDecision => ({
      id,
      source: 'header',
      affinity,
      previous_model: affinity === 'new' ? null : A,
      previous_account: affinity === 'new' ? null : 'main',
      turn_complexity: 'high',
      follow_up: false,
      warm_until: null,
      stay_cost_usd: costs?.[0] ?? null,
      switch_cost_usd: costs?.[1] ?? null,
    })
    // "main" reads 1 536 of its 2 048 prompt tokens from the cache; "spare" reports a cold cache.
    const answer = (id: string, at: number, account: string, cached: number, session: SessionDecision) =>
      requestEvents({id, at, attempts: [{model: A, account, status: 200}], session}).map((event) =>
        event.event === 'proxy_response'
          ? {
              ...event,
              usage: {prompt_tokens: 2048, completion_tokens: 48, cached_tokens: cached, cache_write_tokens: null},
            }
          : event,
      )
    for (const event of [
      ...answer('req_sess0001', now - 40_000, 'main', 0, sessionOf('s1', 'new')),
      ...answer('req_sess0002', now - 30_000, 'main', 1536, sessionOf('s1', 'stay', [0.001, 0.003])),
      ...answer('req_sess0003', now - 20_000, 'main', 1536, sessionOf('s1', 'stay', [0.001, 0.003])),
      ...answer('req_sess0004', now - 10_000, 'spare', 0, sessionOf('s2', 'cold')),
    ]) {
      store.observe(event)
    }
    const app = renderServeDashboard(store, stdout, now)
    try {
      await vi.waitFor(() =>
        expect(strip(stdout.last)).toContain(
          'sessions 2 active (5m) · kept 2 · moved 1 · affinity saved $0.0040 on 2 turns',
        ),
      )
      const lines = strip(stdout.last).split('\n')
      // The model's ratio over both accounts (3 072 ÷ 8 192: 38%), and each account's own.
      expect(lines.find((l) => l.startsWith(A))).toMatch(/\s38%\s/)
      expect(lines.find((l) => l.includes('└ main'))).toMatch(/\s50%\s/)
      expect(lines.find((l) => l.includes('└ spare'))).toMatch(/\s0%\s/)
      expect(lines.length).toBeLessThanOrEqual(29)
    } finally {
      app.unmount()
    }
  })
})
