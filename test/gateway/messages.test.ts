/**
 * Anthropic's Messages API for clients: the official Anthropic client talks to the gateway, which routes each request
 * like a chat completion. Anthropic accounts get the client's own body; an OpenAI-protocol account gets it as a chat
 * completion, and the answer comes back in Anthropic's shape, whole or streamed.
 */
import Anthropic from '@anthropic-ai/sdk'
import {describe, expect} from 'vitest'

import {gatewayTest} from '../helpers/gateway.js'

const it = gatewayTest({
  sims: {claude: {protocol: 'anthropic', apiKey: 'sk-ant-test-key'}, openai: {name: 'oai'}},
  config: ({claude, openai}) => `
default_model: anthropic/claude-sonnet-4.5
models:
  anthropic/claude-sonnet-4.5: {}
  openai/gpt-5-mini: {}
accounts:
  - {name: claude, provider: anthropic, base_url: ${claude.url}/v1, api_key_env: TEST_ANTHROPIC_KEY, models: [anthropic/claude-sonnet-4.5]}
  - {name: oai, provider: openai, base_url: ${openai.url}/v1, api_key: sk-oai-000000, models: [openai/gpt-5-mini]}
task_routes:
  general: {default: [openai/gpt-5-mini]}
  coding: {default: [anthropic/claude-sonnet-4.5]}
fallback_models: []
`,
  options: {env: {TEST_ANTHROPIC_KEY: 'sk-ant-test-key'}},
}).extend(
  'client',
  {scope: 'file'},
  ({gateway}) =>
    () =>
      new Anthropic({baseURL: gateway.url, apiKey: 'client-key', maxRetries: 0}),
)

describe('POST /v1/messages', () => {
  it("sends an Anthropic account the client's own body and beta header, and relays the answer", async ({
    client,
    sims: {claude},
  }) => {
    const message = await client().messages.create(
      {
        model: 'anthropic/claude-sonnet-4.5',
        max_tokens: 200,
        system: [{type: 'text', text: 'You are terse.', cache_control: {type: 'ephemeral'}}],
        messages: [{role: 'user', content: 'Name a colour.'}],
      },
      {headers: {'anthropic-beta': 'interleaved-thinking-2025-05-14'}},
    )
    expect(message.type).toBe('message')
    expect(message.content[0]).toMatchObject({type: 'text'})
    expect((message.content[0] as {text: string}).text).toContain('sim:claude')
    const sent = claude.requests.at(-1)!
    expect(sent.path).toBe('/v1/messages')
    expect(sent.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14')
    expect(sent.headers['x-api-key']).toBe('sk-ant-test-key')
    // The client's own body: the system block keeps its cache_control; only the model id is the upstream's.
    expect(sent.body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 200,
      system: [{type: 'text', text: 'You are terse.', cache_control: {type: 'ephemeral'}}],
      messages: [{role: 'user', content: 'Name a colour.'}],
    })
  })

  it('relays an Anthropic stream event by event and records its usage', async ({gateway, client}) => {
    const stream = client().messages.stream({
      model: 'anthropic/claude-sonnet-4.5',
      max_tokens: 300,
      messages: [{role: 'user', content: 'Count to three.'}],
    })
    const final = await stream.finalMessage()
    expect((final.content[0] as {text: string}).text).toContain('sim:claude')
    const id = gateway.events.findLast((e) => e.event === 'route_decision')!.request_id
    expect(await gateway.terminal(id)).toMatchObject({outcome: 'success', stream: true})
    const response = gateway.eventsFor(id).find((e) => e.event === 'proxy_response')
    expect(response).toMatchObject({
      usage: {prompt_tokens: final.usage.input_tokens, completion_tokens: final.usage.output_tokens},
    })
  })

  it('fails a relayed Anthropic stream that reports an error, never passes it as a success', async ({
    gateway,
    client,
    sims: {claude},
  }) => {
    claude.script([{kind: 'error_event', afterChunks: 2}])
    const stream = client().messages.stream({
      model: 'anthropic/claude-sonnet-4.5',
      max_tokens: 300,
      messages: [{role: 'user', content: 'Count to ten.'}],
    })
    await expect(stream.finalMessage()).rejects.toThrow()
    const id = gateway.events.findLast((e) => e.event === 'route_decision')!.request_id
    const terminal = await gateway.terminal(id)
    // When the error arrives before anything reached the client, the gateway falls back (here there is nothing left
    // to try: exhausted); after, the client gets the gateway's error event (stream_error). Which one is up to timing.
    expect(terminal.endpoint).toBe('messages')
    expect(['exhausted', 'stream_error']).toContain(terminal.outcome)
    expect(terminal.attempts[0]).toMatchObject({model: 'anthropic/claude-sonnet-4.5', ok: false})
  })

  it('routes model "auto" by task: a coding request to Claude, a general one to the OpenAI model, as Anthropic messages', async ({
    gateway,
    client,
    sims: {openai},
  }) => {
    const coding = await client().messages.create({
      model: 'auto',
      max_tokens: 300,
      messages: [{role: 'user', content: 'Write a Python function that parses ISO 8601 dates, with unit tests.'}],
    })
    expect((coding.content[0] as {text: string}).text).toContain('sim:claude')
    const general = await client().messages.create({
      model: 'auto',
      max_tokens: 300,
      messages: [{role: 'user', content: 'Name three rivers in France.'}],
    })
    expect(general).toMatchObject({type: 'message', role: 'assistant', stop_reason: 'end_turn'})
    expect((general.content[0] as {text: string}).text).toContain('sim:oai')
    expect(general.usage.input_tokens).toBeGreaterThan(0)
    const sent = openai.requests.at(-1)!
    expect(sent.path).toBe('/v1/chat/completions')
    expect(sent.body).toMatchObject({
      model: 'gpt-5-mini',
      max_tokens: 300,
      messages: [{role: 'user', content: 'Name three rivers in France.'}],
    })
    const decision = gateway.events.findLast((e) => e.event === 'route_decision')!
    expect(decision).toMatchObject({endpoint: 'messages', task: 'general', selected_model: 'openai/gpt-5-mini'})
  })

  it('streams an OpenAI-protocol answer to the Anthropic client as Anthropic events', async ({client}) => {
    const stream = client().messages.stream({
      model: 'openai/gpt-5-mini',
      max_tokens: 300,
      messages: [{role: 'user', content: 'Count to three.'}],
    })
    const types = new Set<string>()
    let text = ''
    for await (const event of stream) {
      types.add(event.type)
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text
    }
    const final = await stream.finalMessage()
    expect([...types]).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ])
    expect(text).toContain('sim:oai')
    expect(final.content).toMatchObject([{type: 'text', text}])
    expect(final.stop_reason).toBe('end_turn')
    expect(final.usage.output_tokens).toBeGreaterThan(0)
  })

  it('ends a translated stream that breaks midway with an error the Anthropic client raises, never a finished message', async ({
    gateway,
    client,
    sims: {openai},
  }) => {
    openai.script([{kind: 'drop', afterChunks: 3}])
    const stream = client().messages.stream({
      model: 'openai/gpt-5-mini',
      max_tokens: 300,
      messages: [{role: 'user', content: 'Count to ten.'}],
    })
    let text = ''
    stream.on('text', (delta) => (text += delta))
    await expect(stream.finalMessage()).rejects.toThrow(/Upstream stream interrupted/)
    expect(text.length).toBeGreaterThan(0)
    const id = gateway.events.findLast((e) => e.event === 'route_decision')!.request_id
    expect(await gateway.terminal(id)).toMatchObject({endpoint: 'messages', outcome: 'stream_error'})
  })

  it('carries a tool call and its result across two turns through the chat translation', async ({
    client,
    sims: {openai},
  }) => {
    const tools = [
      {
        name: 'get_weather',
        description: 'Weather for a city',
        input_schema: {type: 'object' as const, properties: {city: {type: 'string'}}, required: ['city']},
      },
    ]
    const first = await client().messages.create({
      model: 'openai/gpt-5-mini',
      max_tokens: 300,
      tools,
      tool_choice: {type: 'any'},
      messages: [{role: 'user', content: 'Weather in Paris?'}],
    })
    expect(first.stop_reason).toBe('tool_use')
    const use = first.content.find((block) => block.type === 'tool_use')
    expect(use).toMatchObject({type: 'tool_use', name: 'get_weather', input: {city: expect.any(String)}})
    if (use?.type !== 'tool_use') throw new Error('no tool use')
    const second = await client().messages.create({
      model: 'openai/gpt-5-mini',
      max_tokens: 300,
      tools,
      messages: [
        {role: 'user', content: 'Weather in Paris?'},
        {role: 'assistant', content: first.content},
        {role: 'user', content: [{type: 'tool_result', tool_use_id: use.id, content: '18°C and sunny'}]},
      ],
    })
    expect(second.stop_reason).toBe('end_turn')
    const sent = openai.requests.at(-1)!.body as {messages: Array<Record<string, unknown>>; tools: unknown[]}
    expect(sent.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool'])
    expect(sent.messages[1]).toMatchObject({
      tool_calls: [{id: use.id, type: 'function', function: {name: 'get_weather'}}],
    })
    expect(sent.messages[2]).toEqual({role: 'tool', tool_call_id: use.id, content: '18°C and sunny'})
    expect(sent.tools).toEqual([
      {
        type: 'function',
        function: {name: 'get_weather', description: 'Weather for a city', parameters: tools[0].input_schema},
      },
    ])
  })

  it("answers errors in Anthropic's shape, which the client raises with the gateway's message", async ({
    client,
    sims: {openai},
  }) => {
    const error = await client()
      .messages.create({model: 'openai/gpt-9', max_tokens: 10, messages: [{role: 'user', content: 'hi'}]})
      .then(
        () => undefined,
        (caught: unknown) => caught,
      )
    expect(error).toBeInstanceOf(Anthropic.BadRequestError)
    const apiError = error as InstanceType<typeof Anthropic.BadRequestError>
    expect(apiError.error).toMatchObject({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message: expect.stringContaining('Model "openai/gpt-9" is not configured'),
      },
    })
    // A server tool cannot go to the OpenAI-protocol account: a 400 from the routing decision that says so, and
    // nothing sent.
    const before = openai.requests.length
    const refused = await client()
      .messages.create({
        model: 'openai/gpt-5-mini',
        max_tokens: 10,
        tools: [{type: 'web_search_20250305', name: 'web_search'}],
        messages: [{role: 'user', content: 'News today?'}],
      })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      )
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError)
    expect((refused as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({
      error: {
        message: expect.stringContaining(
          'the "web_search_20250305" tool is Anthropic\'s: only anthropic accounts run it',
        ),
      },
    })
    expect(openai.requests.length).toBe(before)
  })

  it("counts tokens with the router's own estimate", async ({client}) => {
    const counted = await client().messages.countTokens({
      model: 'auto',
      messages: [{role: 'user', content: 'Hello there, how are you today? '.repeat(20)}],
    })
    expect(counted.input_tokens).toBeGreaterThan(100)
    expect(counted.input_tokens).toBeLessThan(400)
  })
})

const KEY = 'claude-code-key-0123456789'
/** A gateway that wants a key of its own. */
const behindAuth = gatewayTest({
  sims: {claude: {protocol: 'anthropic', apiKey: 'sk-ant-test-key'}},
  config: ({claude}) => `
default_model: anthropic/claude-sonnet-4.5
models:
  anthropic/claude-sonnet-4.5: {}
accounts:
  - {name: claude, provider: anthropic, base_url: ${claude.url}/v1, api_key: sk-ant-test-key}
task_routes:
  general: {default: [anthropic/claude-sonnet-4.5]}
`,
  options: {settings: {ingress_auth_required: true, ingress_api_keys: [`cc:${KEY}`]}},
})

describe('POST /v1/messages behind ingress auth', () => {
  behindAuth(
    'takes the gateway key as x-api-key, as Claude Code sends ANTHROPIC_API_KEY, and never forwards it',
    async ({gateway, sims: {claude}}) => {
      const message = await new Anthropic({baseURL: gateway.url, apiKey: KEY, maxRetries: 0}).messages.create({
        model: 'auto',
        max_tokens: 50,
        messages: [{role: 'user', content: 'Hi'}],
      })
      expect(message.type).toBe('message')
      expect(claude.requests.at(-1)!.headers['x-api-key']).toBe('sk-ant-test-key')
      const id = gateway.events.findLast((e) => e.event === 'route_decision')!.request_id
      expect(await gateway.terminal(id)).toMatchObject({principal: 'cc'})

      const refused = await new Anthropic({baseURL: gateway.url, apiKey: 'wrong-key', maxRetries: 0}).messages
        .create({model: 'auto', max_tokens: 50, messages: [{role: 'user', content: 'Hi'}]})
        .then(
          () => undefined,
          (caught: unknown) => caught,
        )
      expect(refused).toBeInstanceOf(Anthropic.AuthenticationError)
      expect((refused as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({
        type: 'error',
        error: {type: 'authentication_error'},
      })
      // OpenAI's routes still want the key in Authorization.
      const chat = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {'content-type': 'application/json', 'x-api-key': KEY},
        body: JSON.stringify({model: 'auto', messages: [{role: 'user', content: 'Hi'}]}),
      })
      expect(chat.status).toBe(401)
    },
  )
})
