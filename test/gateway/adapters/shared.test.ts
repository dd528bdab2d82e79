import {describe, expect, it} from 'vitest'

import {joinUpstreamUrl} from '../../../src/core/config/url.js'
import {normaliseErrorBody, parseDataUrl, tokenCounts, urlJoiner} from '../../../src/gateway/adapters/shared.js'

describe('adapter helpers', () => {
  it('reads token counts from chat, Responses and Anthropic usage objects', () => {
    expect(tokenCounts({prompt_tokens: 12, completion_tokens: 5, total_tokens: 17})).toEqual({prompt_tokens: 12, completion_tokens: 5})
    expect(tokenCounts({input_tokens: 40, output_tokens: 9, total_tokens: 49})).toEqual({prompt_tokens: 40, completion_tokens: 9})
    // Anthropic's message_delta carries only the output count.
    expect(tokenCounts({output_tokens: 7})).toEqual({prompt_tokens: null, completion_tokens: 7})
    expect(tokenCounts({})).toBeNull()
    expect(tokenCounts(null)).toBeNull()
    expect(tokenCounts({prompt_tokens: '12'})).toBeNull()
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
      error: {message: '[{"loc":["body","model"],"msg":"field required"}]', type: 'invalid_request_error', code: null, param: null},
    })
    expect(normaliseErrorBody(500, '')).toEqual({
      error: {message: 'upstream answered 500 with an empty body', type: 'server_error', code: null, param: null},
    })
    const long = normaliseErrorBody(502, 'x'.repeat(2000)).error.message
    expect(long.length).toBe(501)
    expect(normaliseErrorBody(400, '{"error":{"message":"bad","type":"invalid_request_error","param":"messages","code":"bad_messages"}}')).toEqual({
      error: {message: 'bad', type: 'invalid_request_error', code: 'bad_messages', param: 'messages'},
    })
  })
})
