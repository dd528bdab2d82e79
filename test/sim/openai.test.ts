import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startSim, type SimServer} from '../../src/sim/index.js'
import {payloads, postJson, readSse, request} from './support.js'

let sim: SimServer

beforeAll(async () => {
  sim = await startSim({name: 'alpha', models: ['gpt-5.2', 'gpt-5-mini']})
})

afterAll(async () => {
  await sim.close()
})

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: {
      type: 'object',
      properties: {
        city: {type: 'string'},
        unit: {type: 'string', enum: ['celsius', 'fahrenheit']},
        days: {type: 'integer'},
      },
      required: ['city'],
    },
  },
}

describe('OpenAI models', () => {
  it('lists the configured models in OpenAI list shape', async () => {
    const response = await request(`${sim.url}/v1/models`)
    expect(response.status).toBe(200)
    const body = await response.json()
    expect(body.object).toBe('list')
    expect(body.data.map((model: {id: string}) => model.id)).toEqual(['gpt-5.2', 'gpt-5-mini'])
    expect(body.data[0]).toEqual({id: 'gpt-5.2', object: 'model', created: expect.any(Number), owned_by: 'sim:alpha'})
  })

  it('retrieves any model by id', async () => {
    const body = await (await request(`${sim.url}/v1/models/some-model`)).json()
    expect(body).toMatchObject({id: 'some-model', object: 'model'})
  })
})

describe('OpenAI chat completions', () => {
  it('answers a chat.completion that names the simulator and the requested model', async () => {
    const response = await postJson(`${sim.url}/v1/chat/completions`, {
      model: 'gpt-5.2',
      messages: [
        {role: 'system', content: 'Be brief.'},
        {role: 'user', content: 'What is the capital of France?'},
      ],
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('x-sim-name')).toBe('alpha')
    const body = await response.json()
    expect(body).toMatchObject({object: 'chat.completion', model: 'gpt-5.2', id: expect.stringMatching(/^chatcmpl-/)})
    expect(body.created).toBeGreaterThan(1_600_000_000)
    expect(body.choices).toHaveLength(1)
    expect(body.choices[0]).toMatchObject({index: 0, finish_reason: 'stop', message: {role: 'assistant'}})
    expect(body.choices[0].message.content).toMatch(
      /^\[sim:alpha model=gpt-5\.2\] Reply to "What is the capital of France\?"\./,
    )
    expect(body.usage.completion_tokens).toBe(20)
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + 20)
  })

  it('gives the same text for the same request', async () => {
    const request = {model: 'gpt-5.2', messages: [{role: 'user', content: 'repeat me'}]}
    const first = await (await postJson(`${sim.url}/v1/chat/completions`, request)).json()
    const second = await (await postJson(`${sim.url}/v1/chat/completions`, request)).json()
    expect(second.choices[0].message.content).toBe(first.choices[0].message.content)
    expect(second.id).not.toBe(first.id)
  })

  it('honours max_tokens with finish_reason length', async () => {
    const body = await (
      await postJson(`${sim.url}/v1/chat/completions`, {
        model: 'm',
        max_tokens: 3,
        messages: [{role: 'user', content: 'hi'}],
      })
    ).json()
    expect(body.choices[0].finish_reason).toBe('length')
    expect(body.usage.completion_tokens).toBe(3)
    expect(body.choices[0].message.content).toBe('[sim:alpha model=m] Reply to')
  })

  it('streams a role chunk, 20 content chunks, a finish chunk and [DONE]', async () => {
    const response = await postJson(`${sim.url}/v1/chat/completions`, {
      model: 'gpt-5.2',
      stream: true,
      messages: [{role: 'user', content: 'Tell me a story'}],
    })
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    const {events, error} = await readSse(response)
    expect(error).toBeUndefined()
    expect(events.at(-1)!.data).toBe('[DONE]')
    expect(events.every((event) => event.event === undefined)).toBe(true)
    const chunks = payloads(events)
    expect(chunks).toHaveLength(22)
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({object: 'chat.completion.chunk', model: 'gpt-5.2', id: chunks[0].id})
      expect(chunk).not.toHaveProperty('usage')
    }
    expect(chunks[0].choices[0]).toEqual({
      index: 0,
      delta: {role: 'assistant', content: '', refusal: null},
      logprobs: null,
      finish_reason: null,
    })
    const content = chunks.slice(1, 21).map((chunk) => chunk.choices[0].delta.content)
    expect(content.every((piece) => typeof piece === 'string' && piece.length > 0)).toBe(true)
    expect(content.join('')).toMatch(/^\[sim:alpha model=gpt-5\.2\] Reply to "Tell me a story"\./)
    expect(chunks[21].choices[0]).toEqual({index: 0, delta: {}, logprobs: null, finish_reason: 'stop'})
  })

  it('adds usage: null to every chunk and a final usage chunk when stream_options.include_usage is set', async () => {
    const response = await postJson(`${sim.url}/v1/chat/completions`, {
      model: 'gpt-5.2',
      stream: true,
      stream_options: {include_usage: true},
      messages: [{role: 'user', content: 'hi'}],
    })
    const chunks = payloads((await readSse(response)).events)
    expect(chunks).toHaveLength(23)
    expect(chunks.slice(0, 22).every((chunk) => chunk.usage === null)).toBe(true)
    expect(chunks[22].choices).toEqual([])
    expect(chunks[22].usage).toMatchObject({completion_tokens: 20, total_tokens: chunks[22].usage.prompt_tokens + 20})
  })

  it('calls a tool when the last user message asks for it', async () => {
    const body = await (
      await postJson(`${sim.url}/v1/chat/completions`, {
        model: 'gpt-5.2',
        tools: [weatherTool],
        messages: [{role: 'user', content: 'Use get_weather for Paris'}],
      })
    ).json()
    const choice = body.choices[0]
    expect(choice.finish_reason).toBe('tool_calls')
    expect(choice.message.content).toBeNull()
    expect(choice.message.tool_calls).toHaveLength(1)
    const call = choice.message.tool_calls[0]
    expect(call).toMatchObject({type: 'function', id: expect.stringMatching(/^call_/), function: {name: 'get_weather'}})
    expect(JSON.parse(call.function.arguments)).toEqual({city: 'sim', unit: 'celsius', days: 42})
  })

  it('answers in text when tools are offered but not asked for, and after a tool result', async () => {
    const plain = await (
      await postJson(`${sim.url}/v1/chat/completions`, {
        model: 'm',
        tools: [weatherTool],
        messages: [{role: 'user', content: 'Hello'}],
      })
    ).json()
    expect(plain.choices[0].finish_reason).toBe('stop')
    const afterTool = await (
      await postJson(`${sim.url}/v1/chat/completions`, {
        model: 'm',
        tools: [weatherTool],
        messages: [
          {role: 'user', content: 'Use get_weather for Paris'},
          {
            role: 'assistant',
            content: null,
            tool_calls: [{id: 'call_1', type: 'function', function: {name: 'get_weather', arguments: '{}'}}],
          },
          {role: 'tool', tool_call_id: 'call_1', content: '21 degrees'},
        ],
      })
    ).json()
    expect(afterTool.choices[0].finish_reason).toBe('stop')
    expect(afterTool.choices[0].message.content).toContain('[sim:alpha model=m]')
  })

  it('always calls the tool that tool_choice forces', async () => {
    const body = await (
      await postJson(`${sim.url}/v1/chat/completions`, {
        model: 'm',
        tools: [
          {type: 'function', function: {name: 'other', parameters: {type: 'object', properties: {}}}},
          weatherTool,
        ],
        tool_choice: {type: 'function', function: {name: 'get_weather'}},
        messages: [{role: 'user', content: 'Hello'}],
      })
    ).json()
    expect(body.choices[0].message.tool_calls[0].function.name).toBe('get_weather')
  })

  it('streams tool-call deltas whose arguments join into valid JSON', async () => {
    const response = await postJson(`${sim.url}/v1/chat/completions`, {
      model: 'm',
      stream: true,
      tools: [weatherTool],
      tool_choice: 'required',
      messages: [{role: 'user', content: 'Weather?'}],
    })
    const chunks = payloads((await readSse(response)).events)
    const first = chunks[0].choices[0].delta
    expect(first).toMatchObject({
      role: 'assistant',
      content: null,
      tool_calls: [{index: 0, type: 'function', function: {name: 'get_weather', arguments: ''}}],
    })
    expect(first.tool_calls[0].id).toMatch(/^call_/)
    const argumentDeltas = chunks.slice(1, -1).map((chunk) => chunk.choices[0].delta.tool_calls[0])
    expect(argumentDeltas.length).toBeGreaterThan(1)
    expect(argumentDeltas.every((delta) => delta.index === 0 && delta.id === undefined)).toBe(true)
    expect(JSON.parse(argumentDeltas.map((delta) => delta.function.arguments).join(''))).toEqual({
      city: 'sim',
      unit: 'celsius',
      days: 42,
    })
    expect(chunks.at(-1).choices[0].finish_reason).toBe('tool_calls')
  })

  it('answers valid JSON matching the schema for a json_schema response format', async () => {
    const body = await (
      await postJson(`${sim.url}/v1/chat/completions`, {
        model: 'm',
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'answer',
            schema: {
              type: 'object',
              properties: {answer: {type: 'string'}, score: {type: 'number'}, ok: {type: 'boolean'}},
            },
          },
        },
        messages: [{role: 'user', content: 'Rate it'}],
      })
    ).json()
    expect(JSON.parse(body.choices[0].message.content)).toEqual({answer: 'sim', score: 42, ok: true})
  })

  it('answers n choices when n is given', async () => {
    const body = await (
      await postJson(`${sim.url}/v1/chat/completions`, {model: 'm', n: 3, messages: [{role: 'user', content: 'x'}]})
    ).json()
    expect(body.choices.map((choice: {index: number}) => choice.index)).toEqual([0, 1, 2])
  })

  it('rejects a request without messages, without a model, or with invalid JSON, in OpenAI error shape', async () => {
    const noMessages = await postJson(`${sim.url}/v1/chat/completions`, {model: 'm'})
    expect(noMessages.status).toBe(400)
    expect(await noMessages.json()).toEqual({
      error: {
        message: "Missing required parameter: 'messages'.",
        type: 'invalid_request_error',
        param: 'messages',
        code: 'invalid_value',
      },
    })
    const noModel = await postJson(`${sim.url}/v1/chat/completions`, {messages: [{role: 'user', content: 'x'}]})
    expect(noModel.status).toBe(400)
    expect((await noModel.json()).error.param).toBe('model')
    const badJson = await postJson(`${sim.url}/v1/chat/completions`, '{"model": ')
    expect(badJson.status).toBe(400)
    expect((await badJson.json()).error).toMatchObject({
      type: 'invalid_request_error',
      message: expect.stringContaining('parse the JSON body'),
    })
  })

  it('accepts paths without the /v1 prefix', async () => {
    const response = await postJson(`${sim.url}/chat/completions`, {
      model: 'm',
      messages: [{role: 'user', content: 'x'}],
    })
    expect(response.status).toBe(200)
    expect((await response.json()).object).toBe('chat.completion')
  })
})

describe('OpenAI legacy completions', () => {
  it('answers a text_completion', async () => {
    const body = await (
      await postJson(`${sim.url}/v1/completions`, {model: 'davinci-sim', prompt: 'Once upon a time'})
    ).json()
    expect(body).toMatchObject({object: 'text_completion', model: 'davinci-sim', id: expect.stringMatching(/^cmpl-/)})
    expect(body.choices[0]).toMatchObject({index: 0, finish_reason: 'stop', logprobs: null})
    expect(body.choices[0].text).toMatch(/^\[sim:alpha model=davinci-sim\] Reply to "Once upon a time"/)
    expect(body.usage.completion_tokens).toBe(20)
  })

  it('streams text_completion chunks, a finish chunk and [DONE]', async () => {
    const {events} = await readSse(
      await postJson(`${sim.url}/v1/completions`, {model: 'd', prompt: 'x', stream: true, max_tokens: 5}),
    )
    expect(events.at(-1)!.data).toBe('[DONE]')
    const chunks = payloads(events)
    expect(chunks).toHaveLength(6)
    expect(chunks.every((chunk) => chunk.object === 'text_completion')).toBe(true)
    expect(chunks.slice(0, 5).every((chunk) => chunk.choices[0].finish_reason === null)).toBe(true)
    expect(chunks[5].choices[0]).toMatchObject({text: '', finish_reason: 'length'})
  })
})

describe('OpenAI embeddings', () => {
  it('answers deterministic unit vectors with the requested dimensions', async () => {
    const request = {model: 'text-embedding-3-small', input: ['alpha', 'beta'], dimensions: 64}
    const body = await (await postJson(`${sim.url}/v1/embeddings`, request)).json()
    expect(body).toMatchObject({
      object: 'list',
      model: 'text-embedding-3-small',
      usage: {prompt_tokens: 3, total_tokens: 3},
    })
    expect(body.data).toHaveLength(2)
    const [alpha, beta] = body.data
    expect(alpha).toMatchObject({object: 'embedding', index: 0})
    expect(alpha.embedding).toHaveLength(64)
    const norm = Math.sqrt(alpha.embedding.reduce((sum: number, v: number) => sum + v * v, 0))
    expect(norm).toBeCloseTo(1, 5)
    expect(beta.embedding).not.toEqual(alpha.embedding)
    const again = await (await postJson(`${sim.url}/v1/embeddings`, request)).json()
    expect(again.data[0].embedding).toEqual(alpha.embedding)
  })

  it('encodes the same vector as little-endian float32 base64', async () => {
    const floats = await (
      await postJson(`${sim.url}/v1/embeddings`, {model: 'e', input: 'hello', dimensions: 16})
    ).json()
    const base64 = await (
      await postJson(`${sim.url}/v1/embeddings`, {
        model: 'e',
        input: 'hello',
        dimensions: 16,
        encoding_format: 'base64',
      })
    ).json()
    const bytes = Buffer.from(base64.data[0].embedding, 'base64')
    expect(bytes.length).toBe(64)
    const decoded = Array.from({length: 16}, (_, i) => bytes.readFloatLE(i * 4))
    expect(decoded).toEqual(floats.data[0].embedding)
  })

  it('defaults to 1536 dimensions and rejects an empty input', async () => {
    const body = await (await postJson(`${sim.url}/v1/embeddings`, {model: 'e', input: 'x'})).json()
    expect(body.data[0].embedding).toHaveLength(1536)
    const empty = await postJson(`${sim.url}/v1/embeddings`, {model: 'e', input: []})
    expect(empty.status).toBe(400)
    expect((await empty.json()).error.param).toBe('input')
  })
})

describe('OpenAI images', () => {
  it('answers a valid PNG as b64_json', async () => {
    const body = await (
      await postJson(`${sim.url}/v1/images/generations`, {model: 'gpt-image-1', prompt: 'a cat', n: 2})
    ).json()
    expect(body.data).toHaveLength(2)
    const png = Buffer.from(body.data[0].b64_json, 'base64')
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR')
    expect(png.subarray(-8, -4).toString('latin1')).toBe('IEND')
    expect(body.data[0].revised_prompt).toContain('a cat')
  })

  it('answers a URL that the simulator serves when response_format is url', async () => {
    const body = await (
      await postJson(`${sim.url}/v1/images/generations`, {model: 'dall-e-3', prompt: 'a dog', response_format: 'url'})
    ).json()
    expect(body.data[0].url).toBe(`${sim.url}/_sim/image.png`)
    const image = await request(body.data[0].url)
    expect(image.headers.get('content-type')).toBe('image/png')
    expect(
      Buffer.from(await image.arrayBuffer())
        .subarray(1, 4)
        .toString('latin1'),
    ).toBe('PNG')
  })
})

describe('other OpenAI routes', () => {
  it('echoes any other POST /v1 route with its path and body', async () => {
    const response = await postJson(`${sim.url}/v1/fine_tuning/jobs`, {training_file: 'file-1'})
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      object: 'sim.echo',
      path: '/v1/fine_tuning/jobs',
      body: {training_file: 'file-1'},
    })
  })

  it('answers 404 in OpenAI shape for an unknown GET route', async () => {
    const response = await request(`${sim.url}/v1/nothing-here`)
    expect(response.status).toBe(404)
    expect((await response.json()).error).toMatchObject({type: 'invalid_request_error', code: 'unknown_url'})
  })
})

describe('API key', () => {
  it('requires the bearer key when one is set, with an OpenAI-shaped 401', async () => {
    const locked = await startSim({apiKey: 'sk-sim-secret'})
    try {
      const request = {model: 'm', messages: [{role: 'user', content: 'x'}]}
      const missing = await postJson(`${locked.url}/v1/chat/completions`, request)
      expect(missing.status).toBe(401)
      expect((await missing.json()).error.type).toBe('invalid_request_error')
      const wrong = await postJson(`${locked.url}/v1/chat/completions`, request, {authorization: 'Bearer sk-wrong'})
      expect(wrong.status).toBe(401)
      const wrongBody = await wrong.json()
      expect(wrongBody.error.code).toBe('invalid_api_key')
      expect(JSON.stringify(wrongBody)).not.toContain('sk-sim-secret')
      const right = await postJson(`${locked.url}/v1/chat/completions`, request, {
        authorization: 'Bearer sk-sim-secret',
      })
      expect(right.status).toBe(200)
    } finally {
      await locked.close()
    }
  })
})
