import {describe, expect, it} from 'vitest'

import {AuditEventBus} from '../../src/core/audit/event-bus.js'
import type {ProxyTerminalEvent, RouteDecisionEvent} from '../../src/core/audit/schema.js'
import {createPlainLogger, formatRequestJson, formatRequestLine} from '../../src/tui/plain-log.js'
import {T0, iso, requestEvents} from '../helpers/audit-events.js'

const A = 'openai/gpt-5.2'
const B = 'gemini/gemini-2.5-flash'

function parts(
  id: string,
  script: Parameters<typeof requestEvents>[0]['attempts'],
  extra: Partial<Parameters<typeof requestEvents>[0]> = {},
) {
  const events = requestEvents({id, at: T0, attempts: script, ...extra})
  return {
    decision: events.find((e): e is RouteDecisionEvent => e.event === 'route_decision')!,
    terminal: events.find((e): e is ProxyTerminalEvent => e.event === 'proxy_terminal')!,
    events,
  }
}

describe('formatRequestLine', () => {
  it('prints time, id, task, model@account, the attempt chain, status, latency and stream', () => {
    const {decision, terminal} = parts(
      'req_1',
      [
        {model: A, status: 503, latency_ms: 30},
        {model: B, account: 'team', status: 200, latency_ms: 480},
      ],
      {stream: true, task: 'coding', complexity: 'high'},
    )
    expect(formatRequestLine(terminal, decision)).toBe(
      `${iso(T0 + 512)} req_1 coding/high gemini/gemini-2.5-flash@team gpt-5.2 ✗503 → gemini-2.5-flash ✓ 200 512ms stream`,
    )
  })

  it('names the outcome and error when the request failed', () => {
    const {terminal} = parts(
      'req_2',
      [
        {model: A, error: 'connect_timeout', latency_ms: 5000},
        {model: B, status: 500, latency_ms: 40},
      ],
      {task: 'general', complexity: 'low'},
    )
    expect(formatRequestLine(terminal)).toBe(
      `${iso(T0 + 5042)} req_2 general/low gemini/gemini-2.5-flash@main gpt-5.2 ✗timeout → gemini-2.5-flash ✗500 500 5.0s exhausted:upstream_status`,
    )
  })

  it('says what cache affinity did for a turn of a session, in text and in JSON', () => {
    const session = {
      id: 'header:Zq3',
      source: 'header' as const,
      affinity: 'stay' as const,
      previous_model: A,
      previous_account: 'main',
      turn_complexity: 'low' as const,
      follow_up: true,
      warm_until: iso(T0 + 300_000),
      stay_cost_usd: 0.001,
      switch_cost_usd: 0.003,
    }
    const {decision, terminal} = parts('req_9', [{model: A, status: 200, latency_ms: 100}], {session})
    expect(formatRequestLine(terminal, decision)).toBe(
      `${iso(T0 + 102)} req_9 coding/high openai/gpt-5.2@main gpt-5.2 ✓ 200 102ms session:stay`,
    )
    expect(JSON.parse(formatRequestJson(terminal, decision))).toMatchObject({session: 'header:Zq3', affinity: 'stay'})
    // A request of no session says nothing about one.
    const plain = parts('req_10', [{model: A, status: 200}])
    expect(formatRequestLine(plain.terminal, plain.decision)).not.toContain('session:')
    expect(JSON.parse(formatRequestJson(plain.terminal, plain.decision))).not.toHaveProperty('session')
  })

  it('prints a rejected request without attempts', () => {
    const terminal: ProxyTerminalEvent = {
      ts: iso(T0),
      request_id: 'req_3',
      event: 'proxy_terminal',
      endpoint: 'chat.completions',
      outcome: 'rejected',
      status: 400,
      task: null,
      complexity: null,
      model: null,
      account: null,
      provider: null,
      stream: false,
      latency_ms: 0.4,
      attempts: [],
      error_type: null,
      error_code: 'invalid_json',
    }
    expect(formatRequestLine(terminal)).toBe(`${iso(T0)} req_3 -/- - - 400 0.4ms rejected:invalid_json`)
  })

  it('does not repeat an error that is the outcome itself (a client that hung up)', () => {
    const terminal: ProxyTerminalEvent = {
      ts: iso(T0),
      request_id: 'req_5',
      event: 'proxy_terminal',
      endpoint: 'chat.completions',
      outcome: 'client_abort',
      status: 499,
      task: 'general',
      complexity: 'low',
      model: A,
      account: 'main',
      provider: 'openai',
      stream: false,
      latency_ms: 26,
      attempts: [
        {
          model: A,
          account: 'main',
          provider: 'openai',
          status: null,
          error_type: 'client_abort',
          latency_ms: 25.5,
          ok: false,
        },
      ],
      error_type: 'client_abort',
      error_code: 'client_abort',
    }
    expect(formatRequestLine(terminal)).toBe(
      `${iso(T0)} req_5 general/low openai/gpt-5.2@main gpt-5.2 ✗abort 499 26ms client_abort`,
    )
  })
})

describe('formatRequestJson', () => {
  it('prints one JSON object with the decision and the attempts', () => {
    const {decision, terminal} = parts('req_4', [
      {model: A, status: 429, latency_ms: 20},
      {model: B, status: 200, latency_ms: 300},
    ])
    const line = formatRequestJson(terminal, decision)
    expect(line).not.toContain('\n')
    expect(JSON.parse(line)).toEqual({
      ts: iso(T0 + 322),
      request_id: 'req_4',
      endpoint: 'chat.completions',
      outcome: 'success',
      status: 200,
      task: 'coding',
      complexity: 'high',
      source: 'auto',
      selected_model: A,
      model: B,
      account: 'main',
      provider: 'gemini',
      fallbacks: 1,
      attempts: [
        {model: A, account: 'main', status: 429, error_type: 'upstream_status', latency_ms: 20, ok: false},
        {model: B, account: 'main', status: 200, error_type: null, latency_ms: 300, ok: true},
      ],
      latency_ms: 322,
      decision_ms: 0.4,
      stream: false,
      error_type: null,
      error_code: null,
    })
  })
})

describe('createPlainLogger', () => {
  it('writes one line per finished request, paired with its decision, in order of completion', () => {
    const bus = new AuditEventBus()
    const lines: string[] = []
    const stop = createPlainLogger(bus, (line) => lines.push(line), 'text')
    const first = parts('req_5', [{model: A, status: 200}], {task: 'thinking', complexity: 'xhigh'}).events
    const second = parts('req_6', [{model: B, status: 200}], {task: 'general', complexity: 'low'}).events
    // Interleaved: the second request finishes first.
    for (const event of [...first.slice(0, 2), ...second, ...first.slice(2)]) bus.publish(event)
    expect(lines).toHaveLength(2)
    expect(lines[0]).toContain(' req_6 general/low gemini/gemini-2.5-flash@main gemini-2.5-flash ✓ 200 ')
    expect(lines[1]).toContain(' req_5 thinking/xhigh ')
    expect(lines.every((line) => line.endsWith('\n') && line.indexOf('\n') === line.length - 1)).toBe(true)
    stop()
    for (const event of parts('req_7', [{model: A, status: 200}]).events) bus.publish(event)
    expect(lines).toHaveLength(2)
  })

  it('writes JSON lines that each parse', () => {
    const bus = new AuditEventBus()
    const lines: string[] = []
    createPlainLogger(bus, (line) => lines.push(line), 'json')
    for (const event of parts('req_8', [
      {model: A, status: 503},
      {model: B, status: 200},
    ]).events)
      bus.publish(event)
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0])).toMatchObject({request_id: 'req_8', selected_model: A, model: B, fallbacks: 1})
  })
})
