/**
 * The fault matrix of answers that break gateways: real misbehaving HTTP servers on loopback in front of the gateway,
 * driven through the official `openai` client where a client is involved. Each case asserts what the client got,
 * what the upstreams received, and the audit.
 */
import OpenAI from 'openai'
import {request} from 'undici'
import {describe, expect} from 'vitest'

import type {AuditEvent} from '../../src/core/audit/schema.js'
import {
  answer,
  chatChunk,
  chatCompletion,
  sse,
  startHostileUpstream,
  type HostileUpstream,
} from '../helpers/hostile-upstream.js'
import {gatewayTest} from '../helpers/gateway.js'

type EventOf<K extends AuditEvent['event']> = AuditEvent extends infer E
  ? E extends {event: infer N}
    ? K extends N
      ? E
      : never
    : never
  : never

const it = gatewayTest({
  sims: {claude: {protocol: 'anthropic'}},
  upstreams: {hostile: () => startHostileUpstream(), backup: () => startHostileUpstream()},
  config: ({hostile, backup, claude}) => `
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: {}
  openai/gpt-5-nano: {}
  openai/backup-model: {}
  anthropic/claude-haiku-4.5: {}
accounts:
  - {name: hostile, provider: openai, base_url: ${hostile.url}/v1, api_key: sk-hostile-000000, models: [openai/gpt-5-mini, openai/gpt-5-nano]}
  - {name: backup, provider: openai, base_url: ${backup.url}/v1, api_key: sk-backup-000000, models: [openai/backup-model]}
  - {name: claude, provider: anthropic, base_url: ${claude.url}/v1, api_key: sk-ant-000000, models: [anthropic/claude-haiku-4.5]}
task_routes:
  general: {default: [openai/gpt-5-mini]}
fallback_models: [openai/backup-model]
`,
})
  .extend(
    'client',
    {scope: 'file'},
    ({gateway}) => new OpenAI({baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0}),
  )
  /** POSTs `body` to `path` of the gateway. */
  .extend('send', {scope: 'file'}, ({gateway}) => {
    return async (body: unknown, path = '/v1/chat/completions') => {
      const response = await request(`${gateway.url}${path}`, {
        method: 'POST',
        headers: {'content-type': 'application/json'},
        body: JSON.stringify(body),
      })
      const text = await response.body.text()
      return {
        status: response.statusCode,
        headers: response.headers,
        text,
        id: response.headers['x-router-request-id'] as string,
      }
    }
  })
  /** The events of one kind of a request. */
  .extend('eventsOf', {scope: 'file'}, ({gateway}) => {
    return <K extends AuditEvent['event']>(id: string, kind: K): Array<EventOf<K>> =>
      gateway.eventsFor(id).filter((e) => e.event === kind) as Array<EventOf<K>>
  })

it.afterEach(({gateway, upstreams: {hostile, backup}}) => {
  hostile.reset()
  backup.reset()
  gateway.state.cooldowns.clear()
})

const hello = {model: 'auto', messages: [{role: 'user' as const, content: 'hello'}]}
/** The chain hostile → backup, whatever the classifier thinks of the prompt. */
const chain = {...hello, models: ['openai/gpt-5-mini', 'openai/backup-model']}

/** A chat stream as OpenAI writes it, `[DONE]` included. */
function chatStream(...contents: string[]): string {
  return (
    contents.map((content, i) => chatChunk(i === 0 ? {role: 'assistant', content} : {content})).join('') +
    chatChunk({}, 'stop') +
    'data: [DONE]\n\n'
  )
}

describe('big first events', () => {
  it('relays a chat stream whose first event is 64 KB, whole, and audits a success', async ({
    gateway,
    client,
    eventsOf,
    upstreams: {hostile},
  }) => {
    const big = 'x'.repeat(64 * 1024)
    hostile.script(sse(chatStream(big, ' end')))
    const stream = await client.chat.completions.create({...hello, stream: true}).withResponse()
    let text = ''
    for await (const chunk of stream.data) text += chunk.choices[0]?.delta.content ?? ''
    expect(text).toBe(`${big} end`)
    const id = stream.response.headers.get('x-router-request-id')!
    expect(await gateway.terminal(id)).toMatchObject({outcome: 'success', status: 200})
    expect(eventsOf(id, 'proxy_stream_error')).toEqual([])
    expect(hostile.requests).toHaveLength(1)
  })

  it('relays a Responses stream whose response.created echoes 40 KB of instructions and tools, as OpenAI sends it', async ({
    gateway,
    client,
    upstreams: {hostile},
  }) => {
    // The Responses API echoes the request's `instructions` and `tools` in `response.created` and again in
    // `response.completed` (https://platform.openai.com/docs/api-reference/responses-streaming/response/created).
    const instructions = 'You are a coding agent. '.repeat(1700)
    const tools = [
      {
        type: 'function',
        name: 'shell',
        description: 'Runs a command.',
        parameters: {type: 'object', properties: {command: {type: 'array', items: {type: 'string'}}}},
        strict: false,
      },
    ]
    const response = (status: string, output: unknown[]) => ({
      id: 'resp_hostile1',
      object: 'response',
      created_at: 1765000000,
      status,
      model: 'gpt-5-mini',
      instructions,
      tools,
      output,
      usage:
        status === 'completed'
          ? {
              input_tokens: 9000,
              input_tokens_details: {cached_tokens: 8000},
              output_tokens: 2,
              output_tokens_details: {reasoning_tokens: 0},
              total_tokens: 9002,
            }
          : null,
    })
    const message = {
      type: 'message',
      id: 'msg_1',
      status: 'completed',
      role: 'assistant',
      content: [{type: 'output_text', text: 'Done.', annotations: []}],
    }
    const event = (type: string, fields: Record<string, unknown>, n: number) =>
      `event: ${type}\ndata: ${JSON.stringify({type, sequence_number: n, ...fields})}\n\n`
    hostile.script(
      sse(
        event('response.created', {response: response('in_progress', [])}, 0) +
          event('response.in_progress', {response: response('in_progress', [])}, 1) +
          event(
            'response.output_text.delta',
            {item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Done.'},
            2,
          ) +
          event('response.completed', {response: response('completed', [message])}, 3),
      ),
    )
    const stream = await client.responses
      .create({model: 'auto', instructions, input: 'hi', stream: true, tools: tools as never})
      .withResponse()
    const types: string[] = []
    for await (const e of stream.data) types.push(e.type)
    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_text.delta',
      'response.completed',
    ])
    const id = stream.response.headers.get('x-router-request-id')!
    expect(await gateway.terminal(id)).toMatchObject({outcome: 'success'})
    expect(JSON.parse(hostile.requests[0].body).instructions).toBe(instructions)
  })
})

describe('broken 200 answers fall back to the next target and are never a success', () => {
  const cases: Array<[name: string, handler: Parameters<HostileUpstream['script']>[0], message: RegExp]> = [
    ['malformed JSON', answer(200, 'application/json', '{"id":"chatcmpl-1","choices":[{"index":0,'), /malformed JSON/],
    [
      'an HTML page',
      answer(200, 'text/html', '<!DOCTYPE html><html><body>Please sign in to the Wi-Fi</body></html>'),
      /HTML page/,
    ],
    ['an empty body', answer(200, 'application/json', ''), /empty body/],
    [
      'an error object sent with a 200',
      answer(
        200,
        'application/json',
        JSON.stringify({error: {message: 'The server is overloaded.', type: 'server_error', code: null}}),
      ),
      /with an error: The server is overloaded/,
    ],
  ]
  for (const [name, handler, message] of cases) {
    it(`falls back on ${name}`, async ({gateway, client, eventsOf, upstreams: {hostile, backup}}) => {
      hostile.script(handler)
      backup.script(answer(200, 'application/json', chatCompletion('from backup', 'backup-model')))
      const res = await client.chat.completions.create(chain as never).withResponse()
      expect(res.data.choices[0].message.content).toBe('from backup')
      const id = res.response.headers.get('x-router-request-id')!
      expect(res.response.headers.get('x-router-account')).toBe('backup')
      expect(hostile.requests).toHaveLength(1)
      expect(backup.requests).toHaveLength(1)
      const terminal = await gateway.terminal(id)
      expect(terminal.attempts.map((a) => [a.account, a.ok, a.error_type])).toEqual([
        ['hostile', false, 'protocol_error'],
        ['backup', true, null],
      ])
      expect(eventsOf(id, 'proxy_request_error')[0]).toMatchObject({
        account: 'hostile',
        error_type: 'protocol_error',
        message: expect.stringMatching(message),
      })
      expect(eventsOf(id, 'proxy_response').map((e) => e.account)).toEqual(['backup'])
    })
  }

  it('answers 502 with what was wrong when the only target sends garbage', async ({
    gateway,
    send,
    upstreams: {hostile},
  }) => {
    hostile.script(answer(200, 'text/html', '<html>maintenance</html>'))
    const res = await send({model: 'openai/gpt-5-mini', messages: hello.messages})
    expect(res.status).toBe(502)
    expect(JSON.parse(res.text).error).toMatchObject({
      code: 'upstream_exhausted',
      message: expect.stringContaining('HTML page'),
    })
    expect(await gateway.terminal(res.id)).toMatchObject({outcome: 'exhausted', error_type: 'protocol_error'})
  })

  it('falls back on an empty event stream', async ({gateway, send, eventsOf, upstreams: {hostile, backup}}) => {
    hostile.script(sse(''))
    backup.script(sse(chatStream('from', ' backup')))
    const res = await send({...chain, stream: true})
    expect(res.headers['x-router-account']).toBe('backup')
    expect(res.text).toContain('data: [DONE]')
    const terminal = await gateway.terminal(res.id)
    expect(terminal.outcome).toBe('success')
    expect(terminal.attempts[0]).toMatchObject({account: 'hostile', ok: false, error_type: 'protocol_error'})
    expect(eventsOf(res.id, 'proxy_request_error')[0].message).toMatch(/ended without an event/)
  })

  it('falls back when the first event of a stream is the provider error', async ({
    send,
    eventsOf,
    upstreams: {hostile, backup},
  }) => {
    hostile.script(
      sse(
        `data: ${JSON.stringify({error: {message: 'The server had an error processing your request.', type: 'server_error', code: null}})}\n\n`,
      ),
    )
    backup.script(sse(chatStream('ok')))
    const res = await send({...chain, stream: true})
    expect(res.headers['x-router-account']).toBe('backup')
    expect(res.text).not.toContain('server had an error')
    expect(eventsOf(res.id, 'proxy_request_error')[0].message).toMatch(/server had an error processing your request/)
  })

  it('terminates a whole last event sent without its blank line, and audits a success', async ({
    gateway,
    client,
    upstreams: {hostile},
  }) => {
    hostile.script(sse(chatStream('all', ' there').replace(/\n\n$/, '')))
    const stream = await client.chat.completions.create({...chain, stream: true} as never).withResponse()
    let text = ''
    for await (const chunk of stream.data as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>)
      text += chunk.choices[0]?.delta.content ?? ''
    expect(text).toBe('all there')
    expect(await gateway.terminal(stream.response.headers.get('x-router-request-id')!)).toMatchObject({
      outcome: 'success',
    })
  })

  it('ends a stream that stops before its last event with an error the client raises, audited as a stream error', async ({
    gateway,
    client,
    upstreams: {hostile, backup},
  }) => {
    hostile.script(sse(chatChunk({role: 'assistant', content: 'half'}) + chatChunk({content: ' an answer'})))
    const stream = await client.chat.completions.create({...chain, stream: true} as never).withResponse()
    const consume = async () => {
      for await (const _chunk of stream.data as unknown as AsyncIterable<unknown>) {
        // read to the end
      }
    }
    await expect(consume()).rejects.toThrow(/ended before its last event/)
    const terminal = await gateway.terminal(stream.response.headers.get('x-router-request-id')!)
    expect(terminal).toMatchObject({outcome: 'stream_error', error_type: 'protocol_error'})
    expect(backup.requests).toHaveLength(0)
  })
})

describe('a stream cut mid-event', () => {
  it('never glues the error event onto half a line: the client raises an API error, not a SyntaxError', async ({
    client,
    send,
    upstreams: {hostile},
  }) => {
    const first = chatChunk({role: 'assistant', content: 'one'})
    const torn = chatChunk({content: 'two'}).slice(0, 40)
    hostile.script(sse(first + torn, {destroyAfter: true}))
    const res = await send({...chain, stream: true})
    const events = res.text.split('\n\n').filter((e) => e !== '')
    expect(events).toHaveLength(2)
    expect(events[0]).toBe(first.trimEnd())
    expect(JSON.parse(events[1].replace(/^data: /, '')).error).toMatchObject({code: 'stream_interrupted'})

    hostile.script(sse(first + torn, {destroyAfter: true}))
    const stream = await client.chat.completions.create({...chain, stream: true} as never)
    const consume = async () => {
      for await (const _chunk of stream as unknown as AsyncIterable<unknown>) {
        // read to the end
      }
    }
    const error = await consume().then(
      () => null,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(OpenAI.APIError)
    expect(String(error)).toMatch(/stream interrupted/i)
  })
})

describe('429s cool down what the provider limited', () => {
  const limited = (
    code: string,
    type: string,
    message: string,
    headers: Record<string, string> = {'retry-after': '30'},
  ) =>
    ((_req, res) => {
      // OpenAI's 429 bodies (https://platform.openai.com/docs/guides/error-codes#api-errors).
      res.writeHead(429, {'content-type': 'application/json', ...headers})
      res.end(JSON.stringify({error: {message, type, param: null, code}}))
    }) as Parameters<HostileUpstream['script']>[0]
  const rateLimit = limited(
    'rate_limit_exceeded',
    'requests',
    'Rate limit reached for gpt-5-mini in organization org-x on requests per min (RPM): Limit 500.',
  )
  const quota = limited(
    'insufficient_quota',
    'insufficient_quota',
    'You exceeded your current quota, please check your plan and billing details.',
    {'retry-after-ms': '300'},
  )

  it('a 429 on one model leaves the other models of the account in service', async ({
    client,
    send,
    eventsOf,
    upstreams: {hostile},
  }) => {
    hostile.script(rateLimit)
    const first = await send({model: 'openai/gpt-5-mini', messages: hello.messages})
    expect(first.status).toBe(429)
    expect(eventsOf(first.id, 'proxy_rate_limited')[0]).toMatchObject({
      account: 'hostile',
      model: 'openai/gpt-5-mini',
      scope: 'model',
      retry_after_ms: 30_000,
    })
    hostile.script(answer(200, 'application/json', chatCompletion('nano answers', 'gpt-5-nano')))
    const other = await client.chat.completions.create({model: 'openai/gpt-5-nano', messages: hello.messages})
    expect(other.choices[0].message.content).toBe('nano answers')
    // The limited model itself is skipped without a request, and the client learns when to come back.
    const again = await send({model: 'openai/gpt-5-mini', messages: hello.messages})
    expect(again.status).toBe(429)
    expect(Number(again.headers['retry-after'])).toBeGreaterThanOrEqual(29)
    expect(eventsOf(again.id, 'proxy_skip_rate_limited')[0]).toMatchObject({
      model: 'openai/gpt-5-mini',
      reason: expect.stringContaining('model on this account'),
    })
    expect(hostile.requests).toHaveLength(2)
  })

  it('keeps the provider message, type and code when a billing problem ends the request', async ({
    client,
    upstreams: {hostile},
  }) => {
    hostile.script(quota)
    const error = await client.chat.completions.create({model: 'openai/gpt-5-mini', messages: hello.messages}).then(
      () => null,
      (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
    )
    expect(error?.status).toBe(429)
    expect(error?.code).toBe('insufficient_quota')
    expect(error?.type).toBe('insufficient_quota')
    expect(error?.message).toMatch(/You exceeded your current quota/)
    expect(error?.headers?.get('retry-after')).toBe('1')
  })

  it('insufficient_quota cools the whole account until the time given, then lets one probe through', async ({
    gateway,
    send,
    eventsOf,
    upstreams: {hostile},
  }) => {
    hostile.script(quota)
    const first = await send({model: 'openai/gpt-5-mini', messages: hello.messages})
    expect(eventsOf(first.id, 'proxy_rate_limited')[0]).toMatchObject({scope: 'account', retry_after_ms: 300})
    const health = (await (await request(`${gateway.url}/health`)).body.json()) as {
      cooldowns: unknown[]
      upstreams: Array<{account: string; cooling_down_until: string | null}>
    }
    expect(health.cooldowns).toEqual([
      expect.objectContaining({account: 'hostile', model: null, scope: 'account', reason: 'insufficient_quota'}),
    ])
    expect(health.upstreams.find((u) => u.account === 'hostile')?.cooling_down_until).toEqual(expect.any(String))
    // Another model of the same account is out too.
    const other = await send({model: 'openai/gpt-5-nano', messages: hello.messages})
    expect(other.status).toBe(429)
    expect(eventsOf(other.id, 'proxy_skip_rate_limited')[0].reason).toMatch(/account cooling down: insufficient_quota/)
    expect(hostile.requests).toHaveLength(1)
    // After the cool-down, the first request is the probe; its success opens the account again. The sleep waits out
    // the cool-down: its end is the behaviour under test.
    await new Promise((resolve) => setTimeout(resolve, 350))
    hostile.script(answer(200, 'application/json', chatCompletion('back', 'gpt-5-nano')))
    const probe = await send({model: 'openai/gpt-5-nano', messages: hello.messages})
    expect(probe.status).toBe(200)
    expect(gateway.state.cooldowns.active(Date.now())).toEqual([])
  })
})

describe('an adapter that cannot express a request', () => {
  // An image by `file_id` refers to a file stored by OpenAI: only OpenAI's Responses API can read it, which nothing
  // in the request tells routing (it is a vision request like any other), so the Anthropic target refuses it when
  // its request is built.
  const input = [
    {
      role: 'user',
      content: [
        {type: 'input_text', text: 'What is in this picture?'},
        {type: 'input_image', file_id: 'file-abc123'},
      ],
    },
  ]

  it('moves on to the next target, audited as a skip with its reason', async ({
    gateway,
    send,
    eventsOf,
    upstreams: {backup},
    sims: {claude},
  }) => {
    backup.script(
      answer(
        200,
        'application/json',
        JSON.stringify({
          id: 'resp_1',
          object: 'response',
          status: 'completed',
          model: 'backup-model',
          output: [],
          usage: {input_tokens: 5, output_tokens: 1},
        }),
      ),
    )
    const res = await send(
      {model: 'auto', models: ['anthropic/claude-haiku-4.5', 'openai/backup-model'], input},
      '/v1/responses',
    )
    expect(res.status).toBe(200)
    expect(res.headers['x-router-account']).toBe('backup')
    expect(claude.requests).toHaveLength(0)
    const skip = eventsOf(res.id, 'proxy_skip_unavailable')[0]
    expect(skip).toMatchObject({account: 'claude', reason: expect.stringContaining('file_id')})
    expect(gateway.eventsFor(res.id).find((e) => e.event === 'proxy_terminal')).toMatchObject({
      outcome: 'success',
      attempts: [expect.objectContaining({account: 'backup'})],
    })
    expect(JSON.parse(backup.requests[0].body).input).toEqual(input)
  })

  it('is a 400 naming the problem when no target of the chain can', async ({gateway, send, sims: {claude}}) => {
    const res = await send({model: 'anthropic/claude-haiku-4.5', input}, '/v1/responses')
    expect(res.status).toBe(400)
    expect(JSON.parse(res.text).error.message).toMatch(/file_id refers to a file stored by OpenAI/)
    expect(await gateway.terminal(res.id)).toMatchObject({outcome: 'rejected'})
    expect(claude.requests).toHaveLength(0)
  })
})

describe('the memory that whole answers hold', () => {
  it('refuses an answer that would take the gateway over its buffer budget, and recovers the budget', async ({
    gateway,
    send,
    upstreams: {hostile},
  }) => {
    const before = gateway.state.settings.max_buffered_response_bytes
    ;(gateway.state.settings as {max_buffered_response_bytes: number}).max_buffered_response_bytes = 64 * 1024
    try {
      const big = chatCompletion('y'.repeat(200 * 1024))
      // Held open: this answer's first 64 KB stay in memory while the second request arrives.
      hostile.script((_req, res) => {
        res.writeHead(200, {'content-type': 'application/json'})
        res.write(big.slice(0, 60 * 1024))
        setTimeout(() => res.end(big.slice(60 * 1024)), 300)
      })
      const first = send({model: 'openai/gpt-5-mini', messages: hello.messages})
      await new Promise((resolve) => setTimeout(resolve, 100))
      hostile.script(answer(200, 'application/json', chatCompletion('z'.repeat(20 * 1024))))
      const second = await send({model: 'openai/gpt-5-mini', messages: hello.messages})
      expect(second.status).toBe(502)
      expect(JSON.parse(second.text).error.message).toMatch(/max_buffered_response_bytes/)
      expect((await first).status).toBe(502)
      expect(gateway.state.bufferedAnswers.bytes).toBe(0)
      hostile.script(answer(200, 'application/json', chatCompletion('small')))
      expect((await send({model: 'openai/gpt-5-mini', messages: hello.messages})).status).toBe(200)
    } finally {
      ;(gateway.state.settings as {max_buffered_response_bytes: number}).max_buffered_response_bytes = before
    }
  })
})
