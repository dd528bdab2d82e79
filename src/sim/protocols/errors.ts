/**
 * Error bodies in each provider's own shape, so that the gateway's error mapping is tested against what the real
 * services send: OpenAI `{"error": {message, type, param, code}}`, Anthropic `{"type": "error", "error": {type,
 * message}}`, the ChatGPT backend `{"error": {type, message}}` (`{"detail": …}` for request validation).
 */
import {json, type Dialect, type JsonAnswer} from '../answer.js'

interface ErrorInfo {
  message: string
  type: string
  code: string | null
}

const OPENAI: Record<number, ErrorInfo> = {
  400: {message: 'Invalid request.', type: 'invalid_request_error', code: null},
  401: {message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key'},
  403: {message: 'You are not allowed to use this model.', type: 'invalid_request_error', code: 'model_not_allowed'},
  404: {message: 'The model does not exist.', type: 'invalid_request_error', code: 'model_not_found'},
  429: {message: 'Rate limit reached for requests.', type: 'requests', code: 'rate_limit_exceeded'},
  500: {message: 'The server had an error while processing your request.', type: 'server_error', code: null},
  502: {message: 'Bad gateway.', type: 'server_error', code: null},
  503: {message: 'The engine is currently overloaded, please try again later.', type: 'server_error', code: null},
  504: {message: 'Gateway timeout.', type: 'server_error', code: null},
}

const ANTHROPIC: Record<number, Omit<ErrorInfo, 'code'>> = {
  400: {message: 'Invalid request.', type: 'invalid_request_error'},
  401: {message: 'invalid x-api-key', type: 'authentication_error'},
  403: {message: 'Your API key does not have permission to use the specified resource.', type: 'permission_error'},
  404: {message: 'The requested resource could not be found.', type: 'not_found_error'},
  413: {message: 'Request exceeds the maximum allowed number of bytes.', type: 'request_too_large'},
  429: {message: 'Number of request tokens has exceeded your per-minute rate limit.', type: 'rate_limit_error'},
  500: {message: 'Internal server error.', type: 'api_error'},
  503: {message: 'Overloaded', type: 'overloaded_error'},
  529: {message: 'Overloaded', type: 'overloaded_error'},
}

/** Optional details of an error answer. */
export interface ErrorDetails {
  message?: string
  type?: string
  code?: string | null
  param?: string | null
  /** Seconds for the `Retry-After` header (429 and 503). */
  retryAfter?: number
}

/** An error answer with `status` in the dialect's shape. */
export function errorAnswer(dialect: Dialect, status: number, details: ErrorDetails = {}): JsonAnswer {
  const answer = json(status, errorBody(dialect, status, details))
  if (details.retryAfter !== undefined) answer.headers = {'retry-after': String(details.retryAfter)}
  return answer
}

/** The error body alone (also used inside streams). */
export function errorBody(dialect: Dialect, status: number, details: ErrorDetails = {}): unknown {
  if (dialect === 'anthropic') {
    const known = ANTHROPIC[status] ?? (status >= 500 ? ANTHROPIC[500] : ANTHROPIC[400])
    return {type: 'error', error: {type: details.type ?? known.type, message: details.message ?? known.message}}
  }
  const known = OPENAI[status] ?? (status >= 500 ? OPENAI[500] : OPENAI[400])
  if (dialect === 'codex') {
    if (status === 429) {
      const resetsIn = details.retryAfter ?? 60
      return {
        error: {
          type: 'usage_limit_reached',
          message: details.message ?? 'The usage limit has been reached',
          plan_type: 'plus',
          resets_in_seconds: resetsIn,
          resets_at: Math.floor(Date.now() / 1000) + resetsIn,
        },
      }
    }
    return {error: {type: details.type ?? known.type, code: details.code ?? known.code, message: details.message ?? known.message}}
  }
  return {
    error: {
      message: details.message ?? known.message,
      type: details.type ?? known.type,
      param: details.param ?? null,
      code: details.code === undefined ? known.code : details.code,
    },
  }
}

/** A 400 for a missing or malformed request field, in the dialect's shape. */
export function invalidRequest(dialect: Dialect, message: string, param: string | null = null): JsonAnswer {
  if (dialect === 'codex') return json(400, {detail: message})
  return errorAnswer(dialect, 400, {message, param, code: param === null ? null : 'invalid_value'})
}
