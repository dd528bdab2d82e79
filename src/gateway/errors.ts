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
  if (fastify?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new GatewayError(413, 'Request body is too large for this gateway.', 'invalid_request_error', 'body_too_large')
  }
  if (fastify?.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return new GatewayError(400, 'Request body is empty; send a JSON object.', 'invalid_request_error', 'invalid_json')
  }
  if (typeof fastify?.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return new GatewayError(fastify.statusCode, (error as Error).message, 'invalid_request_error', fastify.code ?? 'bad_request')
  }
  return new GatewayError(500, 'Internal gateway error.', 'server_error', 'internal')
}
