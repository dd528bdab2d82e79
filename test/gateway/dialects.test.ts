import {describe, expect, it} from 'vitest'

import {CHAT, MESSAGES, RESPONSES, dialectOf} from '../../src/gateway/dialects/index.js'
import {ERRORS} from '../../src/gateway/errors.js'

/** The data of an SSE text's one event, parsed. */
function eventData(sse: string): unknown {
  const data = sse.split('\n').find((line) => line.startsWith('data: '))
  return JSON.parse(data!.slice('data: '.length))
}

describe('client dialects', () => {
  it("speaks Anthropic's dialect on every /v1/messages path, Responses' on /v1/responses, OpenAI chat's elsewhere", () => {
    expect(dialectOf('/v1/messages')).toBe(MESSAGES)
    expect(dialectOf('/v1/messages/count_tokens')).toBe(MESSAGES)
    expect(dialectOf('/v1/messages?beta=true')).toBe(MESSAGES)
    expect(dialectOf('/v1/responses')).toBe(RESPONSES)
    for (const url of [
      '/v1/chat/completions',
      '/v1/completions',
      '/v1/embeddings',
      '/v1/models',
      '/health',
      '/v1/router/policy',
    ]) {
      expect(dialectOf(url)).toBe(CHAT)
    }
  })

  it("answers a gateway error in OpenAI's shape with _router, and in Anthropic's (type named for the status) on Messages", () => {
    const error = ERRORS.idempotencyInProgress()
    const router = {request_id: 'req_1'}
    const openai = {
      error: {message: error.message, type: 'invalid_request_error', code: 'idempotency_in_progress', param: null},
    }
    expect(CHAT.errorBody(error)).toEqual(openai)
    expect(RESPONSES.errorBody(error, router)).toEqual({...openai, _router: router})
    expect(MESSAGES.errorBody(error, router)).toEqual({
      type: 'error',
      error: {type: 'api_error', message: error.message},
    })
    expect(MESSAGES.errorBody(ERRORS.shuttingDown())).toMatchObject({error: {type: 'overloaded_error'}})
    expect(MESSAGES.errorBody(ERRORS.credentialsRefused('auth_missing'))).toMatchObject({
      error: {type: 'authentication_error'},
    })
  })

  it("puts an upstream's OpenAI-shaped error in Anthropic's shape on Messages, and leaves other text alone", () => {
    const text = JSON.stringify({
      error: {message: 'bad temperature', type: 'invalid_request_error', code: 'bad', param: 'temperature'},
      _router: {},
    })
    expect(CHAT.upstreamError(400, text)).toBe(text)
    expect(JSON.parse(MESSAGES.upstreamError(400, text))).toEqual({
      type: 'error',
      error: {type: 'invalid_request_error', message: 'bad temperature'},
    })
    expect(MESSAGES.upstreamError(502, '<html>Bad gateway</html>')).toBe('<html>Bad gateway</html>')
  })

  it('ends a broken stream with the error event of each API', () => {
    const message = 'Upstream stream interrupted: the upstream closed the connection'
    expect(CHAT.streamError('the upstream closed the connection')).toMatch(/^data: /)
    expect(eventData(CHAT.streamError('the upstream closed the connection'))).toEqual({
      error: {message, type: 'upstream_error', code: 'stream_interrupted', param: null},
    })
    expect(RESPONSES.streamError('the upstream closed the connection')).toMatch(/^event: error\n/)
    expect(eventData(RESPONSES.streamError('the upstream closed the connection'))).toMatchObject({
      type: 'error',
      code: 'stream_interrupted',
      message,
    })
    expect(MESSAGES.streamError('the upstream closed the connection')).toMatch(/^event: error\n/)
    expect(eventData(MESSAGES.streamError('the upstream closed the connection'))).toEqual({
      type: 'error',
      error: {type: 'api_error', message},
    })
  })

  it("takes a Messages client's key from x-api-key, and passes its anthropic-beta header on; other dialects neither", () => {
    expect(MESSAGES.authorization({'x-api-key': 'sk-ant-1'})).toBe('Bearer sk-ant-1')
    expect(MESSAGES.authorization({authorization: 'Bearer a', 'x-api-key': 'sk-ant-1'})).toBe('Bearer a')
    expect(CHAT.authorization({'x-api-key': 'sk-ant-1'})).toBeUndefined()
    const passed: {anthropicBeta?: string} = {}
    MESSAGES.passHeaders({'anthropic-beta': 'prompt-caching-2024-07-31'}, passed)
    expect(passed.anthropicBeta).toBe('prompt-caching-2024-07-31')
    const none: {anthropicBeta?: string} = {}
    CHAT.passHeaders({'anthropic-beta': 'x'}, none)
    expect(none.anthropicBeta).toBeUndefined()
  })
})
