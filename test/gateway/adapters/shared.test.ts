import {describe, expect, it} from 'vitest'

import {joinUpstreamUrl} from '../../../src/core/config/url.js'
import {normaliseErrorBody, parseDataUrl, tokenCounts, urlJoiner} from '../../../src/gateway/adapters/shared.js'

describe('adapter helpers', () => {
  it('reads token counts from chat, Responses and Anthropic usage objects', () => {
    const counts = (
      prompt: number | null,
      completion: number | null,
      cached: number | null = null,
      written: number | null = null,
    ) => ({
      prompt_tokens: prompt,
      completion_tokens: completion,
      cached_tokens: cached,
      cache_write_tokens: written,
    })
    expect(tokenCounts({prompt_tokens: 12, completion_tokens: 5, total_tokens: 17})).toEqual(counts(12, 5))
    expect(tokenCounts({input_tokens: 40, output_tokens: 9, total_tokens: 49})).toEqual(counts(40, 9))
    // Anthropic's message_delta carries only the output count.
    expect(tokenCounts({output_tokens: 7})).toEqual(counts(null, 7))
    expect(tokenCounts({})).toBeNull()
    expect(tokenCounts(null)).toBeNull()
    expect(tokenCounts({prompt_tokens: '12'})).toBeNull()
  })

  it('counts cached prompt tokens inside the prompt, whichever protocol reports them', () => {
    // OpenAI chat (and OpenRouter's cache writes): prompt_tokens already includes the cached tokens.
    expect(
      tokenCounts({
        prompt_tokens: 2048,
        completion_tokens: 9,
        prompt_tokens_details: {cached_tokens: 1920, audio_tokens: 0},
      }),
    ).toEqual({
      prompt_tokens: 2048,
      completion_tokens: 9,
      cached_tokens: 1920,
      cache_write_tokens: null,
    })
    expect(
      tokenCounts({
        prompt_tokens: 3000,
        completion_tokens: 1,
        prompt_tokens_details: {cached_tokens: 0, cache_write_tokens: 2900},
      }),
    ).toMatchObject({
      cached_tokens: 0,
      cache_write_tokens: 2900,
    })
    // The Responses API: the same in input_tokens_details.
    expect(tokenCounts({input_tokens: 1500, output_tokens: 3, input_tokens_details: {cached_tokens: 1024}})).toEqual({
      prompt_tokens: 1500,
      completion_tokens: 3,
      cached_tokens: 1024,
      cache_write_tokens: null,
    })
    // Anthropic: input_tokens is only what the cache neither served nor stored; null counts are none.
    expect(
      tokenCounts({
        input_tokens: 12,
        cache_creation_input_tokens: 300,
        cache_read_input_tokens: 2000,
        output_tokens: 40,
      }),
    ).toEqual({
      prompt_tokens: 2312,
      completion_tokens: 40,
      cached_tokens: 2000,
      cache_write_tokens: 300,
    })
    expect(
      tokenCounts({
        input_tokens: 50,
        cache_creation_input_tokens: null,
        cache_read_input_tokens: null,
        output_tokens: 1,
      }),
    ).toEqual({
      prompt_tokens: 50,
      completion_tokens: 1,
      cached_tokens: 0,
      cache_write_tokens: 0,
    })
  })

  it('joins URLs exactly as the shared rule does, also past the per-base cache limit', () => {
    const join = urlJoiner('/v1')
    for (let i = 0; i < 600; i++) {
      const base = i % 2 === 0 ? 'http://localhost:11434' : 'https://api.example.com/api/v1/'
      const path = `/files/file-${i % 300}`
      expect(join(base, path)).toBe(joinUpstreamUrl(base, path))
    }
    expect(urlJoiner(null)('https://chatgpt.com', '/codex/responses')).toBe('https://chatgpt.com/codex/responses')
  })

  it("keeps a passthrough path's query string, after the base URL's own", () => {
    const join = urlJoiner('/v1')
    expect(join('http://localhost:8000', '/files?purpose=batch')).toBe('http://localhost:8000/v1/files?purpose=batch')
    expect(join('https://x.azure.com/openai?api-version=1', '/files?purpose=batch')).toBe(
      'https://x.azure.com/openai/files?api-version=1&purpose=batch',
    )
  })

  it('splits base64 data URLs and refuses anything else', () => {
    expect(parseDataUrl('data:image/jpeg;base64,/9j/4AAQ')).toEqual({mediaType: 'image/jpeg', data: '/9j/4AAQ'})
    expect(parseDataUrl('data:Image/PNG;name=a.png;base64,iVBO')).toEqual({mediaType: 'image/png', data: 'iVBO'})
    expect(parseDataUrl('data:text/plain,hello')).toBeNull()
    expect(parseDataUrl('https://example.com/a.png')).toBeNull()
  })

  it('normalises the error bodies OpenAI-compatible servers send', () => {
    expect(normaliseErrorBody(422, '{"detail":[{"loc":["body","model"],"msg":"field required"}]}')).toEqual({
      error: {
        message: '[{"loc":["body","model"],"msg":"field required"}]',
        type: 'invalid_request_error',
        code: null,
        param: null,
      },
    })
    expect(normaliseErrorBody(500, '')).toEqual({
      error: {message: 'upstream answered 500 with an empty body', type: 'server_error', code: null, param: null},
    })
    const long = normaliseErrorBody(502, 'x'.repeat(2000)).error.message
    expect(long.length).toBe(501)
    expect(
      normaliseErrorBody(
        400,
        '{"error":{"message":"bad","type":"invalid_request_error","param":"messages","code":"bad_messages"}}',
      ),
    ).toEqual({
      error: {message: 'bad', type: 'invalid_request_error', code: 'bad_messages', param: 'messages'},
    })
  })
})
