/**
 * Token usage and its estimated cost in the audit log (`proxy_response.usage`, `cost_usd`) and in Prometheus: for whole
 * answers and for streams, including streams the gateway translates (whose usage the client never sees unless it asks).
 */
import OpenAI from 'openai'
import {request} from 'undici'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {AuditEvent} from '../../src/core/audit/schema.js'
import {startSim, type SimServer} from '../../src/sim/index.js'
import {fakeJwt} from '../helpers/chatgpt-token.js'
import {startTestGateway, type TestGateway} from '../helpers/gateway.js'

type ResponseEvent = Extract<AuditEvent, {event: 'proxy_response'}>

// Prices set in the config, so that the expected cost does not depend on the catalog.
const CLAUDE_IN = 0.002
const CLAUDE_OUT = 0.01
const CODEX_IN = 0.001
const CODEX_OUT = 0.004

let anthropic: SimServer
let codex: SimServer
let openai: SimServer
let gateway: TestGateway

beforeAll(async () => {
  anthropic = await startSim({name: 'claude', protocol: 'anthropic', apiKey: 'sk-ant-test-key'})
  codex = await startSim({name: 'codex', protocol: 'codex'})
  openai = await startSim({name: 'plain'})
  const yaml = `
default_model: anthropic/claude-haiku-4.5
models:
  anthropic/claude-haiku-4.5: {cost_input_per_1k: ${CLAUDE_IN}, cost_output_per_1k: ${CLAUDE_OUT}}
  openai-codex/gpt-5.2: {cost_input_per_1k: ${CODEX_IN}, cost_output_per_1k: ${CODEX_OUT}}
  openai/house-model-x: {}
accounts:
  - {name: claude, provider: anthropic, base_url: ${anthropic.url}/v1, api_key: sk-ant-test-key, models: [anthropic/claude-haiku-4.5]}
  - name: chatgpt
    provider: openai-codex
    base_url: ${codex.url}
    auth_mode: oauth
    oauth_access_token: ${fakeJwt({'https://api.openai.com/auth': {chatgpt_account_id: 'acct-1'}})}
    oauth_refresh_token: refresh-1
    oauth_expires_at: ${Date.now() + 3_600_000}
    models: [openai-codex/gpt-5.2]
  - {name: plain, provider: openai, base_url: ${openai.url}/v1, api_key: sk-plain, models: [openai/house-model-x]}
task_routes:
  general: {default: [anthropic/claude-haiku-4.5]}
fallback_models: []
`
  gateway = await startTestGateway(yaml)
})

afterAll(async () => {
  await gateway?.close()
  await anthropic?.close()
  await codex?.close()
  await openai?.close()
})

const client = () => new OpenAI({baseURL: `${gateway.url}/v1`, apiKey: 'client', maxRetries: 0})
const messages = [{role: 'user' as const, content: 'Name three colours of the sea.'}]

/** The `proxy_response` of the request whose answer carried `requestId`. */
async function responseEvent(requestId: string | null): Promise<ResponseEvent> {
  expect(requestId).toMatch(/^req_/)
  await gateway.terminal(requestId!)
  const event = gateway.eventsFor(requestId!).find((e): e is ResponseEvent => e.event === 'proxy_response')
  expect(event).toBeDefined()
  return event!
}

function cost(usage: ResponseEvent['usage'], input: number, output: number): number {
  return (usage!.prompt_tokens! / 1000) * input + (usage!.completion_tokens! / 1000) * output
}

describe('usage and cost in the audit log', () => {
  it('records the counts and the cost of a whole answer', async () => {
    const {data, response} = await client().chat.completions.create({model: 'anthropic/claude-haiku-4.5', messages}).withResponse()
    const event = await responseEvent(response.headers.get('x-router-request-id'))
    expect(event.usage).toEqual({prompt_tokens: data.usage!.prompt_tokens, completion_tokens: data.usage!.completion_tokens})
    expect(event.cost_usd).toBeCloseTo(cost(event.usage, CLAUDE_IN, CLAUDE_OUT), 9)
    expect(event.cost_usd).toBeGreaterThan(0)
    // The client sees the same estimate in the answer's `_router` object.
    expect((data as unknown as {_router: {cost_usd: number | null}})._router.cost_usd).toBe(event.cost_usd)
  })

  it('records them for a translated stream whose client did not ask for usage', async () => {
    const whole = await client().chat.completions.create({model: 'anthropic/claude-haiku-4.5', messages})
    const {data: stream, response} = await client()
      .chat.completions.create({model: 'anthropic/claude-haiku-4.5', messages, stream: true})
      .withResponse()
    let sawUsage = false
    for await (const chunk of stream) if (chunk.usage) sawUsage = true
    // The client did not ask, so its stream has no usage chunk; the audit log has the counts anyway.
    expect(sawUsage).toBe(false)
    const event = await responseEvent(response.headers.get('x-router-request-id'))
    expect(event.stream).toBe(true)
    expect(event.usage).toEqual({prompt_tokens: whole.usage!.prompt_tokens, completion_tokens: whole.usage!.completion_tokens})
    expect(event.cost_usd).toBeCloseTo(cost(event.usage, CLAUDE_IN, CLAUDE_OUT), 9)
  })

  it('records them for ChatGPT Codex streams, as chat chunks and as Responses events', async () => {
    const {data: chat, response: chatResponse} = await client()
      .chat.completions.create({model: 'openai-codex/gpt-5.2', messages, stream: true})
      .withResponse()
    for await (const _ of chat) void _
    const chatEvent = await responseEvent(chatResponse.headers.get('x-router-request-id'))
    expect(chatEvent.usage?.prompt_tokens).toBeGreaterThan(0)
    expect(chatEvent.usage?.completion_tokens).toBeGreaterThan(0)
    expect(chatEvent.cost_usd).toBeCloseTo(cost(chatEvent.usage, CODEX_IN, CODEX_OUT), 9)

    const {data: responses, response: responsesResponse} = await client()
      .responses.create({model: 'openai-codex/gpt-5.2', input: 'Name three colours of the sea.', stream: true})
      .withResponse()
    let final: {input_tokens: number; output_tokens: number} | undefined
    for await (const event of responses) if (event.type === 'response.completed') final = event.response.usage
    const event = await responseEvent(responsesResponse.headers.get('x-router-request-id'))
    expect(event.usage).toEqual({prompt_tokens: final!.input_tokens, completion_tokens: final!.output_tokens})
    expect(event.cost_usd).toBeCloseTo(cost(event.usage, CODEX_IN, CODEX_OUT), 9)
  })

  it('records them for a Responses stream bridged to Anthropic', async () => {
    const {data: stream, response} = await client()
      .responses.create({model: 'anthropic/claude-haiku-4.5', input: 'Name three colours of the sea.', stream: true})
      .withResponse()
    let final: {input_tokens: number; output_tokens: number} | undefined
    for await (const event of stream) if (event.type === 'response.completed') final = event.response.usage
    const event = await responseEvent(response.headers.get('x-router-request-id'))
    expect(final?.output_tokens).toBeGreaterThan(0)
    expect(event.usage).toEqual({prompt_tokens: final!.input_tokens, completion_tokens: final!.output_tokens})
    expect(event.cost_usd).toBeCloseTo(cost(event.usage, CLAUDE_IN, CLAUDE_OUT), 9)
  })

  it('leaves the cost out (null) for a model that nothing describes, whose prices would be made up', async () => {
    const {response} = await client().chat.completions.create({model: 'openai/house-model-x', messages}).withResponse()
    const event = await responseEvent(response.headers.get('x-router-request-id'))
    expect(event.usage?.prompt_tokens).toBeGreaterThan(0)
    expect(event.cost_usd).toBeNull()
  })

  it('exports tokens and cost per model and account to Prometheus', async () => {
    await client().chat.completions.create({model: 'anthropic/claude-haiku-4.5', messages})
    const sent = gateway.events.filter((e): e is ResponseEvent => e.event === 'proxy_response' && e.account === 'claude')
    const prompt = sent.reduce((sum, e) => sum + (e.usage?.prompt_tokens ?? 0), 0)
    const completion = sent.reduce((sum, e) => sum + (e.usage?.completion_tokens ?? 0), 0)
    const usd = sent.reduce((sum, e) => sum + (e.cost_usd ?? 0), 0)
    const text = await (await request(`${gateway.url}/metrics`)).body.text()
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1])
    const labels = 'model="anthropic/claude-haiku-4.5",account="claude"'
    expect(text).toMatch(/^# TYPE router_upstream_tokens_total counter$/m)
    expect(value(new RegExp(`^router_upstream_tokens_total\\{${labels},type="prompt"\\} (\\S+)$`, 'm'))).toBe(prompt)
    expect(value(new RegExp(`^router_upstream_tokens_total\\{${labels},type="completion"\\} (\\S+)$`, 'm'))).toBe(completion)
    expect(value(new RegExp(`^router_upstream_cost_usd_total\\{${labels}\\} (\\S+)$`, 'm'))).toBeCloseTo(usd, 9)
    expect(prompt).toBeGreaterThan(0)
    // The model without prices has tokens but no cost series.
    expect(text).toMatch(/^router_upstream_tokens_total\{model="openai\/house-model-x",account="plain",type="prompt"\} [1-9]/m)
    expect(text).not.toMatch(/^router_upstream_cost_usd_total\{model="openai\/house-model-x"/m)
  })
})
