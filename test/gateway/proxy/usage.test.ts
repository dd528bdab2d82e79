/** Usage read from the tail of a whole answer, in each API's shape, normalised as the stream translators do. */
import {describe, expect, it} from 'vitest'

import {USAGE_TAIL_CHARS, usageFrom} from '../../../src/gateway/proxy/usage.js'

describe('usageFrom', () => {
  it('reads OpenAI chat usage with its cached tokens (https://platform.openai.com/docs/api-reference/chat/object)', () => {
    const body = JSON.stringify({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: {role: 'assistant', content: 'The "prompt_tokens": 99 in this text is not usage.'},
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: 2048,
        completion_tokens: 12,
        total_tokens: 2060,
        prompt_tokens_details: {cached_tokens: 1920, audio_tokens: 0},
      },
    })
    expect(usageFrom(body)).toEqual({
      prompt_tokens: 2048,
      completion_tokens: 12,
      cached_tokens: 1920,
      cache_write_tokens: null,
    })
  })

  it('reads Responses usage (input_tokens_details.cached_tokens)', () => {
    const body = JSON.stringify({
      object: 'response',
      output: [{type: 'message', content: [{type: 'output_text', text: 'ok'}]}],
      usage: {
        input_tokens: 1500,
        input_tokens_details: {cached_tokens: 1024},
        output_tokens: 3,
        output_tokens_details: {reasoning_tokens: 0},
        total_tokens: 1503,
      },
    })
    expect(usageFrom(body)).toEqual({
      prompt_tokens: 1500,
      completion_tokens: 3,
      cached_tokens: 1024,
      cache_write_tokens: null,
    })
  })

  it("reads Anthropic usage, whose input_tokens leave out the cache's tokens (https://docs.anthropic.com/en/api/messages)", () => {
    const body = JSON.stringify({
      type: 'message',
      content: [{type: 'text', text: 'ok'}],
      usage: {
        input_tokens: 20,
        cache_creation_input_tokens: 150,
        cache_read_input_tokens: 1800,
        cache_creation: {ephemeral_5m_input_tokens: 150, ephemeral_1h_input_tokens: 0},
        output_tokens: 7,
        service_tier: 'standard',
      },
    })
    expect(usageFrom(body)).toEqual({
      prompt_tokens: 1970,
      completion_tokens: 7,
      cached_tokens: 1800,
      cache_write_tokens: 150,
    })
  })

  it('reads only the tail of a long answer, and nothing from an answer without usage', () => {
    const filler = 'x'.repeat(USAGE_TAIL_CHARS)
    expect(usageFrom(JSON.stringify({usage: {prompt_tokens: 5, completion_tokens: 1}, text: filler}))).toBeNull()
    expect(usageFrom(JSON.stringify({text: filler, usage: {prompt_tokens: 5, completion_tokens: 1}}))).toMatchObject({
      prompt_tokens: 5,
      completion_tokens: 1,
    })
    expect(usageFrom('{"id":"x","choices":[]}')).toBeNull()
  })
})
