import Anthropic from '@anthropic-ai/sdk'
import {describe, expect, it} from 'vitest'

import {anthropicAdapter} from '../../../src/gateway/adapters/anthropic/index.js'
import {messagesForAnthropic} from '../../../src/gateway/adapters/anthropic/request.js'
import {AnthropicMessagesRelay} from '../../../src/gateway/adapters/anthropic/stream.js'
import {ADAPTERS} from '../../../src/gateway/adapters/index.js'
import {
  ChatToMessagesStream,
  messageFromChat,
  messagesToChatBody,
} from '../../../src/gateway/adapters/messages-bridge.js'
import {anthropicErrorBody} from '../../../src/gateway/dialects/messages.js'
import {AdapterError} from '../../../src/gateway/adapters/types.js'
import {account, ANTHROPIC_TOOL_STREAM, chatDelta, chatStream, context, events, feed} from './fixtures.js'

const delta = chatDelta

const TOOL_STREAM = chatStream([
  delta({role: 'assistant', content: 'Checking.'}),
  delta({tool_calls: [{index: 0, id: 'call_a', type: 'function', function: {name: 'get_weather', arguments: ''}}]}),
  delta({tool_calls: [{index: 0, function: {arguments: '{"city":'}}]}),
  delta({tool_calls: [{index: 0, function: {arguments: '"Paris"}'}}]}),
  delta({}, 'tool_calls'),
  {
    choices: [],
    usage: {prompt_tokens: 30, completion_tokens: 9, total_tokens: 39, prompt_tokens_details: {cached_tokens: 12}},
  },
])

type Event = {event?: string; data: Record<string, any>}

/** The official Anthropic client, answering every request with the given body. */
function anthropicClientAnswering(body: string, contentType: string): Anthropic {
  return new Anthropic({
    apiKey: 'sk-client',
    baseURL: 'http://127.0.0.1:9',
    maxRetries: 0,
    fetch: async () => new Response(body, {status: 200, headers: {'content-type': contentType}}),
  })
}

describe("Anthropic's Messages API over chat completions: the request", () => {
  it('translates system blocks, images, tool use and tool results, tools and the options', () => {
    const chat = messagesToChatBody(
      {
        model: 'gpt-5-mini',
        max_tokens: 512,
        system: [
          {type: 'text', text: 'You are terse.', cache_control: {type: 'ephemeral'}},
          {type: 'text', text: 'Use the tools.'},
        ],
        messages: [
          {
            role: 'user',
            content: [
              {type: 'text', text: 'Weather here? '},
              {type: 'image', source: {type: 'base64', media_type: 'image/jpeg', data: 'AAAA'}},
            ],
          },
          {
            role: 'assistant',
            content: [
              {type: 'thinking', thinking: 'Need the city.', signature: 'sig'},
              {type: 'text', text: 'Looking it up.'},
              {type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {city: 'Paris'}},
            ],
          },
          {
            role: 'user',
            content: [
              {type: 'tool_result', tool_use_id: 'toolu_1', content: [{type: 'text', text: '18°C'}]},
              {type: 'text', text: 'And tomorrow?'},
            ],
          },
        ],
        tools: [
          {
            name: 'get_weather',
            description: 'Weather',
            input_schema: {type: 'object', properties: {city: {type: 'string'}}},
          },
        ],
        tool_choice: {type: 'any', disable_parallel_tool_use: true},
        temperature: 0.3,
        top_k: 5,
        stop_sequences: ['END'],
        metadata: {user_id: 'u-1'},
        thinking: {type: 'enabled', budget_tokens: 8000},
      },
      true,
    )
    expect(chat).toEqual({
      model: 'gpt-5-mini',
      messages: [
        {role: 'system', content: 'You are terse.\nUse the tools.'},
        {
          role: 'user',
          content: [
            {type: 'text', text: 'Weather here? '},
            {type: 'image_url', image_url: {url: 'data:image/jpeg;base64,AAAA'}},
          ],
        },
        {
          role: 'assistant',
          content: 'Looking it up.',
          tool_calls: [
            {type: 'function', id: 'toolu_1', function: {name: 'get_weather', arguments: '{"city":"Paris"}'}},
          ],
        },
        {role: 'tool', tool_call_id: 'toolu_1', content: '18°C'},
        {role: 'user', content: 'And tomorrow?'},
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather',
            parameters: {type: 'object', properties: {city: {type: 'string'}}},
          },
        },
      ],
      tool_choice: 'required',
      parallel_tool_calls: false,
      max_tokens: 512,
      temperature: 0.3,
      stop: ['END'],
      reasoning_effort: 'medium',
      stream: true,
      stream_options: {include_usage: true},
    })
  })

  it('moves the images of tool results into a user message after them (chat tool messages carry text only)', () => {
    const chat = messagesToChatBody(
      {
        model: 'm',
        messages: [
          {role: 'assistant', content: [{type: 'tool_use', id: 't1', name: 'screenshot', input: {}}]},
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: 't1',
                content: [
                  {type: 'text', text: 'Captured.'},
                  {type: 'image', source: {type: 'base64', media_type: 'image/png', data: 'AAAA'}},
                ],
              },
              {type: 'text', text: 'What is on screen?'},
            ],
          },
        ],
      },
      false,
    )
    expect(chat.messages).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{type: 'function', id: 't1', function: {name: 'screenshot', arguments: '{}'}}],
      },
      {role: 'tool', tool_call_id: 't1', content: 'Captured.\n[image 1, attached below]'},
      {
        role: 'user',
        content: [
          {type: 'text', text: 'The images the tool results above refer to:'},
          {type: 'image_url', image_url: {url: 'data:image/png;base64,AAAA'}},
          {type: 'text', text: 'What is on screen?'},
        ],
      },
    ])
  })

  it('marks a failed tool result, names a forced tool, and drops a turn that held only thinking', () => {
    const chat = messagesToChatBody(
      {
        model: 'm',
        messages: [
          {role: 'assistant', content: [{type: 'redacted_thinking', data: 'x'}]},
          {role: 'assistant', content: [{type: 'tool_use', id: 't', name: 'run', input: {}}]},
          {role: 'user', content: [{type: 'tool_result', tool_use_id: 't', content: 'exit 1', is_error: true}]},
        ],
        tools: [{name: 'run', input_schema: {type: 'object'}}],
        tool_choice: {type: 'tool', name: 'run'},
      },
      false,
    )
    expect(chat.messages).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{type: 'function', id: 't', function: {name: 'run', arguments: '{}'}}],
      },
      {role: 'tool', tool_call_id: 't', content: 'Error: exit 1'},
    ])
    expect(chat.tool_choice).toEqual({type: 'function', function: {name: 'run'}})
  })

  it.each([
    [{tools: [{type: 'web_search_20250305', name: 'web_search'}]}, "runs on Anthropic's servers"],
    [
      {
        messages: [
          {
            role: 'user',
            content: [{type: 'document', source: {type: 'base64', media_type: 'application/pdf', data: 'AA'}}],
          },
        ],
      },
      '"document"',
    ],
    [
      {messages: [{role: 'assistant', content: [{type: 'server_tool_use', id: 's', name: 'web_search', input: {}}]}]},
      '"server_tool_use"',
    ],
    [
      {
        messages: [
          {
            role: 'user',
            content: [{type: 'tool_result', tool_use_id: 't', content: [{type: 'search_result', source: 'x'}]}],
          },
        ],
      },
      'tool result',
    ],
  ])('refuses what only Anthropic runs: %j', (fields, named) => {
    let error: unknown
    try {
      messagesToChatBody({model: 'm', max_tokens: 10, messages: [{role: 'user', content: 'hi'}], ...fields}, false)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(AdapterError)
    expect(error).toMatchObject({status: 400, type: 'invalid_request_error'})
    expect((error as Error).message).toContain(named)
    expect((error as Error).message).toContain('chat completion')
  })
})

describe('what Claude Code sends, on each kind of upstream', () => {
  /** Claude Code's request for a model it does not know: a system turn among the messages, adaptive thinking. */
  const claudeCode = {
    model: 'up-model',
    max_tokens: 32000,
    system: [{type: 'text', text: 'You are Claude Code.', cache_control: {type: 'ephemeral'}}],
    messages: [
      {role: 'user', content: [{type: 'text', text: 'Read notes.txt', cache_control: {type: 'ephemeral'}}]},
      {role: 'system', content: 'Available agent types for the Agent tool: …'},
    ],
    tools: [
      {
        name: 'Read',
        description: 'Reads a file',
        input_schema: {type: 'object', properties: {file_path: {type: 'string'}}},
        cache_control: {type: 'ephemeral'},
      },
    ],
    metadata: {user_id: 'user_0123456789abcdef_account__session_0123'},
    thinking: {type: 'adaptive'},
    output_config: {effort: 'high'},
    context_management: {edits: [{type: 'clear_thinking_20251015', keep: 'all'}]},
    stream: true,
  }

  it("moves system turns into Anthropic's system blocks for a model without them, and leaves every other field as sent", () => {
    const upstream = messagesForAnthropic(claudeCode, () => JSON.stringify(claudeCode), 'claude-sonnet-4-5')
    expect(upstream.betas).toEqual([])
    const body = JSON.parse(String(upstream.body))
    expect(body.system).toEqual([
      {type: 'text', text: 'You are Claude Code.', cache_control: {type: 'ephemeral'}},
      {type: 'text', text: 'Available agent types for the Agent tool: …'},
    ])
    expect(body.messages).toEqual([claudeCode.messages[0]])
    const {system: _system, messages: _messages, ...rest} = body
    const {system: _s, messages: _m, ...sent} = claudeCode
    expect(rest).toEqual(sent)
  })

  it('keeps system turns where they stand for Claude Opus 4.8, which takes them (the cached prefix stays the same)', () => {
    const bytes = Buffer.from(JSON.stringify(claudeCode))
    expect(messagesForAnthropic(claudeCode, () => bytes, 'claude-opus-4-8').body).toBe(bytes)
  })

  it("sends a body without system turns or betas as the client's own bytes, and a betas list as the header", () => {
    const bytes = Buffer.from('{"model":"up-model"}')
    expect(
      messagesForAnthropic({model: 'up-model', messages: [{role: 'user', content: 'Hi'}]}, () => bytes, 'up-model')
        .body,
    ).toBe(bytes)
    const ctx = {
      ...context({
        endpoint: 'messages',
        path: '/messages',
        body: {
          model: 'up-model',
          max_tokens: 5,
          betas: ['context-1m-2025-08-07'],
          messages: [{role: 'user', content: 'Hi'}],
        },
        account: account({provider: 'anthropic', base_url: 'https://api.anthropic.com/v1'}),
      }),
      anthropicBeta: 'claude-code-20250219',
    }
    const request = ADAPTERS.anthropic.buildRequest(ctx)
    expect(request.headers['anthropic-beta']).toBe('claude-code-20250219,context-1m-2025-08-07')
    expect(JSON.parse(String(request.body))).not.toHaveProperty('betas')
  })

  it('sends a system turn to a chat provider as a system message where it stands, and adaptive effort as reasoning_effort', () => {
    const chat = messagesToChatBody(claudeCode, true)
    expect(chat.messages).toEqual([
      {role: 'system', content: 'You are Claude Code.'},
      {role: 'user', content: 'Read notes.txt'},
      {role: 'system', content: 'Available agent types for the Agent tool: …'},
    ])
    expect(chat.reasoning_effort).toBe('high')
    // What only Anthropic understands stays behind: cache_control, metadata, context_management, output_config.
    expect(chat).not.toHaveProperty('metadata')
    expect(chat).not.toHaveProperty('context_management')
    expect(chat).not.toHaveProperty('output_config')
    expect(chat.tools).toEqual([
      {
        type: 'function',
        function: {name: 'Read', description: 'Reads a file', parameters: claudeCode.tools[0].input_schema},
      },
    ])
    expect(messagesToChatBody({...claudeCode, output_config: {effort: 'max'}}, false).reasoning_effort).toBe('high')
    expect(messagesToChatBody({...claudeCode, output_config: undefined}, false)).not.toHaveProperty('reasoning_effort')
  })
})

describe("Anthropic's Messages API over chat completions: the answer", () => {
  it('counts cached prompt tokens once: OpenAI includes them in prompt_tokens, Anthropic adds them to input_tokens', () => {
    // A recorded answer: a 7,112-token prompt of which 3,072 were cached.
    const usage = {
      prompt_tokens: 7112,
      completion_tokens: 40,
      total_tokens: 7152,
      prompt_tokens_details: {cached_tokens: 3072},
    }
    const message = messageFromChat({
      model: 'gpt-5.2',
      choices: [{message: {content: 'Done.'}, finish_reason: 'stop'}],
      usage,
    })
    expect(message.usage).toEqual({input_tokens: 4040, output_tokens: 40, cache_read_input_tokens: 3072})
    const stream = events(
      feed(
        new ChatToMessagesStream(),
        chatStream([delta({content: 'Done.'}), delta({}, 'stop'), {choices: [], usage}]),
      ),
    ) as Event[]
    expect(stream.find((event) => event.event === 'message_delta')!.data.usage).toEqual({
      input_tokens: 4040,
      output_tokens: 40,
      cache_read_input_tokens: 3072,
    })
  })

  it("answers a provider's refusal as stop_reason refusal with its explanation in stop_details", () => {
    const explanation = "I'm sorry, I can't help with that."
    const message = messageFromChat({
      model: 'gpt-5.2',
      choices: [{message: {content: null, refusal: explanation}, finish_reason: 'stop'}],
    })
    expect(message).toMatchObject({content: [], stop_reason: 'refusal', stop_details: {type: 'refusal', explanation}})
    const stream = events(
      feed(
        new ChatToMessagesStream(),
        chatStream([
          delta({role: 'assistant', refusal: "I'm sorry, "}),
          delta({refusal: "I can't help with that."}),
          delta({}, 'stop'),
        ]),
      ),
    ) as Event[]
    expect(stream.find((event) => event.event === 'message_delta')!.data.delta).toEqual({
      stop_reason: 'refusal',
      stop_details: {type: 'refusal', category: null, explanation},
      stop_sequence: null,
    })
  })

  it('turns a completion with text and tool calls into content blocks, with the stop reason and usage', () => {
    const message = messageFromChat({
      model: 'gpt-5-mini',
      choices: [
        {
          finish_reason: 'tool_calls',
          message: {
            content: 'Checking.',
            reasoning_content: 'hidden',
            tool_calls: [{id: 'call_a', function: {name: 'get_weather', arguments: '{"city":"Paris"}'}}],
          },
        },
      ],
      usage: {prompt_tokens: 30, completion_tokens: 9, total_tokens: 39, prompt_tokens_details: {cached_tokens: 12}},
    })
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'gpt-5-mini',
      content: [
        {type: 'text', text: 'Checking.'},
        {type: 'tool_use', id: 'call_a', name: 'get_weather', input: {city: 'Paris'}},
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {input_tokens: 18, output_tokens: 9, cache_read_input_tokens: 12},
    })
    expect(message.id).toMatch(/^msg_[0-9a-f]{24}$/)
  })

  it.each([
    ['stop', 'end_turn'],
    ['length', 'max_tokens'],
    ['content_filter', 'refusal'],
  ])('maps finish reason %s to stop reason %s', (finish, stop) => {
    expect(messageFromChat({choices: [{message: {content: 'x'}, finish_reason: finish}]}).stop_reason).toBe(stop)
  })

  it('is what the official Anthropic client reads', async () => {
    const body = JSON.stringify(
      messageFromChat({
        model: 'm',
        choices: [{message: {content: 'Hello'}, finish_reason: 'stop'}],
        usage: {prompt_tokens: 3, completion_tokens: 1},
      }),
    )
    const message = await anthropicClientAnswering(body, 'application/json').messages.create({
      model: 'm',
      max_tokens: 10,
      messages: [{role: 'user', content: 'hi'}],
    })
    expect(message.content).toMatchObject([{type: 'text', text: 'Hello'}])
    expect(message.usage).toMatchObject({input_tokens: 3, output_tokens: 1})
  })

  it("puts OpenAI-shaped errors in Anthropic's shape, with the type for the status", () => {
    expect(anthropicErrorBody(429, {error: {message: 'slow down', type: 'rate_limit_error'}})).toEqual({
      type: 'error',
      error: {type: 'rate_limit_error', message: 'slow down'},
    })
    expect(anthropicErrorBody(503, {error: {message: 'all failed'}})).toEqual({
      type: 'error',
      error: {type: 'overloaded_error', message: 'all failed'},
    })
    expect(anthropicErrorBody(413, {error: {message: 'too big'}})).toMatchObject({error: {type: 'request_too_large'}})
    const native = {type: 'error', error: {type: 'overloaded_error', message: 'Overloaded'}}
    expect(anthropicErrorBody(529, native)).toBe(native)
  })
})

describe("Anthropic's Messages API over chat completions: the stream", () => {
  it('writes message_start, one block per text and tool call, message_delta with the stop reason and usage, message_stop', () => {
    const out = events(feed(new ChatToMessagesStream(), TOOL_STREAM)) as Event[]
    expect(out.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ])
    for (const e of out) expect(e.data.type).toBe(e.event)
    expect(out[0].data.message).toMatchObject({type: 'message', role: 'assistant', model: 'gpt-5-mini', content: []})
    expect(out[1].data).toEqual({type: 'content_block_start', index: 0, content_block: {type: 'text', text: ''}})
    expect(out[2].data.delta).toEqual({type: 'text_delta', text: 'Checking.'})
    expect(out[4].data).toEqual({
      type: 'content_block_start',
      index: 1,
      content_block: {type: 'tool_use', id: 'call_a', name: 'get_weather', input: {}},
    })
    expect(
      out
        .slice(5, 7)
        .map((e) => e.data.delta.partial_json)
        .join(''),
    ).toBe('{"city":"Paris"}')
    expect(out[8].data).toEqual({
      type: 'message_delta',
      delta: {stop_reason: 'tool_use', stop_sequence: null},
      usage: {input_tokens: 18, output_tokens: 9, cache_read_input_tokens: 12},
    })
  })

  it('gives the same events whatever the chunking', () => {
    const shape = (text: string) => (events(text) as Event[]).map((e) => [e.event, e.data.delta ?? null])
    const whole = shape(feed(new ChatToMessagesStream(), TOOL_STREAM))
    expect(shape(feed(new ChatToMessagesStream(), TOOL_STREAM, 1))).toEqual(whole)
    expect(shape(feed(new ChatToMessagesStream(), TOOL_STREAM.replaceAll('\n', '\r\n'), 7))).toEqual(whole)
  })

  it('never finishes a stream that ended before its finish reason, and raises an error from the upstream', () => {
    const cut = new ChatToMessagesStream()
    cut.push(chatStream([delta({content: 'Half'})], {done: false}))
    expect(() => cut.end()).toThrow(/ended before the answer was complete/)
    expect(() => new ChatToMessagesStream().push('data: {"error":{"message":"boom"}}\n\n')).toThrow(AdapterError)
  })

  it('is what the official Anthropic client reads, as events and as the final message', async () => {
    const text = feed(new ChatToMessagesStream(), TOOL_STREAM)
    const stream = anthropicClientAnswering(text, 'text/event-stream').messages.stream({
      model: 'm',
      max_tokens: 10,
      messages: [{role: 'user', content: 'hi'}],
    })
    const final = await stream.finalMessage()
    expect(final.content).toMatchObject([
      {type: 'text', text: 'Checking.'},
      {type: 'tool_use', id: 'call_a', name: 'get_weather', input: {city: 'Paris'}},
    ])
    expect(final.stop_reason).toBe('tool_use')
  })
})

describe("Anthropic's Messages API: the adapters", () => {
  const messagesCtx = (provider: string, baseUrl: string, fields: Record<string, unknown> = {}) =>
    context({
      endpoint: 'messages',
      path: '/messages',
      body: {
        model: 'up-model',
        max_tokens: 100,
        system: [{type: 'text', text: 'Sys', cache_control: {type: 'ephemeral'}}],
        messages: [{role: 'user', content: 'Hi'}],
        ...fields,
      },
      account: account({provider, base_url: baseUrl}),
    })

  it("sends Anthropic the client's own body and beta header, and relays the answer untranslated", () => {
    const ctx = {
      ...messagesCtx('anthropic', 'https://api.anthropic.com/v1', {stream: true}),
      anthropicBeta: 'context-1m-2025-08-07',
    }
    const request = ADAPTERS.anthropic.buildRequest(ctx)
    expect(request.url).toBe('https://api.anthropic.com/v1/messages')
    expect(request.headers).toMatchObject({
      'anthropic-beta': 'context-1m-2025-08-07',
      'x-api-key': 'sk-test-secret',
      accept: 'text/event-stream',
    })
    expect(request.body).toBe(ctx.bodyJson())
    expect(ADAPTERS.anthropic.translateResponse!(200, '{"type":"message"}', ctx)).toBeUndefined()
    // A stream is relayed event by event, byte for byte.
    const relay = ADAPTERS.anthropic.createStreamTranslator!(ctx)!
    expect(feed(relay, ANTHROPIC_TOOL_STREAM, 5)).toBe(ANTHROPIC_TOOL_STREAM)
    // Its usage, for the audit log: input and cache counts from message_start (the prompt is all three: Anthropic's
    // input_tokens leaves out what the cache served), output from the last message_delta.
    const reported = (events(ANTHROPIC_TOOL_STREAM) as Event[]).filter(
      (e) => e.event === 'message_start' || e.event === 'message_delta',
    )
    const start = reported[0].data.message.usage
    expect(start.cache_read_input_tokens).toBeGreaterThan(0)
    expect(relay.reportedUsage!()).toEqual({
      prompt_tokens: start.input_tokens + start.cache_read_input_tokens + start.cache_creation_input_tokens,
      completion_tokens: reported.at(-1)!.data.usage.output_tokens,
      cached_tokens: start.cache_read_input_tokens,
      cache_write_tokens: start.cache_creation_input_tokens,
    })
    // A chat client's request is still translated, and gets no beta header from anywhere but the account.
    const chat = anthropicAdapter.buildRequest(
      context({
        body: {model: 'up-model', messages: [{role: 'user', content: 'Hi'}]},
        account: account({provider: 'anthropic', base_url: 'https://api.anthropic.com/v1'}),
      }),
    )
    expect(chat.headers['anthropic-beta']).toBeUndefined()
  })

  it('fails a relayed Anthropic stream on an error event or a missing message_stop, never passes it as a success', () => {
    const relay = new AnthropicMessagesRelay()
    expect(relay.push('event: message_start\ndata: {"type":"message_start","message":{}}\n\n')).toContain(
      'message_start',
    )
    let error: unknown
    try {
      relay.push('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n')
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(AdapterError)
    expect(error).toMatchObject({message: 'Overloaded', code: 'overloaded_error'})
    const cut = new AnthropicMessagesRelay()
    cut.push('event: message_start\ndata: {"type":"message_start","message":{}}\n\n')
    expect(() => cut.end()).toThrow(/ended before message_stop/)
  })

  it('sends an OpenAI-format provider the request as a chat completion and answers an Anthropic message', () => {
    const ctx = messagesCtx('openai', 'https://api.openai.com/v1')
    const request = ADAPTERS.openai.buildRequest(ctx)
    expect(request.url).toBe('https://api.openai.com/v1/chat/completions')
    expect(JSON.parse(String(request.body))).toEqual({
      model: 'up-model',
      max_tokens: 100,
      messages: [
        {role: 'system', content: 'Sys'},
        {role: 'user', content: 'Hi'},
      ],
    })
    const translated = ADAPTERS.openai.translateResponse!(
      200,
      JSON.stringify({model: 'up-model', choices: [{message: {content: 'Hello'}, finish_reason: 'stop'}]}),
      ctx,
    )!
    expect(translated.body).toMatchObject({
      type: 'message',
      content: [{type: 'text', text: 'Hello'}],
      stop_reason: 'end_turn',
    })
    const stream = ADAPTERS.openai.createStreamTranslator!({...ctx, stream: true})!
    expect((events(feed(stream, TOOL_STREAM)) as Event[]).at(-1)!.event).toBe('message_stop')
  })

  it('goes through both translations for the ChatGPT backend (Messages → chat → Responses and back)', () => {
    const ctx = {
      ...messagesCtx('openai-codex', 'https://chatgpt.com/backend-api'),
      credential: {token: 't', accountId: 'acct'},
    }
    const request = ADAPTERS['openai-codex'].buildRequest(ctx)
    expect(request.url).toBe('https://chatgpt.com/backend-api/codex/responses')
    expect(JSON.parse(String(request.body))).toMatchObject({
      model: 'up-model',
      instructions: 'Sys',
      input: [{role: 'user'}],
    })
  })
})
