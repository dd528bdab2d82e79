import {describe, expect, it} from 'vitest'

import {ADAPTERS, adapterFor} from '../../../src/gateway/adapters/index.js'
import {openaiAdapter} from '../../../src/gateway/adapters/openai.js'
import {account, context} from './fixtures.js'

const chatBody = {model: 'gpt-4.1-mini', messages: [{role: 'user', content: 'hi'}], temperature: 0.2, store: true}

describe('openai adapter', () => {
  it.each([
    ['https://api.openai.com/v1', 'https://api.openai.com/v1/chat/completions'],
    ['https://api.openai.com/v1/', 'https://api.openai.com/v1/chat/completions'],
    ['http://localhost:11434', 'http://localhost:11434/v1/chat/completions'],
    ['http://localhost:11434/v1', 'http://localhost:11434/v1/chat/completions'],
    ['https://openrouter.ai/api/v1', 'https://openrouter.ai/api/v1/chat/completions'],
    ['https://integrate.api.nvidia.com/v1', 'https://integrate.api.nvidia.com/v1/chat/completions'],
    ['http://vllm.internal:8000/v1/chat/completions', 'http://vllm.internal:8000/v1/chat/completions'],
    [
      'https://example.openai.azure.com/openai/deployments/gpt?api-version=2024-10-21',
      'https://example.openai.azure.com/openai/deployments/gpt/chat/completions?api-version=2024-10-21',
    ],
  ])('joins base URL %s into %s without doubling /v1', (baseUrl, expected) => {
    const request = openaiAdapter.buildRequest(context({body: chatBody, account: account({base_url: baseUrl})}))
    expect(request.url).toBe(expected)
  })

  it.each([
    ['responses', '/responses', 'https://api.openai.com/v1/responses'],
    ['completions', '/completions', 'https://api.openai.com/v1/completions'],
    ['embeddings', '/embeddings', 'https://api.openai.com/v1/embeddings'],
    ['images.generations', '/images/generations', 'https://api.openai.com/v1/images/generations'],
    ['passthrough', '/fine_tuning/jobs', 'https://api.openai.com/v1/fine_tuning/jobs'],
    ['passthrough', '/audio/speech', 'https://api.openai.com/v1/audio/speech'],
  ] as const)('sends the %s endpoint to its path', (endpoint, path, expected) => {
    const request = openaiAdapter.buildRequest(
      context({endpoint, path, body: {model: 'm'}, account: account({base_url: 'https://api.openai.com/v1'})}),
    )
    expect(request.url).toBe(expected)
  })

  it('takes the path from the endpoint, not from the client path, for dedicated endpoints', () => {
    const request = openaiAdapter.buildRequest(
      context({
        endpoint: 'embeddings',
        path: '/v1/embeddings',
        body: {model: 'm'},
        account: account({base_url: 'https://api.openai.com/v1'}),
      }),
    )
    expect(request.url).toBe('https://api.openai.com/v1/embeddings')
  })

  it('sends the body untouched, serialised once, with a bearer token and JSON content type', () => {
    const ctx = context({body: chatBody, account: account({base_url: 'https://api.openai.com/v1'})})
    const request = openaiAdapter.buildRequest(ctx)
    expect(request.method).toBe('POST')
    expect(request.upstreamStreams).toBe(false)
    expect(request.body).toBe(JSON.stringify(ctx.body))
    expect(request.headers).toEqual({'content-type': 'application/json', authorization: 'Bearer sk-test-secret'})
  })

  it('sends no authorization header when the account has no credential (a local Ollama)', () => {
    const request = openaiAdapter.buildRequest(
      context({
        body: chatBody,
        token: null,
        account: account({provider: 'ollama', base_url: 'http://localhost:11434'}),
      }),
    )
    expect(request.headers.authorization).toBeUndefined()
    expect(Object.keys(request.headers)).toEqual(['content-type'])
  })

  it('sends OpenAI-Organization and OpenAI-Project from the account', () => {
    const request = openaiAdapter.buildRequest(
      context({
        body: chatBody,
        account: account({base_url: 'https://api.openai.com/v1', organization: 'org-123', project: 'proj_abc'}),
      }),
    )
    expect(request.headers['openai-organization']).toBe('org-123')
    expect(request.headers['openai-project']).toBe('proj_abc')
  })

  it("adds the account's headers, which replace the adapter's own header of the same name in any case", () => {
    const acct = account({
      base_url: 'https://openrouter.ai/api/v1',
      headers: {
        'HTTP-Referer': 'https://example.com',
        'X-Title': 'My app',
        'Content-Type': 'application/json; charset=utf-8',
      },
    })
    const request = openaiAdapter.buildRequest(context({body: chatBody, account: acct}))
    expect(request.headers).toEqual({
      'content-type': 'application/json; charset=utf-8',
      authorization: 'Bearer sk-test-secret',
      'http-referer': 'https://example.com',
      'x-title': 'My app',
    })
    // A second request with the same account gets the same headers (the normalised copy is reused, not mutated).
    expect(openaiAdapter.buildRequest(context({body: chatBody, account: acct})).headers).toEqual(request.headers)
  })

  it('serves every endpoint and relays answers untranslated', () => {
    for (const endpoint of [
      'chat.completions',
      'responses',
      'completions',
      'embeddings',
      'images.generations',
      'passthrough',
    ] as const) {
      expect(openaiAdapter.supports(endpoint)).toBe(true)
    }
    expect(openaiAdapter.translateResponse).toBeUndefined()
    expect(openaiAdapter.createStreamTranslator).toBeUndefined()
  })

  it('keeps an OpenAI-shaped error and turns other error bodies into one', () => {
    const openaiError = {
      error: {
        message: 'Incorrect API key provided',
        type: 'invalid_request_error',
        code: 'invalid_api_key',
        param: null,
      },
    }
    expect(openaiAdapter.translateError!(401, JSON.stringify(openaiError))).toEqual({status: 401, body: openaiError})
    expect(
      openaiAdapter.translateError!(404, '{"error":"model \\"llama9\\" not found, try pulling it first"}'),
    ).toEqual({
      status: 404,
      body: {
        error: {
          message: 'model "llama9" not found, try pulling it first',
          type: 'not_found_error',
          code: null,
          param: null,
        },
      },
    })
    expect(
      openaiAdapter.translateError!(
        400,
        '{"object":"error","message":"max_tokens is too large","type":"BadRequestError","param":null,"code":400}',
      ),
    ).toEqual({
      status: 400,
      body: {error: {message: 'max_tokens is too large', type: 'BadRequestError', code: '400', param: null}},
    })
    expect(openaiAdapter.translateError!(503, 'upstream connect error')).toEqual({
      status: 503,
      body: {error: {message: 'upstream connect error', type: 'server_error', code: null, param: null}},
    })
    const html = openaiAdapter.translateError!(
      403,
      '<!DOCTYPE html><html><body>Attention Required! | Cloudflare</body></html>',
    )
    expect((html.body as {error: {message: string}}).error.message).toBe(
      'upstream answered 403 with an HTML page (a proxy or firewall in front of the provider?)',
    )
  })
})

describe('adapter table', () => {
  it('has one adapter per catalog adapter kind', () => {
    expect(Object.keys(ADAPTERS).sort()).toEqual(['anthropic', 'gemini', 'github', 'openai', 'openai-codex'])
    // OpenAI's format as is, plus Anthropic's Messages API through chat completions (messages-bridge.test.ts).
    expect(adapterFor('openai').buildRequest).not.toBe(openaiAdapter.buildRequest)
    expect(adapterFor('openai').supports('messages')).toBe(true)
    expect(openaiAdapter.supports('messages')).toBe(false)
    expect(adapterFor('anthropic').supports('chat.completions')).toBe(true)
    expect(adapterFor('anthropic').supports('embeddings')).toBe(false)
    expect(adapterFor('openai-codex').supports('responses')).toBe(true)
    expect(adapterFor('openai-codex').supports('completions')).toBe(false)
    // The Responses API through chat completions (responses-bridge.test.ts); legacy completions nowhere but OpenAI's.
    expect(adapterFor('github').supports('responses')).toBe(true)
    expect(adapterFor('gemini').supports('responses')).toBe(true)
    expect(adapterFor('anthropic').supports('responses')).toBe(true)
    expect(adapterFor('gemini').supports('completions')).toBe(false)
    expect(adapterFor('anthropic').supports('completions')).toBe(false)
  })
})
