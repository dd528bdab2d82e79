import {request} from 'undici'
import {describe, expect, it, vi} from 'vitest'

import {AuditEventBus} from '../../src/core/audit/event-bus.js'
import type {AuditEvent, CircuitStateEvent} from '../../src/core/audit/schema.js'
import {CircuitBreakers} from '../../src/gateway/breakers.js'
import type {BreakerCheck, BreakerTicket} from '../../src/gateway/state.js'
import {gatewayTest, type TestGateway} from '../helpers/gateway.js'

function registry(options: Partial<ConstructorParameters<typeof CircuitBreakers>[0]> = {}) {
  const bus = new AuditEventBus()
  const events: CircuitStateEvent[] = []
  bus.subscribe((e) => e.event === 'circuit_state' && events.push(e))
  const breakers = new CircuitBreakers({failureThreshold: 3, recoveryMs: 1000, halfOpenMaxProbes: 1, ...options}, bus)
  return {breakers, events}
}

function ticket(check: BreakerCheck): BreakerTicket {
  if (!check.allowed) throw new Error(`denied: ${check.reason}`)
  return check
}

describe('CircuitBreakers', () => {
  it('opens after N consecutive retryable failures and says until when', () => {
    const {breakers, events} = registry()
    for (let i = 0; i < 2; i++) ticket(breakers.check('acc', 'p/m', 'openai', 0)).failure(0)
    ticket(breakers.check('acc', 'p/m', 'openai', 0)).success(0)
    for (let i = 0; i < 3; i++) ticket(breakers.check('acc', 'p/m', 'openai', 10)).failure(10)
    expect(events).toMatchObject([
      {
        account: 'acc',
        model: 'p/m',
        provider: 'openai',
        previous: 'closed',
        state: 'open',
        reason: '3 consecutive retryable failures',
      },
    ])
    expect(breakers.check('acc', 'p/m', 'openai', 500)).toEqual({
      allowed: false,
      until: 1010,
      reason: 'circuit breaker: open',
    })
    // Other models of the account are not affected.
    expect(breakers.check('acc', 'p/other', 'openai', 500).allowed).toBe(true)
  })

  it('lets one probe through after the recovery time and closes on its success', () => {
    const {breakers, events} = registry()
    for (let i = 0; i < 3; i++) ticket(breakers.check('acc', 'p/m', 'openai', 0)).failure(0)
    const probe = ticket(breakers.check('acc', 'p/m', 'openai', 1000))
    expect(probe.probe).toBe(true)
    expect(breakers.check('acc', 'p/m', 'openai', 1001)).toMatchObject({
      allowed: false,
      until: null,
      reason: 'circuit breaker: half-open, probe in flight',
    })
    probe.success(1002)
    expect(events.map((e) => `${e.previous}>${e.state}`)).toEqual(['closed>open', 'open>half_open', 'half_open>closed'])
    expect(breakers.check('acc', 'p/m', 'openai', 1003)).toMatchObject({allowed: true, probe: false})
  })

  it('opens again for a full recovery time when the probe fails', () => {
    const {breakers, events} = registry()
    for (let i = 0; i < 3; i++) ticket(breakers.check('acc', 'p/m', 'openai', 0)).failure(0)
    ticket(breakers.check('acc', 'p/m', 'openai', 1000)).failure(1500)
    expect(events.at(-1)).toMatchObject({
      previous: 'half_open',
      state: 'open',
      reason: 'probe failed (retryable failure)',
    })
    expect(breakers.check('acc', 'p/m', 'openai', 2400)).toMatchObject({allowed: false, until: 2500})
    expect(breakers.check('acc', 'p/m', 'openai', 2500)).toMatchObject({allowed: true, probe: true})
  })

  it('frees the probe slot of an attempt released without a verdict, and stays half-open', () => {
    const {breakers, events} = registry()
    for (let i = 0; i < 3; i++) ticket(breakers.check('acc', 'p/m', 'openai', 0)).failure(0)
    const probe = ticket(breakers.check('acc', 'p/m', 'openai', 1000))
    probe.release()
    // Settling twice changes nothing: the slot is not freed twice, the verdict after a release is ignored.
    probe.release()
    probe.failure(1000)
    expect(events.at(-1)?.state).toBe('half_open')
    const next = ticket(breakers.check('acc', 'p/m', 'openai', 1001))
    expect(next.probe).toBe(true)
    expect(breakers.check('acc', 'p/m', 'openai', 1001).allowed).toBe(false)
    next.success(1002)
    expect(events.at(-1)?.state).toBe('closed')
  })

  it('honours the number of probes allowed in flight', () => {
    const {breakers} = registry({halfOpenMaxProbes: 2})
    for (let i = 0; i < 3; i++) ticket(breakers.check('acc', 'p/m', 'openai', 0)).failure(0)
    ticket(breakers.check('acc', 'p/m', 'openai', 1000))
    ticket(breakers.check('acc', 'p/m', 'openai', 1000))
    expect(breakers.check('acc', 'p/m', 'openai', 1000).allowed).toBe(false)
  })

  it('ignores late verdicts of attempts admitted before the breaker opened', () => {
    const {breakers, events} = registry()
    const old = ticket(breakers.check('acc', 'p/m', 'openai', 0))
    for (let i = 0; i < 3; i++) ticket(breakers.check('acc', 'p/m', 'openai', 0)).failure(0)
    old.success(10)
    expect(events.at(-1)?.state).toBe('open')
    expect(breakers.check('acc', 'p/m', 'openai', 20).allowed).toBe(false)
  })

  it('opens an account-wide breaker after N connection failures across models, and a probe that reaches the account closes it', () => {
    const {breakers, events} = registry()
    ticket(breakers.check('acc', 'p/a', 'openai', 0)).failure(0, true)
    ticket(breakers.check('acc', 'p/b', 'openai', 0)).failure(0, true)
    ticket(breakers.check('acc', 'p/c', 'openai', 0)).failure(0, true)
    expect(events).toMatchObject([
      {account: 'acc', model: null, state: 'open', reason: '3 consecutive connection failures'},
    ])
    for (const model of ['p/a', 'p/b', 'p/new']) {
      expect(breakers.check('acc', model, 'openai', 10)).toMatchObject({
        allowed: false,
        reason: 'account acc unreachable: open',
      })
    }
    expect(breakers.check('other', 'p/a', 'openai', 10).allowed).toBe(true)
    // The probe reaches the account but the model answers 503: the account is back, the failure counts for p/a.
    ticket(breakers.check('acc', 'p/a', 'openai', 1000)).failure(1000)
    expect(events.at(-1)).toMatchObject({model: null, state: 'closed', reason: 'probe reached the account'})
    expect(breakers.check('acc', 'p/b', 'openai', 1001).allowed).toBe(true)
  })

  it('resets the account connection count on any answer', () => {
    const {breakers, events} = registry()
    ticket(breakers.check('acc', 'p/a', 'openai', 0)).failure(0, true)
    ticket(breakers.check('acc', 'p/a', 'openai', 0)).failure(0, true)
    ticket(breakers.check('acc', 'p/b', 'openai', 0)).failure(0)
    ticket(breakers.check('acc', 'p/a', 'openai', 0)).failure(0, true)
    expect(events).toEqual([])
  })
})

// ---- Through a real gateway --------------------------------------------------------------------------------------

const RECOVERY_MS = 300

const hello = {model: 'auto', messages: [{role: 'user', content: 'hello'}]}
/** Waits out a breaker's recovery time or a Retry-After: time passing is the behaviour these tests are about. */
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const gatewayIt = gatewayTest({
  sims: {alpha: {}, beta: {}, claude: {protocol: 'anthropic'}},
  config: ({alpha, beta, claude}) => `
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: {}
  gemini/gemini-2.5-flash: {}
  anthropic/claude-haiku-4.5: {}
accounts:
  - name: alpha
    provider: openai
    base_url: ${alpha.url}/v1
    auth_mode: passthrough
    models: [openai/gpt-5-mini]
  - name: beta
    provider: openai-compatible
    base_url: ${beta.url}/v1
    models: [gemini/gemini-2.5-flash]
  - name: claude
    provider: anthropic
    base_url: ${claude.url}
    api_key: sk-ant-test-000000
    models: [anthropic/claude-haiku-4.5]
task_routes:
  general: {default: [openai/gpt-5-mini]}
fallback_models: [gemini/gemini-2.5-flash]
`,
  options: {
    settings: {
      circuit_breaker_enabled: true,
      circuit_breaker_failure_threshold: 2,
      circuit_breaker_recovery_timeout_seconds: RECOVERY_MS / 1000,
      circuit_breaker_half_open_max_requests: 1,
      backend_read_timeout_seconds: 2,
    },
  },
  resetUpstreams: true,
})
  .extend('send', {scope: 'file'}, ({gateway}) => {
    return async (body: unknown = hello, headers: Record<string, string> = {authorization: 'Bearer client-token'}) => {
      const response = await request(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {'content-type': 'application/json', ...headers},
        body: JSON.stringify(body),
      })
      const text = await response.body.text()
      const id = response.headers['x-router-request-id'] as string
      // Every POST /v1/* ends with a proxy_terminal event: once it is delivered, so are the request's breaker transitions.
      await gateway.terminal(id)
      return {status: response.statusCode, headers: response.headers, text, id, events: () => gateway.eventsFor(id)}
    }
  })
  .extend('transitions', {scope: 'file'}, ({gateway}) => {
    return (account: string, model: string | null = 'openai/gpt-5-mini'): string[] =>
      gateway.events
        .filter(
          (e): e is CircuitStateEvent => e.event === 'circuit_state' && e.account === account && e.model === model,
        )
        .map((e) => e.state)
  })
  /** Opens alpha's breaker with two 503s (each request still answered by beta). */
  .extend('openAlpha', {scope: 'file'}, ({gateway, send, sims: {alpha}}) => {
    return async (): Promise<number> => {
      const mark = gateway.events.length
      alpha.script([{status: 503}, {status: 503}])
      expect((await send()).headers['x-router-account']).toBe('beta')
      expect((await send()).headers['x-router-account']).toBe('beta')
      expect(
        since(gateway, mark)
          .filter((e) => e.event === 'circuit_state')
          .map((e) => (e as CircuitStateEvent).state),
      ).toEqual(['open'])
      return mark
    }
  })

/** Each test starts with closed breakers: a fresh registry on the running gateway (a `beforeEach` of each describe). */
function freshBreakers({gateway}: {gateway: TestGateway}): void {
  const {settings, bus} = gateway.state
  gateway.state.breakers = new CircuitBreakers(
    {failureThreshold: settings.circuit_breaker_failure_threshold, recoveryMs: RECOVERY_MS, halfOpenMaxProbes: 1},
    bus,
  )
  gateway.state.cooldowns.clear()
  // These tests fail alpha on purpose, often: routing must not start preferring beta from the live failure rate.
  gateway.state.stats = undefined
}

function since(gateway: TestGateway, mark: number): AuditEvent[] {
  return gateway.events.slice(mark)
}

describe('breakers in the proxy', () => {
  gatewayIt.beforeEach(freshBreakers)

  gatewayIt(
    'opens, skips the target, lets a probe through after the recovery time and closes',
    async ({send, transitions, openAlpha, sims: {alpha}}) => {
      await openAlpha()
      const skipped = await send()
      expect(skipped.status).toBe(200)
      expect(skipped.headers['x-router-account']).toBe('beta')
      expect(skipped.events().find((e) => e.event === 'proxy_skip_circuit_open')).toMatchObject({
        account: 'alpha',
        model: 'openai/gpt-5-mini',
        reason: 'circuit breaker: open',
        until: expect.any(String),
      })
      expect(alpha.requests).toHaveLength(2)

      await wait(RECOVERY_MS + 50)
      const probe = await send()
      expect(probe.headers['x-router-account']).toBe('alpha')
      expect(transitions('alpha').slice(-3)).toEqual(['open', 'half_open', 'closed'])
      expect((await send()).headers['x-router-account']).toBe('alpha')
    },
  )

  gatewayIt('shows the breaker in /health, the live metrics snapshot and Prometheus', async ({gateway, openAlpha}) => {
    await openAlpha()
    const health = (await (await request(`${gateway.url}/health`)).body.json()) as {circuit_breakers: unknown[]}
    expect(health.circuit_breakers).toEqual([
      {
        account: 'alpha',
        model: 'openai/gpt-5-mini',
        provider: 'openai',
        state: 'open',
        failures: 0,
        probes: 0,
        until: expect.any(String),
      },
    ])
    const snapshot = gateway.state.metrics!.snapshot()
    expect(snapshot.targets.find((t) => t.account === 'alpha')?.breaker).toBe('open')
    const text = await (await request(`${gateway.url}/metrics`)).body.text()
    expect(text).toMatch(
      /router_circuit_breaker_state\{account="alpha",model="openai\/gpt-5-mini",provider="openai"\} 2/,
    )
  })
})

describe('no probe leaves a breaker stuck half-open', () => {
  gatewayIt.beforeEach(freshBreakers)

  gatewayIt(
    'a probe answered with a non-retryable 400 closes the breaker (the upstream answered)',
    async ({send, transitions, openAlpha, sims: {alpha}}) => {
      await openAlpha()
      await wait(RECOVERY_MS + 50)
      alpha.script([{status: 400, body: {error: {message: 'bad request', type: 'invalid_request_error'}}}])
      const res = await send()
      expect(res.status).toBe(400)
      expect(transitions('alpha').slice(-2)).toEqual(['half_open', 'closed'])
      expect((await send()).headers['x-router-account']).toBe('alpha')
    },
  )

  gatewayIt(
    'a probe whose client goes away frees its slot: the next request probes',
    async ({gateway, send, transitions, openAlpha, sims: {alpha}}) => {
      await openAlpha()
      await wait(RECOVERY_MS + 50)
      alpha.script([{kind: 'hang'}])
      const controller = new AbortController()
      const pending = request(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {'content-type': 'application/json', authorization: 'Bearer client-token'},
        body: JSON.stringify(hello),
        signal: controller.signal,
      }).catch(() => undefined)
      await vi.waitFor(() => expect(alpha.requests).toHaveLength(3))
      controller.abort()
      await pending
      await vi.waitFor(() =>
        expect(gateway.events.some((e) => e.event === 'proxy_terminal' && e.outcome === 'client_abort')).toBe(true),
      )
      const next = await send()
      expect(next.headers['x-router-account']).toBe('alpha')
      expect(transitions('alpha').slice(-2)).toEqual(['half_open', 'closed'])
    },
  )

  gatewayIt(
    'a probe target skipped after the check (no credential) frees its slot',
    async ({send, transitions, openAlpha}) => {
      await openAlpha()
      await wait(RECOVERY_MS + 50)
      // Passthrough without a client token: alpha is admitted as the probe, then skipped for want of a credential.
      const noToken = await send(hello, {})
      expect(noToken.headers['x-router-account']).toBe('beta')
      expect(noToken.events().find((e) => e.event === 'proxy_skip_unavailable')).toMatchObject({account: 'alpha'})
      const next = await send()
      expect(next.headers['x-router-account']).toBe('alpha')
      expect(transitions('alpha').at(-1)).toBe('closed')
    },
  )

  gatewayIt(
    'a probe the adapter cannot build (the client error) frees its slot',
    async ({send, transitions, sims: {claude}}) => {
      const model = 'anthropic/claude-haiku-4.5'
      claude.script([{status: 503}, {status: 503}])
      await send({model, messages: [{role: 'user', content: 'hi'}]})
      await send({model, messages: [{role: 'user', content: 'hi'}]})
      expect(transitions('claude', model)).toEqual(['open'])
      await wait(RECOVERY_MS + 50)
      const refused = await send({model, n: 2, messages: [{role: 'user', content: 'hi'}]})
      expect(refused.status).toBe(400)
      expect(JSON.parse(refused.text).error.message).toContain('n must be 1')
      const next = await send({model, messages: [{role: 'user', content: 'hi'}]})
      expect(next.status).toBe(200)
      expect(transitions('claude', model)).toEqual(['open', 'half_open', 'closed'])
    },
  )

  gatewayIt(
    'a probe whose stream breaks midway opens the breaker again',
    async ({send, transitions, openAlpha, sims: {alpha}}) => {
      await openAlpha()
      await wait(RECOVERY_MS + 50)
      alpha.script([{kind: 'drop', afterChunks: 2}])
      const res = await send({...hello, stream: true})
      expect(res.text).toContain('stream_interrupted')
      expect(transitions('alpha').slice(-2)).toEqual(['half_open', 'open'])
      expect((await send()).headers['x-router-account']).toBe('beta')
    },
  )

  gatewayIt(
    'a probe that dies on a connection reset opens the breaker again',
    async ({send, transitions, openAlpha, sims: {alpha}}) => {
      await openAlpha()
      await wait(RECOVERY_MS + 50)
      alpha.script([{kind: 'reset'}])
      expect((await send()).headers['x-router-account']).toBe('beta')
      expect(transitions('alpha').slice(-2)).toEqual(['half_open', 'open'])
    },
  )
})

describe('Retry-After cool-downs and breakers', () => {
  gatewayIt.beforeEach(freshBreakers)

  gatewayIt('429s cool the account down without opening its breaker', async ({gateway, send, sims: {alpha}}) => {
    const mark = gateway.events.length
    alpha.script([
      {status: 429, retryAfter: 0.2},
      {status: 429, retryAfter: 0.2},
      {status: 429, retryAfter: 0.2},
    ])
    for (let i = 0; i < 3; i++) {
      expect((await send()).headers['x-router-account']).toBe('beta')
      await wait(250)
    }
    expect(alpha.requests).toHaveLength(3)
    expect(since(gateway, mark).filter((e) => e.event === 'circuit_state')).toEqual([])
    expect(since(gateway, mark).filter((e) => e.event === 'proxy_rate_limited')).toHaveLength(3)
    expect((await send()).headers['x-router-account']).toBe('alpha')
  })

  gatewayIt(
    'a target cooling down is skipped before its breaker is asked, so a half-open probe slot is not taken',
    async ({send, transitions, openAlpha, sims: {alpha}}) => {
      await openAlpha()
      await wait(RECOVERY_MS + 50)
      alpha.script([{status: 429, retryAfter: 0.3}])
      const limited = await send()
      expect(limited.headers['x-router-account']).toBe('beta')
      // The 429 probe settled without a verdict: half-open, slot free, but the cool-down skips alpha meanwhile.
      const cooling = await send()
      expect(cooling.events().map((e) => e.event)).toContain('proxy_skip_rate_limited')
      expect(cooling.events().map((e) => e.event)).not.toContain('proxy_skip_circuit_open')
      await wait(350)
      const probe = await send()
      expect(probe.headers['x-router-account']).toBe('alpha')
      expect(transitions('alpha').slice(-3)).toEqual(['open', 'half_open', 'closed'])
    },
  )
})
