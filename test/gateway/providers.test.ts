/**
 * Translating providers end to end: the official openai client talks to the gateway, the gateway talks to a
 * simulated Anthropic Messages API and a simulated ChatGPT Codex backend, and the answers come back in OpenAI's shape.
 * Also: OAuth token refresh at request time, and the one-account setup from BACKEND_BASE_URL.
 */
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import OpenAI from 'openai'
import {describe, expect} from 'vitest'

import {fakeJwt} from '../helpers/chatgpt-token.js'
import {gatewayTest} from '../helpers/gateway.js'
import {startHostileUpstream, type UpstreamHandler} from '../helpers/hostile-upstream.js'

/** An OAuth token endpoint: each refresh gets a new access token. */
let refreshes = 0
const tokenEndpoint: UpstreamHandler = (_req, res) => {
  refreshes++
  res.writeHead(200, {'content-type': 'application/json'})
  res.end(
    JSON.stringify({
      access_token: fakeJwt({'https://api.openai.com/auth': {chatgpt_account_id: 'acct-fresh'}, n: refreshes}),
      refresh_token: 'refresh-2',
      expires_in: 3600,
    }),
  )
}

const it = gatewayTest({
  sims: {anthropic: {name: 'claude', protocol: 'anthropic', apiKey: 'sk-ant-test-key'}, codex: {protocol: 'codex'}},
  upstreams: {tokens: () => startHostileUpstream(tokenEndpoint)},
  config: ({anthropic, codex, tokens}) => `
default_model: anthropic/claude-haiku-4.5
models:
  anthropic/claude-haiku-4.5: {}
  openai-codex/gpt-5.2: {}
accounts:
  - name: claude
    provider: anthropic
    base_url: ${anthropic.url}/v1
    api_key_env: TEST_ANTHROPIC_KEY
    models: [anthropic/claude-haiku-4.5]
  - name: chatgpt
    provider: openai-codex
    base_url: ${codex.url}
    auth_mode: oauth
    oauth_access_token: ${fakeJwt({'https://api.openai.com/auth': {chatgpt_account_id: 'acct-old'}})}
    oauth_refresh_token: refresh-1
    oauth_expires_at: ${Date.now() + 60_000}
    oauth_token_url: ${tokens.url}/oauth/token
    oauth_client_id: app_test_client
    models: [openai-codex/gpt-5.2]
task_routes:
  general: {default: [anthropic/claude-haiku-4.5]}
fallback_models: []
`,
  // The refreshed token is stored in the gateway's folder.
  options: (_, dir) => ({
    env: {TEST_ANTHROPIC_KEY: 'sk-ant-test-key', ROUTER_CREDENTIALS_PATH: join(dir, 'credentials.json')},
  }),
}).extend(
  'client',
  {scope: 'file'},
  ({gateway}) =>
    () =>
      new OpenAI({baseURL: `${gateway.url}/v1`, apiKey: 'client', maxRetries: 0}),
)

describe('translating providers through the gateway', () => {
  it('answers a chat completion from the Anthropic Messages API in OpenAI shape', async ({
    client,
    sims: {anthropic},
  }) => {
    const completion = await client().chat.completions.create({
      model: 'auto',
      messages: [
        {role: 'system', content: 'You are terse.'},
        {role: 'user', content: 'Name a colour.'},
      ],
      max_tokens: 64,
    })
    expect(completion.object).toBe('chat.completion')
    expect(completion.choices[0].message.content).toContain('sim:claude')
    expect(completion.choices[0].finish_reason).toBe('stop')
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0)
    const sent = anthropic.requests.at(-1)!
    expect(sent.path).toBe('/v1/messages')
    expect(sent.headers['x-api-key']).toBe('sk-ant-test-key')
    expect(sent.headers['anthropic-version']).toBeDefined()
    // The catalog knows Anthropic's own id for the routing key.
    expect(sent.body).toMatchObject({
      model: 'claude-haiku-4-5',
      system: [{type: 'text', text: 'You are terse.'}],
      max_tokens: 64,
    })
  })

  it('streams Anthropic events to the client as chat.completion.chunk events', async ({client}) => {
    const stream = await client().chat.completions.create({
      model: 'anthropic/claude-haiku-4.5',
      messages: [{role: 'user', content: 'Count to three.'}],
      stream: true,
    })
    let text = ''
    let finish: string | null | undefined
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
    }
    expect(text).toContain('sim:claude')
    expect(finish).toBe('stop')
  })

  it('translates tool calls from Anthropic back to OpenAI tool_calls', async ({client}) => {
    const completion = await client().chat.completions.create({
      model: 'anthropic/claude-haiku-4.5',
      messages: [{role: 'user', content: 'What is the weather in Paris? Use the tool.'}],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather for a city',
            parameters: {type: 'object', properties: {city: {type: 'string'}}},
          },
        },
      ],
      tool_choice: {type: 'function', function: {name: 'get_weather'}},
    })
    const call = completion.choices[0].message.tool_calls?.[0]
    expect(completion.choices[0].finish_reason).toBe('tool_calls')
    expect(call?.type === 'function' && call.function.name).toBe('get_weather')
    expect(() => JSON.parse(call?.type === 'function' ? call.function.arguments : '')).not.toThrow()
  })

  it('refreshes an expiring ChatGPT token once, then answers from the Codex backend (non-streaming client)', async ({
    gateway,
    client,
    sims: {codex},
    upstreams: {tokens},
  }) => {
    const [a, b] = await Promise.all([
      client().chat.completions.create({model: 'openai-codex/gpt-5.2', messages: [{role: 'user', content: 'hi'}]}),
      client().chat.completions.create({model: 'openai-codex/gpt-5.2', messages: [{role: 'user', content: 'hello'}]}),
    ])
    expect(a.choices[0].message.content).toContain('sim:codex')
    expect(b.object).toBe('chat.completion')
    expect(tokens.requests).toHaveLength(1)
    expect(JSON.parse(tokens.requests[0].body)).toMatchObject({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-1',
      client_id: 'app_test_client',
    })
    const sent = codex.requests.at(-1)!
    // A bare host gets the ChatGPT backend's API root.
    expect(sent.path).toBe('/backend-api/codex/responses')
    expect(sent.headers['chatgpt-account-id']).toBe('acct-fresh')
    expect(sent.body).toMatchObject({model: 'gpt-5.2', stream: true, store: false})
    const stored = JSON.parse(await readFile(join(gateway.dir, 'credentials.json'), 'utf8'))
    expect(JSON.stringify(stored)).toContain('refresh-2')
  })

  it('streams the Codex backend to a streaming chat client', async ({client}) => {
    const stream = await client().chat.completions.create({
      model: 'openai-codex/gpt-5.2',
      messages: [{role: 'user', content: 'Tell me a short story.'}],
      stream: true,
    })
    let text = ''
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? ''
    expect(text).toContain('sim:codex')
  })

  it('serves /v1/responses from the Codex backend, streaming and not', async ({client}) => {
    const response = await client().responses.create({model: 'openai-codex/gpt-5.2', input: 'Say hi.'})
    expect(response.output_text).toContain('sim:codex')
    const stream = await client().responses.create({model: 'openai-codex/gpt-5.2', input: 'Say hi.', stream: true})
    const types: string[] = []
    for await (const event of stream) types.push(event.type)
    expect(types.at(-1)).toBe('response.completed')
  })

  it("answers /v1/responses from Anthropic's Messages API, whole and streamed, through chat completions", async ({
    client,
    sims: {anthropic},
  }) => {
    const response = await client().responses.create({
      model: 'auto',
      instructions: 'You are terse.',
      input: 'Name a colour.',
      max_output_tokens: 64,
    })
    expect(response.object).toBe('response')
    expect(response.status).toBe('completed')
    expect(response.output_text).toContain('sim:claude')
    expect(response.usage?.input_tokens).toBeGreaterThan(0)
    const sent = anthropic.requests.at(-1)!
    expect(sent.path).toBe('/v1/messages')
    expect(sent.body).toMatchObject({
      model: 'claude-haiku-4-5',
      system: [{type: 'text', text: 'You are terse.'}],
      max_tokens: 64,
    })

    const stream = client().responses.stream({model: 'anthropic/claude-haiku-4.5', input: 'Count to three.'})
    const types = new Set<string>()
    let text = ''
    for await (const event of stream) {
      types.add(event.type)
      if (event.type === 'response.output_text.delta') text += event.delta
    }
    const final = await stream.finalResponse()
    expect([...types]).toEqual(
      expect.arrayContaining([
        'response.created',
        'response.output_text.delta',
        'response.output_item.done',
        'response.completed',
      ]),
    )
    expect(final.output_text).toBe(text)
    expect(text).toContain('sim:claude')
  })

  it('carries a function call and its output across two Responses turns to Anthropic', async ({
    client,
    sims: {anthropic},
  }) => {
    const tools = [
      {
        type: 'function' as const,
        name: 'get_weather',
        description: 'Weather',
        parameters: {type: 'object', properties: {city: {type: 'string'}}},
        strict: false,
      },
    ]
    const first = await client().responses.create({
      model: 'anthropic/claude-haiku-4.5',
      input: 'Weather in Paris?',
      tools,
      tool_choice: 'required',
    })
    const call = first.output.find((item) => item.type === 'function_call')
    expect(call).toMatchObject({type: 'function_call', name: 'get_weather', status: 'completed'})
    if (call?.type !== 'function_call') throw new Error('no function call')
    const second = await client().responses.create({
      model: 'anthropic/claude-haiku-4.5',
      tools,
      input: [
        {role: 'user', content: 'Weather in Paris?'},
        {type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments},
        {type: 'function_call_output', call_id: call.call_id, output: '18°C and sunny'},
      ],
    })
    expect(second.output_text).toContain('sim:claude')
    const sent = anthropic.requests.at(-1)!.body as {
      messages: Array<{role: string; content: Array<Record<string, unknown>>}>
    }
    expect(sent.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user'])
    expect(sent.messages[1].content[0]).toMatchObject({type: 'tool_use', id: call.call_id, name: 'get_weather'})
    expect(sent.messages[2].content[0]).toMatchObject({type: 'tool_result', tool_use_id: call.call_id})
  })

  it("gives a Responses client's custom tool (Codex CLI's apply_patch) back as a custom_tool_call, streamed", async ({
    client,
    sims: {anthropic},
  }) => {
    const stream = client().responses.stream({
      model: 'anthropic/claude-haiku-4.5',
      input: 'Fix the typo in README.md.',
      tools: [{type: 'custom', name: 'apply_patch', description: 'Edit files with a patch.'}],
      tool_choice: 'required',
    })
    const final = await stream.finalResponse()
    const call = final.output.find((item) => item.type === 'custom_tool_call')
    expect(call).toMatchObject({type: 'custom_tool_call', name: 'apply_patch', input: expect.any(String)})
    const tools = (anthropic.requests.at(-1)!.body as {tools: Array<Record<string, unknown>>}).tools
    expect(tools[0]).toMatchObject({name: 'apply_patch', input_schema: {type: 'object', required: ['input']}})
  })

  it('refuses, with a 400 that says why and sends nothing, what a stateless translation cannot do', async ({
    client,
    sims: {anthropic},
  }) => {
    const before = anthropic.requests.length
    const error = await client()
      .responses.create({model: 'anthropic/claude-haiku-4.5', input: 'And then?', previous_response_id: 'resp_123'})
      .then(
        () => undefined,
        (caught: unknown) => caught,
      )
    expect(error).toBeInstanceOf(OpenAI.APIError)
    const apiError = error as InstanceType<typeof OpenAI.APIError>
    expect(apiError.status).toBe(400)
    expect(apiError.code).toBe('unsupported_parameter')
    expect(apiError.message).toContain('send the whole conversation in `input`')
    expect(anthropic.requests.length).toBe(before)
  })

  it('refuses legacy completions with a 400 naming the providers that lack them, before any upstream call', async ({
    gateway,
    client,
    sims: {anthropic, codex},
  }) => {
    const before = anthropic.requests.length + codex.requests.length
    const error = await client()
      .completions.create({model: 'auto', prompt: 'Say hi.'})
      .then(
        () => undefined,
        (caught: unknown) => caught,
      )
    expect(error).toBeInstanceOf(OpenAI.APIError)
    const apiError = error as InstanceType<typeof OpenAI.APIError>
    expect(apiError.status).toBe(400)
    expect(apiError.code).toBe('no_candidates')
    expect(apiError.message).toContain(
      'anthropic/claude-haiku-4.5, cannot serve this request: anthropic does not serve /v1/completions',
    )
    expect(apiError.message).toContain('/v1/chat/completions')
    expect(anthropic.requests.length + codex.requests.length).toBe(before)
    const id = apiError.headers?.get('x-router-request-id')
    expect(id).toMatch(/^req_/)
    expect(await gateway.terminal(id!)).toMatchObject({endpoint: 'completions', outcome: 'rejected', status: 400})
  })

  it('turns a response.failed event into an error for the client, never a truncated success', async ({
    client,
    sims: {codex},
  }) => {
    codex.script([{kind: 'response_failed'}])
    await expect(
      client().chat.completions.create({model: 'openai-codex/gpt-5.2', messages: [{role: 'user', content: 'hi'}]}),
    ).rejects.toMatchObject({
      status: 502,
    })
  })
})

/** One account, whose key is not set. */
const keyless = gatewayTest({
  sims: {sim: {name: 'only'}},
  config: ({sim}) => `
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: {}
  openai/gpt-5.1: {}
accounts:
  - name: keyless
    provider: openai
    base_url: ${sim.url}/v1
    api_key_env: MISSING_TEST_KEY
    models: [openai/gpt-5-mini]
task_routes:
  general: {default: [openai/gpt-5-mini]}
  thinking: {default: [openai/gpt-5.1]}
`,
})

describe('accounts that cannot be used', () => {
  keyless(
    'skips an account with no credential, with an audit event, and answers 503',
    async ({gateway, sims: {sim}}) => {
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: {'content-type': 'application/json'},
        body: JSON.stringify({model: 'auto', messages: [{role: 'user', content: 'hi'}]}),
      })
      expect(response.status).toBe(503)
      const body = (await response.json()) as {error: {code: string; message: string}}
      expect(body.error.code).toBe('no_available_upstream')
      expect(body.error.message).toContain('keyless')
      const id = response.headers.get('x-router-request-id')!
      const skip = gateway.eventsFor(id).find((e) => e.event === 'proxy_skip_unavailable')
      expect(skip).toMatchObject({account: 'keyless'})
      // The reason says what is missing, so the operator knows what to fix.
      expect(skip && 'reason' in skip ? skip.reason : '').toContain('MISSING_TEST_KEY')
      expect(sim.requests).toHaveLength(0)
    },
  )

  keyless('answers 503 when no account serves any model of the chain', async ({gateway}) => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({model: 'openai/gpt-5.1', messages: [{role: 'user', content: 'hi'}]}),
    })
    expect(response.status).toBe(503)
    const body = (await response.json()) as {error: {code: string}}
    expect(body.error.code).toBe('no_account')
  })
})

/** No accounts: BACKEND_BASE_URL serves every model. */
const backendOnly = gatewayTest({
  sims: {sim: {name: 'local', apiKey: 'backend-key'}},
  config: () => `
default_model: ollama/llama3.2
task_routes:
  general: {default: [ollama/llama3.2]}
`,
  options: ({sim}) => ({settings: {backend_base_url: sim.url, backend_api_key: 'backend-key'}}),
})

describe('a config without accounts', () => {
  backendOnly('sends every model to BACKEND_BASE_URL with BACKEND_API_KEY', async ({gateway, sims: {sim}}) => {
    const client = new OpenAI({baseURL: `${gateway.url}/v1`, apiKey: 'x', maxRetries: 0})
    const completion = await client.chat.completions.create({model: 'auto', messages: [{role: 'user', content: 'hi'}]})
    expect(completion.choices[0].message.content).toContain('sim:local')
    expect(sim.requests[0].path).toBe('/v1/chat/completions')
    expect(sim.requests[0].headers.authorization).toBe('Bearer backend-key')
    expect(sim.requests[0].body).toMatchObject({model: 'llama3.2'})
  })
})
