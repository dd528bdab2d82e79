import OpenAI from 'openai'
import {describe, expect} from 'vitest'

import {gatewayTest} from '../helpers/gateway.js'

/** Two accounts: `alpha` (openai, key, base URL with /v1) serves gpt-5-mini; `beta` (no /v1) serves the fallback. */
const it = gatewayTest({
  sims: {alpha: {}, beta: {}},
  config: ({alpha, beta}) => `
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: {}
  openai/text-embedding-3-small: {}
  openai/gpt-image-1: {}
  gemini/gemini-2.5-flash: {}
accounts:
  - name: alpha
    provider: openai
    base_url: ${alpha.url}/v1
    api_key: sk-alpha-secret-123456
    models: [openai/gpt-5-mini, openai/text-embedding-3-small, openai/gpt-image-1]
  - name: beta
    provider: openai-compatible
    base_url: ${beta.url}
    models: [gemini/gemini-2.5-flash]
task_routes:
  general: {default: [openai/gpt-5-mini]}
  coding: {default: [openai/gpt-5-mini]}
  thinking: {default: [openai/gpt-5-mini]}
  instruction_following: {default: [openai/gpt-5-mini]}
fallback_models: [gemini/gemini-2.5-flash]
`,
}).extend(
  'client',
  {scope: 'file'},
  ({gateway}) => new OpenAI({baseURL: `${gateway.url}/v1`, apiKey: 'client-key', maxRetries: 0}),
)

it.afterEach(({sims}) => {
  sims.alpha.clearRequests()
  sims.beta.clearRequests()
})

describe('proxying through the official openai client', () => {
  it('answers a chat completion from the first account, with diagnostics headers and _router', async ({
    sims: {alpha},
    client,
  }) => {
    const {data, response} = await client.chat.completions
      .create({model: 'auto', messages: [{role: 'user', content: 'Say hello to the team.'}]})
      .withResponse()
    expect(data.choices[0].message.content).toContain('sim:alpha')
    expect(response.headers.get('x-router-model')).toBe('openai/gpt-5-mini')
    expect(response.headers.get('x-router-account')).toBe('alpha')
    expect(response.headers.get('x-router-provider')).toBe('openai')
    expect(response.headers.get('x-router-task')).toBe('general')
    expect(response.headers.get('x-router-attempts')).toBe('1')
    expect(response.headers.get('x-router-request-id')).toMatch(/^req_[0-9a-f]{20}$/)
    expect(Number(response.headers.get('x-router-decision-ms'))).toBeGreaterThanOrEqual(0)
    const router = (data as unknown as {_router: Record<string, unknown>})._router
    expect(router).toMatchObject({model: 'openai/gpt-5-mini', account: 'alpha', source: 'auto', task: 'general'})
    expect(alpha.requests).toHaveLength(1)
    expect(alpha.requests[0].body).toMatchObject({model: 'gpt-5-mini'})
    expect(alpha.requests[0].headers.authorization).toBe('Bearer sk-alpha-secret-123456')
  })

  it('streams a chat completion chunk by chunk and ends with [DONE]', async ({client}) => {
    const stream = await client.chat.completions.create({
      model: 'openai/gpt-5-mini',
      messages: [{role: 'user', content: 'Count to five.'}],
      stream: true,
    })
    let text = ''
    let chunks = 0
    for await (const chunk of stream) {
      chunks++
      text += chunk.choices[0]?.delta?.content ?? ''
    }
    expect(chunks).toBeGreaterThan(5)
    expect(text).toContain('sim:alpha')
  })

  it('serves the responses API, streaming and not', async ({client}) => {
    const response = await client.responses.create({model: 'auto', input: 'Write one sentence about tea.'})
    expect(response.output_text).toContain('sim:alpha')
    const stream = await client.responses.create({model: 'auto', input: 'Write one sentence about tea.', stream: true})
    const types: string[] = []
    for await (const event of stream) types.push(event.type)
    expect(types[0]).toBe('response.created')
    expect(types).toContain('response.output_text.delta')
    expect(types.at(-1)).toBe('response.completed')
  })

  it('serves completions, embeddings and images', async ({sims: {alpha}, client}) => {
    const completion = await client.completions.create({model: 'openai/gpt-5-mini', prompt: 'Once upon a time'})
    expect(completion.choices[0].text).toContain('sim:alpha')
    const embedding = await client.embeddings.create({model: 'openai/text-embedding-3-small', input: 'hello'})
    expect(embedding.data[0].embedding.length).toBeGreaterThan(0)
    const image = await client.images.generate({model: 'openai/gpt-image-1', prompt: 'a red square'})
    expect(image.data?.[0].b64_json ?? image.data?.[0].url).toBeTruthy()
    expect(alpha.requests.map((r) => r.path)).toEqual(['/v1/completions', '/v1/embeddings', '/v1/images/generations'])
  })

  it('lists auto first, then the configured models', async ({client}) => {
    const models = await client.models.list()
    const ids = models.data.map((m) => m.id)
    expect(ids[0]).toBe('auto')
    expect(ids).toContain('openai/gpt-5-mini')
    expect(ids).toContain('gemini/gemini-2.5-flash')
  })
})

describe('passthrough and request hygiene', () => {
  it('passes any other POST /v1 JSON path to the selected account', async ({post}) => {
    const res = await post('/v1/moderations', {model: 'openai/gpt-5-mini', input: 'hello'})
    expect(res.status).toBe(200)
    expect(res.json()).toMatchObject({object: 'sim.echo', path: '/v1/moderations'})
  })

  it('strips router-only fields before forwarding and sends the upstream model id', async ({sims: {alpha}, post}) => {
    const res = await post('/v1/chat/completions', {
      model: 'auto',
      messages: [{role: 'user', content: 'hi'}],
      provider: {sort: 'price'},
      allowed_models: ['openai/*'],
      router: {task: 'general'},
    })
    expect(res.status).toBe(200)
    const sent = alpha.requests[0].body as Record<string, unknown>
    expect(sent.model).toBe('gpt-5-mini')
    expect(sent).not.toHaveProperty('provider')
    expect(sent).not.toHaveProperty('allowed_models')
    expect(sent).not.toHaveProperty('router')
  })

  it("forwards the client's own body text, with only the model replaced and the router-only fields cut out", async ({
    sims: {alpha},
    post,
  }) => {
    const text =
      '{ "model" : "auto",\n  "messages": [{"role": "user", "content": "caf\\u00e9 {\\"not\\": [json]} \\\\"}],\n' +
      '  "allowed_models": ["openai/*"], "temperature": 1.0, "router": {"task": "general"} }'
    const res = await post('/v1/chat/completions', text)
    expect(res.status).toBe(200)
    expect(alpha.requests[0].bodyText).toBe(
      '{"model":"gpt-5-mini","messages": [{"role": "user", "content": "caf\\u00e9 {\\"not\\": [json]} \\\\"}],"temperature": 1.0}',
    )
  })

  it('serialises the body afresh when the client names a key twice, so the upstream reads what the router read', async ({
    sims: {alpha},
    post,
  }) => {
    const res = await post(
      '/v1/chat/completions',
      '{"model":"auto","temperature":0.5,"messages":[{"role":"user","content":"hi"}],"temperature":0.2}',
    )
    expect(res.status).toBe(200)
    expect(alpha.requests[0].bodyText).toBe(
      '{"model":"gpt-5-mini","temperature":0.2,"messages":[{"role":"user","content":"hi"}]}',
    )
  })

  it('joins base URLs with and without /v1 to the same endpoint path', async ({sims: {alpha, beta}, post}) => {
    alpha.script([{status: 503}])
    const res = await post('/v1/chat/completions', {model: 'auto', messages: [{role: 'user', content: 'hi'}]})
    expect(res.status).toBe(200)
    expect(alpha.requests[0].path).toBe('/v1/chat/completions')
    expect(beta.requests[0].path).toBe('/v1/chat/completions')
  })
})

describe('fallback', () => {
  for (const status of [429, 500, 502, 503, 504]) {
    it(`falls back to the next model when the first answers ${status}`, async ({sims: {alpha}, gateway, post}) => {
      alpha.script([{status, retryAfter: status === 429 ? 0 : undefined}])
      const res = await post('/v1/chat/completions', {model: 'auto', messages: [{role: 'user', content: 'hello'}]})
      expect(res.status).toBe(200)
      expect(res.headers['x-router-model']).toBe('gemini/gemini-2.5-flash')
      expect(res.headers['x-router-account']).toBe('beta')
      expect(res.headers['x-router-attempts']).toBe('2')
      const body = res.json()
      expect(body.choices[0].message.content).toContain('sim:beta')
      expect(body._router.attempts).toMatchObject([
        {model: 'openai/gpt-5-mini', account: 'alpha', status, ok: false},
        {model: 'gemini/gemini-2.5-flash', account: 'beta', status: 200, ok: true},
      ])
      const id = res.headers['x-router-request-id'] as string
      const names = gateway.eventsFor(id).map((e) => e.event)
      expect(names).toEqual([
        'route_decision',
        'proxy_attempt',
        'proxy_upstream_connected',
        'proxy_response',
        ...(status === 429 ? ['proxy_rate_limited'] : []),
        'proxy_retry',
        'proxy_attempt',
        'proxy_upstream_connected',
        'proxy_response',
        'proxy_terminal',
      ])
    })
  }

  it('does not retry a 400 and relays the upstream error', async ({sims: {alpha, beta}, gateway, post}) => {
    alpha.script([
      {
        status: 400,
        body: {error: {message: 'bad temperature', type: 'invalid_request_error', code: 'bad', param: 'temperature'}},
      },
    ])
    const res = await post('/v1/chat/completions', {model: 'auto', messages: [{role: 'user', content: 'hello'}]})
    expect(res.status).toBe(400)
    expect(res.json().error.message).toBe('bad temperature')
    expect(beta.requests).toHaveLength(0)
    const terminal = await gateway.terminal(res.headers['x-router-request-id'] as string)
    expect(terminal).toMatchObject({outcome: 'upstream_error', status: 400, model: 'openai/gpt-5-mini'})
  })
})
