/**
 * The one mapper from failures to OpenAI-shaped HTTP errors: `{"error": {"message", "type", "code", "param"}}`.
 * Never a stack trace, never a credential.
 */
import {RouterError, RoutingError} from '../core/errors.js'

/** OpenAI's error body, which the gateway sends for every error (Anthropic's shape on `/v1/messages`). */
export interface OpenAIErrorBody {
  error: {message: string; type: string; code: string | null; param: string | null}
}

/** A gateway error ready to send. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string,
    readonly param: string | null = null,
    /** Extra response headers (e.g. `Retry-After`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'GatewayError'
  }

  toBody(): OpenAIErrorBody {
    return {error: {message: this.message, type: this.type, code: this.code, param: this.param}}
  }
}

/** Status and OpenAI error type for each routing error code. */
const ROUTING_STATUS: Record<string, [number, string]> = {
  model_not_found: [400, 'invalid_request_error'],
  no_candidates: [400, 'invalid_request_error'],
  invalid_request: [400, 'invalid_request_error'],
  no_account: [503, 'service_unavailable'],
}

/**
 * Fastify's own request errors, in the gateway's words: status, OpenAI error code and message. A Fastify code never
 * reaches a client (`FST_ERR_CTP_INVALID_MEDIA_TYPE` means nothing to an OpenAI SDK).
 */
const FRAMEWORK_ERRORS: Record<string, [status: number, code: string, message: string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'body_too_large', 'Request body is too large for this gateway.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_json', 'Request body is empty; send a JSON object.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type', 'Unsupported Content-Type; send the body as application/json.'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid_content_length', 'Request body size did not match its Content-Length.'],
  FST_ERR_BAD_URL: [400, 'invalid_url', 'The request URL is not valid (malformed percent-encoding).'],
  FST_ERR_MAX_PARAM_LENGTH: [414, 'url_too_long', 'The request URL is too long.'],
  FST_ERR_ASYNC_CONSTRAINT: [400, 'invalid_request', 'The request could not be matched to a route.'],
}

/** Turns anything thrown while handling a request into a `GatewayError`. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error
  if (error instanceof RoutingError) {
    const [status, type] = ROUTING_STATUS[error.code] ?? [400, 'invalid_request_error']
    const message = error.hint ? `${error.message} ${error.hint}` : error.message
    return new GatewayError(status, message, type, error.code, error.param ?? null)
  }
  if (error instanceof RouterError) return new GatewayError(500, error.message, 'server_error', error.code)
  const fastify = error as {statusCode?: number; code?: string}
  const known = fastify?.code === undefined ? undefined : FRAMEWORK_ERRORS[fastify.code]
  if (known) return new GatewayError(known[0], known[2], 'invalid_request_error', known[1])
  if (typeof fastify?.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return new GatewayError(fastify.statusCode, 'The request could not be read.', 'invalid_request_error', 'invalid_request')
  }
  return new GatewayError(500, 'Internal gateway error.', 'server_error', 'internal')
}
