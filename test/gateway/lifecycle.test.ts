import {mkdtemp, readFile, rename, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {request} from 'undici'
import {describe, expect, vi} from 'vitest'

import type {AuditEvent} from '../../src/core/audit/schema.js'
import {gatewayTest, type TestGateway} from '../helpers/gateway.js'
import {startCli} from '../helpers/run-cli.js'

/** One model, served by `account` (alpha or beta). */
function config(sims: Record<'alpha' | 'beta', {url: string}>, account: 'alpha' | 'beta', extraModel = ''): string {
  const url = sims[account].url
  return `
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: {}
${extraModel ? `  ${extraModel}: {}\n` : ''}accounts:
  - name: ${account}
    provider: openai-compatible
    base_url: ${url}/v1
task_routes:
  general: {default: [openai/gpt-5-mini]}
`
}

// Every test starts its own gateway (`startGateway`), from a config file it can rewrite and reload.
const it = gatewayTest({
  sims: {alpha: {}, beta: {tokensPerSecond: 40, streamChunks: 12}},
  config: (sims) => config(sims, 'alpha'),
  resetUpstreams: true,
})

async function chat(gateway: TestGateway, body: Record<string, unknown> = {}) {
  const response = await request(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({model: 'auto', messages: [{role: 'user', content: 'hello'}], ...body}),
  })
  const text = await response.body.text()
  return {
    status: response.statusCode,
    account: response.headers['x-router-account'],
    id: response.headers['x-router-request-id'] as string,
    text,
  }
}

function reloads(gateway: TestGateway): Array<Extract<AuditEvent, {event: 'config_reload'}>> {
  // The gateway's bus delivers on the next turn of the event loop; the reload's event was published before it resolved.
  gateway.state.bus.flush()
  return gateway.events.filter((e): e is Extract<AuditEvent, {event: 'config_reload'}> => e.event === 'config_reload')
}

describe('config hot reload', () => {
  it('applies a valid file and audits it', async ({sims, startGateway}) => {
    const gateway = await startGateway({writeConfig: true})
    expect((await chat(gateway)).account).toBe('alpha')
    await writeFile(gateway.configPath, config(sims, 'beta', 'gemini/gemini-2.5-flash'))
    const result = await gateway.reload()
    expect(result).toMatchObject({ok: true, message: 'config reloaded: 2 models, 1 account'})
    expect(reloads(gateway).at(-1)).toMatchObject({ok: true, path: gateway.configPath})
    expect((await chat(gateway)).account).toBe('beta')
    const models = (await (await request(`${gateway.url}/v1/models`)).body.json()) as {data: Array<{id: string}>}
    expect(models.data.map((m) => m.id)).toContain('gemini/gemini-2.5-flash')
  })

  it('keeps the running config when the file is invalid, and says why with file and line', async ({startGateway}) => {
    const gateway = await startGateway({writeConfig: true})
    const before = gateway.state.config
    await writeFile(
      gateway.configPath,
      'default_model: openai/gpt-5-mini\naccounts:\n  - name: broken\n    provider: openai\n    base_url: not a url\n',
    )
    const result = await gateway.reload()
    expect(result.ok).toBe(false)
    expect(result.message).toMatch(/^config not reloaded, the running config stays: /)
    expect(result.message).toContain(`${gateway.configPath}:5`)
    expect(result.message).toContain('base_url')
    expect(reloads(gateway).at(-1)).toMatchObject({ok: false, message: result.message})
    expect(gateway.state.config).toBe(before)
    expect((await chat(gateway)).status).toBe(200)

    await writeFile(gateway.configPath, 'models: [unclosed')
    expect((await gateway.reload()).message).toContain('config not reloaded')
    expect(gateway.state.config).toBe(before)
  })

  it('finishes a request in flight on the config it started with', async ({sims, startGateway}) => {
    const gateway = await startGateway({writeConfig: true})
    sims.alpha.script([{latencyMs: 400}])
    const slow = chat(gateway)
    await vi.waitFor(() => expect(sims.alpha.requests.length).toBeGreaterThan(0))
    await writeFile(gateway.configPath, config(sims, 'beta'))
    expect((await gateway.reload()).ok).toBe(true)
    const fresh = await chat(gateway)
    expect(fresh.account).toBe('beta')
    const done = await slow
    expect(done.status).toBe(200)
    expect(done.account).toBe('alpha')
  })

  it('reloads when the file changes, including a save by rename, when watching', async ({sims, startGateway}) => {
    const gateway = await startGateway({writeConfig: true, settings: {config_watch: true}})
    await writeFile(gateway.configPath, config(sims, 'beta'))
    await vi.waitFor(() => expect(reloads(gateway).length).toBe(1), {timeout: 3000})
    expect(reloads(gateway)[0].ok).toBe(true)
    expect((await chat(gateway)).account).toBe('beta')
    // Editors save to a temporary file and rename it over the original.
    const temp = join(gateway.dir, '.router.yaml.swp')
    await writeFile(temp, config(sims, 'alpha'))
    await rename(temp, gateway.configPath)
    await vi.waitFor(() => expect(reloads(gateway).length).toBe(2), {timeout: 3000})
    expect((await chat(gateway)).account).toBe('alpha')
  })

  it('says there is nothing to reload for a config that was not loaded from a file', async ({startGateway}) => {
    const gateway = await startGateway()
    expect(await gateway.reload()).toMatchObject({ok: false, message: expect.stringContaining('nothing to reload')})
  })
})

describe('graceful shutdown', () => {
  it('lets a stream in flight finish, refuses new requests, and flushes its terminal event to the audit log', async ({
    sims,
    startGateway,
  }) => {
    const gateway = await startGateway({
      config: config(sims, 'beta'),
      writeConfig: true,
      settings: {shutdown_grace_seconds: 5},
    })
    const response = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({model: 'auto', stream: true, messages: [{role: 'user', content: 'tell me a story'}]}),
    })
    const id = response.headers['x-router-request-id'] as string
    const chunks: string[] = []
    const reading = (async () => {
      for await (const chunk of response.body) chunks.push(String(chunk))
    })()
    await vi.waitFor(() => expect(chunks.length).toBeGreaterThan(0))

    const closing = gateway.close()
    expect(gateway.state.draining).toBe(true)
    // A new connection is refused.
    await expect(request(`${gateway.url}/health`)).rejects.toMatchObject({code: 'ECONNREFUSED'})

    await reading
    await closing
    expect(chunks.join('')).toContain('data: [DONE]')
    const audit = (await readFile(gateway.auditPath, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditEvent)
    expect(audit.find((e) => e.event === 'proxy_terminal' && e.request_id === id)).toMatchObject({
      outcome: 'success',
      stream: true,
    })
  })

  it('answers requests with a 503 in OpenAI shape once shutdown has begun', async ({sims, startGateway}) => {
    const gateway = await startGateway({config: config(sims, 'beta'), writeConfig: true})
    // What close() does first, before it stops listening: requests that still arrive (on connections already
    // open) are refused, and told to close the connection.
    gateway.state.draining = true
    const response = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({model: 'auto', messages: [{role: 'user', content: 'late'}]}),
    })
    expect(response.statusCode).toBe(503)
    expect(response.headers.connection).toBe('close')
    expect(response.headers['retry-after']).toBe('1')
    expect(await response.body.json()).toEqual({
      error: {
        message: 'The gateway is shutting down; retry in a moment.',
        type: 'service_unavailable',
        code: 'shutting_down',
        param: null,
      },
    })
    expect(sims.beta.requests).toHaveLength(0)
    expect(gateway.events.find((e) => e.event === 'proxy_terminal')).toMatchObject({
      outcome: 'rejected',
      status: 503,
      error_code: 'shutting_down',
    })
  })

  it('cuts what is still running when the grace period ends, and audits it', async ({sims, startGateway}) => {
    const gateway = await startGateway({writeConfig: true, settings: {shutdown_grace_seconds: 0.3}})
    sims.alpha.script([{kind: 'hang'}])
    const pending = chat(gateway).catch((error: unknown) => error)
    await vi.waitFor(() => expect(sims.alpha.requests).toHaveLength(1))
    const started = Date.now()
    await gateway.close()
    expect(Date.now() - started).toBeLessThan(3000)
    expect(await pending).toBeInstanceOf(Error)
    await vi.waitFor(() => expect(sims.alpha.requests[0].aborted).toBe(true))
    const audit = await readFile(gateway.auditPath, 'utf8')
    expect(audit).toContain('"outcome":"client_abort"')
  })

  it('closes event stream clients so that they do not hold the shutdown', async ({startGateway}) => {
    const gateway = await startGateway({writeConfig: true, settings: {shutdown_grace_seconds: 10}})
    const response = await fetch(`${gateway.url}/v1/router/events`)
    const reading = response.text()
    const started = Date.now()
    await gateway.close()
    expect(Date.now() - started).toBeLessThan(2000)
    expect(await reading).toContain(': connected')
  })
})

describe('router serve', () => {
  it('reloads on SIGHUP, shuts down gracefully on SIGTERM, and says so', async ({sims}) => {
    const dir = await mkdtemp(join(tmpdir(), 'router-serve-'))
    const configPath = join(dir, 'router.yaml')
    await writeFile(configPath, config(sims, 'alpha'))
    const child = startCli(['serve', '--config', configPath, '--host', '127.0.0.1', '--port', '0', '--no-tui'], {
      cwd: dir,
      env: {HOME: dir, ROUTER_CONFIG_WATCH: 'false'},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr!.on('data', (chunk) => (stderr += chunk))
    child.stdout!.on('data', () => {})
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve))
    try {
      // Generous: starting the CLI is slow on a loaded machine.
      await vi.waitFor(() => expect(stderr).toMatch(/listening on http:\/\/\S+/), {timeout: 40_000})
      const url = /listening on (http:\/\/\S+)/.exec(stderr)![1]
      expect(stderr).toContain('reloads on SIGHUP')
      expect(stderr).toContain('ingress auth off')
      await writeFile(configPath, config(sims, 'beta'))
      child.kill('SIGHUP')
      await vi.waitFor(() => expect(stderr).toContain('config reloaded: 1 model, 1 account'), {timeout: 5000})
      const answer = await request(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: {'content-type': 'application/json'},
        body: JSON.stringify({model: 'auto', messages: [{role: 'user', content: 'hi'}]}),
      })
      await answer.body.text()
      expect(answer.headers['x-router-account']).toBe('beta')
      child.kill('SIGTERM')
      expect(await exit).toBe(0)
      expect(stderr).toContain('router: shutting down')
      expect(stderr).toContain('router: stopped')
    } finally {
      child.kill('SIGKILL')
      await rm(dir, {recursive: true, force: true})
    }
  }, 60_000)
})
