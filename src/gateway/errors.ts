/**
 * The gateway's errors: the catalogue (`ERRORS`, every error the gateway itself answers with: status, OpenAI error
 * type, code, message), the `GatewayError` its entries create, and the one mapper from anything thrown to a
 * `GatewayError`. A client sees one in its API's shape (`src/gateway/dialects`): OpenAI's
 * `{"error": {"message", "type", "code", "param"}}`, Anthropic's on `/v1/messages`. Never a stack trace, never a
 * credential.
 */
import type {LimitCode} from '../core/auth/schema.js'
import {RouterError, RoutingError} from '../core/errors.js'
import type {AuthFailure} from './ingress-auth.js'

/** OpenAI's error body, which the gateway sends for every error (Anthropic's shape on `/v1/messages`). */
export interface OpenAIErrorBody {
  error: {message: string; type: string; code: string | null; param: string | null}
}

/** A gateway error ready to send; made by an entry of `ERRORS` (or `toGatewayError`), never ad hoc. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string,
    readonly param: string | null = null,
    /** Extra response headers (e.g. `Retry-After`). */
    readonly headers: Readonly<Record<string, string>> = NO_HEADERS,
    /** What the audit event records as `error_code` when it is not `code` (why a credential was refused). */
    readonly auditCode?: string,
  ) {
    super(message)
    this.name = 'GatewayError'
  }

  toBody(): OpenAIErrorBody {
    return {error: {message: this.message, type: this.type, code: this.code, param: this.param}}
  }
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({})
const INVALID = 'invalid_request_error'
const RETRY_IN_A_SECOND = Object.freeze({'retry-after': '1'})
const AUTH_REALM = Object.freeze({'www-authenticate': 'Bearer realm="open-llm-router"'})
const AUTH_RETRY = Object.freeze({'retry-after': '5'})
const CLOSE_AND_RETRY = Object.freeze({connection: 'close', 'retry-after': '1'})
const CREDENTIALS_MESSAGE = 'Missing or invalid credentials. Send "Authorization: Bearer <key or token>".'

/** Words for a key's limit in its 429's message. */
const LIMIT_WORDS: Record<LimitCode, string> = {
  budget_usd_day: 'daily budget',
  budget_usd_month: 'monthly budget',
  rpm: 'requests-per-minute limit',
  tpm: 'tokens-per-minute limit',
  max_concurrency: 'concurrency limit',
}

/**
 * Every error the gateway answers with by itself, by name: status, type, code and message (its template's arguments
 * are the entry's), then `param` and extra headers where it has them. Errors an upstream answered are relayed in its
 * own words (`upstreamExhausted`, `upstreamRefusal`).
 */
export const ERRORS = {
  // The request as it arrives: its connection, URL, route and body.
  requestTimeout: () =>
    new GatewayError(
      408,
      'The request was not received in time: send the headers and the body promptly (ROUTER_CLIENT_REQUEST_TIMEOUT_SECONDS).',
      INVALID,
      'request_timeout',
    ),
  headersTooLarge: () => new GatewayError(431, 'Request headers are too large.', INVALID, 'headers_too_large'),
  notHttp: () => new GatewayError(400, 'The request is not valid HTTP.', INVALID, 'bad_request'),
  badUrl: () =>
    new GatewayError(400, 'The request URL is not valid (malformed percent-encoding).', INVALID, 'invalid_url'),
  urlTooLong: () => new GatewayError(414, 'The request URL is too long.', INVALID, 'url_too_long'),
  unmatchedRoute: () =>
    new GatewayError(400, 'The request could not be matched to a route.', INVALID, 'invalid_request'),
  shuttingDown: () =>
    new GatewayError(
      503,
      'The gateway is shutting down; retry in a moment.',
      'service_unavailable',
      'shutting_down',
      null,
      CLOSE_AND_RETRY,
    ),
  noRoute: (method: string, path: string) =>
    new GatewayError(404, `No route for ${method} ${path}.`, INVALID, 'not_found'),
  unsafePassthroughPath: (shown: string) =>
    new GatewayError(
      400,
      `The path ${JSON.stringify(shown)} is not allowed: a passthrough path may not contain "." or ".." segments, backslashes, control characters, or encoded slashes or dots.`,
      INVALID,
      'invalid_path',
    ),
  invalidJson: (detail: string) =>
    new GatewayError(400, `Request body is not valid JSON: ${detail}`, INVALID, 'invalid_json'),
  bodyTooLarge: () => new GatewayError(413, 'Request body is too large for this gateway.', INVALID, 'body_too_large'),
  unsupportedMediaType: () =>
    new GatewayError(
      415,
      'Unsupported Content-Type; send the body as application/json.',
      INVALID,
      'unsupported_media_type',
    ),
  contentLengthMismatch: () =>
    new GatewayError(400, 'Request body size did not match its Content-Length.', INVALID, 'invalid_content_length'),
  emptyBody: () => new GatewayError(400, 'Request body is empty; send a JSON object.', INVALID, 'invalid_json'),
  bodyNotObject: () => new GatewayError(400, 'Request body must be a JSON object.', INVALID, 'invalid_json'),
  missingParameter: (field: string) =>
    new GatewayError(400, `Missing required parameter: '${field}'.`, INVALID, 'missing_required_parameter', field),
  invalidType: (field: string, expected: string, got: string) =>
    new GatewayError(
      400,
      `Invalid type for '${field}': expected ${expected}, but got ${got} instead.`,
      INVALID,
      'invalid_type',
      field,
    ),
  unconfiguredModelId: (id: string) =>
    new GatewayError(
      404,
      `Model "${id}" is not configured. GET /v1/models lists the models.`,
      INVALID,
      'model_not_found',
      'model',
    ),

  // Credentials and managed keys (ingress-auth.ts, key-limits.ts).
  credentialsRefused: (reason: AuthFailure) =>
    reason === 'auth_unavailable'
      ? new GatewayError(
          503,
          'Credentials cannot be verified right now; try again shortly.',
          'service_unavailable',
          'auth_unavailable',
          null,
          AUTH_RETRY,
          reason,
        )
      : new GatewayError(401, CREDENTIALS_MESSAGE, INVALID, 'invalid_api_key', null, AUTH_REALM, reason),
  keyLimitExceeded: (key: string, limit: LimitCode, shown: string, retryAfterSeconds: number) =>
    new GatewayError(
      429,
      `This API key (${key}) is over its ${LIMIT_WORDS[limit]} (${limit}: ${shown}); retry after ${retryAfterSeconds}s.`,
      limit.startsWith('budget') ? 'insufficient_quota' : 'rate_limit_error',
      `${limit}_exceeded`,
      null,
      {'retry-after': String(retryAfterSeconds)},
    ),
  modelNotAllowed: (allowed: readonly string[], why: string) =>
    new GatewayError(
      403,
      `This API key may only use models matching ${allowed.join(', ')}: ${why}`,
      INVALID,
      'model_not_allowed',
      'model',
    ),

  // Idempotency-Key (app.ts).
  idempotencyKeyTooLong: (max: number) =>
    new GatewayError(400, `Idempotency-Key is longer than ${max} characters.`, INVALID, 'invalid_idempotency_key'),
  idempotencyKeyReused: () =>
    new GatewayError(
      409,
      'This Idempotency-Key was already used with a different request body. Use a new key for a new request.',
      INVALID,
      'idempotency_key_reused',
    ),
  idempotencyInProgress: () =>
    new GatewayError(
      409,
      'A request with this Idempotency-Key is still in progress. Retry later to get its response.',
      INVALID,
      'idempotency_in_progress',
      null,
      RETRY_IN_A_SECOND,
    ),

  // The upstreams (proxy/run.ts): every target refused, skipped or failed.
  upstreamRefusal: (status: number, message: string, code: string) => new GatewayError(status, message, INVALID, code),
  noAvailableUpstream: (rateLimited: boolean, skipped: string, retryAfter: Record<string, string>) =>
    new GatewayError(
      rateLimited ? 429 : 503,
      `No upstream could be tried: ${skipped}.`,
      rateLimited ? 'rate_limit_error' : 'upstream_error',
      'no_available_upstream',
      null,
      retryAfter,
    ),
  upstreamExhausted: (
    status: number,
    message: string,
    type: string,
    code: string | null,
    headers: Record<string, string>,
  ) => new GatewayError(status, message, type, code ?? 'upstream_exhausted', null, headers),

  // Operations endpoints (operations.ts).
  invalidValue: (param: string, message: string) => new GatewayError(400, message, INVALID, 'invalid_value', param),
  unknownRequestId: (id: string) =>
    new GatewayError(
      404,
      `No answered request ${id} is remembered (the gateway keeps the last 10 000 it routed).`,
      INVALID,
      'request_not_found',
      'request_id',
    ),
  alreadyJudged: (id: string) =>
    new GatewayError(409, `Request ${id} already has a verdict.`, INVALID, 'already_judged', 'request_id'),
  eventStreamClosed: () =>
    new GatewayError(503, 'The gateway is shutting down.', 'service_unavailable', 'shutting_down'),
  featureDisabled: (
    message: string,
    code: 'live_metrics_disabled' | 'keys_disabled' | 'events_disabled' | 'metrics_disabled',
  ) => new GatewayError(404, message, INVALID, code),

  // Anything else thrown while handling a request (`toGatewayError`).
  routing: (error: RoutingError) => {
    const [status, type] = ROUTING_STATUS[error.code] ?? [400, INVALID]
    return new GatewayError(
      status,
      error.hint ? `${error.message} ${error.hint}` : error.message,
      type,
      error.code,
      error.param ?? null,
    )
  },
  routerFailure: (error: RouterError) => new GatewayError(500, error.message, 'server_error', error.code),
  unreadableRequest: (status: number) =>
    new GatewayError(status, 'The request could not be read.', INVALID, 'invalid_request'),
  internal: () => new GatewayError(500, 'Internal gateway error.', 'server_error', 'internal'),
} as const

/** Status and OpenAI error type for each routing error code. */
const ROUTING_STATUS: Record<string, [number, string]> = {
  model_not_found: [400, INVALID],
  no_candidates: [400, INVALID],
  invalid_request: [400, INVALID],
  no_account: [503, 'service_unavailable'],
}

/**
 * Fastify's own request errors, in the gateway's words. A Fastify code never reaches a client
 * (`FST_ERR_CTP_INVALID_MEDIA_TYPE` means nothing to an OpenAI SDK).
 */
const FRAMEWORK_ERRORS: Record<string, () => GatewayError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: ERRORS.bodyTooLarge,
  FST_ERR_CTP_EMPTY_JSON_BODY: ERRORS.emptyBody,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ERRORS.unsupportedMediaType,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ERRORS.contentLengthMismatch,
  FST_ERR_BAD_URL: ERRORS.badUrl,
  FST_ERR_MAX_PARAM_LENGTH: ERRORS.urlTooLong,
  FST_ERR_ASYNC_CONSTRAINT: ERRORS.unmatchedRoute,
}

/** Turns anything thrown while handling a request into a `GatewayError`. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error
  if (error instanceof RoutingError) return ERRORS.routing(error)
  if (error instanceof RouterError) return ERRORS.routerFailure(error)
  const fastify = error as {statusCode?: number; code?: string}
  const known = fastify?.code === undefined ? undefined : FRAMEWORK_ERRORS[fastify.code]
  if (known) return known()
  if (typeof fastify?.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500)
    return ERRORS.unreadableRequest(fastify.statusCode)
  return ERRORS.internal()
}
