/**
 * `router serve` (and `open-llm-router`) as a user runs them: a real process, a real port, real requests, then
 * SIGTERM. The dashboard is not shown because stdout is not a terminal: the plain request lines are.
 */
import type {ChildProcessWithoutNullStreams} from 'node:child_process'
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from 'vitest'

import {startSim, type SimServer} from '../../src/sim/index.js'
import {startCli} from '../helpers/run-cli.js'

const LEGACY_JS = fileURLToPath(new URL('../../bin/open-llm-router.js', import.meta.url))

interface Served {
  child: ChildProcessWithoutNullStreams
  stdout: string[]
  stderr: () => string
  url: string
  exit: Promise<number | null>
}

let dir: string
let sim: SimServer
const running: Served[] = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'router-serve-'))
  sim = await startSim({name: 'upstream'})
})

afterEach(() => {
  for (const served of running.splice(0)) served.child.kill('SIGKILL')
})

afterAll(async () => {
  await sim?.close()
  await rm(dir, {recursive: true, force: true})
})

/** Spawns the CLI and resolves once it says where it listens. */
function serve(args: string[], options: {entry?: string; env?: NodeJS.ProcessEnv} = {}): Promise<Served> {
  const child = startCli(args, {
    cwd: dir,
    entry: options.entry,
    env: {HOME: dir, ROUTER_AUDIT_LOG_PATH: join(dir, 'audit.jsonl'), ...options.env},
  })
  const stdout: string[] = []
  let stderr = ''
  let buffered = ''
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString()
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    stdout.push(...lines)
  })
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line; stderr: ${stderr}`)), 15_000)
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      const match = /listening on (http:\/\/\S+)/.exec(stderr)
      if (match) {
        clearTimeout(timer)
        const served = {child, stdout, stderr: () => stderr, url: match[1], exit}
        running.push(served)
        resolve(served)
      }
    })
    exit.then((code) => {
      clearTimeout(timer)
      reject(new Error(`exited with ${code} before listening; stderr: ${stderr}`))
    })
  })
}

function waitFor<T>(check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  return vi.waitFor(
    () => {
      const value = check()
      if (value === undefined) throw new Error('timed out waiting')
      return value
    },
    {timeout: timeoutMs, interval: 50},
  )
}

/** Writes a raw config whose one account is the test's simulator (its key must never reach a log). */
async function writeSimConfig(name: string): Promise<string> {
  const config = join(dir, name)
  await writeFile(
    config,
    `default_model: openai/gpt-5-mini
accounts:
  - name: upstream
    provider: openai
    base_url: ${sim.url}
    api_key: sk-test-serve
task_routes:
  general: {default: [openai/gpt-5-mini]}
`,
  )
  return config
}

function chat(url: string, content: string): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({model: 'auto', messages: [{role: 'user', content}]}),
  })
}

describe('router serve', () => {
  it('serves a config file, prints one JSON line per request, and exits cleanly on SIGTERM', async () => {
    const config = await writeSimConfig('router.yaml')
    const served = await serve([
      'serve',
      '--config',
      config,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--log-format',
      'json',
    ])
    expect(served.stderr()).toContain(`config ${config}`)
    const response = await chat(served.url, 'hello')
    expect(response.status).toBe(200)
    const id = response.headers.get('x-router-request-id')
    const line = await waitFor(() => served.stdout.find((l) => l.includes(id!)))
    expect(JSON.parse(line)).toMatchObject({request_id: id, model: 'openai/gpt-5-mini', status: 200})
    served.child.kill('SIGTERM')
    expect(await served.exit).toBe(0)
    const audit = await readFile(join(dir, 'audit.jsonl'), 'utf8')
    expect(audit).toContain(`"request_id":"${id}"`)
    expect(audit).not.toContain('sk-test-serve')
  })

  it('lets a request in flight finish on SIGTERM, logs it, and exits 0', async () => {
    const config = await writeSimConfig('router-inflight.yaml')
    const served = await serve(['serve', '--config', config, '--host', '127.0.0.1', '--port', '0'])
    sim.script([{latencyMs: 1500}])
    const arrived = sim.requestCount
    const pending = chat(served.url, 'slow one')
    // Once the upstream has the request, stop the gateway: the answer still comes back whole.
    await waitFor(() => (sim.requestCount > arrived ? true : undefined))
    served.child.kill('SIGTERM')
    const response = await pending
    expect(response.status).toBe(200)
    expect(((await response.json()) as {choices: unknown[]}).choices).toHaveLength(1)
    expect(await served.exit).toBe(0)
    const id = response.headers.get('x-router-request-id')!
    expect(served.stdout.find((l) => l.includes(id))).toMatch(/ 200 \d/)
    expect(served.stderr()).toMatch(
      /shutting down: waiting up to \d+s for 1 request in flight[\s\S]*router: stopped\n$/,
    )
  })

  it('runs the demo with sample traffic and no config at all', async () => {
    const served = await serve(['serve', '--demo', '--host', '127.0.0.1', '--port', '0'])
    expect(served.stderr()).toContain('(demo: simulated providers, sample traffic)')
    const line = await waitFor(() => served.stdout.find((l) => /req_[0-9a-f]+/.test(l)), 15_000)
    expect(line).toMatch(/(general|coding|thinking|instruction_following)\//)
    const health = (await (await fetch(`${served.url}/health`)).json()) as {upstreams: unknown[]}
    expect(health.upstreams).toHaveLength(3)
  })

  it('is also the open-llm-router command, for users of the older name', async () => {
    const served = await serve(['--demo', '--no-demo-traffic', '--host', '127.0.0.1', '--port', '0'], {
      entry: LEGACY_JS,
    })
    expect(served.stderr()).toContain('(demo: simulated providers, no sample traffic)')
    const models = (await (await fetch(`${served.url}/v1/models`)).json()) as {data: Array<{id: string}>}
    expect(models.data[0].id).toBe('auto')
  })

  it('serves model auto on every endpoint the README lists in the demo', async () => {
    const served = await serve(['serve', '--demo', '--no-demo-traffic', '--host', '127.0.0.1', '--port', '0'])
    const calls: Array<[string, Record<string, unknown>]> = [
      ['/v1/chat/completions', {messages: [{role: 'user', content: 'hi'}]}],
      ['/v1/responses', {input: 'hi'}],
      ['/v1/completions', {prompt: 'Once upon a time'}],
      ['/v1/embeddings', {input: 'hello'}],
      ['/v1/images/generations', {prompt: 'a lighthouse at dusk'}],
      ['/v1/messages', {max_tokens: 100, messages: [{role: 'user', content: 'hi'}]}],
    ]
    for (const [path, body] of calls) {
      // The demo's providers fail now and then on purpose (seeded, so the same draws each run): a client that honours
      // Retry-After, as the official ones do, gets its answer.
      let response: Response
      for (let attempt = 1; ; attempt++) {
        response = await fetch(`${served.url}${path}`, {
          method: 'POST',
          headers: {'content-type': 'application/json'},
          body: JSON.stringify({model: 'auto', ...body}),
        })
        if (response.status === 200 || attempt === 3) break
        expect([429, 502, 503]).toContain(response.status)
        await response.arrayBuffer()
        await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get('retry-after') ?? 1) * 1000))
      }
      expect([path, response.status, response.headers.get('x-router-model')?.split('/')[0]]).toEqual([
        path,
        200,
        expect.any(String),
      ])
      await response.arrayBuffer()
    }
    const models = (await (await fetch(`${served.url}/v1/models`)).json()) as {data: Array<{id: string; kind: string}>}
    expect(models.data).toContainEqual(
      expect.objectContaining({id: 'openai/text-embedding-3-small', kind: 'embeddings'}),
    )
    expect(models.data).toContainEqual(expect.objectContaining({id: 'openai/gpt-image-1', kind: 'image_generation'}))
  })

  it('says which port is taken and how to pick another, with exit code 2', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as {port: number}).port
    try {
      const child = startCli(['serve', '--demo', '--host', '127.0.0.1', '--port', String(port)], {
        cwd: dir,
        env: {HOME: dir},
      })
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
      expect(code).toBe(2)
      expect(stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`)
      expect(stderr).toContain('--port')
    } finally {
      blocker.close()
    }
  })
})
