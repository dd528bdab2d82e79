import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from 'vitest'

import {startSim, type SimServer} from '../../src/sim/index.js'
import {payloads, postJson, readSse} from './support.js'

let sim: SimServer

beforeAll(async () => {
  sim = await startSim({name: 'gamma', retryAfterSeconds: 7})
})

afterEach(() => {
  sim.clearRequests()
})

afterAll(async () => {
  await sim.close()
})

const chat = {model: 'gpt-5.2', messages: [{role: 'user', content: 'hi'}]}
const streamChat = {...chat, stream: true}

function chatUrl(): string {
  return `${sim.url}/v1/chat/completions`
}

describe('scripted statuses', () => {
  it('answers 429 with Retry-After, retry-after-ms and an OpenAI rate-limit error', async () => {
    sim.script([{status: 429, retryAfter: 2}])
    const response = await postJson(chatUrl(), chat)
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBe('2')
    expect(response.headers.get('retry-after-ms')).toBe('2000')
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('0')
    expect(await response.json()).toEqual({
      error: {
        message:
          'Rate limit reached for requests in organization org-sim on requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in 2s. Visit https://platform.openai.com/account/rate-limits to learn more.',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    })
  })

  it('uses retryAfterSeconds for a 429 that does not say', async () => {
    sim.script([{kind: '429'}])
    const response = await postJson(chatUrl(), streamChat)
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBe('7')
    expect(response.headers.get('content-type')).toBe('application/json')
  })

  it('answers 503 with an OpenAI server error, on any route', async () => {
    sim.script([{status: 503}])
    const response = await postJson(`${sim.url}/v1/embeddings`, {model: 'e', input: 'x'})
    expect(response.status).toBe(503)
    expect((await response.json()).error).toMatchObject({type: 'server_error', code: null})
  })

  it('answers a scripted status with the given body and headers', async () => {
    sim.script([
      {
        status: 400,
        body: {error: {message: 'context too long', type: 'invalid_request_error', code: 'context_length_exceeded'}},
        headers: {'x-extra': 'yes'},
      },
    ])
    const response = await postJson(chatUrl(), chat)
    expect(response.status).toBe(400)
    expect(response.headers.get('x-extra')).toBe('yes')
    expect(await response.json()).toEqual({
      error: {message: 'context too long', type: 'invalid_request_error', code: 'context_length_exceeded'},
    })
  })

  it('consumes scripted behaviours one per request, in order, then answers normally', async () => {
    sim.script([{status: 503}, {kind: 'ok'}, {status: 502}])
    expect(sim.pendingScript).toBe(3)
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const response = await postJson(chatUrl(), chat)
      statuses.push(response.status)
      await response.arrayBuffer()
    }
    expect(statuses).toEqual([503, 200, 502, 200])
    expect(sim.requests.map((record) => [record.behaviour, record.scripted])).toEqual([
      ['status:503', true],
      ['ok', true],
      ['status:502', true],
      ['ok', false],
    ])
  })

  it('rejects an invalid script', () => {
    expect(() => sim.script([{kind: 'explode'} as never])).toThrow(/kind/)
    expect(() => sim.script([{status: 99}])).toThrow()
    expect(sim.pendingScript).toBe(0)
  })
})

describe('connection failures', () => {
  it('resets the connection before headers', async () => {
    sim.script([{kind: 'reset'}])
    const failure = await postJson(chatUrl(), chat).then(
      () => undefined,
      (error: Error & {cause?: {code?: string}}) => error,
    )
    expect(failure).toBeInstanceOf(Error)
    expect(['ECONNRESET', 'UND_ERR_SOCKET']).toContain(failure!.cause?.code)
    await vi.waitFor(() => expect(sim.requests[0].endedAt).toBeDefined())
    expect(sim.requests[0]).toMatchObject({behaviour: 'reset', aborted: false, completed: false})
    expect(sim.requests[0].status).toBeUndefined()
  })

  it('drops the connection after a few streamed chunks, without [DONE]', async () => {
    sim.script([{kind: 'drop', afterChunks: 3}])
    const response = await postJson(chatUrl(), streamChat)
    expect(response.status).toBe(200)
    const {events, error} = await readSse(response)
    expect(error).toBeInstanceOf(Error)
    expect(events.some((event) => event.data === '[DONE]')).toBe(false)
    const chunks = payloads(events)
    expect(chunks).toHaveLength(4)
    expect(chunks.slice(1).map((chunk) => typeof chunk.choices[0].delta.content)).toEqual([
      'string',
      'string',
      'string',
    ])
    await vi.waitFor(() => expect(sim.requests[0].endedAt).toBeDefined())
    expect(sim.requests[0]).toMatchObject({behaviour: 'drop', status: 200, aborted: false, completed: false})
  })

  it('drops a non-streaming answer half way through its body', async () => {
    sim.script([{kind: 'drop'}])
    const response = await postJson(chatUrl(), chat)
    expect(response.status).toBe(200)
    await expect(response.json()).rejects.toThrow()
  })

  it('hangs until the client gives up, and records the abort', async () => {
    sim.script([{kind: 'hang'}])
    await expect(postJson(chatUrl(), chat, {}, AbortSignal.timeout(150))).rejects.toThrow()
    await vi.waitFor(() => expect(sim.requests[0].aborted).toBe(true))
    expect(sim.requests[0]).toMatchObject({behaviour: 'hang', completed: false})
    expect(sim.requests[0].status).toBeUndefined()
  })

  it('records a client that aborts in the middle of a stream', async () => {
    const paced = await startSim({tokensPerSecond: 50})
    try {
      const controller = new AbortController()
      const response = await postJson(`${paced.url}/v1/chat/completions`, streamChat, {}, controller.signal)
      const reader = response.body!.getReader()
      await reader.read()
      controller.abort()
      await vi.waitFor(() => expect(paced.requests[0].aborted).toBe(true))
      expect(paced.requests[0]).toMatchObject({status: 200, completed: false})
    } finally {
      await paced.close()
    }
  })

  it('records a completed request as completed and not aborted', async () => {
    await (await postJson(chatUrl(), streamChat)).text()
    await vi.waitFor(() => expect(sim.requests[0].completed).toBe(true))
    expect(sim.requests[0]).toMatchObject({aborted: false, status: 200, stream: true, body: streamChat})
    expect(sim.requests[0].endedAt).toBeGreaterThanOrEqual(sim.requests[0].headersAt!)
    expect(sim.requests[0].headersAt).toBeGreaterThanOrEqual(sim.requests[0].receivedAt)
  })
})

describe('in-stream errors', () => {
  it('ends an OpenAI chat stream with an error object and no [DONE]', async () => {
    sim.script([{kind: 'error_event', afterChunks: 2}])
    const {events, error} = await readSse(await postJson(chatUrl(), streamChat))
    expect(error).toBeUndefined()
    expect(events.some((event) => event.data === '[DONE]')).toBe(false)
    const data = payloads(events)
    expect(data).toHaveLength(4)
    expect(data.at(-1)).toEqual({error: {message: expect.any(String), type: 'server_error', param: null, code: null}})
  })

  it('answers a non-streaming request with a 500 for an in-stream error behaviour', async () => {
    sim.script([{kind: 'response_failed'}])
    const response = await postJson(chatUrl(), chat)
    expect(response.status).toBe(500)
    expect((await response.json()).error.type).toBe('server_error')
  })
})

describe('timing', () => {
  it('waits slow_headers delayMs before the headers', async () => {
    sim.script([{kind: 'slow_headers', delayMs: 120}])
    const started = Date.now()
    const response = await postJson(chatUrl(), chat)
    expect(Date.now() - started).toBeGreaterThanOrEqual(110)
    expect(response.status).toBe(200)
  })

  it('applies a scripted latency to one request only', async () => {
    sim.script([{latencyMs: 100}])
    let started = Date.now()
    await (await postJson(chatUrl(), chat)).text()
    expect(Date.now() - started).toBeGreaterThanOrEqual(90)
    started = Date.now()
    await (await postJson(chatUrl(), chat)).text()
    expect(sim.requests[1].headersAt! - sim.requests[1].receivedAt).toBeLessThan(90)
  })

  it('paces streamed chunks by tokensPerSecond', async () => {
    const paced = await startSim({tokensPerSecond: 200, streamChunks: 6})
    try {
      const started = Date.now()
      const {events} = await readSse(await postJson(`${paced.url}/v1/chat/completions`, streamChat))
      expect(payloads(events)).toHaveLength(8)
      // Five gaps of 5 ms between six chunks.
      expect(Date.now() - started).toBeGreaterThanOrEqual(24)
    } finally {
      await paced.close()
    }
  })
})
