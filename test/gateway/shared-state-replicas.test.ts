/**
 * Three `router serve` processes sharing one real redis-server (started here on a free loopback port; these tests fail
 * with the install command where it is missing): cool-downs, idempotency, a budget under concurrent load, and Redis
 * killed mid-load. The upstream is one `router sim` process with two accounts on it.
 */
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import OpenAI from 'openai'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'

import type {AuditEvent} from '../../src/core/audit/schema.js'
import {LiveMetricsSnapshotSchema, type LiveMetricsSnapshot} from '../../src/core/metrics/schema.js'
import {startGatewayProcess, type GatewayProcess} from '../helpers/gateway-process.js'
import {startRedis, type RedisProcess} from '../helpers/redis-server.js'
import {runCli, startCli} from '../helpers/run-cli.js'
import {startSimProcess, type SimProcess} from '../helpers/sim-process.js'

/** Prices make each answer of the simulator (about 21 tokens) cost about $0.00021. */
function config(simUrl: string): string {
  const priced = '{cost_input_per_1k: 0.01, cost_output_per_1k: 0.01}'
  return `
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: ${priced}
  openai/gpt-5-nano: ${priced}
  openai/gpt-4.1-mini: ${priced}
accounts:
  - {name: a, provider: openai, base_url: ${simUrl}/v1, api_key: sk-sim-account-a}
  - {name: b, provider: openai, base_url: ${simUrl}/v1, api_key: sk-sim-account-b}
task_routes:
  general: {default: [openai/gpt-5-mini]}
`
}

let redis: RedisProcess
let sim: SimProcess
let dir: string
let replicas: GatewayProcess[] = []
const keys: Record<string, string> = {}
/** An operator's key (INGRESS_API_KEYS): it sees every managed key's figures. */
const OPERATOR_KEY = 'operator-key-5f0c2a9e7d1b4c38'

async function createKey(name: string, ...flags: string[]): Promise<void> {
  const result = await runCli(['keys', 'create', '--name', name, '--json', ...flags], {
    cwd: dir,
    env: {ROUTER_KEYS_FILE: join(dir, 'keys.json')},
  })
  expect(result.code, result.stderr).toBe(0)
  keys[name] = (JSON.parse(result.stdout) as {key: string}).key
}

function chat(
  replica: GatewayProcess,
  key: string,
  model: string,
  headers: Record<string, string> = {},
  content = 'hi',
): Promise<Response> {
  return fetch(`${replica.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers},
    body: JSON.stringify({model, messages: [{role: 'user', content}]}),
  })
}

async function health(replica: GatewayProcess): Promise<{
  status: string
  state: {shared: boolean; replica: string}
  cooldowns: Array<{account: string; model: string | null}>
}> {
  return (await fetch(`${replica.url}/health`)).json() as never
}

function startReplicas(): Promise<GatewayProcess[]> {
  return Promise.all(
    [1, 2, 3].map((n) =>
      startGatewayProcess({
        dir,
        name: `replica-${n}`,
        config: join(dir, 'router.yaml'),
        env: {
          ROUTER_STATE_URL: redis.url,
          ROUTER_KEYS_FILE: join(dir, 'keys.json'),
          INGRESS_AUTH_REQUIRED: 'true',
          INGRESS_API_KEYS: `operator:${OPERATOR_KEY}`,
          // Generous: on a loaded machine the replicas must not turn degraded (and enforce limits apart) for want of CPU.
          ROUTER_STATE_TIMEOUT_MS: '1000',
          // Live metrics published for the fleet view twice a second, so that the test waits little for them.
          ROUTER_FLEET_METRICS_INTERVAL_SECONDS: '0.5',
        },
      }),
    ),
  )
}

beforeAll(async () => {
  redis = await startRedis()
  sim = await startSimProcess(['--port', '0', '--quiet'])
  dir = await mkdtemp(join(tmpdir(), 'router-shared-'))
  await writeFile(join(dir, 'router.yaml'), config(sim.url))
  await createKey('ops')
  await createKey('team', '--budget-usd-day', '0.01')
  await createKey('limited', '--rpm', '100000', '--max-concurrency', '64')
  replicas = await startReplicas()
}, 90_000)

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.close()))
  await sim?.close()
  await redis?.stop()
  if (dir) await rm(dir, {recursive: true, force: true})
})

/** A turn of a conversation: `history` is what came before (user and assistant turns), then `content`. */
function turn(
  replica: GatewayProcess,
  session: string,
  history: Array<{role: string; content: string}>,
  content: string,
): Promise<Response> {
  return fetch(`${replica.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {authorization: `Bearer ${keys.ops}`, 'content-type': 'application/json', 'x-session-id': session},
    body: JSON.stringify({model: 'auto', messages: [...history, {role: 'user', content}]}),
  })
}

type Decision = Extract<AuditEvent, {event: 'route_decision'}>

/** The `route_decision` events of `replica` for the session `x-session-id: session`'s turns after the first. */
async function followUpDecisions(replica: GatewayProcess, previousAccount: string): Promise<Decision[]> {
  return (await replica.events()).filter(
    (e): e is Decision => e.event === 'route_decision' && e.session?.previous_account === previousAccount,
  )
}

describe('three replicas on one Redis', () => {
  it('keeps a session on the account that answered its first turn when the next turn lands on another replica', async () => {
    const [first, second] = replicas
    // Account a fails once: the opening turn is answered by account b, where the session's cache is now warm. Without
    // the session, any replica would try account a first.
    await sim.script([{status: 500}])
    const opening = await turn(first, 'conversation-7', [], 'Summarise the plot of Hamlet in two sentences.')
    expect(opening.status).toBe(200)
    expect(opening.headers.get('x-router-account')).toBe('b')
    const answer = ((await opening.json()) as {choices: Array<{message: {content: string}}>}).choices[0].message.content
    // The session's record is in Redis once the first replica has published it (right after the answer).
    await vi.waitFor(() => expect(redis.cli('--scan', '--pattern', 'olr:rec:se:*')).not.toBe(''))

    await sim.clearRequests()
    const history = [
      {role: 'user', content: 'Summarise the plot of Hamlet in two sentences.'},
      {role: 'assistant', content: answer},
    ]
    const next = await turn(second, 'conversation-7', history, 'Now in one sentence.')
    expect(next.status).toBe(200)
    expect(next.headers.get('x-router-account')).toBe('b')
    expect((await sim.requests()).map((r) => r.headers.authorization)).toEqual(['Bearer sk-sim-account-b'])
    await vi.waitFor(async () => {
      const [decision] = await followUpDecisions(second, 'b')
      expect(decision?.session).toMatchObject({
        affinity: 'stay',
        previous_account: 'b',
        previous_model: 'openai/gpt-5-mini',
      })
    })
  }, 30_000)

  it('a 429 seen by one replica cools the model on that account for the others', async () => {
    const [first, second, third] = replicas
    await sim.script([{status: 429, retryAfter: 30}])
    const cooled = await chat(first, keys.ops, 'openai/gpt-5-mini')
    expect(cooled.status).toBe(200)
    expect(cooled.headers.get('x-router-account')).toBe('b')
    expect(cooled.headers.get('x-router-attempts')).toBe('2')

    for (const other of [second, third]) {
      await vi.waitFor(
        async () =>
          expect((await health(other)).cooldowns).toContainEqual(
            expect.objectContaining({account: 'a', model: 'openai/gpt-5-mini'}),
          ),
        {timeout: 5000},
      )
      await sim.clearRequests()
      const answer = await chat(other, keys.ops, 'openai/gpt-5-mini')
      expect(answer.status).toBe(200)
      // Straight to account b: account a was not tried again.
      expect(answer.headers.get('x-router-account')).toBe('b')
      expect(answer.headers.get('x-router-attempts')).toBe('1')
      const received = await sim.requests()
      expect(received.map((r) => r.headers.authorization)).toEqual(['Bearer sk-sim-account-b'])
    }
    await vi.waitFor(async () => {
      const skips = (await second.events()).filter((e) => e.event === 'proxy_skip_rate_limited')
      expect(skips).toContainEqual(expect.objectContaining({account: 'a', model: 'openai/gpt-5-mini'}))
    })
  }, 30_000)

  it('replays an idempotent request repeated on another replica instead of sending it upstream again', async () => {
    const [first, second, third] = replicas
    await sim.clearRequests()
    const headers = {'idempotency-key': 'order-42'}
    const created = await chat(first, keys.ops, 'openai/gpt-5-nano', headers, 'place order 42')
    expect(created.status).toBe(200)
    expect(created.headers.get('x-router-idempotency-status')).toBe('created')
    const body = await created.text()

    const replayed = await chat(second, keys.ops, 'openai/gpt-5-nano', headers, 'place order 42')
    expect(replayed.status).toBe(200)
    expect(replayed.headers.get('x-router-idempotency-status')).toBe('replayed')
    expect(await replayed.text()).toBe(body)
    expect((await sim.requests()).filter((r) => r.bodyText.includes('place order 42'))).toHaveLength(1)

    // A duplicate that arrives on a third replica while the first still runs waits for it, then replays it.
    await sim.script([{latencyMs: 1500}])
    const slowHeaders = {'idempotency-key': 'order-43'}
    const running = chat(first, keys.ops, 'openai/gpt-5-nano', slowHeaders, 'place order 43')
    await vi.waitFor(async () =>
      expect((await sim.requests()).some((r) => r.bodyText.includes('place order 43'))).toBe(true),
    )
    const duplicate = await chat(third, keys.ops, 'openai/gpt-5-nano', slowHeaders, 'place order 43')
    const original = await running
    expect(original.headers.get('x-router-idempotency-status')).toBe('created')
    expect(duplicate.headers.get('x-router-idempotency-status')).toBe('replayed')
    expect(await duplicate.text()).toBe(await original.text())
    expect((await sim.requests()).filter((r) => r.bodyText.includes('place order 43'))).toHaveLength(1)

    // The same key with another body is refused on any replica.
    const reused = await chat(third, keys.ops, 'openai/gpt-5-nano', headers, 'place order 99')
    expect(reused.status).toBe(409)
    expect(((await reused.json()) as {error: {code: string}}).error.code).toBe('idempotency_key_reused')
  }, 30_000)

  it('holds a $0.01 daily budget across the three replicas under concurrent load, overspending less than the bound', async () => {
    const clientsPerReplica = 4
    const clients = replicas.length * clientsPerReplica
    let refused = 0
    let failures = 0
    let refusal: {code: string; retryAfter: string | null} | undefined
    // Each client sends until the budget refuses it (at most 200 requests each, so the loop ends whatever happens).
    await Promise.all(
      replicas.flatMap((replica) =>
        Array.from({length: clientsPerReplica}, async () => {
          for (let i = 0; i < 200; i++) {
            const response = await chat(replica, keys.team, 'openai/gpt-5-nano')
            if (response.status === 429) {
              const body = (await response.json()) as {error: {code: string}}
              refusal = {code: body.error.code, retryAfter: response.headers.get('retry-after')}
              refused++
              return
            }
            if (response.status !== 200) failures++
            await response.arrayBuffer()
          }
        }),
      ),
    )
    expect(failures).toBe(0)
    expect(refused).toBe(clients)
    expect(refusal?.code).toBe('budget_usd_day_exceeded')
    expect(Number(refusal?.retryAfter)).toBeGreaterThan(0)

    // What the three replicas' audit logs say the key spent, and the most one answer cost; and the fleet's figure,
    // from any replica, which is the sum of every replica's answers. Both are written after the answers: compared once
    // every answer is in both.
    let spent = 0
    let most = 0
    await vi.waitFor(async () => {
      const all = (await Promise.all(replicas.map((r) => r.events()))).flat()
      const answers = all.filter(
        (e): e is Extract<AuditEvent, {event: 'proxy_response'}> =>
          e.event === 'proxy_response' && e.principal === 'team',
      )
      spent = answers.reduce((sum, e) => sum + (e.cost_usd ?? 0), 0)
      most = Math.max(...answers.map((e) => e.cost_usd ?? 0))
      expect(spent).toBeGreaterThanOrEqual(0.01)
      const report = (await (
        await fetch(`${replicas[2].url}/v1/router/keys`, {headers: {authorization: `Bearer ${OPERATOR_KEY}`}})
      ).json()) as {
        store: string
        shared: boolean
        keys: Array<{name: string; spend_usd_day: number}>
      }
      expect(report).toMatchObject({store: 'redis', shared: true})
      expect(report.keys.find((k) => k.name === 'team')?.spend_usd_day).toBeCloseTo(spent, 9)
    })
    // The stated bound (docs/gateway.md): overspend < the key's requests in flight × the most one request costs.
    expect(spent - 0.01).toBeLessThan(clients * most)

    // What an OpenAI client sees.
    const client = new OpenAI({baseURL: `${replicas[1].url}/v1`, apiKey: keys.team, maxRetries: 0})
    const error = await client.chat.completions
      .create({model: 'openai/gpt-5-nano', messages: [{role: 'user', content: 'hi'}]})
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OpenAI.RateLimitError)
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe('budget_usd_day_exceeded')
  }, 120_000)

  it('serves every request while Redis is killed mid-load, and shares again once it is back', async () => {
    let sent = 0
    const failed: string[] = []
    let stop = false
    const load = Promise.all(
      replicas.flatMap((replica) =>
        Array.from({length: 3}, async (_, c) => {
          // Bounded: at most 400 requests per client, and the test stops the loop.
          for (let i = 0; i < 400 && !stop; i++) {
            // Each client is a session too: its turns are mirrored while Redis is up, and stay local while it is down.
            const response = await chat(replica, keys.limited, 'openai/gpt-4.1-mini', {
              'idempotency-key': `load-${replica.url}-${c}-${i}`,
              'x-session-id': `load-${c}`,
            })
            sent++
            if (response.status !== 200) failed.push(`${response.status} ${await response.text()}`)
            else await response.arrayBuffer()
          }
        }),
      ),
    )
    await vi.waitFor(() => expect(sent).toBeGreaterThan(30), {timeout: 20_000})
    await redis.kill()
    const atKill = sent
    await vi.waitFor(() => expect(sent).toBeGreaterThan(atKill + 60), {timeout: 30_000})
    for (const replica of replicas) expect((await health(replica)).status).toBe('degraded')
    await redis.restart()
    const atRestart = sent
    await vi.waitFor(() => expect(sent).toBeGreaterThan(atRestart + 30), {timeout: 30_000})
    stop = true
    await load
    expect(failed).toEqual([])

    for (const replica of replicas) {
      await vi.waitFor(async () => expect((await health(replica)).state.shared).toBe(true), {timeout: 15_000})
      const events = await replica.events()
      expect(events.filter((e) => e.event === 'state_store').map((e) => (e as {status: string}).status)).toEqual(
        expect.arrayContaining(['down', 'up']),
      )
    }

    // Sharing resumed: a 429 on one replica cools the other two again.
    await sim.script([{status: 429, retryAfter: 30}])
    expect((await chat(replicas[0], keys.ops, 'openai/gpt-4.1-mini')).headers.get('x-router-account')).toBe('b')
    for (const other of replicas.slice(1)) {
      await vi.waitFor(
        async () =>
          expect((await health(other)).cooldowns).toContainEqual(
            expect.objectContaining({account: 'a', model: 'openai/gpt-4.1-mini'}),
          ),
        {timeout: 5000},
      )
    }
  }, 150_000)

  it('lets a replica that starts later learn the cool-downs and sessions already in force', async () => {
    const late = await startGatewayProcess({
      dir,
      name: 'late',
      config: join(dir, 'router.yaml'),
      env: {
        ROUTER_STATE_URL: redis.url,
        ROUTER_KEYS_FILE: join(dir, 'keys.json'),
        INGRESS_AUTH_REQUIRED: 'true',
        ROUTER_FLEET_METRICS_INTERVAL_SECONDS: '0.5',
      },
    })
    try {
      await vi.waitFor(async () =>
        expect((await health(late)).cooldowns).toContainEqual(
          expect.objectContaining({account: 'a', model: 'openai/gpt-4.1-mini'}),
        ),
      )
      // The session of the first test, answered by account b, goes on there from the new replica too.
      const history = [
        {role: 'user', content: 'Summarise the plot of Hamlet in two sentences.'},
        {role: 'assistant', content: 'A prince avenges his father.'},
        {role: 'user', content: 'Now in one sentence.'},
        {role: 'assistant', content: 'Revenge undoes a court.'},
      ]
      const later = await turn(late, 'conversation-7', history, 'And in three words?')
      expect(later.status).toBe(200)
      expect(later.headers.get('x-router-account')).toBe('b')
      await vi.waitFor(async () =>
        expect((await followUpDecisions(late, 'b'))[0]?.session).toMatchObject({
          affinity: 'stay',
          previous_account: 'b',
        }),
      )
    } finally {
      await late.close()
    }
  }, 60_000)

  it('counts every replica’s traffic in the fleet view of the live metrics, and only its own in a replica’s view', async () => {
    const own = async (replica: GatewayProcess): Promise<LiveMetricsSnapshot> =>
      (await (
        await fetch(`${replica.url}/v1/router/live-metrics`, {headers: {authorization: `Bearer ${OPERATOR_KEY}`}})
      ).json()) as LiveMetricsSnapshot
    const fleet = async (replica: GatewayProcess): Promise<LiveMetricsSnapshot> => {
      const response = await fetch(`${replica.url}/v1/router/live-metrics?scope=fleet`, {
        headers: {authorization: `Bearer ${OPERATOR_KEY}`},
      })
      expect(response.status).toBe(200)
      return LiveMetricsSnapshotSchema.parse(await response.json())
    }
    const before = await Promise.all(replicas.map(own))
    // One request to the first replica, two to the second, three to the third.
    for (const [i, replica] of replicas.entries()) {
      for (let n = 0; n <= i; n++) expect((await chat(replica, keys.ops, 'openai/gpt-5-nano')).status).toBe(200)
    }
    const ownCounts = before.map((b) => b.totals.requests_total)
    await vi.waitFor(
      async () => {
        const after = await Promise.all(replicas.map(own))
        expect(after.map((a, i) => a.totals.requests_total - ownCounts[i])).toEqual([1, 2, 3])
        const total = after.reduce((sum, a) => sum + a.totals.requests_total, 0)
        const merged = await fleet(replicas[1])
        expect(merged.fleet?.replicas.map((r) => r.replica).sort()).toEqual(
          (await Promise.all(replicas.map(health))).map((h) => h.state.replica).sort(),
        )
        expect(merged.totals.requests_total).toBe(total)
        const nano = (snapshot: LiveMetricsSnapshot) =>
          snapshot.models.find((m) => m.model === 'openai/gpt-5-nano')?.successes ?? 0
        expect(nano(merged)).toBe(after.reduce((sum, a) => sum + nano(a), 0))
        expect(merged.keys.find((k) => k.principal === 'ops')?.usage.cost_usd).toBeCloseTo(
          after.reduce((sum, a) => sum + (a.keys.find((k) => k.principal === 'ops')?.usage.cost_usd ?? 0), 0),
          9,
        )
      },
      {timeout: 10_000},
    )
    // The other replicas' part of a fleet view is their last published snapshot: a request still being counted
    // somewhere shows in the fleet one interval later, so the two agree once nothing is in flight.
    await vi.waitFor(
      async () => {
        const prometheus = await (
          await fetch(`${replicas[0].url}/metrics?scope=fleet`, {headers: {authorization: `Bearer ${OPERATOR_KEY}`}})
        ).text()
        expect(prometheus).toMatch(/^router_fleet_replicas 3$/m)
        const requestsTotal = Number(/^router_fleet_requests_total (\d+)$/m.exec(prometheus)?.[1])
        expect(requestsTotal).toBe(
          (await Promise.all(replicas.map(own))).reduce((sum, a) => sum + a.totals.requests_total, 0),
        )
      },
      {timeout: 10_000},
    )

    // `router metrics tail --url … --fleet --json`: the same merged snapshot, one JSON line per interval.
    const tail = startCli(
      [
        'metrics',
        'tail',
        '--url',
        replicas[2].url,
        '--api-key',
        OPERATOR_KEY,
        '--fleet',
        '--json',
        '--interval',
        '0.2',
      ],
      {cwd: dir},
    )
    let out = ''
    tail.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    try {
      await vi.waitFor(() => expect(out).toContain('\n'), {timeout: 15_000})
    } finally {
      tail.kill('SIGTERM')
    }
    const line = LiveMetricsSnapshotSchema.parse(JSON.parse(out.split('\n')[0]))
    expect(line.fleet?.replicas).toHaveLength(3)

    const bad = await fetch(`${replicas[0].url}/v1/router/live-metrics?scope=everything`, {
      headers: {authorization: `Bearer ${OPERATOR_KEY}`},
    })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as {error: {param: string}}).error.param).toBe('scope')
  }, 30_000)
})
