import {describe, expect, it} from 'vitest'

import {ANTHROPIC_VERSION} from '../../../src/gateway/adapters/anthropic/api.js'
import {anthropicAdapter} from '../../../src/gateway/adapters/anthropic/index.js'
import {DEFAULT_MAX_TOKENS, THINKING_BUDGETS} from '../../../src/gateway/adapters/anthropic/request.js'
import {finishReasonOf} from '../../../src/gateway/adapters/anthropic/response.js'
import {AdapterError} from '../../../src/gateway/adapters/types.js'
import {
  account,
  ANTHROPIC_NO_ARGUMENTS_STREAM,
  ANTHROPIC_REFUSAL_STREAM,
  ANTHROPIC_THINKING_STREAM,
  ANTHROPIC_TOOL_STREAM,
  context,
  events,
  feed,
  openaiClientAnswering,
  sse,
} from './fixtures.js'

const BASE = 'https://api.anthropic.com/v1'
const MODEL = 'claude-sonnet-4-20250514'
const acct = account({provider: 'anthropic', base_url: BASE})

function build(body: Record<string, unknown>, options: {model?: string} = {}) {
  const ctx = context({body: {model: options.model ?? MODEL, ...body}, account: acct, model: options.model ?? MODEL})
  const request = anthropicAdapter.buildRequest(ctx)
  return {ctx, request, body: JSON.parse(String(request.body)) as Record<string, any>}
}

const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='

describe('anthropic adapter: request', () => {
  it.each([
    [BASE, 'https://api.anthropic.com/v1/messages'],
    ['https://api.anthropic.com', 'https://api.anthropic.com/v1/messages'],
    ['https://api.anthropic.com/v1/', 'https://api.anthropic.com/v1/messages'],
    ['https://proxy.internal/anthropic/v1', 'https://proxy.internal/anthropic/v1/messages'],
  ])('posts base URL %s to %s', (baseUrl, expected) => {
    const request = anthropicAdapter.buildRequest(
      context({
        body: {model: MODEL, messages: [{role: 'user', content: 'Hi'}]},
        account: account({provider: 'anthropic', base_url: baseUrl}),
      }),
    )
    expect(request.url).toBe(expected)
    expect(request.method).toBe('POST')
  })

  it('authenticates with x-api-key and pins anthropic-version, never with Authorization', () => {
    const {request} = build({messages: [{role: 'user', content: 'Hi'}]})
    expect(request.headers).toEqual({
      'content-type': 'application/json',
      'anthropic-version': ANTHROPIC_VERSION,
      'x-api-key': 'sk-test-secret',
    })
    expect(request.headers.authorization).toBeUndefined()
    expect(request.upstreamStreams).toBe(false)
  })

  it("asks for an event stream when the client streams and adds the account's headers (e.g. anthropic-beta)", () => {
    const ctx = context({
      body: {model: MODEL, stream: true, messages: [{role: 'user', content: 'Hi'}]},
      account: account({provider: 'anthropic', base_url: BASE, headers: {'anthropic-beta': 'context-1m-2025-08-07'}}),
    })
    const request = anthropicAdapter.buildRequest(ctx)
    expect(request.headers.accept).toBe('text/event-stream')
    expect(request.headers['anthropic-beta']).toBe('context-1m-2025-08-07')
    expect(JSON.parse(String(request.body)).stream).toBe(true)
  })

  it('translates a whole tool-using conversation with system prompts, images and parallel tool results', () => {
    const {body} = build({
      messages: [
        {role: 'system', content: 'You are terse.'},
        {role: 'developer', content: [{type: 'text', text: 'Answer in English.'}]},
        {
          role: 'user',
          content: [
            {type: 'text', text: 'What is in this picture, and the weather in Paris and Rome?'},
            {type: 'image_url', image_url: {url: `data:image/png;base64,${PNG_BASE64}`, detail: 'high'}},
            {type: 'image_url', image_url: {url: 'https://example.com/cat.jpg'}},
          ],
        },
        {
          role: 'assistant',
          content: 'A cat. Checking the weather.',
          tool_calls: [
            {id: 'call_1', type: 'function', function: {name: 'get_weather', arguments: '{"city":"Paris"}'}},
            {id: 'call_2', type: 'function', function: {name: 'get_weather', arguments: '{"city":"Rome"}'}},
          ],
        },
        {role: 'tool', tool_call_id: 'call_1', content: '18°C'},
        {role: 'tool', tool_call_id: 'call_2', content: [{type: 'text', text: '24°C'}]},
        {role: 'user', content: 'Thanks. Which is warmer?'},
      ],
    })
    expect(body.system).toEqual([
      {type: 'text', text: 'You are terse.'},
      {type: 'text', text: 'Answer in English.'},
    ])
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          {type: 'text', text: 'What is in this picture, and the weather in Paris and Rome?'},
          {type: 'image', source: {type: 'base64', media_type: 'image/png', data: PNG_BASE64}},
          {type: 'image', source: {type: 'url', url: 'https://example.com/cat.jpg'}},
        ],
      },
      {
        role: 'assistant',
        content: [
          {type: 'text', text: 'A cat. Checking the weather.'},
          {type: 'tool_use', id: 'call_1', name: 'get_weather', input: {city: 'Paris'}},
          {type: 'tool_use', id: 'call_2', name: 'get_weather', input: {city: 'Rome'}},
        ],
      },
      {
        // Both tool results and the next user text merge into one user turn, results first.
        role: 'user',
        content: [
          {type: 'tool_result', tool_use_id: 'call_1', content: '18°C'},
          {type: 'tool_result', tool_use_id: 'call_2', content: [{type: 'text', text: '24°C'}]},
          {type: 'text', text: 'Thanks. Which is warmer?'},
        ],
      },
    ])
  })

  it('merges consecutive messages of the same role and drops empty text (Anthropic rejects both)', () => {
    const {body} = build({
      messages: [
        {role: 'user', content: 'First.'},
        {role: 'user', content: 'Second.'},
        {role: 'assistant', content: ''},
        {
          role: 'assistant',
          content: null,
          tool_calls: [{id: 't1', type: 'function', function: {name: 'noop', arguments: ''}}],
        },
        {role: 'tool', tool_call_id: 't1', content: ''},
      ],
      tools: [{type: 'function', function: {name: 'noop'}}],
    })
    expect(body.messages).toEqual([
      {
        role: 'user',
        content: [
          {type: 'text', text: 'First.'},
          {type: 'text', text: 'Second.'},
        ],
      },
      {role: 'assistant', content: [{type: 'tool_use', id: 't1', name: 'noop', input: {}}]},
      {role: 'user', content: [{type: 'tool_result', tool_use_id: 't1'}]},
    ])
    expect(body.system).toBeUndefined()
    expect(body.tools).toEqual([{name: 'noop', input_schema: {type: 'object', properties: {}}}])
  })

  it('translates tools and each tool_choice form', () => {
    const tools = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather for a city',
          parameters: {type: 'object', properties: {city: {type: 'string'}}, required: ['city']},
          strict: true,
        },
      },
    ]
    expect(build({messages: [{role: 'user', content: 'x'}], tools}).body.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Weather for a city',
        input_schema: {type: 'object', properties: {city: {type: 'string'}}, required: ['city']},
      },
    ])
    const choice = (tool_choice: unknown, extra: Record<string, unknown> = {}) =>
      build({messages: [{role: 'user', content: 'x'}], tools, tool_choice, ...extra}).body.tool_choice
    expect(choice('auto')).toEqual({type: 'auto'})
    expect(choice('none')).toEqual({type: 'none'})
    expect(choice('required')).toEqual({type: 'any'})
    expect(choice({type: 'function', function: {name: 'get_weather'}})).toEqual({type: 'tool', name: 'get_weather'})
    expect(choice(undefined)).toBeUndefined()
    expect(choice(undefined, {parallel_tool_calls: false})).toEqual({type: 'auto', disable_parallel_tool_use: true})
    expect(choice('required', {parallel_tool_calls: false})).toEqual({type: 'any', disable_parallel_tool_use: true})
    // Without tools there is nothing to choose from: tool_choice is not sent.
    expect(build({messages: [{role: 'user', content: 'x'}], tool_choice: 'auto'}).body.tool_choice).toBeUndefined()
  })

  it('maps sampling fields and leaves out what Anthropic does not know', () => {
    const {body} = build({
      messages: [{role: 'user', content: 'x'}],
      max_tokens: 300,
      temperature: 1.6,
      top_p: 0.8,
      stop: 'END',
      user: 'user-42',
      seed: 1,
      logprobs: true,
      presence_penalty: 0.5,
      stream_options: {include_usage: true},
      response_format: {type: 'text'},
    })
    expect(body).toEqual({
      model: MODEL,
      messages: [{role: 'user', content: [{type: 'text', text: 'x'}]}],
      max_tokens: 300,
      temperature: 1,
      top_p: 0.8,
      stop_sequences: ['END'],
      metadata: {user_id: 'user-42'},
    })
  })

  it('prefers max_completion_tokens, defaults max_tokens, and drops the no-op top_p of 1', () => {
    expect(build({messages: [{role: 'user', content: 'x'}]}).body.max_tokens).toBe(DEFAULT_MAX_TOKENS)
    expect(
      build({messages: [{role: 'user', content: 'x'}], max_tokens: 10, max_completion_tokens: 20}).body.max_tokens,
    ).toBe(20)
    const {body} = build({messages: [{role: 'user', content: 'x'}], temperature: 0.3, top_p: 1, stop: ['a', 'b']})
    expect(body.top_p).toBeUndefined()
    expect(body.temperature).toBe(0.3)
    expect(body.stop_sequences).toEqual(['a', 'b'])
  })

  it('turns reasoning_effort into a thinking budget, raising max_tokens and dropping temperature', () => {
    const {body} = build({messages: [{role: 'user', content: 'x'}], reasoning_effort: 'medium', temperature: 0.2})
    expect(body.thinking).toEqual({type: 'enabled', budget_tokens: THINKING_BUDGETS.medium})
    expect(body.max_tokens).toBe(THINKING_BUDGETS.medium + DEFAULT_MAX_TOKENS)
    expect(body.temperature).toBeUndefined()
  })

  it("fits the thinking budget under the client's max_tokens, or skips thinking when there is no room", () => {
    const fits = build({messages: [{role: 'user', content: 'x'}], reasoning_effort: 'high', max_tokens: 6000}).body
    expect(fits.max_tokens).toBe(6000)
    expect(fits.thinking).toEqual({type: 'enabled', budget_tokens: 6000 - 1024})
    const tight = build({messages: [{role: 'user', content: 'x'}], reasoning_effort: 'low', max_tokens: 1500}).body
    expect(tight.thinking).toBeUndefined()
    expect(tight.max_tokens).toBe(1500)
  })

  it('skips thinking for models without it, for effort none, and inside a tool loop', () => {
    expect(
      build({messages: [{role: 'user', content: 'x'}], reasoning_effort: 'high'}, {model: 'claude-3-5-haiku-20241022'})
        .body.thinking,
    ).toBeUndefined()
    expect(build({messages: [{role: 'user', content: 'x'}], reasoning_effort: 'none'}).body.thinking).toBeUndefined()
    expect(
      build({messages: [{role: 'user', content: 'x'}], reasoning_effort: 'low'}, {model: 'claude-3-7-sonnet-20250219'})
        .body.thinking,
    ).toBeDefined()
    const loop = build({
      reasoning_effort: 'high',
      tools: [{type: 'function', function: {name: 'f'}}],
      messages: [
        {role: 'user', content: 'x'},
        {
          role: 'assistant',
          content: null,
          tool_calls: [{id: 'c', type: 'function', function: {name: 'f', arguments: '{}'}}],
        },
        {role: 'tool', tool_call_id: 'c', content: 'ok'},
      ],
    }).body
    expect(loop.thinking).toBeUndefined()
  })

  it('sends PDF and text files as document blocks', () => {
    const {body} = build({
      messages: [
        {
          role: 'user',
          content: [
            {type: 'file', file: {filename: 'report.pdf', file_data: 'data:application/pdf;base64,JVBERi0xLjQK'}},
            {
              type: 'file',
              file: {
                filename: 'notes.txt',
                file_data: `data:text/plain;base64,${Buffer.from('héllo').toString('base64')}`,
              },
            },
          ],
        },
      ],
    })
    expect(body.messages[0].content).toEqual([
      {
        type: 'document',
        source: {type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQK'},
        title: 'report.pdf',
      },
      {type: 'document', source: {type: 'text', media_type: 'text/plain', data: 'héllo'}, title: 'notes.txt'},
    ])
  })

  it.each([
    ['n greater than 1', {n: 2, messages: [{role: 'user', content: 'x'}]}, 'n must be 1'],
    [
      'audio input',
      {messages: [{role: 'user', content: [{type: 'input_audio', input_audio: {data: 'x', format: 'wav'}}]}]},
      'input_audio',
    ],
    [
      'a file id',
      {messages: [{role: 'user', content: [{type: 'file', file: {file_id: 'file-abc'}}]}]},
      'file_id is OpenAI-only',
    ],
    [
      'a non-function tool',
      {messages: [{role: 'user', content: 'x'}], tools: [{type: 'custom', custom: {name: 'x'}}]},
      'only tools of type "function"',
    ],
    ['no messages', {messages: []}, 'messages must be a non-empty array'],
    [
      'a relative image URL',
      {messages: [{role: 'user', content: [{type: 'image_url', image_url: {url: '/cat.png'}}]}]},
      'image_url must be',
    ],
  ])('refuses %s with a 400 AdapterError', (_name, body, message) => {
    let error: unknown
    try {
      build(body)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(AdapterError)
    expect((error as AdapterError).status).toBe(400)
    expect((error as AdapterError).type).toBe('invalid_request_error')
    expect((error as AdapterError).message).toContain(message)
  })
})

const TOOL_MESSAGE = {
  id: 'msg_01Aq9w938a90dw8q',
  type: 'message',
  role: 'assistant',
  model: MODEL,
  content: [
    {type: 'text', text: "I'll check the weather."},
    {
      type: 'tool_use',
      id: 'toolu_01A09q90qw90lq917835lq9',
      name: 'get_weather',
      input: {location: 'San Francisco, CA', unit: 'celsius'},
    },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: {input_tokens: 2095, output_tokens: 503, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000},
}

describe('anthropic adapter: response', () => {
  const ctx = context({body: {model: MODEL, messages: [{role: 'user', content: 'x'}]}, account: acct})

  it('translates text, tool calls, stop reason and usage into a chat.completion', () => {
    const {status, body} = anthropicAdapter.translateResponse!(200, JSON.stringify(TOOL_MESSAGE), ctx)!
    expect(status).toBe(200)
    expect(body).toEqual({
      id: 'msg_01Aq9w938a90dw8q',
      object: 'chat.completion',
      created: expect.any(Number),
      model: MODEL,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: "I'll check the weather.",
            refusal: null,
            tool_calls: [
              {
                id: 'toolu_01A09q90qw90lq917835lq9',
                type: 'function',
                function: {name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}'},
              },
            ],
          },
          finish_reason: 'tool_calls',
          logprobs: null,
        },
      ],
      // OpenAI counts cached prompt tokens in prompt_tokens; Anthropic counts them apart.
      usage: {
        prompt_tokens: 3195,
        completion_tokens: 503,
        total_tokens: 3698,
        prompt_tokens_details: {cached_tokens: 1000},
      },
    })
  })

  it("keeps Anthropic's explanation of a refusal in message.refusal, with finish_reason content_filter", () => {
    const refused = {
      id: 'msg_r',
      type: 'message',
      role: 'assistant',
      model: MODEL,
      content: [{type: 'text', text: 'Hello..'}],
      stop_reason: 'refusal',
      stop_details: {
        type: 'refusal',
        category: 'cyber',
        explanation: 'This request was declined because it could enable cyber harm.',
      },
      usage: {input_tokens: 10, output_tokens: 3},
    }
    const {body} = anthropicAdapter.translateResponse!(200, JSON.stringify(refused), ctx)! as {body: any}
    expect(body.choices[0]).toMatchObject({
      message: {content: 'Hello..', refusal: 'This request was declined because it could enable cyber harm.'},
      finish_reason: 'content_filter',
    })
    // Without stop_details (older API versions), the client still learns that Anthropic declined.
    const bare = anthropicAdapter.translateResponse!(
      200,
      JSON.stringify({...refused, stop_details: undefined, content: []}),
      ctx,
    )! as {body: any}
    expect(bare.body.choices[0].message).toMatchObject({
      content: '',
      refusal: 'Anthropic declined to answer (stop_reason: refusal).',
    })
  })

  it('is read by the official OpenAI client', async () => {
    const {body} = anthropicAdapter.translateResponse!(200, JSON.stringify(TOOL_MESSAGE), ctx)!
    const client = openaiClientAnswering(JSON.stringify(body), 'application/json')
    const completion = await client.chat.completions.create({model: MODEL, messages: [{role: 'user', content: 'x'}]})
    const call = completion.choices[0].message.tool_calls![0]
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({
      location: 'San Francisco, CA',
      unit: 'celsius',
    })
    expect(completion.usage?.total_tokens).toBe(3698)
  })

  it('gives null content for a tool-only answer and reasoning_content for thinking', () => {
    const {body} = anthropicAdapter.translateResponse!(
      200,
      JSON.stringify({
        ...TOOL_MESSAGE,
        content: [
          {type: 'thinking', thinking: 'Need the weather tool.', signature: 'sig'},
          {type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {}},
        ],
      }),
      ctx,
    )! as {body: any}
    expect(body.choices[0].message.content).toBeNull()
    expect(body.choices[0].message.reasoning_content).toBe('Need the weather tool.')
    expect(body.choices[0].message.tool_calls[0].function.arguments).toBe('{}')
  })

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['pause_turn', 'stop'],
  ])('maps stop_reason %s to finish_reason %s', (stopReason, finish) => {
    expect(finishReasonOf(stopReason)).toBe(finish)
    const {body} = anthropicAdapter.translateResponse!(
      200,
      JSON.stringify({...TOOL_MESSAGE, content: [{type: 'text', text: 'x'}], stop_reason: stopReason}),
      ctx,
    )! as {body: any}
    expect(body.choices[0].finish_reason).toBe(finish)
  })

  it.each([
    [400, 'invalid_request_error', 'messages: roles must alternate', 400, 'invalid_request_error'],
    [401, 'authentication_error', 'invalid x-api-key', 401, 'authentication_error'],
    [403, 'permission_error', 'Your API key does not have permission', 403, 'permission_error'],
    [404, 'not_found_error', 'model: claude-9', 404, 'not_found_error'],
    [
      429,
      'rate_limit_error',
      'Number of request tokens has exceeded your per-minute rate limit',
      429,
      'rate_limit_error',
    ],
    [500, 'api_error', 'Internal server error', 500, 'server_error'],
    [529, 'overloaded_error', 'Overloaded', 503, 'server_error'],
  ])('turns an Anthropic %d %s into an OpenAI error', (status, type, message, outStatus, outType) => {
    const text = JSON.stringify({type: 'error', error: {type, message}, request_id: 'req_011CSHoEeqs5C35K2UUqR7Fy'})
    const expected = {status: outStatus, body: {error: {message, type: outType, code: type, param: null}}}
    expect(anthropicAdapter.translateError!(status, text)).toEqual(expected)
    expect(anthropicAdapter.translateResponse!(status, text, ctx)!).toEqual(expected)
  })

  it('turns a non-JSON error page into an OpenAI error without relaying HTML verbatim at length', () => {
    const result = anthropicAdapter.translateError!(502, 'Bad Gateway')
    expect(result).toEqual({
      status: 502,
      body: {error: {message: 'Bad Gateway', type: 'server_error', code: null, param: null}},
    })
  })
})

describe('anthropic adapter: streaming', () => {
  function streamCtx(extra: Record<string, unknown> = {}) {
    return context({
      body: {model: MODEL, stream: true, messages: [{role: 'user', content: 'x'}], ...extra},
      account: acct,
    })
  }

  it('streams role, text, tool call deltas, the finish chunk and [DONE]', () => {
    const out = feed(anthropicAdapter.createStreamTranslator!(streamCtx())!, ANTHROPIC_TOOL_STREAM)
    const list = events(out)
    expect(list.at(-1)).toEqual({event: undefined, data: '[DONE]'})
    const chunks = list.slice(0, -1).map((event) => event.data as any)
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({
        id: 'msg_014p7gG3wDgGV9EUtLvnow3U',
        object: 'chat.completion.chunk',
        model: 'claude-sonnet-4-20250514',
      })
    }
    expect(chunks.map((chunk) => chunk.choices[0].delta)).toEqual([
      {role: 'assistant', content: ''},
      {content: 'Okay'},
      {content: ", let's check the weather for San Francisco, CA:"},
      {
        tool_calls: [
          {
            index: 0,
            id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
            type: 'function',
            function: {name: 'get_weather', arguments: ''},
          },
        ],
      },
      {tool_calls: [{index: 0, function: {arguments: '{"location":'}}]},
      {tool_calls: [{index: 0, function: {arguments: ' "San'}}]},
      {tool_calls: [{index: 0, function: {arguments: ' Francisco, CA", "unit": "fahrenheit"}'}}]},
      {},
    ])
    expect(chunks.map((chunk) => chunk.choices[0].finish_reason)).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      'tool_calls',
    ])
    // No usage chunk unless the client asked for it.
    expect(chunks.some((chunk) => 'usage' in chunk)).toBe(false)
  })

  it('gives the same output when the upstream arrives one character at a time', () => {
    const whole = feed(anthropicAdapter.createStreamTranslator!(streamCtx())!, ANTHROPIC_TOOL_STREAM)
    const byChar = feed(anthropicAdapter.createStreamTranslator!(streamCtx())!, ANTHROPIC_TOOL_STREAM, 1)
    const crlf = feed(
      anthropicAdapter.createStreamTranslator!(streamCtx())!,
      ANTHROPIC_TOOL_STREAM.replaceAll('\n', '\r\n'),
      7,
    )
    const strip = (text: string) => text.replace(/"created":\d+/g, '"created":0')
    expect(strip(byChar)).toBe(strip(whole))
    expect(strip(crlf)).toBe(strip(whole))
  })

  it('adds a usage chunk before [DONE] when stream_options.include_usage is set', () => {
    const out = feed(
      anthropicAdapter.createStreamTranslator!(streamCtx({stream_options: {include_usage: true}}))!,
      ANTHROPIC_TOOL_STREAM,
    )
    const list = events(out)
    expect(list.at(-2)!.data).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: 572,
        completion_tokens: 89,
        total_tokens: 661,
        prompt_tokens_details: {cached_tokens: 100},
      },
    })
  })

  it('is assembled by the official OpenAI client into the same tool call', async () => {
    const out = feed(
      anthropicAdapter.createStreamTranslator!(streamCtx({stream_options: {include_usage: true}}))!,
      ANTHROPIC_TOOL_STREAM,
      5,
    )
    const client = openaiClientAnswering(out, 'text/event-stream')
    const final = await client.chat.completions
      .stream({model: MODEL, messages: [{role: 'user', content: 'x'}], stream_options: {include_usage: true}})
      .finalChatCompletion()
    expect(final.choices[0].message.content).toBe("Okay, let's check the weather for San Francisco, CA:")
    expect(final.choices[0].message.tool_calls).toEqual([
      {
        id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
        type: 'function',
        function: {name: 'get_weather', arguments: '{"location": "San Francisco, CA", "unit": "fahrenheit"}'},
      },
    ])
    expect(final.choices[0].finish_reason).toBe('tool_calls')
    expect(final.usage?.completion_tokens).toBe(89)
  })

  it('gives a call without arguments "{}" arguments, as OpenAI does, so JSON.parse-based tool runners work', async () => {
    const out = feed(anthropicAdapter.createStreamTranslator!(streamCtx())!, ANTHROPIC_NO_ARGUMENTS_STREAM, 4)
    const deltas = events(out)
      .slice(0, -1)
      .map((event) => (event.data as any).choices[0].delta)
    expect(deltas).toEqual([
      {role: 'assistant', content: ''},
      {tool_calls: [{index: 0, id: 'toolu_0args', type: 'function', function: {name: 'list_files', arguments: ''}}]},
      {tool_calls: [{index: 0, function: {arguments: '{}'}}]},
      {},
    ])
    const final = await openaiClientAnswering(out, 'text/event-stream')
      .chat.completions.stream({model: MODEL, messages: [{role: 'user', content: 'x'}]})
      .finalChatCompletion()
    expect(JSON.parse(final.choices[0].message.tool_calls![0].function.arguments)).toEqual({})
  })

  it("keeps Anthropic's explanation of a refusal as the chunk's refusal, before content_filter", () => {
    const chunks = events(feed(anthropicAdapter.createStreamTranslator!(streamCtx())!, ANTHROPIC_REFUSAL_STREAM))
      .slice(0, -1)
      .map((event) => (event.data as any).choices[0])
    expect(chunks.map((choice) => choice.delta)).toEqual([
      {role: 'assistant', content: ''},
      {content: 'Hello..'},
      {refusal: 'This request was declined because it could enable cyber harm.'},
      {},
    ])
    expect(chunks.at(-1).finish_reason).toBe('content_filter')
  })

  it('streams thinking as reasoning_content and ignores signatures', () => {
    const out = feed(anthropicAdapter.createStreamTranslator!(streamCtx())!, ANTHROPIC_THINKING_STREAM, 3)
    const deltas = events(out)
      .slice(0, -1)
      .map((event) => (event.data as any).choices[0].delta)
    expect(deltas).toEqual([
      {role: 'assistant', content: ''},
      {reasoning_content: 'The user wants 27 * 453.'},
      {content: '27 * 453 = 12,231'},
      {},
    ])
  })

  it('numbers parallel tool calls 0, 1… whatever their content block index', () => {
    const stream = sse([
      {
        type: 'message_start',
        message: {
          id: 'msg_p',
          type: 'message',
          role: 'assistant',
          model: MODEL,
          content: [],
          usage: {input_tokens: 5, output_tokens: 1},
        },
      },
      {type: 'content_block_start', index: 0, content_block: {type: 'text', text: ''}},
      {type: 'content_block_delta', index: 0, delta: {type: 'text_delta', text: 'Both:'}},
      {type: 'content_block_stop', index: 0},
      {type: 'content_block_start', index: 1, content_block: {type: 'tool_use', id: 'toolu_a', name: 'a', input: {}}},
      {type: 'content_block_delta', index: 1, delta: {type: 'input_json_delta', partial_json: '{}'}},
      {type: 'content_block_stop', index: 1},
      {type: 'content_block_start', index: 2, content_block: {type: 'tool_use', id: 'toolu_b', name: 'b', input: {}}},
      {type: 'content_block_delta', index: 2, delta: {type: 'input_json_delta', partial_json: '{"x":1}'}},
      {type: 'content_block_stop', index: 2},
      {type: 'message_delta', delta: {stop_reason: 'tool_use', stop_sequence: null}, usage: {output_tokens: 30}},
      {type: 'message_stop'},
    ])
    const deltas = events(feed(anthropicAdapter.createStreamTranslator!(streamCtx())!, stream))
      .slice(0, -1)
      .map((event) => (event.data as any).choices[0].delta)
    expect(deltas.filter((delta) => delta.tool_calls).map((delta) => delta.tool_calls[0])).toEqual([
      {index: 0, id: 'toolu_a', type: 'function', function: {name: 'a', arguments: ''}},
      {index: 0, function: {arguments: '{}'}},
      {index: 1, id: 'toolu_b', type: 'function', function: {name: 'b', arguments: ''}},
      {index: 1, function: {arguments: '{"x":1}'}},
    ])
  })

  it('throws an AdapterError for an error event mid-stream, after the text already translated, and never emits [DONE]', () => {
    const translator = anthropicAdapter.createStreamTranslator!(streamCtx())!
    const head = ANTHROPIC_TOOL_STREAM.slice(0, ANTHROPIC_TOOL_STREAM.indexOf('event: content_block_stop'))
    const written = translator.push(head)
    expect(written).toContain('Okay')
    expect(written).not.toContain('[DONE]')
    let error: unknown
    try {
      translator.push(
        'event: error\ndata: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}\n\n',
      )
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(AdapterError)
    expect(error).toMatchObject({message: 'Overloaded', status: 503, code: 'overloaded_error'})
  })

  it('throws when the upstream ends before message_stop (a truncated answer is not a success)', () => {
    const translator = anthropicAdapter.createStreamTranslator!(streamCtx())!
    const cut = ANTHROPIC_TOOL_STREAM.slice(0, ANTHROPIC_TOOL_STREAM.indexOf('event: message_delta'))
    const written = translator.push(cut)
    expect(written).not.toContain('[DONE]')
    expect(() => translator.end()).toThrow(/ended before message_stop/)
  })
})
