import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startSim, type SimServer} from '../../src/sim/index.js'
import {payloads, postJson, readSse, request} from './support.js'

let sim: SimServer

const HEADERS = {
  authorization: 'Bearer chatgpt-access-token',
  'chatgpt-account-id': 'acct-123',
  'openai-beta': 'responses=experimental',
  originator: 'codex_cli_rs',
}

beforeAll(async () => {
  sim = await startSim({name: 'codex', protocol: 'codex', streamChunks: 3, models: ['gpt-5.2-codex']})
})

afterAll(async () => {
  await sim.close()
})

const codexRequest = {
  model: 'gpt-5.2-codex',
  instructions: 'You are Codex.',
  input: [{role: 'user', content: [{type: 'input_text', text: 'fix the bug'}]}],
  stream: true,
  store: false,
}

describe('ChatGPT Codex backend', () => {
  it('streams the Responses event sequence on /codex/responses', async () => {
    const response = await postJson(`${sim.url}/codex/responses`, codexRequest, HEADERS)
    expect(response.status).toBe(200)
    const data = payloads((await readSse(response)).events)
    expect(data.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ])
    expect(data.at(-1).response).toMatchObject({
      status: 'completed',
      store: false,
      model: 'gpt-5.2-codex',
      instructions: 'You are Codex.',
    })
    expect(data.at(-1).response.output[0].content[0].text).toMatch(
      /^\[sim:codex model=gpt-5\.2-codex\] Reply to "fix the bug"/,
    )
  })

  it('also answers under the /backend-api prefix of the real base URL', async () => {
    const response = await postJson(`${sim.url}/backend-api/codex/responses`, codexRequest, HEADERS)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    await response.text()
  })

  it('rejects stream: false and store: true like the real backend', async () => {
    const noStream = await postJson(`${sim.url}/codex/responses`, {...codexRequest, stream: false}, HEADERS)
    expect(noStream.status).toBe(400)
    expect(await noStream.json()).toEqual({detail: 'Stream must be set to true'})
    const stored = await postJson(`${sim.url}/codex/responses`, {...codexRequest, store: true}, HEADERS)
    expect(stored.status).toBe(400)
    expect(await stored.json()).toEqual({detail: 'Store must be set to false'})
  })

  it('requires a bearer token and the chatgpt-account-id header', async () => {
    const noToken = await postJson(`${sim.url}/codex/responses`, codexRequest, {'chatgpt-account-id': 'acct-123'})
    expect(noToken.status).toBe(401)
    expect((await noToken.json()).detail).toMatch(/authentication token/)
    const noAccount = await postJson(`${sim.url}/codex/responses`, codexRequest, {authorization: 'Bearer t'})
    expect(noAccount.status).toBe(400)
    expect((await noAccount.json()).detail).toMatch(/chatgpt-account-id/)
  })

  it('sends response.failed mid-stream for a response_failed behaviour', async () => {
    sim.script([{kind: 'response_failed', afterChunks: 1}])
    const {events, error} = await readSse(await postJson(`${sim.url}/codex/responses`, codexRequest, HEADERS))
    expect(error).toBeUndefined()
    const data = payloads(events)
    expect(data.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.failed',
    ])
    expect(events.at(-1)!.event).toBe('response.failed')
    expect(data.at(-1)).toMatchObject({sequence_number: 5, response: {status: 'failed', error: {code: 'server_error'}}})
  })

  it('sends an error event mid-stream for an error_event behaviour', async () => {
    sim.script([{kind: 'error_event', afterChunks: 0}])
    const data = payloads((await readSse(await postJson(`${sim.url}/codex/responses`, codexRequest, HEADERS))).events)
    expect(data.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'error',
    ])
    expect(data.at(-1)).toMatchObject({
      type: 'error',
      sequence_number: 4,
      code: 'server_error',
      message: expect.any(String),
    })
  })

  it('answers a usage-limit 429 in the backend shape', async () => {
    sim.script([{status: 429, retryAfter: 30}])
    const response = await postJson(`${sim.url}/codex/responses`, codexRequest, HEADERS)
    expect(response.status).toBe(429)
    expect(response.headers.get('retry-after')).toBe('30')
    expect((await response.json()).error).toMatchObject({type: 'usage_limit_reached', resets_in_seconds: 30})
  })

  it('lists models with their slugs', async () => {
    const response = await request(`${sim.url}/codex/models?client_version=0.50.0`, {headers: HEADERS})
    expect(response.status).toBe(200)
    expect((await response.json()).models).toEqual([expect.objectContaining({slug: 'gpt-5.2-codex'})])
  })

  it('does not serve OpenAI routes when restricted to the codex protocol', async () => {
    const response = await postJson(`${sim.url}/v1/chat/completions`, {model: 'm', messages: []}, HEADERS)
    expect(response.status).toBe(404)
  })
})
