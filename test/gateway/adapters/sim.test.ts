/**
 * Each translating adapter against the simulated provider over real HTTP: the request `buildRequest()` makes is sent
 * with undici, and the simulator's real answer (streamed or whole) goes back through the adapter.
 */
import {request} from 'undici'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {startSim, type SimServer} from '../../../src/sim/index.js'
import {adapterFor} from '../../../src/gateway/adapters/index.js'
import {AdapterError, type AdapterRequestContext, type ProviderAdapter} from '../../../src/gateway/adapters/types.js'
import {account, context, events, openaiClientAnswering} from './fixtures.js'

const KEY = 'sk-sim-key'
let sim: SimServer

beforeAll(async () => {
  sim = await startSim({name: 'adapters', apiKey: KEY, streamChunks: 6})
})
afterAll(async () => {
  await sim.close()
})
beforeEach(() => {
  sim.clearRequests()
})

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: {type: 'object', properties: {city: {type: 'string'}, days: {type: 'integer'}}, required: ['city']},
  },
}

async function send(adapter: ProviderAdapter, ctx: AdapterRequestContext) {
  const upstream = adapter.buildRequest(ctx)
  const response = await request(upstream.url, {
    method: upstream.method,
    headers: upstream.headers,
    body: upstream.body,
  })
  return {upstream, response}
}

/** A non-streaming client: the whole upstream body, translated. */
async function whole(adapter: ProviderAdapter, ctx: AdapterRequestContext) {
  const {response} = await send(adapter, ctx)
  const text = await response.body.text()
  if (response.statusCode >= 400) return adapter.translateError!(response.statusCode, text)
  return adapter.translateResponse!(response.statusCode, text, ctx)
}

/** A streaming client: upstream chunks through the stream translator as they arrive. */
async function streamed(adapter: ProviderAdapter, ctx: AdapterRequestContext): Promise<string> {
  const {response} = await send(adapter, ctx)
  expect(response.statusCode).toBe(200)
  expect(response.headers['content-type']).toContain('text/event-stream')
  const translator = adapter.createStreamTranslator!(ctx)!
  let out = ''
  response.body.setEncoding('utf8')
  try {
    for await (const chunk of response.body) out += translator.push(chunk as string)
    return out + translator.end()
  } finally {
    response.body.destroy()
  }
}

async function rejection(promise: Promise<unknown>): Promise<AdapterError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof AdapterError) return error
    throw error
  }
  throw new Error('expected an AdapterError')
}

describe('anthropic adapter against the simulator', () => {
  const adapter = adapterFor('anthropic')
  const MODEL = 'claude-sonnet-4-5'
  const ctx = (body: Record<string, unknown>) =>
    context({body: {model: MODEL, ...body}, account: account({provider: 'anthropic', base_url: sim.url}), token: KEY})

  it('answers a non-streaming chat completion through the Messages API', async () => {
    const result = (await whole(
      adapter,
      ctx({
        messages: [
          {role: 'system', content: 'Be brief.'},
          {role: 'user', content: 'hello there'},
        ],
      }),
    )) as any
    expect(result.status).toBe(200)
    expect(result.body).toMatchObject({object: 'chat.completion', model: MODEL, choices: [{finish_reason: 'stop'}]})
    expect(result.body.choices[0].message.content).toContain(
      '[sim:adapters model=claude-sonnet-4-5] Reply to "hello there".',
    )
    expect(result.body.usage.total_tokens).toBe(result.body.usage.prompt_tokens + result.body.usage.completion_tokens)
    const [record] = sim.requests
    expect(record.path).toBe('/v1/messages')
    expect(record.headers['x-api-key']).toBe(KEY)
    expect(record.headers.authorization).toBeUndefined()
    expect(record.body).toMatchObject({system: [{type: 'text', text: 'Be brief.'}], max_tokens: 4096})
  })

  it('streams a tool call that the official OpenAI client assembles', async () => {
    const body = {
      stream: true,
      stream_options: {include_usage: true},
      tools: [weatherTool],
      tool_choice: 'required',
      messages: [{role: 'user', content: 'weather in Oslo?'}],
    }
    const out = await streamed(adapter, ctx(body))
    expect(events(out).at(-1)!.data).toBe('[DONE]')
    const final = await openaiClientAnswering(out, 'text/event-stream')
      .chat.completions.stream({
        model: MODEL,
        messages: [{role: 'user', content: 'x'}],
        stream_options: {include_usage: true},
      })
      .finalChatCompletion()
    const call = final.choices[0].message.tool_calls![0]
    expect(call.type === 'function' && call.function.name).toBe('get_weather')
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({city: 'sim', days: 42})
    expect(final.choices[0].finish_reason).toBe('tool_calls')
    expect(final.usage?.completion_tokens).toBeGreaterThan(0)
  })

  it("streams the simulator's call without arguments (input {} and an empty fragment) as {} arguments", async () => {
    sim.script([{toolCall: {name: 'get_weather', arguments: {}}}])
    const out = await streamed(
      adapter,
      ctx({stream: true, tools: [weatherTool], messages: [{role: 'user', content: 'weather?'}]}),
    )
    const final = await openaiClientAnswering(out, 'text/event-stream')
      .chat.completions.stream({model: MODEL, messages: [{role: 'user', content: 'x'}]})
      .finalChatCompletion()
    const call = final.choices[0].message.tool_calls![0]
    expect(call.type === 'function' && call.function).toEqual({name: 'get_weather', arguments: '{}'})
  })

  it('streams text chunk by chunk', async () => {
    const out = await streamed(adapter, ctx({stream: true, messages: [{role: 'user', content: 'stream please'}]}))
    const deltas = events(out)
      .slice(0, -1)
      .map((event) => (event.data as any).choices[0]?.delta?.content)
      .filter((text) => typeof text === 'string' && text !== '')
    expect(deltas.length).toBe(6)
    expect(deltas.join('')).toContain('Reply to "stream please".')
  })

  it('turns an error event mid-stream into an AdapterError', async () => {
    sim.script([{kind: 'error_event', afterChunks: 2}])
    const error = await rejection(streamed(adapter, ctx({stream: true, messages: [{role: 'user', content: 'x'}]})))
    expect(error.status).toBeGreaterThanOrEqual(500)
    expect(error.message).not.toBe('')
  })

  it('turns a dropped stream into an AdapterError (truncated, not a success)', async () => {
    sim.script([{kind: 'drop', afterChunks: 2}])
    await expect(streamed(adapter, ctx({stream: true, messages: [{role: 'user', content: 'x'}]}))).rejects.toThrow()
  })

  it("turns Anthropic's error answers, 529 included, into OpenAI errors", async () => {
    sim.script([{status: 529}, {status: 429, retryAfter: 3}])
    const overloaded = (await whole(adapter, ctx({messages: [{role: 'user', content: 'x'}]}))) as any
    expect(overloaded.status).toBe(503)
    expect(overloaded.body.error).toMatchObject({type: 'server_error', code: 'overloaded_error'})
    const limited = (await whole(adapter, ctx({messages: [{role: 'user', content: 'x'}]}))) as any
    expect(limited.status).toBe(429)
    expect(limited.body.error).toMatchObject({type: 'rate_limit_error', code: 'rate_limit_error'})
  })
})

describe('openai-codex adapter against the simulator', () => {
  const adapter = adapterFor('openai-codex')
  const MODEL = 'gpt-5-codex'
  const acct = () => account({provider: 'openai-codex', base_url: `${sim.url}/backend-api`, auth_mode: 'oauth'})
  const chat = (body: Record<string, unknown>) =>
    context({body: {model: MODEL, ...body}, account: acct(), token: KEY, accountId: 'acc-sim'})
  const responses = (body: Record<string, unknown>) =>
    context({
      endpoint: 'responses',
      path: '/responses',
      body: {model: MODEL, ...body},
      account: acct(),
      token: KEY,
      accountId: 'acc-sim',
    })

  it('assembles one chat.completion for a non-streaming client from the streamed upstream answer', async () => {
    const result = (await whole(
      adapter,
      chat({
        max_tokens: 50,
        messages: [
          {role: 'system', content: 'Be brief.'},
          {role: 'user', content: 'hello codex'},
        ],
      }),
    )) as any
    expect(result.status).toBe(200)
    expect(result.body).toMatchObject({object: 'chat.completion', choices: [{finish_reason: 'stop'}]})
    expect(result.body.choices[0].message.content).toContain('Reply to "hello codex".')
    expect(result.body.usage.prompt_tokens).toBeGreaterThan(0)
    const [record] = sim.requests
    expect(record.path).toBe('/backend-api/codex/responses')
    expect(record.headers).toMatchObject({
      'chatgpt-account-id': 'acc-sim',
      originator: 'codex_cli_rs',
      'openai-beta': 'responses=experimental',
    })
    expect(record.body).toMatchObject({instructions: 'Be brief.', stream: true, store: false})
    expect(record.body).not.toHaveProperty('max_output_tokens')
  })

  it('streams chat chunks with a tool call that the official OpenAI client assembles', async () => {
    const out = await streamed(
      adapter,
      chat({stream: true, tools: [weatherTool], messages: [{role: 'user', content: 'use get_weather for Oslo'}]}),
    )
    const final = await openaiClientAnswering(out, 'text/event-stream')
      .chat.completions.stream({model: MODEL, messages: [{role: 'user', content: 'x'}]})
      .finalChatCompletion()
    const call = final.choices[0].message.tool_calls![0]
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({city: 'sim', days: 42})
    expect(final.choices[0].finish_reason).toBe('tool_calls')
  })

  it('returns the final response object to a non-streaming Responses client', async () => {
    const result = (await whole(adapter, responses({input: 'hello responses', stream: false, store: true}))) as any
    expect(result.status).toBe(200)
    expect(result.body).toMatchObject({object: 'response', status: 'completed'})
    const client = openaiClientAnswering(JSON.stringify(result.body), 'application/json')
    const parsed = await client.responses.create({model: MODEL, input: 'x'})
    expect(parsed.output_text).toContain('Reply to "hello responses".')
  })

  it('relays the Responses stream to a streaming Responses client', async () => {
    const out = await streamed(adapter, responses({input: 'hello stream', stream: true}))
    const final = await openaiClientAnswering(out, 'text/event-stream')
      .responses.stream({model: MODEL, input: 'x'})
      .finalResponse()
    expect(final.output_text).toContain('Reply to "hello stream".')
  })

  it('turns response.failed and error events into AdapterErrors, streaming or not', async () => {
    sim.script([
      {kind: 'response_failed', afterChunks: 2},
      {kind: 'error_event', afterChunks: 1},
      {kind: 'response_failed'},
    ])
    await expect(
      streamed(adapter, chat({stream: true, messages: [{role: 'user', content: 'x'}]})),
    ).rejects.toBeInstanceOf(AdapterError)
    await expect(streamed(adapter, responses({input: 'x', stream: true}))).rejects.toBeInstanceOf(AdapterError)
    await expect(whole(adapter, chat({messages: [{role: 'user', content: 'x'}]}))).rejects.toBeInstanceOf(AdapterError)
  })

  it("turns the backend's detail errors into OpenAI errors", async () => {
    const result = (await whole(adapter, {
      ...chat({messages: [{role: 'user', content: 'x'}]}),
      credential: {token: 'wrong', accountId: 'acc-sim'},
    })) as any
    expect(result.status).toBe(401)
    expect(result.body.error).toMatchObject({type: 'authentication_error'})
    expect(result.body.error.message).toContain('Could not parse your authentication token')
  })
})

describe('openai-format adapters against the simulator', () => {
  it('relays chat and embeddings unchanged through the official client', async () => {
    const adapter = adapterFor('openai')
    const acct = account({base_url: sim.url})
    const ctx = context({
      body: {model: 'gpt-4.1-mini', messages: [{role: 'user', content: 'plain openai'}]},
      account: acct,
      token: KEY,
    })
    const {response} = await send(adapter, ctx)
    const text = await response.body.text()
    expect(response.statusCode).toBe(200)
    const completion = await openaiClientAnswering(text, 'application/json').chat.completions.create({
      model: 'x',
      messages: [],
    })
    expect(completion.choices[0].message.content).toContain('Reply to "plain openai".')
    expect(sim.requests[0].path).toBe('/v1/chat/completions')

    const embeddings = context({
      endpoint: 'embeddings',
      path: '/embeddings',
      body: {model: 'text-embedding-3-small', input: ['a', 'b']},
      account: acct,
      token: KEY,
    })
    const answer = await send(adapter, embeddings)
    expect(answer.response.statusCode).toBe(200)
    expect(((await answer.response.body.json()) as any).data).toHaveLength(2)
  })

  it('authenticates gemini and github requests with the bearer token the simulator checks', async () => {
    for (const kind of ['gemini', 'github'] as const) {
      const ctx = context({
        body: {model: 'm', messages: [{role: 'user', content: 'hi'}], store: true},
        account: account({provider: kind, base_url: `${sim.url}/v1`}),
        token: KEY,
      })
      const {response} = await send(adapterFor(kind), ctx)
      expect(response.statusCode).toBe(200)
      await response.body.dump()
    }
    expect(sim.requests.map((record) => (record.body as any).store)).toEqual([undefined, true])
    expect(sim.requests[1].headers['x-github-api-version']).toBe('2022-11-28')
  })
})
