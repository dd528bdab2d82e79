/**
 * Token usage and its estimated cost in the audit log (`proxy_response.usage`, `cost_usd`, `cache_savings_usd`) and in
 * Prometheus: for whole answers and for streams, including streams the gateway translates (whose usage the client never
 * sees unless it asks), and with the prompt caches the simulators keep as the real APIs do (OpenAI from a repeated
 * prefix of 1024 tokens or more, Anthropic up to a `cache_control` breakpoint; see docs/sim.md).
 */
import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import {request} from 'undici'
import {describe, expect} from 'vitest'

import type {AuditEvent} from '../../src/core/audit/schema.js'
import {LiveMetricsSnapshotSchema} from '../../src/core/metrics/schema.js'
import {fakeJwt} from '../helpers/chatgpt-token.js'
import {gatewayTest} from '../helpers/gateway.js'

type ResponseEvent = Extract<AuditEvent, {event: 'proxy_response'}>

/** A model's prices in US dollars per 1000 tokens: input, cache reads, cache writes, output. */
interface Prices {
  input: number
  cached: number
  write: number
  output: number
}

// Prices set in the config, so that the expected cost does not depend on the catalog. Claude's and Codex's cache
// prices are not set: they follow the input price at the catalog model's discount (Anthropic: reads 0.1×, writes
// 1.25×; GPT-5.2: reads 0.1×, writes at the input price); GPT-5 mini's cached price is the config's own.
const CLAUDE_IN = 0.002
const CLAUDE_OUT = 0.01
const CODEX_IN = 0.001
const CODEX_OUT = 0.004
const CLAUDE: Prices = {input: CLAUDE_IN, cached: CLAUDE_IN * 0.1, write: CLAUDE_IN * 1.25, output: CLAUDE_OUT}
const CODEX: Prices = {input: CODEX_IN, cached: CODEX_IN * 0.1, write: CODEX_IN, output: CODEX_OUT}
const MINI: Prices = {input: 0.001, cached: 0.0002, write: 0.001, output: 0.004}

const it = gatewayTest({
  sims: {
    anthropic: {name: 'claude', protocol: 'anthropic', apiKey: 'sk-ant-test-key'},
    codex: {name: 'codex', protocol: 'codex'},
    openai: {name: 'plain'},
  },
  config: ({anthropic, codex, openai}) => `
default_model: anthropic/claude-haiku-4.5
models:
  anthropic/claude-haiku-4.5: {cost_input_per_1k: ${CLAUDE_IN}, cost_output_per_1k: ${CLAUDE_OUT}}
  openai-codex/gpt-5.2: {cost_input_per_1k: ${CODEX_IN}, cost_output_per_1k: ${CODEX_OUT}}
  openai/gpt-5-mini: {cost_input_per_1k: ${MINI.input}, cost_output_per_1k: ${MINI.output}, cost_cached_input_per_1k: ${MINI.cached}}
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
  - {name: plain, provider: openai, base_url: ${openai.url}/v1, api_key: sk-plain, models: [openai/house-model-x, openai/gpt-5-mini]}
task_routes:
  general: {default: [anthropic/claude-haiku-4.5]}
fallback_models: []
`,
})
  .extend(
    'client',
    {scope: 'file'},
    ({gateway}) =>
      () =>
        new OpenAI({baseURL: `${gateway.url}/v1`, apiKey: 'client', maxRetries: 0}),
  )
  .extend(
    'anthropicClient',
    {scope: 'file'},
    ({gateway}) =>
      () =>
        new Anthropic({baseURL: gateway.url, apiKey: 'client', maxRetries: 0}),
  )
  .extend('responseEvent', {scope: 'file'}, ({gateway}) => {
    /** The `proxy_response` of the request whose answer carried `requestId`. */
    return async (requestId: string | null): Promise<ResponseEvent> => {
      expect(requestId).toMatch(/^req_/)
      await gateway.terminal(requestId!)
      const event = gateway.eventsFor(requestId!).find((e): e is ResponseEvent => e.event === 'proxy_response')
      expect(event).toBeDefined()
      return event!
    }
  })

const messages = [{role: 'user' as const, content: 'Name three colours of the sea.'}]

/** The cost of `usage` at `prices`: cached tokens at the cached price, written ones at the write price. */
function cost(usage: ResponseEvent['usage'], prices: Prices): number {
  const read = usage!.cached_tokens ?? 0
  const written = usage!.cache_write_tokens ?? 0
  const uncached = usage!.prompt_tokens! - read - written
  return (
    (uncached * prices.input +
      read * prices.cached +
      written * prices.write +
      usage!.completion_tokens! * prices.output) /
    1000
  )
}

describe('usage and cost in the audit log', () => {
  it('records the counts and the cost of a whole answer', async ({client, responseEvent}) => {
    const {data, response} = await client()
      .chat.completions.create({model: 'anthropic/claude-haiku-4.5', messages})
      .withResponse()
    const event = await responseEvent(response.headers.get('x-router-request-id'))
    expect(event.usage).toMatchObject({
      prompt_tokens: data.usage!.prompt_tokens,
      completion_tokens: data.usage!.completion_tokens,
    })
    expect(event.cost_usd).toBeCloseTo(cost(event.usage, CLAUDE), 9)
    expect(event.cost_usd).toBeGreaterThan(0)
    // The client sees the same estimate in the answer's `_router` object.
    expect((data as unknown as {_router: {cost_usd: number | null}})._router.cost_usd).toBe(event.cost_usd)
  })

  it('records them for a translated stream whose client did not ask for usage', async ({client, responseEvent}) => {
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
    expect(event.usage).toMatchObject({
      prompt_tokens: whole.usage!.prompt_tokens,
      completion_tokens: whole.usage!.completion_tokens,
    })
    expect(event.cost_usd).toBeCloseTo(cost(event.usage, CLAUDE), 9)
  })

  it('records them for ChatGPT Codex streams, as chat chunks and as Responses events', async ({
    client,
    responseEvent,
  }) => {
    const {data: chat, response: chatResponse} = await client()
      .chat.completions.create({model: 'openai-codex/gpt-5.2', messages, stream: true})
      .withResponse()
    for await (const _ of chat) void _
    const chatEvent = await responseEvent(chatResponse.headers.get('x-router-request-id'))
    expect(chatEvent.usage?.prompt_tokens).toBeGreaterThan(0)
    expect(chatEvent.usage?.completion_tokens).toBeGreaterThan(0)
    expect(chatEvent.cost_usd).toBeCloseTo(cost(chatEvent.usage, CODEX), 9)

    const {data: responses, response: responsesResponse} = await client()
      .responses.create({model: 'openai-codex/gpt-5.2', input: 'Name three colours of the sea.', stream: true})
      .withResponse()
    let final: {input_tokens: number; output_tokens: number} | undefined
    for await (const event of responses) if (event.type === 'response.completed') final = event.response.usage
    const event = await responseEvent(responsesResponse.headers.get('x-router-request-id'))
    expect(event.usage).toMatchObject({prompt_tokens: final!.input_tokens, completion_tokens: final!.output_tokens})
    expect(event.cost_usd).toBeCloseTo(cost(event.usage, CODEX), 9)
  })

  it('records them for a Responses stream bridged to Anthropic', async ({client, responseEvent}) => {
    const {data: stream, response} = await client()
      .responses.create({model: 'anthropic/claude-haiku-4.5', input: 'Name three colours of the sea.', stream: true})
      .withResponse()
    let final: {input_tokens: number; output_tokens: number} | undefined
    for await (const event of stream) if (event.type === 'response.completed') final = event.response.usage
    const event = await responseEvent(response.headers.get('x-router-request-id'))
    expect(final?.output_tokens).toBeGreaterThan(0)
    expect(event.usage).toMatchObject({prompt_tokens: final!.input_tokens, completion_tokens: final!.output_tokens})
    expect(event.cost_usd).toBeCloseTo(cost(event.usage, CLAUDE), 9)
  })

  it('leaves the cost out (null) for a model that nothing describes, whose prices would be made up', async ({
    client,
    responseEvent,
  }) => {
    const {response} = await client().chat.completions.create({model: 'openai/house-model-x', messages}).withResponse()
    const event = await responseEvent(response.headers.get('x-router-request-id'))
    expect(event.usage?.prompt_tokens).toBeGreaterThan(0)
    expect(event.cost_usd).toBeNull()
  })

  it('exports tokens and cost per model and account to Prometheus', async ({gateway, client}) => {
    await client().chat.completions.create({model: 'anthropic/claude-haiku-4.5', messages})
    const sent = gateway.events.filter(
      (e): e is ResponseEvent => e.event === 'proxy_response' && e.account === 'claude',
    )
    const prompt = sent.reduce((sum, e) => sum + (e.usage?.prompt_tokens ?? 0), 0)
    const completion = sent.reduce((sum, e) => sum + (e.usage?.completion_tokens ?? 0), 0)
    const usd = sent.reduce((sum, e) => sum + (e.cost_usd ?? 0), 0)
    const text = await (await request(`${gateway.url}/metrics`)).body.text()
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1])
    const labels = 'model="anthropic/claude-haiku-4.5",account="claude"'
    expect(text).toMatch(/^# TYPE router_upstream_tokens_total counter$/m)
    expect(value(new RegExp(`^router_upstream_tokens_total\\{${labels},type="prompt"\\} (\\S+)$`, 'm'))).toBe(prompt)
    expect(value(new RegExp(`^router_upstream_tokens_total\\{${labels},type="completion"\\} (\\S+)$`, 'm'))).toBe(
      completion,
    )
    expect(value(new RegExp(`^router_upstream_cost_usd_total\\{${labels}\\} (\\S+)$`, 'm'))).toBeCloseTo(usd, 9)
    expect(prompt).toBeGreaterThan(0)
    // The model without prices has tokens but no cost series.
    expect(text).toMatch(
      /^router_upstream_tokens_total\{model="openai\/house-model-x",account="plain",type="prompt"\} [1-9]/m,
    )
    expect(text).not.toMatch(/^router_upstream_cost_usd_total\{model="openai\/house-model-x"/m)
  })
})

/** A system prompt of about 1 600 tokens, different in each test: each simulator remembers the prompts it has seen. */
function longPrefix(label: string): string {
  return (
    `${label}. ` +
    'You review pull requests for a team that ships an LLM router; answer in one short paragraph. '.repeat(70)
  )
}

/** What the cache saved on `usage` at `prices`: reads below the input price, less writes above it. */
function savings(usage: ResponseEvent['usage'], prices: Prices): number {
  return (
    ((usage!.cached_tokens ?? 0) * (prices.input - prices.cached) -
      (usage!.cache_write_tokens ?? 0) * (prices.write - prices.input)) /
    1000
  )
}

/** Both turns priced as the cache counts say, the second one cheaper thanks to the tokens it read from the cache. */
function expectCheaperSecondTurn(first: ResponseEvent, second: ResponseEvent, prices: Prices): void {
  expect(second.usage!.cached_tokens).toBeGreaterThanOrEqual(1024)
  for (const event of [first, second]) {
    expect(event.cost_usd).toBeCloseTo(cost(event.usage, prices), 9)
    expect(event.cache_savings_usd).toBeCloseTo(savings(event.usage, prices), 9)
  }
  expect(second.cost_usd!).toBeLessThan(first.cost_usd!)
  expect(second.cache_savings_usd!).toBeGreaterThan(0)
}

describe('prompt caching in the usage, the cost and what the cache saved', () => {
  it('chat to OpenAI: the second turn of a long conversation reports its cached tokens, as the client sees them, and costs less', async ({
    client,
    responseEvent,
  }) => {
    const opening = [
      {role: 'system' as const, content: longPrefix('chat')},
      {role: 'user' as const, content: 'Review the first change.'},
    ]
    const first = await client().chat.completions.create({model: 'openai/gpt-5-mini', messages: opening}).withResponse()
    const firstEvent = await responseEvent(first.response.headers.get('x-router-request-id'))
    expect(firstEvent.usage).toMatchObject({
      prompt_tokens: first.data.usage!.prompt_tokens,
      cached_tokens: 0,
      cache_write_tokens: null,
    })
    expect(firstEvent.cache_savings_usd).toBe(0)

    // The second turn, streamed: its usage chunk comes at the end of the stream.
    const messages = [
      ...opening,
      {role: 'assistant' as const, content: first.data.choices[0].message.content},
      {role: 'user' as const, content: 'And the second?'},
    ]
    const {data: stream, response} = await client()
      .chat.completions.create({
        model: 'openai/gpt-5-mini',
        messages,
        stream: true,
        stream_options: {include_usage: true},
      })
      .withResponse()
    let usage: OpenAI.CompletionUsage | undefined
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage
    const secondEvent = await responseEvent(response.headers.get('x-router-request-id'))
    expect(secondEvent.usage).toMatchObject({
      prompt_tokens: usage!.prompt_tokens,
      cached_tokens: usage!.prompt_tokens_details!.cached_tokens,
    })
    expectCheaperSecondTurn(firstEvent, secondEvent, MINI)
  })

  it('Responses to OpenAI: cached input tokens from input_tokens_details, whole and streamed', async ({
    client,
    responseEvent,
  }) => {
    const instructions = longPrefix('responses')
    const first = await client()
      .responses.create({model: 'openai/gpt-5-mini', instructions, input: 'Review the first change.'})
      .withResponse()
    const firstEvent = await responseEvent(first.response.headers.get('x-router-request-id'))
    expect(firstEvent.usage).toMatchObject({prompt_tokens: first.data.usage!.input_tokens, cached_tokens: 0})

    const {data: stream, response} = await client()
      .responses.create({model: 'openai/gpt-5-mini', instructions, input: 'Review the second change.', stream: true})
      .withResponse()
    let final: OpenAI.Responses.ResponseUsage | undefined
    for await (const event of stream) if (event.type === 'response.completed') final = event.response.usage
    const secondEvent = await responseEvent(response.headers.get('x-router-request-id'))
    expect(secondEvent.usage).toMatchObject({
      prompt_tokens: final!.input_tokens,
      cached_tokens: final!.input_tokens_details.cached_tokens,
    })
    expectCheaperSecondTurn(firstEvent, secondEvent, MINI)
  })

  it("Messages to Anthropic: the write at a cache_control breakpoint costs 1.25× and the read a tenth, in Anthropic's own counts", async ({
    anthropicClient,
    responseEvent,
  }) => {
    const system = [{type: 'text' as const, text: longPrefix('messages'), cache_control: {type: 'ephemeral' as const}}]
    const first = await anthropicClient()
      .messages.create({
        model: 'anthropic/claude-haiku-4.5',
        max_tokens: 200,
        system,
        messages: [{role: 'user', content: 'Review the first change.'}],
      })
      .withResponse()
    const firstEvent = await responseEvent(first.response.headers.get('x-router-request-id'))
    const written = first.data.usage.cache_creation_input_tokens!
    expect(written).toBeGreaterThan(1024)
    // Anthropic's input_tokens leaves out what went to the cache; the audit's prompt is all of it.
    expect(firstEvent.usage).toEqual({
      prompt_tokens: first.data.usage.input_tokens + written,
      completion_tokens: first.data.usage.output_tokens,
      cached_tokens: 0,
      cache_write_tokens: written,
    })
    // Writing cost more than the input price would have: the cache has saved nothing yet.
    expect(firstEvent.cache_savings_usd!).toBeLessThan(0)

    // The second turn, streamed: the counts come in message_start and message_delta, relayed untouched.
    const turn = anthropicClient().messages.stream({
      model: 'anthropic/claude-haiku-4.5',
      max_tokens: 200,
      system,
      messages: [
        {role: 'user', content: 'Review the first change.'},
        {role: 'assistant', content: first.data.content},
        {role: 'user', content: 'And the second?'},
      ],
    })
    const {response} = await turn.withResponse()
    const final = await turn.finalMessage()
    const secondEvent = await responseEvent(response.headers.get('x-router-request-id'))
    expect(final.usage.cache_read_input_tokens).toBe(written)
    expect(secondEvent.usage).toEqual({
      prompt_tokens: final.usage.input_tokens + written + (final.usage.cache_creation_input_tokens ?? 0),
      completion_tokens: final.usage.output_tokens,
      cached_tokens: written,
      cache_write_tokens: final.usage.cache_creation_input_tokens ?? 0,
    })
    expectCheaperSecondTurn(firstEvent, secondEvent, CLAUDE)
  })

  it('Messages client to an OpenAI model: the client gets cache_read_input_tokens, never counted twice in input_tokens', async ({
    anthropicClient,
    responseEvent,
  }) => {
    const system = longPrefix('messages-to-openai')
    const opening = [{role: 'user' as const, content: 'Review the first change.'}]
    const first = await anthropicClient()
      .messages.create({model: 'openai/gpt-5-mini', max_tokens: 200, system, messages: opening})
      .withResponse()
    const firstEvent = await responseEvent(first.response.headers.get('x-router-request-id'))
    expect(first.data.usage.input_tokens).toBe(firstEvent.usage!.prompt_tokens)

    const turn = anthropicClient().messages.stream({
      model: 'openai/gpt-5-mini',
      max_tokens: 200,
      system,
      messages: [
        ...opening,
        {role: 'assistant', content: first.data.content},
        {role: 'user', content: 'And the second?'},
      ],
    })
    const {response} = await turn.withResponse()
    const final = await turn.finalMessage()
    const secondEvent = await responseEvent(response.headers.get('x-router-request-id'))
    // Anthropic's terms: input_tokens is what the cache did not serve, so the two add up to OpenAI's prompt_tokens.
    expect(final.usage.cache_read_input_tokens).toBe(secondEvent.usage!.cached_tokens)
    expect(final.usage.input_tokens + final.usage.cache_read_input_tokens!).toBe(secondEvent.usage!.prompt_tokens)
    expectCheaperSecondTurn(firstEvent, secondEvent, MINI)
  })

  it("chat client to Anthropic: cache_control on a system part caches the prefix; the client's prompt_tokens include it", async ({
    client,
    responseEvent,
  }) => {
    const system = {
      role: 'system' as const,
      content: [{type: 'text' as const, text: longPrefix('chat-to-anthropic'), cache_control: {type: 'ephemeral'}}],
    }
    const opening = [
      system,
      {role: 'user' as const, content: 'Review the first change.'},
    ] as OpenAI.ChatCompletionMessageParam[]
    const first = await client()
      .chat.completions.create({model: 'anthropic/claude-haiku-4.5', messages: opening})
      .withResponse()
    const firstEvent = await responseEvent(first.response.headers.get('x-router-request-id'))
    expect(firstEvent.usage!.cache_write_tokens).toBeGreaterThan(1024)
    expect(firstEvent.usage).toMatchObject({prompt_tokens: first.data.usage!.prompt_tokens, cached_tokens: 0})

    const messages = [
      ...opening,
      {role: 'assistant' as const, content: first.data.choices[0].message.content},
      {role: 'user' as const, content: 'And the second?'},
    ]
    const {data: stream, response} = await client()
      .chat.completions.create({
        model: 'anthropic/claude-haiku-4.5',
        messages,
        stream: true,
        stream_options: {include_usage: true},
      })
      .withResponse()
    let usage: OpenAI.CompletionUsage | undefined
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage
    const secondEvent = await responseEvent(response.headers.get('x-router-request-id'))
    expect(secondEvent.usage).toMatchObject({
      prompt_tokens: usage!.prompt_tokens,
      cached_tokens: usage!.prompt_tokens_details!.cached_tokens,
      cache_write_tokens: 0,
    })
    expectCheaperSecondTurn(firstEvent, secondEvent, CLAUDE)
  })

  it('exports cached and written tokens to Prometheus, and the cache hit ratio and savings to the live metrics', async ({
    gateway,
    client,
  }) => {
    // Two turns on each model: Claude writes its prefix then reads it; GPT-5 mini caches its own automatically.
    for (const model of ['anthropic/claude-haiku-4.5', 'openai/gpt-5-mini']) {
      const text = longPrefix(`metrics ${model}`)
      const system = model.startsWith('anthropic/')
        ? [{type: 'text' as const, text, cache_control: {type: 'ephemeral'}}]
        : text
      for (const question of ['Review the first change.', 'Review the second change.']) {
        await client().chat.completions.create({
          model,
          messages: [
            {role: 'system', content: system},
            {role: 'user', content: question},
          ] as OpenAI.ChatCompletionMessageParam[],
        })
      }
    }
    const sent = (model: string) =>
      gateway.events.filter((e): e is ResponseEvent => e.event === 'proxy_response' && e.model === model)
    const sum = (events: ResponseEvent[], pick: (e: ResponseEvent) => number | null | undefined) =>
      events.reduce((total, e) => total + (pick(e) ?? 0), 0)
    const claude = sent('anthropic/claude-haiku-4.5')
    const mini = sent('openai/gpt-5-mini')
    expect(sum(claude, (e) => e.usage?.cached_tokens)).toBeGreaterThan(0)
    expect(sum(mini, (e) => e.usage?.cached_tokens)).toBeGreaterThan(0)

    const text = await (await request(`${gateway.url}/metrics`)).body.text()
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1])
    expect(text).toMatch(/^# TYPE router_upstream_cached_tokens_total counter$/m)
    const claudeLabels = 'model="anthropic/claude-haiku-4.5",account="claude"'
    expect(
      value(new RegExp(`^router_upstream_cached_tokens_total\\{${claudeLabels},type="read"\\} (\\S+)$`, 'm')),
    ).toBe(sum(claude, (e) => e.usage?.cached_tokens))
    expect(
      value(new RegExp(`^router_upstream_cached_tokens_total\\{${claudeLabels},type="write"\\} (\\S+)$`, 'm')),
    ).toBe(sum(claude, (e) => e.usage?.cache_write_tokens))
    // OpenAI reports no writes: no write series.
    expect(text).not.toMatch(
      /^router_upstream_cached_tokens_total\{model="openai\/gpt-5-mini",account="plain",type="write"\}/m,
    )

    const snapshot = LiveMetricsSnapshotSchema.parse(
      await (await request(`${gateway.url}/v1/router/live-metrics`)).body.json(),
    )
    const usage = snapshot.models.find((m) => m.model === 'openai/gpt-5-mini')!.usage
    expect(usage.cached_tokens).toBe(sum(mini, (e) => e.usage?.cached_tokens))
    expect(usage.cache_hit_ratio).toBeCloseTo(usage.cached_tokens / sum(mini, (e) => e.usage?.prompt_tokens), 4)
    expect(usage.cache_savings_usd).toBeCloseTo(
      sum(mini, (e) => e.cache_savings_usd),
      9,
    )
    expect(snapshot.totals.usage.cache_savings_usd).toBeGreaterThan(0)
  })
})
