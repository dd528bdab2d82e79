import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startSim, type SimServer} from '../../src/sim/index.js'
import {payloads, postJson, readSse, request} from './support.js'

let sim: SimServer

beforeAll(async () => {
  sim = await startSim({fast: true, name: 'bench'})
})

afterAll(async () => {
  await sim.close()
})

describe('fast mode', () => {
  it('answers a precomputed chat.completion with the requested model', async () => {
    const response = await postJson(`${sim.url}/v1/chat/completions`, {
      model: 'gpt-5.2',
      messages: [{role: 'user', content: 'anything'}],
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    const body = await response.json()
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-5.2',
      choices: [{finish_reason: 'stop', message: {role: 'assistant'}}],
    })
    expect(body.choices[0].message.content).toMatch(/^\[sim:bench model=gpt-5\.2\]/)
    expect(body.usage.completion_tokens).toBe(20)
  })

  it('keeps models with escapes and non-ASCII characters intact', async () => {
    const model = 'modèle "x"\\y'
    const body = await (await postJson(`${sim.url}/v1/chat/completions`, {model, messages: []})).json()
    expect(body.model).toBe(model)
  })

  it('streams 20 content chunks and [DONE], with a usage chunk when asked', async () => {
    const plain = await readSse(
      await postJson(`${sim.url}/v1/chat/completions`, {model: 'm', stream: true, messages: []}),
    )
    expect(plain.events.at(-1)!.data).toBe('[DONE]')
    const chunks = payloads(plain.events)
    expect(chunks).toHaveLength(22)
    expect(chunks.slice(1, 21).every((chunk) => typeof chunk.choices[0].delta.content === 'string')).toBe(true)
    const withUsage = payloads(
      (
        await readSse(
          await postJson(`${sim.url}/v1/chat/completions`, {
            model: 'm',
            stream: true,
            stream_options: {include_usage: true},
            messages: [],
          }),
        )
      ).events,
    )
    expect(withUsage.at(-1).usage.completion_tokens).toBe(20)
  })

  it('keeps no request records, only a count', async () => {
    const before = sim.requestCount
    await (await postJson(`${sim.url}/v1/chat/completions`, {model: 'm', messages: []})).text()
    await (await request(`${sim.url}/v1/models`)).text()
    expect(sim.requestCount).toBe(before + 2)
    expect(sim.requests).toEqual([])
  })

  it('still applies scripted behaviours and serves the other routes', async () => {
    sim.script([{status: 503}])
    expect((await postJson(`${sim.url}/v1/chat/completions`, {model: 'm', messages: []})).status).toBe(503)
    expect((await postJson(`${sim.url}/v1/chat/completions`, {model: 'm', messages: []})).status).toBe(200)
    const embedding = await (await postJson(`${sim.url}/v1/embeddings`, {model: 'e', input: 'x', dimensions: 3})).json()
    expect(embedding.data[0].embedding).toHaveLength(3)
  })

  it('answers 400 when the body has no model', async () => {
    const response = await postJson(`${sim.url}/v1/chat/completions`, {messages: []})
    expect(response.status).toBe(400)
    expect((await response.json()).error.param).toBe('model')
  })

  it('checks the API key when one is set', async () => {
    const locked = await startSim({fast: true, apiKey: 'k'})
    try {
      expect(
        (await postJson(`${locked.url}/v1/chat/completions`, {model: 'm', messages: [{role: 'user', content: 'x'}]}))
          .status,
      ).toBe(401)
      const ok = await postJson(
        `${locked.url}/v1/chat/completions`,
        {model: 'm', messages: []},
        {authorization: 'Bearer k'},
      )
      expect(ok.status).toBe(200)
    } finally {
      await locked.close()
    }
  })
})
