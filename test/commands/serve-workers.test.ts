/**
 * `router serve --workers 2` without Redis: both workers answer on one port, the primary keeps the shared state (a
 * key's limit holds across them, a 429 seen by one cools the other, a session keeps its account on either, the fleet
 * view of the live metrics counts both, in `metrics tail --fleet`'s dashboard too) and writes the one audit log.
 */
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {spawn as spawnPty} from 'node-pty'
import {afterAll, beforeAll, describe, expect, it, vi} from 'vitest'

import {createKey} from '../../src/core/auth/keys.js'
import {startGatewayProcess, type GatewayProcess} from '../helpers/gateway-process.js'
import {RUN_JS} from '../helpers/run-cli.js'
import {startSimProcess, type SimProcess} from '../helpers/sim-process.js'

let sim: SimProcess
let dir: string
let gateway: GatewayProcess
const keys: Record<string, string> = {}

beforeAll(async () => {
  sim = await startSimProcess(['--port', '0', '--quiet'])
  dir = await mkdtemp(join(tmpdir(), 'router-workers-'))
  await writeFile(
    join(dir, 'router.yaml'),
    `
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: {}
  openai/gpt-5-nano: {}
accounts:
  - {name: a, provider: openai, base_url: ${sim.url}/v1, api_key: sk-sim-account-a}
  - {name: b, provider: openai, base_url: ${sim.url}/v1, api_key: sk-sim-account-b}
task_routes:
  general: {default: [openai/gpt-5-mini]}
`,
  )
  const file = join(dir, 'keys.json')
  keys.ops = (await createKey(file, 'ops', {})).key
  keys.four = (await createKey(file, 'four', {rpm: 4})).key
  gateway = await startGatewayProcess({
    dir,
    config: join(dir, 'router.yaml'),
    args: ['--workers', '2'],
    env: {ROUTER_KEYS_FILE: file, INGRESS_AUTH_REQUIRED: 'true', ROUTER_FLEET_METRICS_INTERVAL_SECONDS: '0.5'},
  })
}, 60_000)

afterAll(async () => {
  await gateway?.close()
  await sim?.close()
  if (dir) await rm(dir, {recursive: true, force: true})
})

function chat(key: string, model: string): Promise<Response> {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {authorization: `Bearer ${key}`, 'content-type': 'application/json'},
    body: JSON.stringify({model, messages: [{role: 'user', content: 'hi'}]}),
  })
}

/** A turn of the conversation `workers-session` (on a new connection). */
function turn(history: Array<{role: string; content: string}>, content: string): Promise<Response> {
  return fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${keys.ops}`,
      'content-type': 'application/json',
      'x-session-id': 'workers-session',
      connection: 'close',
    },
    body: JSON.stringify({model: 'auto', messages: [...history, {role: 'user', content}]}),
  })
}

/** `/health` of each worker, by worker id (the cluster hands connections out in turn). */
async function healthOfEachWorker(): Promise<Map<number, any>> {
  const seen = new Map<number, any>()
  for (let i = 0; i < 20 && seen.size < 2; i++) {
    // A new connection each time, so that each may go to the other worker.
    const body = (await (await fetch(`${gateway.url}/health`, {headers: {connection: 'close'}})).json()) as {
      worker: number
    }
    seen.set(body.worker, body)
  }
  return seen
}

describe('router serve --workers 2', () => {
  it('answers from both workers, each with the primary as its shared state', async () => {
    const workers = await healthOfEachWorker()
    expect([...workers.keys()].sort()).toEqual([1, 2])
    for (const health of workers.values())
      expect(health).toMatchObject({status: 'ok', state: {kind: 'primary', shared: true}})
    expect(gateway.stderr()).toContain('2 workers, shared state in the primary')
  })

  it("holds a key's requests-per-minute limit across both workers", async () => {
    await vi.waitFor(() => expect(new Date().getUTCSeconds()).toBeLessThan(40), {timeout: 25_000, interval: 200})
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {authorization: `Bearer ${keys.four}`, 'content-type': 'application/json', connection: 'close'},
        body: JSON.stringify({model: 'openai/gpt-5-nano', messages: [{role: 'user', content: 'hi'}]}),
      })
      statuses.push(response.status)
      await response.arrayBuffer()
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429])
  })

  it('keeps a session on the account that answered its first turn, whichever worker the next turns reach', async () => {
    const opening = 'Name three rivers of Europe.'
    const terminals = async (): Promise<number> =>
      (await gateway.events()).filter((e) => e.event === 'proxy_terminal').length
    const before = await terminals()
    // Account a fails once: the opening turn is answered by account b; without the session a worker would try a first.
    await sim.script([{status: 500}])
    const first = await turn([], opening)
    expect(first.headers.get('x-router-account')).toBe('b')
    const history = [
      {role: 'user', content: opening},
      {role: 'assistant', content: 'The Danube, the Rhine and the Loire.'},
    ]
    // The worker that answered tells the primary, which tells the other one (an IPC message each way), as it sends the
    // turn's audit events to the primary's log.
    await vi.waitFor(async () => expect(await terminals()).toBeGreaterThan(before))
    // A new connection each time: the cluster hands them to the workers in turn, so both answer a turn.
    const accounts: Array<string | null> = []
    for (let i = 0; i < 4; i++)
      accounts.push((await turn(history, `And a fourth one (${i})?`)).headers.get('x-router-account'))
    expect(accounts).toEqual(['b', 'b', 'b', 'b'])
    await vi.waitFor(async () => {
      const stays = (await gateway.events()).filter(
        (e) => e.event === 'route_decision' && e.session?.affinity === 'stay' && e.session.previous_account === 'b',
      )
      expect(stays).toHaveLength(4)
    })
  })

  it('cools a model on the other worker after a 429 seen by one', async () => {
    await sim.script([{status: 429, retryAfter: 30}])
    const response = await chat(keys.ops, 'openai/gpt-5-mini')
    expect(response.headers.get('x-router-account')).toBe('b')
    await vi.waitFor(async () => {
      const workers = await healthOfEachWorker()
      expect(workers.size).toBe(2)
      for (const health of workers.values())
        expect(health.cooldowns).toContainEqual(expect.objectContaining({account: 'a', model: 'openai/gpt-5-mini'}))
    })
  })

  it('merges both workers’ live metrics in the fleet view', async () => {
    await vi.waitFor(async () => {
      const terminals = (await gateway.events()).filter((e) => e.event === 'proxy_terminal').length
      const fleet = (await (
        await fetch(`${gateway.url}/v1/router/live-metrics?scope=fleet`, {
          headers: {authorization: `Bearer ${keys.ops}`, connection: 'close'},
        })
      ).json()) as {
        fleet: {replicas: unknown[]}
        totals: {requests_total: number}
      }
      expect(fleet.fleet.replicas).toHaveLength(2)
      expect(fleet.totals.requests_total).toBe(terminals)
    })
  })

  it("shows the fleet's figures in `metrics tail --url … --fleet`'s dashboard, its decisions from the worker asked", async () => {
    let output = ''
    let exitCode: number | undefined
    // A terminal (no CI variable: Ink draws live frames only outside CI), as `metrics tail` sees one.
    const pty = spawnPty(
      process.execPath,
      [RUN_JS, 'metrics', 'tail', '--url', gateway.url, '--api-key', keys.ops, '--fleet', '--interval', '0.3'],
      {
        cwd: dir,
        cols: 120,
        rows: 30,
        name: 'xterm-256color',
        env: {PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, NODE_OPTIONS: ''},
      },
    )
    pty.onData((data) => (output += data))
    const exited = new Promise<number>((resolve) => pty.onExit(({exitCode: code}) => resolve((exitCode = code))))
    // eslint-disable-next-line no-control-regex
    const screen = () => output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    try {
      await vi.waitFor(
        () => {
          if (exitCode !== undefined) throw new Error(`exited with ${exitCode}; screen:\n${screen()}`)
          expect(screen()).toContain(`fleet of 2 replicas · decisions from ${gateway.url}`)
        },
        {timeout: 20_000, interval: 50},
      )
      // Four more requests, each on a new connection: the cluster hands them to both workers in turn.
      for (let i = 0; i < 4; i++) {
        const response = await fetch(`${gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: {authorization: `Bearer ${keys.ops}`, 'content-type': 'application/json', connection: 'close'},
          body: JSON.stringify({model: 'openai/gpt-5-nano', messages: [{role: 'user', content: `fleet ${i}`}]}),
        })
        expect(response.status).toBe(200)
        await response.arrayBuffer()
      }
      // The header counts every request of both workers (what the primary's one audit log holds), not the asked
      // worker's own; its decision log shows the requests that worker answered.
      await vi.waitFor(
        async () => {
          if (exitCode !== undefined) throw new Error(`exited with ${exitCode}; screen:\n${screen()}`)
          const terminals = (await gateway.events()).filter((e) => e.event === 'proxy_terminal').length
          expect(screen()).toMatch(new RegExp(`\\s${terminals} req`))
          expect(screen()).toMatch(/general\/\w+\s+openai\/gpt-5-nano\s.*gpt-5-nano ✓/)
        },
        {timeout: 20_000, interval: 100},
      )
      pty.write('q')
      expect(await exited).toBe(0)
    } finally {
      if (exitCode === undefined) pty.kill()
    }
  }, 60_000)

  it('writes every worker’s audit events to the one audit log of the primary, and stops cleanly', async () => {
    await vi.waitFor(async () => {
      const terminals = (await gateway.events()).filter((e) => e.event === 'proxy_terminal')
      expect(terminals.length).toBeGreaterThanOrEqual(12)
    })
    expect(await gateway.close()).toBe(0)
  })
})
