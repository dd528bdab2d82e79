/**
 * The backend's failures as `AdapterError`s and OpenAI-shaped error bodies: error answers, `response.failed` and
 * `error` events, streams cut before their terminal event, and requests the backend cannot take.
 */
import {isObject} from '../../../core/is-object.js'
import {normaliseErrorBody, tryParseJson} from '../shared.js'
import {AdapterError, type TranslatedResponse} from '../types.js'

/** A request the backend cannot take: a 400 naming the offending parameter. */
export function badRequest(message: string, param: string | null = null): AdapterError {
  return new AdapterError(message, 400, 'invalid_request_error', param)
}

/** OpenAI's HTTP status for a Responses error code. */
function statusOfCode(code: unknown): number {
  switch (code) {
    case 'rate_limit_exceeded':
    case 'usage_limit_reached':
    case 'insufficient_quota':
      return 429
    case 'invalid_prompt':
    case 'context_length_exceeded':
    case 'invalid_request_error':
      return 400
    case 'server_is_overloaded':
    case 'slow_down':
      return 503
    default:
      return 502
  }
}

function failure(message: unknown, code: unknown, fallback: string): AdapterError {
  const text = typeof message === 'string' && message !== '' ? message : fallback
  const codeText = typeof code === 'string' ? code : null
  return new AdapterError(text, statusOfCode(code), 'upstream_error', codeText)
}

/** The `AdapterError` for a `response.failed` or `error` event. */
export function eventFailure(type: unknown, data: Record<string, unknown>): AdapterError {
  if (type === 'response.failed') {
    const response = isObject(data.response) ? data.response : {}
    const error = isObject(response.error) ? response.error : {}
    return failure(error.message, error.code, 'the ChatGPT backend reported response.failed')
  }
  const error = isObject(data.error) ? data.error : data
  return failure(error.message, error.code ?? error.type, 'the ChatGPT backend reported an error in the stream')
}

/** The `AdapterError` of a stream that ended before its terminal event. */
export function truncated(): AdapterError {
  return new AdapterError(
    'the ChatGPT backend stream ended before response.completed (truncated answer)',
    502,
    'upstream_error',
    'stream_truncated',
  )
}

function humanDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`
  const minutes = Math.round(seconds / 60)
  if (minutes < 90) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  return `${hours} h ${minutes % 60} min`
}

/**
 * Backend errors → OpenAI's shape. The backend answers OpenAI-style `{"error": {...}}` bodies or `{"detail": …}`;
 * a ChatGPT plan's usage limit (429, `usage_limit_reached`) says when it resets, which the message keeps.
 */
export function translateCodexError(status: number, text: string): TranslatedResponse {
  const body = normaliseErrorBody(status, text)
  const parsed = tryParseJson(text)
  if (isObject(parsed) && isObject(parsed.error)) {
    const {type, resets_in_seconds: resetsIn} = parsed.error
    if (typeof type === 'string' && body.error.code === null) body.error.code = type
    if (typeof resetsIn === 'number' && resetsIn > 0) body.error.message += ` (resets in ${humanDuration(resetsIn)})`
  }
  return {status, body}
}
