import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startSim, type SimServer} from '../../src/sim/index.js'
import {payloads, postJson, readSse} from './support.js'

let sim: SimServer

beforeAll(async () => {
  sim = await startSim({name: 'beta', streamChunks: 5})
})

afterAll(async () => {
  await sim.close()
})

const TEXT_SEQUENCE = [
  'response.created',
  'response.in_progress',
  'response.output_item.added',
  'response.content_part.added',
  'response.output_text.delta',
  'response.output_text.delta',
  'response.output_text.delta',
  'response.output_text.delta',
  'response.output_text.delta',
  'response.output_text.done',
  'response.content_part.done',
  'response.output_item.done',
  'response.completed',
]

describe('OpenAI Responses API', () => {
  it('answers a completed Response with a message output item and output_text', async () => {
    const response = await postJson(`${sim.url}/v1/responses`, {
      model: 'gpt-5.2',
      instructions: 'Be brief.',
      input: 'Hello there',
    })
    expect(response.status).toBe(200)
    const body = await response.json()
    expect(body).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'gpt-5.2',
      instructions: 'Be brief.',
      error: null,
      incomplete_details: null,
      store: true,
      id: expect.stringMatching(/^resp_/),
    })
    expect(body.output).toHaveLength(1)
    const item = body.output[0]
    expect(item).toMatchObject({
      type: 'message',
      role: 'assistant',
      status: 'completed',
      id: expect.stringMatching(/^msg_/),
    })
    expect(item.content).toEqual([{type: 'output_text', annotations: [], logprobs: [], text: body.output_text}])
    expect(body.output_text).toMatch(/^\[sim:beta model=gpt-5\.2\] Reply to "Hello there"\./)
    expect(body.usage).toMatchObject({
      output_tokens: 5,
      total_tokens: body.usage.input_tokens + 5,
      input_tokens_details: {cached_tokens: 0},
    })
  })

  it('reads the last user turn from an input item list', async () => {
    const body = await (
      await postJson(`${sim.url}/v1/responses`, {
        model: 'm',
        input: [
          {role: 'user', content: [{type: 'input_text', text: 'first question'}]},
          {role: 'assistant', content: [{type: 'output_text', text: 'first answer'}]},
          {type: 'message', role: 'user', content: [{type: 'input_text', text: 'second question'}]},
        ],
      })
    ).json()
    expect(body.output_text).toContain('Reply to "second question"')
  })

  it('streams the real event sequence with increasing sequence numbers', async () => {
    const response = await postJson(`${sim.url}/v1/responses`, {model: 'gpt-5.2', input: 'Stream it', stream: true})
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    const {events, error} = await readSse(response)
    expect(error).toBeUndefined()
    expect(events.map((event) => event.event)).toEqual(TEXT_SEQUENCE)
    const data = payloads(events)
    expect(data.map((event) => event.type)).toEqual(TEXT_SEQUENCE)
    expect(data.map((event) => event.sequence_number)).toEqual(TEXT_SEQUENCE.map((_, i) => i))
    expect(data[0].response).toMatchObject({status: 'in_progress', output: [], model: 'gpt-5.2'})
    expect(data[2].item).toMatchObject({type: 'message', status: 'in_progress', content: [], role: 'assistant'})
    const itemId = data[2].item.id
    const deltas = data.filter((event) => event.type === 'response.output_text.delta')
    expect(
      deltas.every((event) => event.item_id === itemId && event.output_index === 0 && event.content_index === 0),
    ).toBe(true)
    const text = deltas.map((event) => event.delta).join('')
    expect(data[9].text).toBe(text)
    expect(data[10].part).toEqual({type: 'output_text', annotations: [], logprobs: [], text})
    expect(data[11].item).toMatchObject({id: itemId, status: 'completed', content: [{type: 'output_text', text}]})
    const completed = data[12].response
    expect(completed).toMatchObject({status: 'completed', id: data[0].response.id, usage: {output_tokens: 5}})
    expect(completed.output[0].content[0].text).toBe(text)
  })

  it('calls a function tool, streaming its arguments', async () => {
    const request = {
      model: 'm',
      stream: true,
      tools: [{type: 'function', name: 'lookup', parameters: {type: 'object', properties: {query: {type: 'string'}}}}],
      input: 'Please lookup the docs',
    }
    const data = payloads((await readSse(await postJson(`${sim.url}/v1/responses`, request))).events)
    const types = data.map((event) => event.type)
    expect(types.slice(0, 3)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added'])
    expect(types.slice(-3)).toEqual([
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ])
    expect(types.slice(3, -3).every((type) => type === 'response.function_call_arguments.delta')).toBe(true)
    expect(data[2].item).toMatchObject({
      type: 'function_call',
      name: 'lookup',
      arguments: '',
      status: 'in_progress',
      call_id: expect.stringMatching(/^call_/),
    })
    const args = data
      .filter((event) => event.type === 'response.function_call_arguments.delta')
      .map((event) => event.delta)
      .join('')
    expect(JSON.parse(args)).toEqual({query: 'sim'})
    expect(data.at(-1).response.output[0]).toMatchObject({type: 'function_call', arguments: args, status: 'completed'})
  })

  it('answers a function_call item without streaming', async () => {
    const body = await (
      await postJson(`${sim.url}/v1/responses`, {
        model: 'm',
        tools: [{type: 'function', name: 'lookup', parameters: {type: 'object', properties: {}}}],
        tool_choice: 'required',
        input: 'hi',
      })
    ).json()
    expect(body.output).toEqual([expect.objectContaining({type: 'function_call', name: 'lookup', arguments: '{}'})])
  })

  it('ends with response.incomplete when max_output_tokens cuts the answer', async () => {
    const data = payloads(
      (
        await readSse(
          await postJson(`${sim.url}/v1/responses`, {model: 'm', input: 'x', stream: true, max_output_tokens: 2}),
        )
      ).events,
    )
    expect(data.at(-1)).toMatchObject({
      type: 'response.incomplete',
      response: {status: 'incomplete', incomplete_details: {reason: 'max_output_tokens'}},
    })
    expect(data.filter((event) => event.type === 'response.output_text.delta')).toHaveLength(2)
  })

  it('rejects a request without input', async () => {
    const response = await postJson(`${sim.url}/v1/responses`, {model: 'm'})
    expect(response.status).toBe(400)
    expect((await response.json()).error).toMatchObject({param: 'input', type: 'invalid_request_error'})
  })
})
