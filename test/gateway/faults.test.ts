import {readFile} from 'node:fs/promises'
import {createServer} from 'node:net'
import OpenAI from 'openai'
import {request} from 'undici'
import {describe, expect, vi} from 'vitest'

import {AuditEventSchema} from '../../src/core/audit/schema.js'
import {gatewayTest, type TestGateway} from '../helpers/gateway.js'

/** A port nobody listens on: connections to it are refused. */
async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as {port: number}).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

const it = gatewayTest({
  sims: {alpha: {}, beta: {}},
  config: async ({alpha, beta}) => {
    const deadPort = await freePort()
    return `
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: {}
  gemini/gemini-2.5-flash: {}
  local/dead-model: {}
accounts:
  - name: dead
    provider: openai-compatible
    base_url: http://127.0.0.1:${deadPort}/v1
    models: [local/dead-model]
  - name: alpha
    provider: openai
    base_url: ${alpha.url}
    api_key: sk-alpha-secret-123456
    models: [openai/gpt-5-mini]
  - name: beta
    provider: openai-compatible
    base_url: ${beta.url}/v1
    models: [gemini/gemini-2.5-flash]
task_routes:
  general: {default: [openai/gpt-5-mini]}
fallback_models: [gemini/gemini-2.5-flash]
`
  },
  options: {
    settings: {backend_read_timeout_seconds: 1, backend_idle_timeout_seconds: 1, max_request_body_bytes: 64 * 1024},
  },
})

it.afterEach(({sims: {alpha, beta}}) => {
  alpha.clearRequests()
  beta.clearRequests()
  alpha.script([])
  beta.script([])
})

const hello = {model: 'auto', messages: [{role: 'user', content: 'hello'}]}

describe('connection failures', () => {
  it('falls back when the connection is refused, and records connect_error', async ({gateway, chat}) => {
    const res = await chat({model: 'local/dead-model', messages: [{role: 'user', content: 'hi'}]})
    // An explicit model has no fallback chain: the refused connection is the answer.
    expect(res.status).toBe(502)
    expect(res.json().error).toMatchObject({type: 'upstream_error', code: 'upstream_exhausted'})
    expect(res.json().error.message).toContain('local/dead-model via dead: connect error')
    const id = res.headers['x-router-request-id'] as string
    const error = gateway.eventsFor(id).find((e) => e.event === 'proxy_request_error')
    expect(error).toMatchObject({error_type: 'connect_error', account: 'dead'})
  })

  it('moves on to the next target when the upstream resets the connection', async ({sims: {alpha}, chat}) => {
    alpha.script([{kind: 'reset'}])
    const res = await chat(hello)
    expect(res.status).toBe(200)
    expect(res.headers['x-router-account']).toBe('beta')
    expect(res.json()._router.attempts[0]).toMatchObject({account: 'alpha', error_type: 'connection_reset', ok: false})
  })

  it('gives up on an upstream that never answers after the read timeout and falls back', async ({
    sims: {alpha},
    chat,
  }) => {
    alpha.script([{kind: 'hang'}])
    const res = await chat(hello)
    expect(res.status).toBe(200)
    expect(res.json()._router.attempts[0]).toMatchObject({account: 'alpha', error_type: 'headers_timeout'})
  })
})

describe('Retry-After', () => {
  it('cools an account down for its Retry-After and skips it meanwhile', async ({sims: {alpha}, gateway, chat}) => {
    alpha.script([{status: 429, retryAfter: 30}])
    const first = await chat(hello)
    expect(first.headers['x-router-account']).toBe('beta')
    const second = await chat(hello)
    expect(second.headers['x-router-account']).toBe('beta')
    expect(alpha.requests).toHaveLength(1)
    const id = second.headers['x-router-request-id'] as string
    const skip = gateway.eventsFor(id).find((e) => e.event === 'proxy_skip_rate_limited')
    expect(skip).toMatchObject({account: 'alpha', model: 'openai/gpt-5-mini'})
    const limited = gateway
      .eventsFor(first.headers['x-router-request-id'] as string)
      .find((e) => e.event === 'proxy_rate_limited')
    expect(limited).toMatchObject({retry_after_ms: 30_000})
    // Health shows the cool-down: this model on this account, not the whole account.
    const health = (await (await request(`${gateway.url}/health`)).body.json()) as {
      upstreams: Array<{account: string; cooling_down_until: string | null}>
      cooldowns: Array<{account: string; model: string | null; scope: string; until: string}>
    }
    expect(health.cooldowns).toEqual([
      expect.objectContaining({
        account: 'alpha',
        model: 'openai/gpt-5-mini',
        scope: 'model',
        until: expect.any(String),
      }),
    ])
    expect(health.upstreams.find((u) => u.account === 'alpha')?.cooling_down_until).toBeNull()
    gateway.state.cooldowns.clear()
  })
})

describe('when everything fails', () => {
  it('answers with the last upstream status and lists what was tried', async ({sims: {alpha, beta}, gateway, chat}) => {
    alpha.script([{status: 502}])
    beta.script([{status: 503}])
    const res = await chat(hello)
    expect(res.status).toBe(503)
    const error = res.json().error
    expect(error.code).toBe('upstream_exhausted')
    expect(error.message).toContain('openai/gpt-5-mini via alpha: 502')
    expect(error.message).toContain('gemini/gemini-2.5-flash via beta: 503')
    const id = res.headers['x-router-request-id'] as string
    const exhausted = gateway.eventsFor(id).find((e) => e.event === 'proxy_exhausted')
    expect(exhausted).toMatchObject({status: 503})
    expect(await gateway.terminal(id)).toMatchObject({outcome: 'exhausted', status: 503})
  })

  it('answers 504 when the last attempt timed out', async ({sims: {alpha, beta}, chat}) => {
    alpha.script([{status: 500}])
    beta.script([{kind: 'hang'}])
    const res = await chat(hello)
    expect(res.status).toBe(504)
  })
})

describe('streaming faults', () => {
  it('falls back before the first byte when a stream fails to start', async ({sims: {alpha}, chat}) => {
    alpha.script([{kind: 'reset'}])
    const res = await chat({...hello, stream: true})
    expect(res.status).toBe(200)
    expect(res.headers['x-router-account']).toBe('beta')
    expect(res.text).toContain('data: [DONE]')
  })

  it('ends a stream that breaks midway with an SSE error event and no [DONE]', async ({
    sims: {alpha, beta},
    gateway,
    chat,
  }) => {
    alpha.script([{kind: 'drop', afterChunks: 3}])
    const res = await chat({...hello, stream: true})
    expect(res.status).toBe(200)
    expect(res.text).not.toContain('[DONE]')
    const events = res.text.split('\n\n').filter(Boolean)
    const last = JSON.parse(events.at(-1)!.replace(/^data: /, ''))
    expect(last.error).toMatchObject({type: 'upstream_error', code: 'stream_interrupted'})
    const id = res.headers['x-router-request-id'] as string
    expect(await gateway.terminal(id)).toMatchObject({outcome: 'stream_error'})
    expect(gateway.eventsFor(id).find((e) => e.event === 'proxy_stream_error')).toMatchObject({account: 'alpha'})
    expect(beta.requests).toHaveLength(0)
  })

  it('makes the openai client throw on a broken stream instead of returning a truncated answer', async ({
    sims: {alpha},
    gateway,
  }) => {
    alpha.script([{kind: 'drop', afterChunks: 2}])
    const client = new OpenAI({baseURL: `${gateway.url}/v1`, apiKey: 'x', maxRetries: 0})
    const stream = await client.chat.completions.create({...hello, stream: true} as never)
    await expect(async () => {
      for await (const _chunk of stream as unknown as AsyncIterable<unknown>) {
        // consume
      }
    }).rejects.toThrow(/stream interrupted/i)
  })

  it('cancels the upstream request when the client disconnects', async ({sims: {alpha, beta}, gateway}) => {
    alpha.script([{kind: 'hang'}])
    const controller = new AbortController()
    const pending = request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({...hello, stream: true}),
      signal: controller.signal,
    }).catch(() => undefined)
    await vi.waitFor(() => expect(alpha.requests).toHaveLength(1))
    controller.abort()
    await pending
    await vi.waitFor(() => expect(alpha.requests[0].aborted).toBe(true))
    const terminal = gateway.events.find((e) => e.event === 'proxy_terminal' && e.outcome === 'client_abort')
    expect(terminal).toBeDefined()
    expect(beta.requests).toHaveLength(0)
  })
})

describe('errors the gateway itself produces', () => {
  it('rejects malformed JSON with a 400 in OpenAI shape', async ({chat}) => {
    const res = await chat('{"model": "auto", "messages": [')
    expect(res.status).toBe(400)
    expect(res.json()).toEqual({
      error: {
        message: expect.stringContaining('not valid JSON'),
        type: 'invalid_request_error',
        code: 'invalid_json',
        param: null,
      },
    })
    expect(res.headers['x-router-request-id']).toMatch(/^req_/)
  })

  it('rejects a body that is not an object', async ({chat}) => {
    const res = await chat('[1, 2, 3]')
    expect(res.status).toBe(400)
    expect(res.json().error.code).toBe('invalid_json')
  })

  it('rejects an unknown model with the list of configured models', async ({chat}) => {
    const res = await chat({model: 'nope/not-a-model', messages: [{role: 'user', content: 'hi'}]})
    expect(res.status).toBe(400)
    const error = res.json().error
    expect(error).toMatchObject({type: 'invalid_request_error', code: 'model_not_found', param: 'model'})
    expect(error.message).toContain('openai/gpt-5-mini')
  })

  it('rejects constraints that exclude every candidate', async ({chat}) => {
    const res = await chat({...hello, allowed_models: ['anthropic/*']})
    expect(res.status).toBe(400)
    expect(res.json().error.code).toBe('no_candidates')
  })

  it('answers 413 for a body over the limit', async ({chat}) => {
    const res = await chat({...hello, messages: [{role: 'user', content: 'x'.repeat(100 * 1024)}]})
    expect(res.status).toBe(413)
    expect(res.json().error).toMatchObject({type: 'invalid_request_error', code: 'body_too_large'})
  })

  it('answers unknown routes with an OpenAI-shaped 404', async ({gateway}) => {
    const response = await request(`${gateway.url}/v2/whatever`)
    expect(response.statusCode).toBe(404)
    expect(((await response.body.json()) as {error: {code: string}}).error.code).toBe('not_found')
  })

  it('never puts a credential in an error or in the audit log', async ({sims: {alpha, beta}, gateway, chat}) => {
    alpha.script([{status: 500}])
    beta.script([{status: 500}])
    const res = await chat(hello)
    expect(res.text).not.toContain('sk-alpha-secret')
    await gateway.state.bus // events are already published synchronously
    const audit = await readAudit(gateway, res.id)
    expect(audit).not.toContain('sk-alpha-secret')
  })
})

/** The audit log once the request `id`'s last event (proxy_terminal) is written to it. */
function readAudit(gateway: TestGateway, id: string): Promise<string> {
  return vi.waitFor(async () => {
    const text = await readFile(gateway.auditPath, 'utf8')
    expect(text.split('\n').some((line) => line.includes('"event":"proxy_terminal"') && line.includes(id))).toBe(true)
    return text
  })
}

describe('audit log', () => {
  it('writes every event as one JSON line that matches the schema', async ({gateway, chat}) => {
    const res = await chat(hello)
    const lines = (await readAudit(gateway, res.id)).trim().split('\n')
    expect(lines.length).toBeGreaterThan(3)
    for (const line of lines) expect(AuditEventSchema.safeParse(JSON.parse(line)).success).toBe(true)
    expect(lines.some((l) => l.includes('"event":"route_decision"'))).toBe(true)
  })
})
