import {describe, expect, it} from 'vitest'

import {GEMINI_REJECTED_CHAT_FIELDS, geminiAdapter} from '../../../src/gateway/adapters/gemini.js'
import {account, context} from './fixtures.js'

const BASE = 'https://generativelanguage.googleapis.com/v1beta/openai'

describe('gemini adapter', () => {
  it.each([
    [BASE, `${BASE}/chat/completions`],
    [`${BASE}/`, `${BASE}/chat/completions`],
    ['https://generativelanguage.googleapis.com', `${BASE}/chat/completions`],
  ])('sends chat completions for base URL %s to %s', (baseUrl, expected) => {
    const request = geminiAdapter.buildRequest(
      context({
        body: {model: 'gemini-2.5-flash', messages: []},
        account: account({provider: 'gemini', base_url: baseUrl}),
      }),
    )
    expect(request.url).toBe(expected)
    expect(request.headers.authorization).toBe('Bearer sk-test-secret')
  })

  it('removes the chat fields the compatibility layer rejects and keeps the ones it accepts', () => {
    const accepted = {
      model: 'gemini-2.5-pro',
      messages: [{role: 'user', content: 'Hi'}],
      max_tokens: 100,
      max_completion_tokens: 100,
      temperature: 0.5,
      top_p: 0.9,
      n: 1,
      stop: ['END'],
      seed: 7,
      presence_penalty: 0.1,
      frequency_penalty: 0.1,
      response_format: {type: 'json_object'},
      tools: [{type: 'function', function: {name: 'f', parameters: {type: 'object', properties: {}}}}],
      tool_choice: 'auto',
      reasoning_effort: 'low',
      stream: true,
      stream_options: {include_usage: true},
      extra_body: {google: {thinking_config: {thinking_budget: 1024}}},
    }
    const rejected = {
      store: true,
      metadata: {team: 'a'},
      logit_bias: {'50256': -100},
      service_tier: 'auto',
      parallel_tool_calls: false,
      prediction: {type: 'content', content: 'x'},
      user: 'user-1',
      safety_identifier: 'hash',
      prompt_cache_key: 'k',
      prompt_cache_retention: '24h',
      verbosity: 'low',
    }
    expect(Object.keys(rejected).sort()).toEqual([...GEMINI_REJECTED_CHAT_FIELDS].sort())
    const ctx = context({body: {...accepted, ...rejected}, account: account({provider: 'gemini', base_url: BASE})})
    const request = geminiAdapter.buildRequest(ctx)
    expect(JSON.parse(String(request.body))).toEqual(accepted)
    // The client's body is not modified (the gateway may retry it on another account).
    expect(ctx.body.store).toBe(true)
  })

  it('passes a body with no rejected field through as the very same object', () => {
    const ctx = context({
      body: {model: 'gemini-2.5-flash', messages: [{role: 'user', content: 'Hi'}]},
      account: account({provider: 'gemini', base_url: BASE}),
    })
    expect(geminiAdapter.buildRequest(ctx).body).toBe(JSON.stringify(ctx.body))
  })

  it('sends embeddings and images without the end-user field', () => {
    const acct = account({provider: 'gemini', base_url: BASE})
    const embeddings = geminiAdapter.buildRequest(
      context({
        endpoint: 'embeddings',
        path: '/embeddings',
        body: {model: 'gemini-embedding-001', input: 'x', user: 'u', dimensions: 768},
        account: acct,
      }),
    )
    expect(embeddings.url).toBe(`${BASE}/embeddings`)
    expect(JSON.parse(String(embeddings.body))).toEqual({model: 'gemini-embedding-001', input: 'x', dimensions: 768})
    const images = geminiAdapter.buildRequest(
      context({
        endpoint: 'images.generations',
        path: '/images/generations',
        body: {model: 'imagen-3.0-generate-002', prompt: 'cat', user: 'u'},
        account: acct,
      }),
    )
    expect(images.url).toBe(`${BASE}/images/generations`)
    expect(JSON.parse(String(images.body))).toEqual({model: 'imagen-3.0-generate-002', prompt: 'cat'})
  })

  it('does not serve the Responses API or legacy completions', () => {
    expect(geminiAdapter.supports('responses')).toBe(false)
    expect(geminiAdapter.supports('completions')).toBe(false)
    expect(geminiAdapter.supports('embeddings')).toBe(true)
  })

  it("unwraps Google's error list into OpenAI's error shape", () => {
    const text = JSON.stringify([
      {
        error: {
          code: 400,
          message: 'Invalid JSON payload received. Unknown name "foo": Cannot find field.',
          status: 'INVALID_ARGUMENT',
        },
      },
    ])
    expect(geminiAdapter.translateError!(400, text)).toEqual({
      status: 400,
      body: {
        error: {
          message: 'Invalid JSON payload received. Unknown name "foo": Cannot find field.',
          type: 'invalid_request_error',
          code: 'INVALID_ARGUMENT',
          param: null,
        },
      },
    })
    const quota = JSON.stringify([
      {error: {code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED'}},
    ])
    expect(geminiAdapter.translateError!(429, quota).body).toMatchObject({
      error: {type: 'rate_limit_error', code: 'RESOURCE_EXHAUSTED'},
    })
  })
})
