import {describe, expect, it} from 'vitest'

import {CODEX_ORIGINATOR} from '../../../src/gateway/adapters/openai-codex/api.js'
import {openaiCodexAdapter} from '../../../src/gateway/adapters/openai-codex/index.js'
import {AdapterError} from '../../../src/gateway/adapters/types.js'
import {
  account,
  CODEX_ERROR_EVENT_STREAM,
  CODEX_FAILED_STREAM,
  CODEX_INCOMPLETE_STREAM,
  CODEX_TEXT_STREAM,
  CODEX_TOOL_STREAM,
  context,
  events,
  feed,
  openaiClientAnswering,
  sse,
} from './fixtures.js'

const BASE = 'https://chatgpt.com/backend-api'
const MODEL = 'gpt-5-codex'
const acct = account({provider: 'openai-codex', base_url: BASE, auth_mode: 'oauth'})

function chatCtx(body: Record<string, unknown>) {
  return context({body: {model: MODEL, ...body}, account: acct, token: 'eyJ.access.token', accountId: 'acc-7f3e'})
}

function responsesCtx(body: Record<string, unknown>) {
  return context({
    endpoint: 'responses',
    path: '/responses',
    body: {model: MODEL, ...body},
    account: acct,
    token: 'eyJ.access.token',
    accountId: 'acc-7f3e',
  })
}

function built(ctx: ReturnType<typeof chatCtx>) {
  const request = openaiCodexAdapter.buildRequest(ctx)
  return {request, body: JSON.parse(String(request.body)) as Record<string, any>}
}

function caught(fn: () => unknown): AdapterError {
  try {
    fn()
  } catch (error) {
    if (error instanceof AdapterError) return error
    throw error
  }
  throw new Error('expected an AdapterError')
}

describe('openai-codex adapter: request', () => {
  it.each([
    [BASE, 'https://chatgpt.com/backend-api/codex/responses'],
    [`${BASE}/`, 'https://chatgpt.com/backend-api/codex/responses'],
    ['https://chatgpt.com', 'https://chatgpt.com/backend-api/codex/responses'],
  ])('posts base URL %s to %s for chat and responses alike', (baseUrl, expected) => {
    for (const ctx of [chatCtx({messages: [{role: 'user', content: 'Hi'}]}), responsesCtx({input: 'Hi'})]) {
      const request = openaiCodexAdapter.buildRequest({
        ...ctx,
        account: account({provider: 'openai-codex', base_url: baseUrl}),
      })
      expect(request.url).toBe(expected)
      expect(request.upstreamStreams).toBe(true)
    }
  })

  it('sends the access token, the ChatGPT account id and the Codex client headers', () => {
    const {request} = built(chatCtx({messages: [{role: 'user', content: 'Hi'}]}))
    expect(request.headers).toEqual({
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'openai-beta': 'responses=experimental',
      originator: CODEX_ORIGINATOR,
      authorization: 'Bearer eyJ.access.token',
      'chatgpt-account-id': 'acc-7f3e',
    })
  })

  it('translates a chat conversation into instructions and Responses input items', () => {
    const {body} = built(
      chatCtx({
        stream: false,
        messages: [
          {role: 'system', content: 'You are a careful engineer.'},
          {role: 'developer', content: [{type: 'text', text: 'Prefer TypeScript.'}]},
          {
            role: 'user',
            content: [
              {type: 'text', text: 'What is in this screenshot? Then check the weather.'},
              {type: 'image_url', image_url: {url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low'}},
              {type: 'image_url', image_url: {url: 'https://example.com/a.png'}},
            ],
          },
          {
            role: 'assistant',
            content: 'A terminal. Checking.',
            tool_calls: [
              {id: 'call_1', type: 'function', function: {name: 'get_weather', arguments: '{"city":"Oslo"}'}},
            ],
          },
          {role: 'tool', tool_call_id: 'call_1', content: '-3°C'},
          {role: 'user', content: 'Thanks'},
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
        tool_choice: {type: 'function', function: {name: 'get_weather'}},
        parallel_tool_calls: false,
        reasoning_effort: 'high',
        max_tokens: 500,
        max_completion_tokens: 500,
        temperature: 0.2,
        top_p: 0.5,
        stop: ['x'],
        prompt_cache_key: 'conv-1',
      }),
    )
    expect(body).toEqual({
      model: MODEL,
      instructions: 'You are a careful engineer.\n\nPrefer TypeScript.',
      input: [
        {
          type: 'message',
          role: 'user',
          content: [
            {type: 'input_text', text: 'What is in this screenshot? Then check the weather.'},
            {type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low'},
            {type: 'input_image', image_url: 'https://example.com/a.png', detail: 'auto'},
          ],
        },
        {type: 'message', role: 'assistant', content: [{type: 'output_text', text: 'A terminal. Checking.'}]},
        {type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}'},
        {type: 'function_call_output', call_id: 'call_1', output: '-3°C'},
        {type: 'message', role: 'user', content: [{type: 'input_text', text: 'Thanks'}]},
      ],
      // A non-streaming client still gets a streamed, unstored upstream request: the backend knows no other kind.
      store: false,
      stream: true,
      reasoning: {effort: 'high', summary: 'auto'},
      tools: [
        {
          type: 'function',
          name: 'get_weather',
          description: 'Weather',
          parameters: {type: 'object', properties: {city: {type: 'string'}}},
          strict: false,
        },
      ],
      tool_choice: {type: 'function', name: 'get_weather'},
      parallel_tool_calls: false,
      prompt_cache_key: 'conv-1',
    })
  })

  it('always sends instructions, and maps string tool choices and response formats', () => {
    const {body} = built(
      chatCtx({
        messages: [{role: 'user', content: 'Give JSON'}],
        tools: [
          {
            type: 'function',
            function: {
              name: 'f',
              strict: true,
              parameters: {type: 'object', properties: {}, additionalProperties: false},
            },
          },
        ],
        tool_choice: 'required',
        response_format: {type: 'json_schema', json_schema: {name: 'answer', schema: {type: 'object'}, strict: true}},
        verbosity: 'low',
      }),
    )
    expect(body.instructions).toBe('')
    expect(body.tool_choice).toBe('required')
    expect(body.tools[0].strict).toBe(true)
    expect(body.text).toEqual({
      format: {type: 'json_schema', name: 'answer', schema: {type: 'object'}, strict: true},
      verbosity: 'low',
    })
    expect(body.reasoning).toEqual({summary: 'auto'})
    expect(
      built(chatCtx({messages: [{role: 'user', content: 'x'}], response_format: {type: 'json_object'}})).body.text,
    ).toEqual({
      format: {type: 'json_object'},
    })
  })

  it('forwards a Responses body with stream and store forced and unsupported limits removed', () => {
    const ctx = responsesCtx({
      input: [{role: 'user', content: 'Hi'}],
      instructions: 'Be brief.',
      stream: false,
      store: true,
      max_output_tokens: 100,
      temperature: 0.7,
      include: ['reasoning.encrypted_content'],
      reasoning: {effort: 'low'},
    })
    const {body} = built(ctx)
    expect(body).toEqual({
      model: MODEL,
      input: [{role: 'user', content: 'Hi'}],
      instructions: 'Be brief.',
      stream: true,
      store: false,
      include: ['reasoning.encrypted_content'],
      reasoning: {effort: 'low'},
    })
    expect(ctx.body.store).toBe(true)
  })

  it('refuses endpoints and content the backend cannot serve', () => {
    expect(openaiCodexAdapter.supports('embeddings')).toBe(false)
    expect(openaiCodexAdapter.supports('passthrough')).toBe(false)
    const embeddings = caught(() =>
      openaiCodexAdapter.buildRequest(
        context({endpoint: 'embeddings', path: '/embeddings', body: {model: MODEL, input: 'x'}, account: acct}),
      ),
    )
    expect(embeddings.status).toBe(400)
    const audio = caught(() =>
      built(
        chatCtx({messages: [{role: 'user', content: [{type: 'input_audio', input_audio: {data: '', format: 'wav'}}]}]}),
      ),
    )
    expect(audio.message).toContain('input_audio')
    expect(caught(() => built(chatCtx({messages: 'Hi'}))).message).toContain('messages must be a non-empty array')
  })
})

describe('openai-codex adapter: chat answers', () => {
  it('assembles one chat.completion from the whole SSE text for a non-streaming client', () => {
    const ctx = chatCtx({messages: [{role: 'user', content: 'Hi'}]})
    const {status, body} = openaiCodexAdapter.translateResponse!(200, CODEX_TEXT_STREAM, ctx)!
    expect(status).toBe(200)
    expect(body).toEqual({
      id: 'resp_68a1c0ffee',
      object: 'chat.completion',
      created: 1755000000,
      model: 'gpt-5-codex',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Hello there — ünïcødé 👋',
            refusal: null,
            reasoning_content: '**Greeting**',
          },
          finish_reason: 'stop',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: 36,
        completion_tokens: 87,
        total_tokens: 123,
        prompt_tokens_details: {cached_tokens: 12},
        completion_tokens_details: {reasoning_tokens: 64},
      },
    })
  })

  it('assembles parallel tool calls with their call ids for a non-streaming client', async () => {
    const ctx = chatCtx({messages: [{role: 'user', content: 'Weather and time?'}]})
    const {body} = openaiCodexAdapter.translateResponse!(200, CODEX_TOOL_STREAM, ctx)!
    const client = openaiClientAnswering(JSON.stringify(body), 'application/json')
    const completion = await client.chat.completions.create({model: MODEL, messages: [{role: 'user', content: 'x'}]})
    expect(completion.choices[0].message.content).toBeNull()
    expect(completion.choices[0].message.tool_calls).toEqual([
      {id: 'call_AbC123', type: 'function', function: {name: 'get_weather', arguments: '{"location":"Paris"}'}},
      {id: 'call_DeF456', type: 'function', function: {name: 'get_time', arguments: '{"tz":"CET"}'}},
    ])
    expect(completion.choices[0].finish_reason).toBe('tool_calls')
  })

  it('streams chat chunks: role, reasoning, text, finish, usage and [DONE], the same at any split', () => {
    const ctx = chatCtx({
      stream: true,
      stream_options: {include_usage: true},
      messages: [{role: 'user', content: 'Hi'}],
    })
    const whole = feed(openaiCodexAdapter.createStreamTranslator!(ctx)!, CODEX_TEXT_STREAM)
    expect(feed(openaiCodexAdapter.createStreamTranslator!(ctx)!, CODEX_TEXT_STREAM, 1)).toBe(whole)
    expect(feed(openaiCodexAdapter.createStreamTranslator!(ctx)!, CODEX_TEXT_STREAM, 13)).toBe(whole)
    const list = events(whole)
    expect(list.at(-1)!.data).toBe('[DONE]')
    const chunks = list.slice(0, -1).map((event) => event.data as any)
    expect(chunks.slice(0, -1).map((chunk) => [chunk.choices[0].delta, chunk.choices[0].finish_reason])).toEqual([
      [{role: 'assistant', content: ''}, null],
      [{reasoning_content: '**Greeting**'}, null],
      [{content: 'Hello'}, null],
      [{content: ' there — ünïcødé 👋'}, null],
      [{}, 'stop'],
    ])
    expect(chunks.at(-1)).toMatchObject({
      id: 'resp_68a1c0ffee',
      choices: [],
      usage: {prompt_tokens: 36, completion_tokens: 87, total_tokens: 123},
    })
  })

  it('streams tool calls that the official OpenAI client assembles', async () => {
    const ctx = chatCtx({stream: true, messages: [{role: 'user', content: 'x'}]})
    const out = feed(openaiCodexAdapter.createStreamTranslator!(ctx)!, CODEX_TOOL_STREAM, 1)
    expect(events(out).some((event) => (event.data as any).usage)).toBe(false)
    const final = await openaiClientAnswering(out, 'text/event-stream')
      .chat.completions.stream({model: MODEL, messages: [{role: 'user', content: 'x'}]})
      .finalChatCompletion()
    expect(final.choices[0].message.tool_calls).toEqual([
      {id: 'call_AbC123', type: 'function', function: {name: 'get_weather', arguments: '{"location":"Paris"}'}},
      {id: 'call_DeF456', type: 'function', function: {name: 'get_time', arguments: '{"tz":"CET"}'}},
    ])
    expect(final.choices[0].finish_reason).toBe('tool_calls')
  })

  it('still gets a tool call across when the backend sends it whole, without added or delta events', () => {
    const stream = sse([
      {type: 'response.created', response: {id: 'resp_w', created_at: 1, model: MODEL}},
      {
        type: 'response.output_item.done',
        output_index: 0,
        item: {type: 'function_call', call_id: 'call_w', name: 'ls', arguments: '{"path":"."}'},
      },
      {
        type: 'response.completed',
        response: {id: 'resp_w', created_at: 1, model: MODEL, status: 'completed', output: []},
      },
    ])
    const ctx = chatCtx({stream: true, messages: [{role: 'user', content: 'x'}]})
    const deltas = events(feed(openaiCodexAdapter.createStreamTranslator!(ctx)!, stream))
      .slice(0, -1)
      .map((event) => (event.data as any).choices[0].delta)
    expect(deltas).toEqual([
      {role: 'assistant', content: ''},
      {tool_calls: [{index: 0, id: 'call_w', type: 'function', function: {name: 'ls', arguments: ''}}]},
      {tool_calls: [{index: 0, function: {arguments: '{"path":"."}'}}]},
      {},
    ])
  })

  it('uses the final output items when the stream carried no deltas', () => {
    const stream = sse([
      {type: 'response.created', response: {id: 'resp_q', created_at: 1, model: MODEL}},
      {
        type: 'response.completed',
        response: {
          id: 'resp_q',
          created_at: 1,
          model: MODEL,
          status: 'completed',
          output: [{type: 'message', role: 'assistant', content: [{type: 'output_text', text: 'Quiet answer'}]}],
        },
      },
    ])
    const {body} = openaiCodexAdapter.translateResponse!(
      200,
      stream,
      chatCtx({messages: [{role: 'user', content: 'x'}]}),
    )! as {body: any}
    expect(body.choices[0].message.content).toBe('Quiet answer')
  })

  it('finishes with length when the response is incomplete because of the output limit', () => {
    const ctx = chatCtx({stream: true, messages: [{role: 'user', content: 'x'}]})
    const chunks = events(feed(openaiCodexAdapter.createStreamTranslator!(ctx)!, CODEX_INCOMPLETE_STREAM)).slice(0, -1)
    expect((chunks.at(-1)!.data as any).choices[0].finish_reason).toBe('length')
    const {body} = openaiCodexAdapter.translateResponse!(
      200,
      CODEX_INCOMPLETE_STREAM,
      chatCtx({messages: [{role: 'user', content: 'x'}]}),
    )! as {body: any}
    expect(body.choices[0]).toMatchObject({message: {content: 'A long ans'}, finish_reason: 'length'})
  })

  it('turns response.failed into an AdapterError with the upstream message, streaming or not, never [DONE]', () => {
    const ctx = chatCtx({stream: true, messages: [{role: 'user', content: 'x'}]})
    const translator = openaiCodexAdapter.createStreamTranslator!(ctx)!
    const cut = CODEX_FAILED_STREAM.indexOf('event: response.failed')
    const written = translator.push(CODEX_FAILED_STREAM.slice(0, cut))
    expect(written).toContain('Partial')
    const error = caught(() => translator.push(CODEX_FAILED_STREAM.slice(cut)))
    expect(error).toMatchObject({message: 'The model produced invalid content.', status: 502, code: 'server_error'})
    expect(written).not.toContain('[DONE]')
    const whole = caught(() =>
      openaiCodexAdapter.translateResponse!(
        200,
        CODEX_FAILED_STREAM,
        chatCtx({messages: [{role: 'user', content: 'x'}]}),
      )!,
    )
    expect(whole.message).toBe('The model produced invalid content.')
  })

  it('turns an error event into an AdapterError carrying its code and a fitting status', () => {
    const ctx = chatCtx({stream: true, messages: [{role: 'user', content: 'x'}]})
    const error = caught(() => feed(openaiCodexAdapter.createStreamTranslator!(ctx)!, CODEX_ERROR_EVENT_STREAM, 1))
    expect(error).toMatchObject({
      message: 'Rate limit reached for gpt-5-codex.',
      status: 429,
      code: 'rate_limit_exceeded',
    })
  })

  it('treats a stream that ends before response.completed as truncated', () => {
    const cut = CODEX_TEXT_STREAM.slice(0, CODEX_TEXT_STREAM.indexOf('event: response.completed'))
    const translator = openaiCodexAdapter.createStreamTranslator!(
      chatCtx({stream: true, messages: [{role: 'user', content: 'x'}]}),
    )!
    expect(translator.push(cut)).not.toContain('[DONE]')
    expect(() => translator.end()).toThrow(/ended before response.completed/)
    expect(() =>
      openaiCodexAdapter.translateResponse!(200, cut, chatCtx({messages: [{role: 'user', content: 'x'}]}))!,
    ).toThrow(AdapterError)
  })
})

describe('openai-codex adapter: responses answers', () => {
  it('returns the final response object to a non-streaming client', () => {
    const {status, body} = openaiCodexAdapter.translateResponse!(
      200,
      CODEX_TEXT_STREAM,
      responsesCtx({input: 'Hi'}),
    )! as {status: number; body: any}
    expect(status).toBe(200)
    expect(body).toMatchObject({
      id: 'resp_68a1c0ffee',
      object: 'response',
      status: 'completed',
      usage: {total_tokens: 123},
    })
    expect(body.output[1].content[0].text).toBe('Hello there — ünïcødé 👋')
  })

  it('rebuilds the output from streamed items when the final event carries none', () => {
    const final = events(CODEX_TOOL_STREAM).at(-1)!.data as any
    const stream = CODEX_TOOL_STREAM.replace(
      JSON.stringify(final),
      JSON.stringify({...final, response: {...final.response, output: []}}),
    )
    expect(stream).not.toBe(CODEX_TOOL_STREAM)
    const {body} = openaiCodexAdapter.translateResponse!(200, stream, responsesCtx({input: 'x'}))! as {body: any}
    expect(body.output.map((item: any) => item.call_id)).toEqual(['call_AbC123', 'call_DeF456'])
  })

  it('returns an incomplete response as is (the OpenAI API does the same)', () => {
    const {body} = openaiCodexAdapter.translateResponse!(200, CODEX_INCOMPLETE_STREAM, responsesCtx({input: 'x'}))! as {
      body: any
    }
    expect(body).toMatchObject({status: 'incomplete', incomplete_details: {reason: 'max_output_tokens'}})
  })

  it('relays the SSE to a streaming client event by event, which the official client reads', async () => {
    const ctx = responsesCtx({input: 'Hi', stream: true})
    const out = feed(openaiCodexAdapter.createStreamTranslator!(ctx)!, CODEX_TEXT_STREAM, 1)
    expect(events(out)).toEqual(events(CODEX_TEXT_STREAM))
    const final = await openaiClientAnswering(out, 'text/event-stream')
      .responses.stream({model: MODEL, input: 'Hi'})
      .finalResponse()
    expect(final.output_text).toBe('Hello there — ünïcødé 👋')
  })

  it('never relays half of a failing event: the failure throws and the events before it were written whole', () => {
    const translator = openaiCodexAdapter.createStreamTranslator!(responsesCtx({input: 'x', stream: true}))!
    const cut = CODEX_FAILED_STREAM.indexOf('"status":"failed"')
    const written = translator.push(CODEX_FAILED_STREAM.slice(0, cut))
    expect(written).not.toContain('response.failed')
    expect(events(written).map((event) => event.event)).toEqual(['response.created', 'response.output_text.delta'])
    expect(caught(() => translator.push(CODEX_FAILED_STREAM.slice(cut))).message).toBe(
      'The model produced invalid content.',
    )
    expect(
      caught(() => openaiCodexAdapter.translateResponse!(200, CODEX_ERROR_EVENT_STREAM, responsesCtx({input: 'x'}))!)
        .status,
    ).toBe(429)
  })

  it('treats a relayed stream that ends without a terminal event as truncated', () => {
    const translator = openaiCodexAdapter.createStreamTranslator!(responsesCtx({input: 'x', stream: true}))!
    translator.push(CODEX_TEXT_STREAM.slice(0, CODEX_TEXT_STREAM.indexOf('event: response.completed')))
    expect(() => translator.end()).toThrow(AdapterError)
  })
})

describe('openai-codex adapter: errors', () => {
  it('keeps the reset time of a ChatGPT usage limit in the message', () => {
    const text = JSON.stringify({
      error: {
        type: 'usage_limit_reached',
        message: 'The usage limit has been reached',
        plan_type: 'plus',
        resets_at: 1755010000,
        resets_in_seconds: 7500,
      },
    })
    expect(openaiCodexAdapter.translateError!(429, text)).toEqual({
      status: 429,
      body: {
        error: {
          message: 'The usage limit has been reached (resets in 2 h 5 min)',
          type: 'usage_limit_reached',
          code: 'usage_limit_reached',
          param: null,
        },
      },
    })
  })

  it('turns a detail body into an OpenAI error', () => {
    const ctx = chatCtx({messages: [{role: 'user', content: 'x'}]})
    expect(
      openaiCodexAdapter.translateResponse!(401, '{"detail":"Could not parse your authentication token."}', ctx)!,
    ).toEqual({
      status: 401,
      body: {
        error: {
          message: 'Could not parse your authentication token.',
          type: 'authentication_error',
          code: null,
          param: null,
        },
      },
    })
  })
})
