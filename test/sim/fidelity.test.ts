/**
 * The simulator does what the real APIs do where gateways break: big first events, pings and signed thinking blocks,
 * cached-token usage, the providers' own error bodies, tool calls without arguments, scripted tool calls.
 */
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {startSim, type SimServer} from '../../src/sim/index.js'
import {payloads, postJson, readSse} from './support.js'

let sim: SimServer

beforeAll(async () => {
  sim = await startSim({name: 'real', streamChunks: 4})
})

afterEach(() => {
  sim.clearRequests()
})

afterAll(async () => {
  await sim.close()
})

const ANTHROPIC = {'x-api-key': 'k', 'anthropic-version': '2023-06-01'}
const CODEX = {authorization: 'Bearer token', 'chatgpt-account-id': 'acct'}

/** A tool list as large as a coding agent's (Codex sends about 19 KB of them). */
const manyTools = Array.from({length: 40}, (_, i) => ({
  type: 'function',
  name: `tool_${i}`,
  description: `Tool number ${i}. `.repeat(20),
  parameters: {type: 'object', properties: {path: {type: 'string', description: 'A path. '.repeat(10)}}},
}))

describe('Responses: snapshots echo the request', () => {
  it('echoes instructions and tools in response.created and response.completed, tens of KB each', async () => {
    const instructions = 'You are a coding agent. '.repeat(800)
    const response = await postJson(`${sim.url}/v1/responses`, {
      model: 'gpt-5.2',
      instructions,
      tools: manyTools,
      input: 'Hi',
      stream: true,
    })
    const {events} = await readSse(response)
    expect(events[0].event).toBe('response.created')
    expect(events[0].data.length).toBeGreaterThan(30_000)
    const created = JSON.parse(events[0].data).response
    const completed = JSON.parse(events.at(-1)!.data).response
    for (const snapshot of [created, completed]) {
      expect(snapshot.instructions).toBe(instructions)
      expect(snapshot.tools).toEqual(manyTools)
    }
  })
})

describe('Anthropic: thinking, pings and cache usage', () => {
  const thinkingRequest = {
    model: 'claude-sonnet-4-5',
    max_tokens: 2000,
    thinking: {type: 'enabled', budget_tokens: 1024},
    stream: true,
  }

  it('streams a thinking block with its signature before the text, with a ping', async () => {
    const response = await postJson(
      `${sim.url}/v1/messages`,
      {...thinkingRequest, messages: [{role: 'user', content: 'Think first'}]},
      ANTHROPIC,
    )
    const data = payloads((await readSse(response)).events)
    expect(data.map((event) => event.type).slice(0, 3)).toEqual(['message_start', 'content_block_start', 'ping'])
    expect(data[1].content_block).toEqual({type: 'thinking', thinking: '', signature: ''})
    const deltas = data
      .filter((event) => event.type === 'content_block_delta' && event.index === 0)
      .map((event) => event.delta)
    expect(deltas.at(-1)).toEqual({
      type: 'signature_delta',
      signature: expect.stringMatching(/^[A-Za-z0-9+/]{60,}={0,2}$/),
    })
    expect(deltas.slice(0, -1).every((delta) => delta.type === 'thinking_delta')).toBe(true)
    expect(data.find((event) => event.type === 'content_block_start' && event.index === 1).content_block.type).toBe(
      'text',
    )
  })

  it('accepts its own signed thinking back and refuses a tampered one, as Anthropic checks signatures', async () => {
    const whole = await (
      await postJson(
        `${sim.url}/v1/messages`,
        {...thinkingRequest, stream: false, messages: [{role: 'user', content: 'Think'}]},
        ANTHROPIC,
      )
    ).json()
    const thinking = whole.content[0]
    expect(thinking).toMatchObject({type: 'thinking', signature: expect.any(String)})
    const conversation = (block: unknown) => ({
      ...thinkingRequest,
      stream: false,
      messages: [
        {role: 'user', content: 'Think'},
        {role: 'assistant', content: [block, whole.content[1]]},
        {role: 'user', content: 'Again'},
      ],
    })
    expect((await postJson(`${sim.url}/v1/messages`, conversation(thinking), ANTHROPIC)).status).toBe(200)
    const tampered = await postJson(
      `${sim.url}/v1/messages`,
      conversation({...thinking, thinking: `${thinking.thinking} (edited)`}),
      ANTHROPIC,
    )
    expect(tampered.status).toBe(400)
    expect((await tampered.json()).error).toEqual({
      type: 'invalid_request_error',
      message: 'messages.1.content.0: Invalid `signature` in `thinking` block',
    })
  })

  it('refuses a tool loop whose last assistant turn lost its thinking block', async () => {
    const response = await postJson(
      `${sim.url}/v1/messages`,
      {
        ...thinkingRequest,
        stream: false,
        tools: [{name: 'Read', input_schema: {type: 'object', properties: {}}}],
        messages: [
          {role: 'user', content: 'Read it'},
          {role: 'assistant', content: [{type: 'tool_use', id: 'toolu_1', name: 'Read', input: {}}]},
          {role: 'user', content: [{type: 'tool_result', tool_use_id: 'toolu_1', content: 'text'}]},
        ],
      },
      ANTHROPIC,
    )
    expect(response.status).toBe(400)
    expect((await response.json()).error.message).toMatch(
      /^messages\.1\.content\.0\.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`/,
    )
  })

  it('writes the prompt up to a cache_control breakpoint, then reads it, as Anthropic reports cache usage', async () => {
    const system = [{type: 'text', text: 'Long stable instructions. '.repeat(400), cache_control: {type: 'ephemeral'}}]
    const ask = (content: string) =>
      postJson(
        `${sim.url}/v1/messages`,
        {model: 'c', max_tokens: 50, system, messages: [{role: 'user', content}]},
        ANTHROPIC,
      )
    const first = (await (await ask('First question')).json()).usage
    const second = (await (await ask('Second question')).json()).usage
    expect(first.cache_creation_input_tokens).toBeGreaterThan(1024)
    expect(first.cache_read_input_tokens).toBe(0)
    expect(second).toMatchObject({
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: first.cache_creation_input_tokens,
    })
    // `input_tokens` is only what was neither read nor written.
    expect(second.input_tokens).toBeLessThan(20)
  })

  it('keeps a cache per model: the same prefix sent to another model is written again, not read', async () => {
    const system = [{type: 'text', text: 'Per-model instructions. '.repeat(400), cache_control: {type: 'ephemeral'}}]
    const ask = (model: string) =>
      postJson(
        `${sim.url}/v1/messages`,
        {model, max_tokens: 50, system, messages: [{role: 'user', content: 'Q'}]},
        ANTHROPIC,
      )
    const first = (await (await ask('claude-sonnet-4-5')).json()).usage
    const other = (await (await ask('claude-haiku-4-5')).json()).usage
    expect(other).toMatchObject({
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: first.cache_creation_input_tokens,
    })
    expect((await (await ask('claude-sonnet-4-5')).json()).usage.cache_read_input_tokens).toBe(
      first.cache_creation_input_tokens,
    )
  })

  it('takes a system turn inside messages only on Claude Opus 4.8, and only where the placement rules allow it', async () => {
    const ask = (model: string, messages: unknown[]) =>
      postJson(`${sim.url}/v1/messages`, {model, max_tokens: 10, messages}, ANTHROPIC)
    const turns = [
      {role: 'user', content: 'Hi'},
      {role: 'system', content: 'Be brief.'},
    ]
    const older = await ask('claude-sonnet-4-5', turns)
    expect(older.status).toBe(400)
    expect((await older.json()).error.message).toBe("messages.1: role 'system' is not supported on this model")
    expect((await ask('claude-opus-4-8', turns)).status).toBe(200)
    const first = await ask('claude-opus-4-8', [
      {role: 'system', content: 'Be brief.'},
      {role: 'user', content: 'Hi'},
    ])
    expect(first.status).toBe(400)
    expect((await first.json()).error.message).toMatch(/^messages\.0: a system message cannot be the first message/)
  })

  it('lets a tool loop under adaptive thinking start its last assistant turn with the call, as Claude Code sends it', async () => {
    const response = await postJson(
      `${sim.url}/v1/messages`,
      {
        model: 'claude-opus-4-8',
        max_tokens: 100,
        thinking: {type: 'adaptive'},
        tools: [{name: 'Read', input_schema: {type: 'object', properties: {}}}],
        messages: [
          {role: 'user', content: 'Read it'},
          {role: 'assistant', content: [{type: 'tool_use', id: 'toolu_1', name: 'Read', input: {}}]},
          {role: 'user', content: [{type: 'tool_result', tool_use_id: 'toolu_1', content: 'text'}]},
        ],
      },
      ANTHROPIC,
    )
    expect(response.status).toBe(200)
  })
})

describe('OpenAI: cached prompt tokens', () => {
  it('reports the prefix an earlier prompt shared as cached_tokens, in 128-token steps, inside prompt_tokens', async () => {
    const history = [{role: 'system', content: 'Stable system prompt. '.repeat(300)}]
    const ask = (content: string) =>
      postJson(`${sim.url}/v1/chat/completions`, {model: 'gpt-5.2', messages: [...history, {role: 'user', content}]})
    const first = (await (await ask('One')).json()).usage
    const second = (await (await ask('Two')).json()).usage
    expect(first.prompt_tokens_details.cached_tokens).toBe(0)
    expect(second.prompt_tokens_details.cached_tokens).toBeGreaterThanOrEqual(1024)
    expect(second.prompt_tokens_details.cached_tokens % 128).toBe(0)
    expect(second.prompt_tokens_details.cached_tokens).toBeLessThanOrEqual(second.prompt_tokens)
  })

  it('keeps a cache per model: a prompt another model has seen is not cached for this one', async () => {
    const history = [{role: 'system', content: 'Another stable system prompt. '.repeat(300)}]
    const ask = (model: string, content: string) =>
      postJson(`${sim.url}/v1/chat/completions`, {model, messages: [...history, {role: 'user', content}]})
    await ask('gpt-5.2', 'One')
    expect((await (await ask('gpt-5-mini', 'Two')).json()).usage.prompt_tokens_details.cached_tokens).toBe(0)
    expect(
      (await (await ask('gpt-5.2', 'Three')).json()).usage.prompt_tokens_details.cached_tokens,
    ).toBeGreaterThanOrEqual(1024)
  })
})

describe('the providers’ own error bodies', () => {
  it('answers an account without credit in each provider’s words', async () => {
    sim.script([{kind: 'quota'}, {kind: 'quota'}, {kind: 'quota', retryAfter: 5400}])
    const openai = await postJson(`${sim.url}/v1/chat/completions`, {
      model: 'm',
      messages: [{role: 'user', content: 'x'}],
    })
    expect(openai.status).toBe(429)
    expect(openai.headers.get('retry-after')).toBeNull()
    expect((await openai.json()).error).toMatchObject({
      type: 'insufficient_quota',
      code: 'insufficient_quota',
      message: expect.stringMatching(/^You exceeded your current quota/),
    })
    const anthropic = await postJson(
      `${sim.url}/v1/messages`,
      {model: 'c', max_tokens: 5, messages: [{role: 'user', content: 'x'}]},
      ANTHROPIC,
    )
    expect(anthropic.status).toBe(400)
    expect((await anthropic.json()).error.message).toMatch(
      /^Your credit balance is too low to access the Anthropic API/,
    )
    const codex = await postJson(
      `${sim.url}/codex/responses`,
      {model: 'gpt-5.2', input: 'x', stream: true, store: false},
      CODEX,
    )
    expect(codex.status).toBe(429)
    const limit = (await codex.json()).error
    expect(limit).toMatchObject({type: 'usage_limit_reached', plan_type: 'plus', resets_in_seconds: 5400})
    expect(limit.resets_at).toBeGreaterThan(Date.now() / 1000 + 5000)
  })

  it('answers 529 overloaded_error on Anthropic and 503 elsewhere', async () => {
    sim.script([{kind: '529'}, {kind: '529'}])
    const anthropic = await postJson(
      `${sim.url}/v1/messages`,
      {model: 'c', max_tokens: 5, messages: [{role: 'user', content: 'x'}]},
      ANTHROPIC,
    )
    expect(anthropic.status).toBe(529)
    expect((await anthropic.json()).error).toEqual({type: 'overloaded_error', message: 'Overloaded'})
    const openai = await postJson(`${sim.url}/v1/chat/completions`, {
      model: 'm',
      messages: [{role: 'user', content: 'x'}],
    })
    expect(openai.status).toBe(503)
  })

  it('sends Anthropic’s rate-limit headers with a rate_limit_error', async () => {
    sim.script([{kind: '429'}])
    const response = await postJson(
      `${sim.url}/v1/messages`,
      {model: 'c', max_tokens: 5, messages: [{role: 'user', content: 'x'}]},
      ANTHROPIC,
    )
    expect(response.status).toBe(429)
    expect(response.headers.get('anthropic-ratelimit-requests-remaining')).toBe('0')
    expect((await response.json()).error.type).toBe('rate_limit_error')
  })
})

describe('tool calls', () => {
  const noArgs = {name: 'list_files', description: 'Lists the files', input_schema: {type: 'object', properties: {}}}

  it('streams a call without arguments as input {} and one empty partial_json, as Anthropic does', async () => {
    const response = await postJson(
      `${sim.url}/v1/messages`,
      {
        model: 'c',
        max_tokens: 100,
        stream: true,
        tools: [noArgs],
        tool_choice: {type: 'any'},
        messages: [{role: 'user', content: 'Go'}],
      },
      ANTHROPIC,
    )
    const data = payloads((await readSse(response)).events)
    const start = data.find((event) => event.type === 'content_block_start' && event.content_block.type === 'tool_use')
    expect(start.content_block.input).toEqual({})
    const fragments = data
      .filter((event) => event.type === 'content_block_delta' && event.index === start.index)
      .map((event) => event.delta)
    expect(fragments).toEqual([{type: 'input_json_delta', partial_json: ''}])
  })

  it('makes a scripted call once a request offers the tool, and quotes the tool result in the next answer', async () => {
    const read = {
      type: 'function',
      function: {name: 'read_file', parameters: {type: 'object', properties: {path: {type: 'string'}}}},
    }
    sim.script([{toolCall: {name: 'read_file', arguments: {path: '/tmp/notes.txt'}}}])
    // A request without the tool (a CLI's side request) does not use the script up.
    const side = await (
      await postJson(`${sim.url}/v1/chat/completions`, {model: 'm', messages: [{role: 'user', content: 'Title?'}]})
    ).json()
    expect(side.choices[0].finish_reason).toBe('stop')
    expect(sim.pendingScript).toBe(1)
    const turn = await (
      await postJson(`${sim.url}/v1/chat/completions`, {
        model: 'm',
        tools: [read],
        messages: [{role: 'user', content: 'Read my notes'}],
      })
    ).json()
    const call = turn.choices[0].message.tool_calls[0]
    expect(call.function).toEqual({name: 'read_file', arguments: '{"path":"/tmp/notes.txt"}'})
    const after = await (
      await postJson(`${sim.url}/v1/chat/completions`, {
        model: 'm',
        tools: [read],
        messages: [
          {role: 'user', content: 'Read my notes'},
          turn.choices[0].message,
          {role: 'tool', tool_call_id: call.id, content: 'The word is pelican.'},
        ],
      })
    ).json()
    expect(after.choices[0].message.content).toMatch(/^\[sim:real model=m\] Tool result: "The word is pelican\."\./)
  })

  it('refuses a scripted tool call given with a failure', async () => {
    expect(() => sim.script([{toolCall: {name: 'x', arguments: {}}, status: 500}])).toThrow(/toolCall/)
  })
})
