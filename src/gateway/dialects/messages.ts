/**
 * Anthropic's Messages dialect (`/v1/messages…`, what Claude Code and the Anthropic SDKs speak): errors in Anthropic's
 * shape (`{"type": "error", "error": {"type", "message"}}`, the type named for the status), a broken stream ended by
 * an `error` event, the key taken from `x-api-key` when there is no `Authorization` (Claude Code sends
 * `ANTHROPIC_API_KEY` so), the client's `anthropic-beta` header passed on to Anthropic accounts, and
 * `POST /v1/messages/count_tokens` answered from the router's own estimate (no provider counts tokens for another's
 * models).
 */
import type {FastifyInstance} from 'fastify'

import {isObject} from '../../core/is-object.js'
import {classifyRequest} from '../../core/routing/classifier.js'
import {ERRORS, type GatewayError} from '../errors.js'
import {streamErrorMember} from './chat.js'
import type {ClientDialect} from './types.js'

/** Anthropic's error type for a status. */
export function anthropicErrorType(status: number): string {
  if (status === 400 || status === 422) return 'invalid_request_error'
  if (status === 401) return 'authentication_error'
  if (status === 403) return 'permission_error'
  if (status === 404) return 'not_found_error'
  if (status === 413) return 'request_too_large'
  if (status === 429) return 'rate_limit_error'
  if (status === 503 || status === 529) return 'overloaded_error'
  return 'api_error'
}

/** An OpenAI-shaped error body (`{"error": {"message", …}}`) in Anthropic's shape; any other body as it is. */
export function anthropicErrorBody(status: number, body: unknown): unknown {
  if (!isObject(body) || !isObject(body.error) || body.type === 'error') return body
  const message = typeof body.error.message === 'string' ? body.error.message : 'error'
  return {type: 'error', error: {type: anthropicErrorType(status), message}}
}

export const MESSAGES: ClientDialect = {
  name: 'messages',
  prefix: '/v1/messages',
  endpoints: [['/messages', 'messages']],
  extraRoutes: registerCountTokens,
  // Anthropic's errors have no `_router`: its clients read the API's own shape.
  errorBody: (error: GatewayError) => ({
    type: 'error',
    error: {type: anthropicErrorType(error.status), message: error.message},
  }),
  upstreamError(status, text) {
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      return text
    }
    return JSON.stringify(anthropicErrorBody(status, body))
  },
  streamError: (message) =>
    `event: error\ndata: ${JSON.stringify({type: 'error', error: {type: 'api_error', message: streamErrorMember(message).message}})}\n\n`,
  authorization(headers) {
    const authorization = headers.authorization
    if (authorization !== undefined) return authorization
    const key = headers['x-api-key']
    return typeof key === 'string' && key !== '' ? `Bearer ${key}` : undefined
  },
  passHeaders(headers, into) {
    const beta = headers['anthropic-beta']
    if (typeof beta === 'string') into.anthropicBeta = beta
  },
}

function registerCountTokens(app: FastifyInstance): void {
  app.post('/v1/messages/count_tokens', async (request, reply) => {
    const body = request.body
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw ERRORS.bodyNotObject()
    const estimate = classifyRequest(body, 'messages').requirements.input_tokens
    return reply.header('x-router-request-id', request.routerId).send({input_tokens: estimate})
  })
}
