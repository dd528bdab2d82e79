/**
 * Anthropic's errors (https://docs.anthropic.com/en/api/errors) in OpenAI's shape: error bodies, `error` events inside
 * a stream, and the requests Anthropic's protocol cannot express.
 */
import {isObject} from '../../../core/is-object.js'
import {normaliseErrorBody, openAIError, tryParseJson} from '../shared.js'
import {AdapterError, type TranslatedResponse} from '../types.js'

/** A request Anthropic's protocol cannot express: a 400 naming the offending parameter. */
export function badRequest(message: string, param: string | null = null): AdapterError {
  return new AdapterError(message, 400, 'invalid_request_error', param)
}

/** OpenAI error type and HTTP status of each Anthropic error type. */
const ERROR_TYPES: Readonly<Record<string, {type: string; status: number}>> = {
  invalid_request_error: {type: 'invalid_request_error', status: 400},
  authentication_error: {type: 'authentication_error', status: 401},
  billing_error: {type: 'insufficient_quota', status: 402},
  permission_error: {type: 'permission_error', status: 403},
  not_found_error: {type: 'not_found_error', status: 404},
  request_too_large: {type: 'invalid_request_error', status: 413},
  rate_limit_error: {type: 'rate_limit_error', status: 429},
  api_error: {type: 'server_error', status: 502},
  overloaded_error: {type: 'server_error', status: 503},
}

/** Anthropic's 529 "overloaded" is 503 for clients and retry rules. */
const OVERLOADED_STATUS = 529

function anthropicErrorOf(value: unknown): {type: string; message: string} | undefined {
  if (!isObject(value) || !isObject(value.error)) return undefined
  const {type, message} = value.error
  return {
    type: typeof type === 'string' ? type : 'api_error',
    message: typeof message === 'string' ? message : 'Anthropic error',
  }
}

/** Anthropic error body (`{"type": "error", "error": {"type", "message"}}`) → OpenAI's error shape. */
export function translateAnthropicError(status: number, text: string): TranslatedResponse {
  const mappedStatus = status === OVERLOADED_STATUS ? 503 : status
  const error = anthropicErrorOf(tryParseJson(text))
  // Not Anthropic's shape: a proxy's page or plain text in front of the API.
  if (error === undefined) return {status: mappedStatus, body: normaliseErrorBody(mappedStatus, text)}
  const known = ERROR_TYPES[error.type]
  return {status: mappedStatus, body: openAIError(error.message, known?.type ?? 'server_error', error.type)}
}

/** The `AdapterError` of an `error` event (or an error body inside a 200 answer). */
export function streamError(data: unknown): AdapterError {
  const error = anthropicErrorOf(data) ?? {type: 'api_error', message: 'Anthropic reported an error in the stream'}
  const known = ERROR_TYPES[error.type]
  return new AdapterError(error.message, known?.status ?? 502, known?.type ?? 'server_error', error.type)
}
