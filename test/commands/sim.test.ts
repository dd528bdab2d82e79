import {createServer} from 'node:net'
import {createInterface} from 'node:readline'

import {afterEach, describe, expect, it, vi} from 'vitest'

import {startSim} from '../../src/sim/index.js'
import {runCli, startCli} from '../helpers/run-cli.js'
import {startSimProcess, type SimProcess} from '../helpers/sim-process.js'
import {request, type JsonResponse} from '../sim/support.js'

const running: SimProcess[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()))
})

async function start(args: string[]): Promise<SimProcess> {
  const sim = await startSimProcess(args)
  running.push(sim)
  return sim
}

const chat = {model: 'gpt-5.2', messages: [{role: 'user', content: 'hi'}]}

function post(url: string, body: unknown): Promise<JsonResponse> {
  return request(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify(body),
  })
}

describe('router sim', () => {
  it('prints a JSON listening line with the URL, name and protocols, then one JSON line per request', async () => {
    const sim = await start(['--name', 'alpha', '--protocol', 'openai'])
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(sim.name).toBe('alpha')
    expect(sim.protocols).toEqual(['openai'])
    const body = await (await post(sim.url, chat)).json()
    expect(body.choices[0].message.content).toMatch(/^\[sim:alpha model=gpt-5\.2\]/)
    await vi.waitFor(() => expect(sim.lines).toHaveLength(1))
    expect(JSON.parse(sim.lines[0])).toMatchObject({
      event: 'request',
      seq: 1,
      method: 'POST',
      path: '/v1/chat/completions',
      status: 200,
      model: 'gpt-5.2',
      stream: false,
      behaviour: 'ok',
      aborted: false,
    })
  })

  it('is scripted and inspected over HTTP from another process', async () => {
    const sim = await start(['--quiet'])
    await sim.script([{status: 503}, {kind: 'drop', afterChunks: 1}])
    expect((await post(sim.url, chat)).status).toBe(503)
    const dropped = await post(sim.url, {...chat, stream: true})
    await expect(dropped.text()).rejects.toThrow()
    const requests = await sim.requests()
    expect(requests.map((record) => record.behaviour)).toEqual(['status:503', 'drop'])
    expect(requests[1].body).toMatchObject({stream: true})
    await sim.clearRequests()
    expect(await sim.requests()).toEqual([])
    expect(sim.lines).toEqual([])
  })

  it('applies the failure flags exactly as startSim applies the same options', async () => {
    const sim = await start([
      '--quiet',
      '--failure-rate',
      '0.5',
      '--failure-kinds',
      '429,503',
      '--seed',
      '11',
      '--retry-after',
      '3',
    ])
    const local = await startSim({failureRate: 0.5, failureKinds: ['429', '503'], seed: 11, retryAfterSeconds: 3})
    try {
      const statuses = async (url: string): Promise<number[]> => {
        const out: number[] = []
        for (let i = 0; i < 12; i++) {
          const response = await post(url, chat)
          await response.arrayBuffer()
          out.push(response.status)
          if (response.status === 429) expect(response.headers.get('retry-after')).toBe('3')
        }
        return out
      }
      const fromProcess = await statuses(sim.url)
      expect(new Set(fromProcess)).toEqual(new Set([200, 429, 503]))
      expect(await statuses(local.url)).toEqual(fromProcess)
    } finally {
      await local.close()
    }
  })

  it('stops cleanly on SIGTERM and reports the request count', async () => {
    const sim = await start([])
    await (await post(sim.url, chat)).text()
    await vi.waitFor(() => expect(sim.lines).toHaveLength(1))
    expect(await sim.close()).toBe(0)
    expect(JSON.parse(sim.lines.at(-1)!)).toEqual({event: 'closed', name: 'sim', requests: 1})
  })

  it('prints no request lines in --fast mode', async () => {
    const sim = await start(['--fast'])
    expect((await post(sim.url, chat)).status).toBe(200)
    expect(await sim.close()).toBe(0)
    expect(sim.lines.map((line) => JSON.parse(line).event)).toEqual(['closed'])
  })

  it('prints a human listening line and one short line per request without --json', async () => {
    const child = startCli(['sim', '--name', 'alpha'], {stdio: ['ignore', 'pipe', 'inherit']})
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    const lines = createInterface({input: child.stdout!})[Symbol.asyncIterator]()
    try {
      const listening = (await lines.next()).value as string
      expect(listening).toMatch(/^sim "alpha" listening on http:\/\/127\.0\.0\.1:\d+ \(openai, anthropic, codex\)$/)
      const url = /(http:\S+)/.exec(listening)![1]
      await (await post(url, {...chat, stream: true})).text()
      expect((await lines.next()).value).toMatch(/^POST \/v1\/chat\/completions 200 stream \d+ms model=gpt-5\.2$/)
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
  })

  it('names the valid failure kinds when one is unknown, with exit code 2', async () => {
    const result = await runCli(['sim', '--failure-kinds', 'nope'])
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('--failure-kinds: unknown failure kind "nope"')
    expect(result.stderr).toContain('429, 500, 502, 503, 504, 529, quota, reset, drop, hang, slow_headers')
  })

  it('rejects a failure rate outside 0–1 with exit code 2', async () => {
    const result = await runCli(['sim', '--failure-rate', '1.5', '--json'])
    expect(result.code).toBe(2)
    expect(JSON.parse(result.stdout).error).toMatchObject({
      code: 'usage',
      message: expect.stringContaining('--failure-rate'),
    })
  })

  it('explains a port that is already in use', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as {port: number}).port
    try {
      const result = await runCli(['sim', '--port', String(port)])
      expect(result.code).toBe(1)
      expect(result.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use.`)
      expect(result.stderr).toContain('--port 0')
    } finally {
      blocker.close()
    }
  })
})
