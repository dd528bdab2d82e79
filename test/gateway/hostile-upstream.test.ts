/**
 * The fault matrix of answers that break gateways: a real misbehaving HTTP server on loopback in front of the gateway,
 * driven through the official `openai` client where a client is involved. Each case asserts what the client got,
 * what the upstream received, and the audit.
 */
import OpenAI from 'openai'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {startHostileUpstream, sse, chatChunk, type HostileUpstream} from '../helpers/hostile-upstream.js'
import {startTestGateway, type TestGateway} from '../helpers/gateway.js'

let upstream: HostileUpstream
let gateway: TestGateway
let client: OpenAI

beforeAll(async () => {
  upstream = await startHostileUpstream()
  gateway = await startTestGateway(`
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: {}
accounts:
  - {name: hostile, provider: openai, base_url: ${upstream.url}/v1, api_key: sk-hostile-000000, models: [openai/gpt-5-mini]}
task_routes:
  general: {default: [openai/gpt-5-mini]}
`)
  client = new OpenAI({baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0})
})

afterAll(async () => {
  await gateway?.close()
  await upstream?.close()
})

afterEach(() => upstream.reset())

describe('big first events', () => {
  it('relays a chat stream whose first event is 64 KB, whole, and audits a success', async () => {
    const big = 'x'.repeat(64 * 1024)
    upstream.script(sse(chatChunk({role: 'assistant', content: big}) + chatChunk({content: ' end'}) + chatChunk({}, 'stop') + 'data: [DONE]\n\n'))
    const stream = await client.chat.completions.create({model: 'auto', stream: true, messages: [{role: 'user', content: 'hello'}]}).withResponse()
    let text = ''
    for await (const chunk of stream.data) text += chunk.choices[0]?.delta.content ?? ''
    expect(text).toBe(`${big} end`)
    const id = stream.response.headers.get('x-router-request-id')!
    expect(await gateway.terminal(id)).toMatchObject({outcome: 'success', status: 200})
    expect(gateway.eventsFor(id).some((e) => e.event === 'proxy_stream_error')).toBe(false)
    expect(upstream.requests).toHaveLength(1)
  })
})
