import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startSim, type SimServer} from '../../src/sim/index.js'
import {payloads, postJson, readSse, request} from './support.js'

let sim: SimServer

const HEADERS = {'x-api-key': 'sk-ant-sim', 'anthropic-version': '2023-06-01'}

beforeAll(async () => {
  sim = await startSim({
    name: 'claude-sim',
    protocol: 'anthropic',
    apiKey: 'sk-ant-sim',
    streamChunks: 4,
    models: ['claude-sonnet-4-5'],
  })
})

afterAll(async () => {
  await sim.close()
})

const weather = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: {type: 'object', properties: {city: {type: 'string'}}, required: ['city']},
}

describe('Anthropic Messages API', () => {
  it('answers a message object with a text block and end_turn', async () => {
    const response = await postJson(
      `${sim.url}/v1/messages`,
      {
        model: 'claude-sonnet-4-5',
        max_tokens: 100,
        system: 'Be brief.',
        messages: [{role: 'user', content: 'Hello Claude'}],
      },
      HEADERS,
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('request-id')).toMatch(/^req_sim/)
    const body = await response.json()
    expect(body).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      stop_reason: 'end_turn',
      stop_sequence: null,
    })
    expect(body.id).toMatch(/^msg_/)
    expect(body.content).toEqual([
      {
        type: 'text',
        text: expect.stringMatching(/^\[sim:claude-sim model=claude-sonnet-4-5\] Reply to "Hello Claude"/),
      },
    ])
    expect(body.usage).toMatchObject({input_tokens: expect.any(Number), output_tokens: 4})
  })

  it('stops with max_tokens when the limit cuts the answer', async () => {
    const body = await (
      await postJson(
        `${sim.url}/v1/messages`,
        {model: 'c', max_tokens: 2, messages: [{role: 'user', content: [{type: 'text', text: 'hi'}]}]},
        HEADERS,
      )
    ).json()
    expect(body.stop_reason).toBe('max_tokens')
    expect(body.usage.output_tokens).toBe(2)
  })

  it('streams the events exactly as Anthropic sends them', async () => {
    const response = await postJson(
      `${sim.url}/v1/messages`,
      {model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages: [{role: 'user', content: 'Stream please'}]},
      HEADERS,
    )
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    const {events, error} = await readSse(response)
    expect(error).toBeUndefined()
    const expected = [
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]
    expect(events.map((event) => event.event)).toEqual(expected)
    const data = payloads(events)
    expect(data.map((event) => event.type)).toEqual(expected)
    expect(data[0].message).toMatchObject({
      type: 'message',
      role: 'assistant',
      content: [],
      stop_reason: null,
      model: 'claude-sonnet-4-5',
    })
    expect(data[1]).toEqual({type: 'content_block_start', index: 0, content_block: {type: 'text', text: ''}})
    const text = data.slice(3, 7).map((event) => {
      expect(event.index).toBe(0)
      expect(event.delta.type).toBe('text_delta')
      return event.delta.text
    })
    expect(text.join('')).toMatch(/^\[sim:claude-sim model=claude-sonnet-4-5\] Reply to "Stream please"/)
    expect(data[7]).toEqual({type: 'content_block_stop', index: 0})
    // Current API versions repeat the input counts, cumulative, in message_delta.
    expect(data[8]).toEqual({
      type: 'message_delta',
      delta: {stop_reason: 'end_turn', stop_sequence: null},
      usage: expect.objectContaining({
        input_tokens: data[0].message.usage.input_tokens,
        cache_read_input_tokens: 0,
        output_tokens: 4,
      }),
    })
    expect(data[9]).toEqual({type: 'message_stop'})
  })

  it('answers tool_use with stop_reason tool_use when the user asks for the tool', async () => {
    const body = await (
      await postJson(
        `${sim.url}/v1/messages`,
        {
          model: 'c',
          max_tokens: 100,
          tools: [weather],
          messages: [{role: 'user', content: 'Call get_weather for Oslo'}],
        },
        HEADERS,
      )
    ).json()
    expect(body.stop_reason).toBe('tool_use')
    expect(body.content).toHaveLength(2)
    expect(body.content[0].type).toBe('text')
    expect(body.content[1]).toEqual({
      type: 'tool_use',
      id: expect.stringMatching(/^toolu_/),
      name: 'get_weather',
      input: {city: 'sim'},
    })
  })

  it('streams a tool_use block with input_json_delta events', async () => {
    const response = await postJson(
      `${sim.url}/v1/messages`,
      {
        model: 'c',
        max_tokens: 100,
        stream: true,
        tools: [weather],
        tool_choice: {type: 'any'},
        messages: [{role: 'user', content: 'Go'}],
      },
      HEADERS,
    )
    const data = payloads((await readSse(response)).events)
    const start = data.find((event) => event.type === 'content_block_start' && event.index === 1)
    expect(start.content_block).toMatchObject({type: 'tool_use', name: 'get_weather', input: {}})
    const json = data
      .filter((event) => event.type === 'content_block_delta' && event.index === 1)
      .map((event) => {
        expect(event.delta.type).toBe('input_json_delta')
        return event.delta.partial_json
      })
      .join('')
    expect(JSON.parse(json)).toEqual({city: 'sim'})
    expect(data.find((event) => event.type === 'message_delta').delta.stop_reason).toBe('tool_use')
  })

  it('answers in text after a tool_result', async () => {
    const body = await (
      await postJson(
        `${sim.url}/v1/messages`,
        {
          model: 'c',
          max_tokens: 100,
          tools: [weather],
          messages: [
            {role: 'user', content: 'Call get_weather for Oslo'},
            {
              role: 'assistant',
              content: [{type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {city: 'Oslo'}}],
            },
            {role: 'user', content: [{type: 'tool_result', tool_use_id: 'toolu_1', content: '3 degrees'}]},
          ],
        },
        HEADERS,
      )
    ).json()
    expect(body.stop_reason).toBe('end_turn')
  })

  it('requires anthropic-version, x-api-key and max_tokens, with Anthropic-shaped errors', async () => {
    const request = {model: 'c', max_tokens: 10, messages: [{role: 'user', content: 'x'}]}
    const noVersion = await postJson(`${sim.url}/v1/messages`, request, {'x-api-key': 'sk-ant-sim'})
    expect(noVersion.status).toBe(400)
    expect(await noVersion.json()).toEqual({
      type: 'error',
      error: {type: 'invalid_request_error', message: 'anthropic-version: header is required'},
      request_id: noVersion.headers.get('request-id'),
    })
    const badKey = await postJson(`${sim.url}/v1/messages`, request, {...HEADERS, 'x-api-key': 'nope'})
    expect(badKey.status).toBe(401)
    expect(await badKey.json()).toMatchObject({
      type: 'error',
      error: {type: 'authentication_error', message: 'invalid x-api-key'},
    })
    const noMax = await postJson(`${sim.url}/v1/messages`, {model: 'c', messages: request.messages}, HEADERS)
    expect(noMax.status).toBe(400)
    expect((await noMax.json()).error).toEqual({type: 'invalid_request_error', message: 'max_tokens: Field required'})
  })

  it('answers scripted statuses in Anthropic shape', async () => {
    sim.script([{status: 529}, {status: 429, retryAfter: 3}])
    const request = {model: 'c', max_tokens: 10, messages: [{role: 'user', content: 'x'}]}
    const overloaded = await postJson(`${sim.url}/v1/messages`, request, HEADERS)
    expect(overloaded.status).toBe(529)
    expect(await overloaded.json()).toEqual({
      type: 'error',
      error: {type: 'overloaded_error', message: 'Overloaded'},
      request_id: expect.stringMatching(/^req_sim/),
    })
    const limited = await postJson(`${sim.url}/v1/messages`, request, HEADERS)
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('3')
    expect((await limited.json()).error.type).toBe('rate_limit_error')
  })

  it('sends an error event mid-stream for an error_event behaviour', async () => {
    sim.script([{kind: 'error_event', afterChunks: 2}])
    const response = await postJson(
      `${sim.url}/v1/messages`,
      {model: 'c', max_tokens: 10, stream: true, messages: [{role: 'user', content: 'x'}]},
      HEADERS,
    )
    expect(response.status).toBe(200)
    const {events, error} = await readSse(response)
    expect(error).toBeUndefined()
    expect(events.map((event) => event.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'error',
    ])
    expect(JSON.parse(events.at(-1)!.data)).toEqual({
      type: 'error',
      error: {type: 'overloaded_error', message: 'Overloaded'},
    })
  })

  it('counts tokens and lists models in Anthropic shape', async () => {
    const count = await (
      await postJson(
        `${sim.url}/v1/messages/count_tokens`,
        {model: 'c', messages: [{role: 'user', content: 'abcdefgh'}]},
        HEADERS,
      )
    ).json()
    expect(count).toEqual({input_tokens: 2})
    const models = await (await request(`${sim.url}/v1/models`, {headers: HEADERS})).json()
    expect(models).toMatchObject({
      has_more: false,
      first_id: 'claude-sonnet-4-5',
      data: [{type: 'model', id: 'claude-sonnet-4-5'}],
    })
  })

  it('does not serve OpenAI routes when restricted to the Anthropic protocol', async () => {
    const response = await postJson(`${sim.url}/v1/chat/completions`, {model: 'm', messages: []}, HEADERS)
    expect(response.status).toBe(404)
    expect((await response.json()).type).toBe('error')
  })
})
