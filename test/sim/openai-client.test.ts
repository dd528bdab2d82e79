import OpenAI from 'openai'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startSim, type SimServer} from '../../src/sim/index.js'

let sim: SimServer
let client: OpenAI

beforeAll(async () => {
  sim = await startSim({name: 'omega', apiKey: 'sk-sim', models: ['gpt-5.2', 'text-embedding-3-small']})
  client = new OpenAI({baseURL: `${sim.url}/v1`, apiKey: 'sk-sim', maxRetries: 0})
})

afterAll(async () => {
  await sim.close()
})

const weather = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: {type: 'object', properties: {city: {type: 'string'}}, required: ['city']},
  },
}

describe('the official openai client against the simulator', () => {
  it('lists models', async () => {
    const ids: string[] = []
    for await (const model of client.models.list()) ids.push(model.id)
    expect(ids).toEqual(['gpt-5.2', 'text-embedding-3-small'])
  })

  it('creates a chat completion', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-5.2',
      messages: [{role: 'user', content: 'Hello'}],
    })
    expect(completion.choices[0].message.content).toMatch(/^\[sim:omega model=gpt-5\.2\] Reply to "Hello"/)
    expect(completion.choices[0].finish_reason).toBe('stop')
    expect(completion.usage?.completion_tokens).toBe(20)
  })

  it('streams a chat completion', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-5.2',
      messages: [{role: 'user', content: 'Hello'}],
      stream: true,
      stream_options: {include_usage: true},
    })
    let text = ''
    let finish: string | null = null
    let usage: OpenAI.CompletionUsage | null | undefined
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
      usage = chunk.usage ?? usage
    }
    expect(text).toMatch(/^\[sim:omega model=gpt-5\.2\] Reply to "Hello"/)
    expect(finish).toBe('stop')
    expect(usage?.completion_tokens).toBe(20)
  })

  it('assembles a streamed tool call with the stream helper', async () => {
    const runner = client.chat.completions.stream({
      model: 'gpt-5.2',
      tools: [weather],
      messages: [{role: 'user', content: 'Call get_weather for Rome'}],
    })
    const final = await runner.finalChatCompletion()
    expect(final.choices[0].finish_reason).toBe('tool_calls')
    const call = final.choices[0].message.tool_calls![0]
    expect(call.type).toBe('function')
    if (call.type !== 'function') return
    expect(call.function.name).toBe('get_weather')
    expect(JSON.parse(call.function.arguments)).toEqual({city: 'sim'})
  })

  it('creates a response and exposes output_text', async () => {
    const response = await client.responses.create({model: 'gpt-5.2', input: 'Hi there'})
    expect(response.status).toBe('completed')
    expect(response.output_text).toMatch(/^\[sim:omega model=gpt-5\.2\] Reply to "Hi there"/)
  })

  it('streams a response to its final Response', async () => {
    const stream = client.responses.stream({model: 'gpt-5.2', input: 'Stream this'})
    const deltas: string[] = []
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta))
    const final = await stream.finalResponse()
    expect(final.status).toBe('completed')
    expect(deltas).toHaveLength(20)
    expect(final.output_text).toBe(deltas.join(''))
  })

  it('creates embeddings (the client asks for base64 and decodes it)', async () => {
    const result = await client.embeddings.create({model: 'text-embedding-3-small', input: ['a', 'b'], dimensions: 8})
    expect(result.data).toHaveLength(2)
    expect(result.data[0].embedding).toHaveLength(8)
    const floats = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'a',
      dimensions: 8,
      encoding_format: 'float',
    })
    expect(result.data[0].embedding).toEqual(floats.data[0].embedding)
  })

  it('generates an image', async () => {
    const image = await client.images.generate({model: 'gpt-image-1', prompt: 'a lighthouse'})
    expect(Buffer.from(image.data![0].b64_json!, 'base64').subarray(1, 4).toString('latin1')).toBe('PNG')
  })

  it('creates a legacy completion', async () => {
    const completion = await client.completions.create({
      model: 'gpt-3.5-turbo-instruct',
      prompt: 'Say hi',
      max_tokens: 4,
    })
    expect(completion.choices[0].finish_reason).toBe('length')
    expect(completion.choices[0].text).toBe('[sim:omega model=gpt-3.5-turbo-instruct] Reply to "Say')
  })

  it('raises a RateLimitError carrying Retry-After for a scripted 429', async () => {
    sim.script([{status: 429, retryAfter: 5}])
    const error = await client.chat.completions
      .create({model: 'gpt-5.2', messages: [{role: 'user', content: 'x'}]})
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OpenAI.RateLimitError)
    const rateLimit = error as InstanceType<typeof OpenAI.RateLimitError>
    expect(rateLimit.status).toBe(429)
    expect(rateLimit.headers?.get('retry-after')).toBe('5')
    expect(rateLimit.code).toBe('rate_limit_exceeded')
  })

  it('raises an AuthenticationError for a wrong key', async () => {
    const wrong = new OpenAI({baseURL: `${sim.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0})
    await expect(
      wrong.chat.completions.create({model: 'm', messages: [{role: 'user', content: 'x'}]}),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError)
  })

  it('raises an APIError when a stream ends with an error object', async () => {
    sim.script([{kind: 'error_event', afterChunks: 2}])
    const stream = await client.chat.completions.create({
      model: 'gpt-5.2',
      messages: [{role: 'user', content: 'x'}],
      stream: true,
    })
    const consume = async () => {
      for await (const chunk of stream) void chunk
    }
    await expect(consume()).rejects.toBeInstanceOf(OpenAI.APIError)
  })
})
