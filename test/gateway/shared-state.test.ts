/**
 * Gateways on a real redis-server (started here; these tests fail with the install command where it is missing): the
 * profile's state.url, breakers mirrored between two gateways, managed keys' limits held across two gateways, and a
 * gateway whose Redis is unreachable or stalled,
 * which keeps serving on its own state (it starts without Redis, says `degraded` on /health with a `state_store`
 * event, never waits longer than the store's time-out, and shares again once Redis answers).
 */
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'

import type {AuditEvent} from '../../src/core/audit/schema.js'
import {createKey} from '../../src/core/auth/keys.js'
import type {KeyLimits} from '../../src/core/auth/schema.js'
import {RedisSharedState} from '../../src/gateway/shared-state/redis.js'
import {startSim, type SimServer} from '../../src/sim/index.js'
import {startTestGateway, oneSimModelConfig, type TestGateway} from '../helpers/gateway.js'
import {startRedis, type RedisProcess} from '../helpers/redis-server.js'

let sim: SimServer
let redis: RedisProcess

beforeAll(async () => {
  redis = await startRedis()
  sim = await startSim({name: 'alpha', port: 0})
})

afterAll(async () => {
  await sim?.close()
  await redis?.stop()
})

async function chat(gateway: TestGateway, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {'content-type': 'application/json', ...headers},
    body: JSON.stringify({model: 'auto', messages: [{role: 'user', content: 'hi'}]}),
  })
  await response.arrayBuffer()
  return response.status
}

async function health(
  gateway: TestGateway,
): Promise<{status: string; state: {kind: string; shared: boolean; url: string; problem: string | null}}> {
  return (await fetch(`${gateway.url}/health`)).json() as never
}

describe('choosing the store', () => {
  it("uses the profile's state.url when ROUTER_STATE_URL is not set", async () => {
    const profile = `
state: {url: '${redis.url}'}
accounts:
  - {name: sim, provider: openai, base_url: '${sim.url}/v1', api_key: sk-sim-000000}
`
    const gateway = await startTestGateway(profile, {settings: {state_prefix: 'profile:'}})
    try {
      await vi.waitFor(async () => expect((await health(gateway)).state).toMatchObject({kind: 'redis', shared: true}))
    } finally {
      await gateway.close()
    }
  })
})

describe('breakers across replicas', () => {
  it('opens the breaker on the other replica when one opens it, and closes it there when its probe succeeds', async () => {
    const settings = {
      state_url: redis.url,
      state_prefix: 'breakers:',
      state_timeout_ms: 1000,
      circuit_breaker_enabled: true,
      circuit_breaker_failure_threshold: 2,
      circuit_breaker_recovery_timeout_seconds: 1,
    }
    const [one, two] = await Promise.all([
      startTestGateway(oneSimModelConfig(sim.url), {settings}),
      startTestGateway(oneSimModelConfig(sim.url), {settings}),
    ])
    try {
      const breakers = async (gateway: TestGateway) =>
        (
          (await (await fetch(`${gateway.url}/health`)).json()) as {
            circuit_breakers: Array<{account: string; state: string}>
          }
        ).circuit_breakers
      await sim.script([{status: 503}, {status: 503}])
      expect(await chat(one)).toBe(503)
      expect(await chat(one)).toBe(503)
      await vi.waitFor(async () =>
        expect(await breakers(two)).toContainEqual(expect.objectContaining({account: 'sim', state: 'open'})),
      )
      const opened = two.events.find((e) => e.event === 'circuit_state' && e.state === 'open')
      expect(opened).toMatchObject({
        account: 'sim',
        model: 'openai/gpt-5-mini',
        reason: expect.stringContaining('on another replica'),
      })
      // After the recovery time, one's probe succeeds and closes the breaker on both.
      await vi.waitFor(async () => expect(await chat(one)).toBe(200), {timeout: 5000, interval: 250})
      await vi.waitFor(async () => expect(await breakers(two)).toEqual([]))
    } finally {
      await Promise.all([one.close(), two.close()])
    }
  })
})

describe('managed keys on Redis', () => {
  const OPERATOR_KEY = 'operator-key-3b9e61f0c7a24d58'
  /** Prices make each answer of the simulator (about 21 tokens) cost about $0.00021. */
  const pricedConfig = (): string => `
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: {cost_input_per_1k: 0.01, cost_output_per_1k: 0.01}
accounts:
  - {name: sim, provider: openai, base_url: '${sim.url}/v1', api_key: sk-sim-000000}
`

  /** Two gateways on one Redis (keys under `prefix`), with the managed key `name` of `limits`; returns them and it. */
  async function twoGateways(prefix: string, name: string, limits: KeyLimits) {
    const dir = await mkdtemp(join(tmpdir(), 'router-keys-'))
    const file = join(dir, 'keys.json')
    const {key} = await createKey(file, name, limits)
    const settings = {
      state_url: redis.url,
      state_prefix: prefix,
      // Generous: on a loaded machine the gateways must not turn degraded (and count apart) for want of CPU.
      state_timeout_ms: 1000,
      ingress_auth_required: true,
      keys_file: file,
      ingress_api_keys: [`operator:${OPERATOR_KEY}`],
    }
    const gateways = await Promise.all([
      startTestGateway(pricedConfig(), {settings}),
      startTestGateway(pricedConfig(), {settings}),
    ])
    return {
      gateways,
      key,
      async chat(gateway: TestGateway, body: Record<string, unknown> = {}) {
        const response = await fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: {authorization: `Bearer ${key}`, 'content-type': 'application/json'},
          body: JSON.stringify({model: 'auto', messages: [{role: 'user', content: 'hi'}], ...body}),
        })
        return {status: response.status, json: (await response.json()) as {error?: {code: string}}}
      },
      /** The key's entry of `GET /v1/router/keys` (the fleet's figures, from Redis). */
      async report(): Promise<{
        in_flight: number
        requests_this_minute: number
        tokens_this_minute: number
        spend_usd_day: number
      }> {
        const response = await fetch(`${gateways[0].url}/v1/router/keys`, {
          headers: {authorization: `Bearer ${OPERATOR_KEY}`},
        })
        return ((await response.json()) as {keys: Array<{name: string}>}).keys.find((k) => k.name === name) as never
      },
      async close() {
        await Promise.all(gateways.map((g) => g.close()))
        await rm(dir, {recursive: true, force: true})
      },
    }
  }

  it('holds max_concurrency across two gateways under concurrent requests: the refused ones never reach the upstream, and every slot is freed when the requests end', async () => {
    const fleet = await twoGateways('concurrency:', 'held', {max_concurrency: 3})
    try {
      sim.clearRequests()
      await sim.script([{latencyMs: 1500}, {latencyMs: 1500}, {latencyMs: 1500}])
      const replies = await Promise.all(Array.from({length: 10}, (_, i) => fleet.chat(fleet.gateways[i % 2])))
      expect(replies.filter((r) => r.status === 200)).toHaveLength(3)
      const refused = replies.filter((r) => r.status === 429)
      expect(refused).toHaveLength(7)
      for (const r of refused) expect(r.json.error?.code).toBe('max_concurrency_exceeded')
      expect(sim.requests).toHaveLength(3)
      // The slots are freed, and the answers' spend added, after the answers (one script per key and turn).
      const costs = fleet.gateways
        .flatMap((g) => g.events)
        .filter((e): e is Extract<AuditEvent, {event: 'proxy_response'}> => e.event === 'proxy_response')
        .map((e) => e.cost_usd ?? 0)
      expect(costs).toHaveLength(3)
      await vi.waitFor(async () => {
        const report = await fleet.report()
        expect(report.in_flight).toBe(0)
        expect(report.spend_usd_day).toBeCloseTo(costs[0] + costs[1] + costs[2], 9)
      })
      expect(redis.cli('ZCARD', 'concurrency:key:held:c')).toBe('0')
      expect((await fleet.chat(fleet.gateways[1])).status).toBe(200)
    } finally {
      await fleet.close()
    }
  })

  it('frees every slot of the requests of a key that end in one turn, however many, and adds all their spend', async () => {
    const store = await RedisSharedState.connect({
      url: redis.url,
      prefix: 'ends:',
      timeoutMs: 1000,
      idempotency: {ttlMs: 60_000, maxEntries: 100, maxBytes: 1_000_000},
      breakerRecoveryMs: 1000,
    })
    try {
      await vi.waitFor(() => expect(store.status().shared).toBe(true))
      const limits = {rpm: null, tpm: null, maxConcurrency: 5000, dayNanos: null, monthNanos: null}
      const now = Date.now()
      // More slots than one script takes (its arguments live on Lua's stack).
      const leases = Array.from({length: 2500}, (_, i) => `lease-${i}`)
      const results = await Promise.all(leases.map((leaseId) => store.admit({principal: 'k', limits, now, leaseId})))
      expect(results.every((r) => r.limit === null)).toBe(true)
      expect(redis.cli('ZCARD', 'ends:key:k:c')).toBe('2500')
      for (const leaseId of leases) {
        store.release('k', leaseId)
        store.record('k', 10, 1000, now)
      }
      await vi.waitFor(() => expect(redis.cli('ZCARD', 'ends:key:k:c')).toBe('0'))
      expect((await store.values(['k'], now)).get('k')).toMatchObject({
        dayNanos: 2_500_000,
        tokens: 25_000,
        inFlight: 0,
      })
    } finally {
      await store.close()
    }
  })

  it('gives back the count of a request that routing refuses, or whose prompt estimate puts its key over tpm', async () => {
    const fleet = await twoGateways('giveback:', 'metered', {tpm: 30})
    try {
      // Per-minute counts: start early enough in a minute to end in it.
      await vi.waitFor(() => expect(new Date().getUTCSeconds()).toBeLessThan(45), {timeout: 20_000, interval: 200})
      sim.clearRequests()
      const [one, two] = fleet.gateways
      // The admission is sent before routing: a request routing refuses was counted, and is given back.
      expect((await fleet.chat(one, {model: 'openai/no-such-model'})).status).toBeGreaterThanOrEqual(400)
      await vi.waitFor(async () => expect((await fleet.report()).requests_this_minute).toBe(0))
      // The simulator's answer to "hi" uses about 21 tokens: the first request fits, the second would not.
      expect((await fleet.chat(two)).status).toBe(200)
      await vi.waitFor(async () => expect((await fleet.report()).tokens_this_minute).toBeGreaterThan(0))
      const refused = await fleet.chat(one)
      expect(refused.status).toBe(429)
      expect(refused.json.error?.code).toBe('tpm_exceeded')
      expect(sim.requests).toHaveLength(1)
      await vi.waitFor(async () => expect(await fleet.report()).toMatchObject({requests_this_minute: 1, in_flight: 0}))
    } finally {
      await fleet.close()
    }
  })
})

describe('a gateway whose Redis is down or stalled', () => {
  it('starts without Redis, serves degraded, and shares once Redis is there', async () => {
    const guarded = await startRedis({password: 's3cret'})
    await guarded.kill()
    const gateway = await startTestGateway(oneSimModelConfig(sim.url), {
      settings: {state_url: guarded.url, state_prefix: 'degraded-start:'},
    })
    try {
      expect(await chat(gateway, {'idempotency-key': 'start-1'})).toBe(200)
      const down = await health(gateway)
      expect(down).toMatchObject({status: 'degraded', state: {kind: 'redis', shared: false}})
      // The password never shows.
      expect(down.state.url).toBe(`redis://:***@127.0.0.1:${guarded.port}`)
      expect(JSON.stringify(down)).not.toContain('s3cret')
      await guarded.restart()
      await vi.waitFor(
        async () => expect(await health(gateway)).toMatchObject({status: 'ok', state: {shared: true, problem: null}}),
        {timeout: 15_000},
      )
      const events = gateway.events.filter((e) => e.event === 'state_store')
      expect(events.map((e) => (e as {status: string}).status)).toEqual(['down', 'up'])
      expect(JSON.stringify(events)).not.toContain('s3cret')
    } finally {
      await gateway.close()
      await guarded.stop()
    }
  }, 30_000)

  it('answers every request while Redis is stalled, then shares again when it resumes', async () => {
    const gateway = await startTestGateway(oneSimModelConfig(sim.url), {
      settings: {state_url: redis.url, state_prefix: 'stalled:', state_timeout_ms: 50},
    })
    try {
      await vi.waitFor(async () => expect((await health(gateway)).state.shared).toBe(true))
      redis.pause()
      const statuses: number[] = []
      for (let i = 0; i < 10; i++) statuses.push(await chat(gateway, {'idempotency-key': `stalled-${i}`}))
      expect(statuses).toEqual(Array(10).fill(200))
      expect(await health(gateway)).toMatchObject({
        status: 'degraded',
        state: {problem: expect.stringContaining('time-out')},
      })
      redis.resume()
      await vi.waitFor(async () => expect((await health(gateway)).state.shared).toBe(true), {timeout: 15_000})
      // Records go to Redis again.
      expect(await chat(gateway, {'idempotency-key': 'after-the-stall'})).toBe(200)
      expect(redis.cli('--scan', '--pattern', 'stalled:idem:*')).toContain('after-the-stall')
    } finally {
      redis.resume()
      await gateway.close()
    }
  }, 30_000)
})
