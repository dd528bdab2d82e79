/**
 * Gateways on a real redis-server (started here; these tests fail with the install command where it is missing): the
 * profile's state.url, breakers mirrored between two gateways, and a gateway whose Redis is unreachable or stalled,
 * which keeps serving on its own state (it starts without Redis, says `degraded` on /health with a `state_store`
 * event, never waits longer than the store's time-out, and shares again once Redis answers).
 */
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'

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
