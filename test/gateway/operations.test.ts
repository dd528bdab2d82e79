import {connect} from 'node:net'
import {request} from 'undici'
import {describe, expect, vi} from 'vitest'

import {parseAuditEventJson} from '../../src/core/audit/parse-event.js'
import type {AuditEvent} from '../../src/core/audit/schema.js'
import {LiveMetricsSnapshotSchema} from '../../src/core/metrics/schema.js'
import {SseParser, type SseEvent} from '../../src/core/sse.js'
import {clearScript, gatewayTest, type TestGateway} from '../helpers/gateway.js'
import {startCli} from '../helpers/run-cli.js'

const it = gatewayTest({
  sims: {alpha: {}, beta: {}},
  config: ({alpha, beta}) => `
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: {}
  gemini/gemini-2.5-flash: {}
accounts:
  - name: alpha
    provider: openai
    base_url: ${alpha.url}/v1
    api_key: sk-alpha-000000
    models: [openai/gpt-5-mini]
  - name: beta
    provider: openai-compatible
    base_url: ${beta.url}/v1
    models: [gemini/gemini-2.5-flash]
task_routes:
  general: {default: [openai/gpt-5-mini]}
fallback_models: [gemini/gemini-2.5-flash]
`,
  options: {
    settings: {
      circuit_breaker_enabled: true,
      circuit_breaker_failure_threshold: 1,
      circuit_breaker_recovery_timeout_seconds: 60,
      events_keepalive_seconds: 0.1,
    },
  },
})

/** An open event stream: its messages as they arrive, and raw text (comments included). */
async function openEvents(gateway: TestGateway, headers: Record<string, string> = {}) {
  const controller = new AbortController()
  const response = await fetch(`${gateway.url}/v1/router/events`, {headers, signal: controller.signal})
  const messages: SseEvent[] = []
  let raw = ''
  const parser = new SseParser()
  const decoder = new TextDecoder()
  const reading = (async () => {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        const text = decoder.decode(chunk, {stream: true})
        raw += text
        messages.push(...parser.push(text))
      }
    } catch {
      // aborted
    }
  })()
  return {
    response,
    messages,
    raw: () => raw,
    events: () =>
      messages
        .filter((m) => m.event === 'audit')
        .map((m) => (parseAuditEventJson(m.data) as {event: AuditEvent}).event),
    /** Disconnects and waits until the gateway has let the client go. */
    async close() {
      controller.abort()
      await reading
      await vi.waitFor(() => expect(gateway.state.events!.size).toBe(0))
    },
  }
}

describe('GET /v1/router/live-metrics', () => {
  it('serves the snapshot in its schema, reflecting the requests', async ({gateway, chat}) => {
    await chat()
    await chat()
    const response = await request(`${gateway.url}/v1/router/live-metrics`)
    expect(response.statusCode).toBe(200)
    expect(response.headers['cache-control']).toBe('no-store')
    const snapshot = LiveMetricsSnapshotSchema.parse(await response.body.json())
    expect(snapshot.schema_version).toBe(1)
    expect(snapshot.totals.requests_total).toBeGreaterThanOrEqual(2)
    expect(snapshot.models.find((m) => m.model === 'openai/gpt-5-mini')?.samples).toBeGreaterThanOrEqual(2)
    expect(snapshot.targets.find((t) => t.account === 'alpha')).toMatchObject({provider: 'openai', breaker: 'closed'})
  })
})

describe('GET /v1/router/events', () => {
  it('streams every audit event of a request as event: audit with an id, in order', async ({gateway, chat}) => {
    const stream = await openEvents(gateway)
    expect(stream.response.status).toBe(200)
    expect(stream.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    const {id} = await chat()
    await vi.waitFor(() =>
      expect(stream.events().some((e) => e.event === 'proxy_terminal' && e.request_id === id)).toBe(true),
    )
    const mine = stream.events().filter((e) => 'request_id' in e && e.request_id === id)
    expect(mine.map((e) => e.event)).toEqual(gateway.eventsFor(id).map((e) => e.event))
    expect(mine[0].event).toBe('route_decision')
    expect(stream.messages.filter((m) => m.event === 'audit').every((m) => /^[0-9a-f]{8}-\d+$/.test(m.id ?? ''))).toBe(
      true,
    )
    await stream.close()
  })

  it('sends keepalive comments while idle', async ({gateway}) => {
    const stream = await openEvents(gateway)
    await vi.waitFor(() => expect(stream.raw()).toContain(': keepalive'), {timeout: 2000})
    await stream.close()
  })

  it('replays what a client missed when it reconnects with Last-Event-ID', async ({gateway, chat}) => {
    const first = await openEvents(gateway)
    // Two different questions: the same one twice would be a retry, whose verdict on the first is a later event of it.
    const {id: before} = await chat({model: 'auto', messages: [{role: 'user', content: 'first question'}]})
    await vi.waitFor(() =>
      expect(first.events().some((e) => e.event === 'proxy_terminal' && e.request_id === before)).toBe(true),
    )
    const lastId = first.messages.filter((m) => m.event === 'audit').at(-1)!.id!
    await first.close()
    const {id: missed} = await chat({model: 'auto', messages: [{role: 'user', content: 'second question'}]})
    const second = await openEvents(gateway, {'last-event-id': lastId})
    await vi.waitFor(() =>
      expect(second.events().some((e) => e.event === 'proxy_terminal' && e.request_id === missed)).toBe(true),
    )
    expect(second.events().filter((e) => 'request_id' in e && e.request_id === missed)[0].event).toBe('route_decision')
    expect(second.events().some((e) => 'request_id' in e && e.request_id === before)).toBe(false)
    await second.close()
  })

  it('disconnects a client that stops reading instead of buffering without end', async ({gateway}) => {
    const hub = gateway.state.events!
    const droppedBefore = hub.dropped
    const {port} = new URL(gateway.url)
    const socket = connect(Number(port), '127.0.0.1')
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
    socket.write('GET /v1/router/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    socket.pause()
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    await vi.waitFor(() => expect(hub.size).toBe(1))
    // Far more than the socket buffers hold: 64 MiB of events through the bus.
    const big = {
      ts: new Date().toISOString(),
      event: 'config_reload' as const,
      path: '/x',
      ok: true,
      message: 'x'.repeat(16 * 1024),
    }
    for (let i = 0; i < 4096 && hub.dropped === droppedBefore; i++) {
      gateway.state.bus.publish(big)
      gateway.state.bus.flush()
    }
    expect(hub.dropped).toBe(droppedBefore + 1)
    socket.resume()
    socket.on('data', () => {})
    await closed
    expect(hub.size).toBe(0)
  })
})

describe('GET /metrics', () => {
  it('serves Prometheus text with the request, attempt, breaker, EWMA and process metrics', async ({
    gateway,
    chat,
    sims: {alpha},
  }) => {
    await clearScript(alpha)
    alpha.script([{status: 503}])
    await chat()
    await chat()
    const response = await request(`${gateway.url}/metrics`)
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await response.body.text()
    const line = (pattern: RegExp) => expect(text).toMatch(pattern)
    line(/^# TYPE router_requests_total counter$/m)
    line(
      /^router_requests_total\{endpoint="chat\.completions",model="gemini\/gemini-2\.5-flash",status_class="2xx",outcome="success"\} [1-9]\d*$/m,
    )
    line(
      /^router_request_duration_seconds_bucket\{le="\+Inf",endpoint="chat\.completions",outcome="success"\} [1-9]\d*$/m,
    )
    line(/^router_upstream_attempts_total\{model="openai\/gpt-5-mini",account="alpha",outcome="5xx"\} 1$/m)
    line(/^router_upstream_retries_total\{model="openai\/gpt-5-mini",account="alpha"\} 1$/m)
    line(/^router_upstream_skips_total\{model="openai\/gpt-5-mini",account="alpha",reason="circuit_open"\} 1$/m)
    line(/^router_circuit_breaker_state\{account="alpha",model="openai\/gpt-5-mini",provider="openai"\} 2$/m)
    line(/^router_circuit_breaker_transitions_total\{account="alpha",model="openai\/gpt-5-mini",state="open"\} 1$/m)
    line(/^router_model_failure_rate_ewma\{model="openai\/gpt-5-mini"\} 0\.\d+$/m)
    line(/^router_model_latency_ewma_seconds\{model="gemini\/gemini-2\.5-flash"\} \d/m)
    line(/^router_model_connect_ewma_seconds\{model="openai\/gpt-5-mini"\} \d/m)
    line(/^router_in_flight_requests 0$/m)
    line(/^router_audit_log_write_errors_total 0$/m)
    line(/^process_cpu_seconds_total \d/m)
    line(/^nodejs_eventloop_lag_seconds \d/m)
    expect(text).not.toMatch(/ Nan$/m)
    // Every sample line is NAME{labels} VALUE or NAME VALUE.
    for (const sample of text.split('\n').filter((l) => l && !l.startsWith('#'))) {
      expect(sample).toMatch(
        /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? [-+0-9.eE]+|NaN|[+-]Inf$/,
      )
    }
  })
})

describe('router metrics tail --url', () => {
  it('prints snapshots that reflect requests sent through the gateway', async ({gateway, chat}) => {
    const child = startCli(['metrics', 'tail', '--url', gateway.url, '--json', '--interval', '0.2'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let exited = false
    child.stdout!.on('data', (chunk) => (stdout += chunk))
    child.stderr!.on('data', (chunk) => (stderr += chunk))
    const exit = new Promise((resolve) => child.once('exit', resolve)).then(() => (exited = true))
    try {
      await vi.waitFor(
        () => {
          if (exited) throw new Error(`router metrics tail exited early: ${stderr}`)
          expect(stderr).toContain('connected to')
        },
        {timeout: 40_000},
      )
      for (let i = 0; i < 3; i++)
        await chat({model: 'gemini/gemini-2.5-flash', messages: [{role: 'user', content: 'hi'}]})
      await vi.waitFor(
        () => {
          const last = stdout.trim().split('\n').at(-1)
          expect(last).toBeTruthy()
          const snapshot = LiveMetricsSnapshotSchema.parse(JSON.parse(last!))
          expect(snapshot.totals.requests_total).toBe(3)
          expect(snapshot.models.find((m) => m.model === 'gemini/gemini-2.5-flash')).toMatchObject({
            samples: 3,
            successes: 3,
          })
        },
        {timeout: 10_000, interval: 100},
      )
    } finally {
      child.kill('SIGINT')
      await exit
    }
  }, 60_000)
})
