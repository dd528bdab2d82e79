/**
 * Error answers in each provider's own shape and words, so that the gateway's error mapping is tested against what the
 * real services send:
 * - OpenAI `{"error": {message, type, param, code}}` (https://platform.openai.com/docs/guides/error-codes): a rate
 *   limit is 429 `rate_limit_exceeded` with the limit in the message and `x-ratelimit-*` headers; an account without
 *   credit is 429 `insufficient_quota`, which no retry cures (no `Retry-After`).
 * - Anthropic `{"type": "error", "error": {type, message}, "request_id"}` (https://docs.anthropic.com/en/api/errors):
 *   429 `rate_limit_error` with `anthropic-ratelimit-*` headers, 529 `overloaded_error`, and an account without credit
 *   as a 400 `invalid_request_error` "Your credit balance is too low…".
 * - The ChatGPT backend `{"error": {type, code, message}}` (`{"detail": …}` for request validation); a plan's usage
 *   limit is 429 `usage_limit_reached` with `plan_type`, `resets_at` and `resets_in_seconds`, which Codex CLI reads
 *   (https://github.com/openai/codex/blob/main/codex-rs/core/src/client.rs).
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
  429: {message: '', type: 'requests', code: 'rate_limit_exceeded'},
  500: {
    message: 'The server had an error while processing your request. Sorry about that!',
    type: 'server_error',
    code: null,
  },
  502: {message: 'Bad gateway.', type: 'server_error', code: null},
  503: {message: 'The engine is currently overloaded, please try again later.', type: 'server_error', code: null},
  504: {message: 'Gateway timeout.', type: 'server_error', code: null},
}

const ANTHROPIC: Record<number, Omit<ErrorInfo, 'code'>> = {
  400: {message: 'Invalid request.', type: 'invalid_request_error'},
  401: {message: 'invalid x-api-key', type: 'authentication_error'},
  402: {message: 'Your organization has an outstanding balance.', type: 'billing_error'},
  403: {message: 'Your API key does not have permission to use the specified resource.', type: 'permission_error'},
  404: {message: 'The requested resource could not be found.', type: 'not_found_error'},
  413: {message: 'Request exceeds the maximum allowed number of bytes.', type: 'request_too_large'},
  429: {
    message:
      'This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.',
    type: 'rate_limit_error',
  },
  500: {message: 'Internal server error', type: 'api_error'},
  503: {message: 'Overloaded', type: 'overloaded_error'},
  529: {message: 'Overloaded', type: 'overloaded_error'},
}

/** OpenAI's words for a request-rate limit, with the wait it asks for. */
function openAiRateLimitMessage(retryAfter: number | undefined): string {
  const wait = retryAfter === undefined ? '' : ` Please try again in ${retryAfter}s.`
  return `Rate limit reached for requests in organization org-sim on requests per min (RPM): Limit 500, Used 500, Requested 1.${wait} Visit https://platform.openai.com/account/rate-limits to learn more.`
}

/** Optional details of an error answer. */
export interface ErrorDetails {
  message?: string
  type?: string
  code?: string | null
  param?: string | null
  /** Seconds for the `Retry-After` header (429 and 503). */
  retryAfter?: number
  /** The request id that Anthropic repeats in its error bodies. */
  requestId?: string
}

/** An error answer with `status` in the dialect's shape (a 529 is Anthropic's alone: others say 503). */
export function errorAnswer(dialect: Dialect, status: number, details: ErrorDetails = {}): JsonAnswer {
  const sent = status === 529 && dialect !== 'anthropic' ? 503 : status
  const answer = json(sent, errorBody(dialect, sent, details))
  answer.headers = {...rateLimitHeaders(dialect, sent, details.retryAfter)}
  if (details.retryAfter !== undefined) answer.headers['retry-after'] = String(details.retryAfter)
  return answer
}

/** The error body alone (also used inside streams). */
export function errorBody(dialect: Dialect, status: number, details: ErrorDetails = {}): unknown {
  if (dialect === 'anthropic') {
    const known = ANTHROPIC[status] ?? (status >= 500 ? ANTHROPIC[500] : ANTHROPIC[400])
    const body: Record<string, unknown> = {
      type: 'error',
      error: {type: details.type ?? known.type, message: details.message ?? known.message},
    }
    if (details.requestId !== undefined) body.request_id = details.requestId
    return body
  }
  const known = OPENAI[status] ?? (status >= 500 ? OPENAI[500] : OPENAI[400])
  if (dialect === 'codex') {
    if (status === 429) return usageLimitBody(details.retryAfter ?? 3600, details.message)
    return {
      error: {
        type: details.type ?? known.type,
        code: details.code ?? known.code,
        message: details.message ?? known.message,
      },
    }
  }
  return {
    error: {
      message: details.message ?? (status === 429 ? openAiRateLimitMessage(details.retryAfter) : known.message),
      type: details.type ?? known.type,
      param: details.param ?? null,
      code: details.code === undefined ? known.code : details.code,
    },
  }
}

/** The ChatGPT plan's usage limit: when it resets, in both of the forms the backend sends. */
function usageLimitBody(resetsIn: number, message = 'The usage limit has been reached'): unknown {
  return {
    error: {
      type: 'usage_limit_reached',
      message,
      plan_type: 'plus',
      resets_at: Math.floor(Date.now() / 1000) + resetsIn,
      resets_in_seconds: resetsIn,
    },
  }
}

/**
 * The account has no credit left: OpenAI's 429 `insufficient_quota`, Anthropic's 400 about the credit balance, the
 * ChatGPT plan's usage limit. None carries `Retry-After` except the plan's limit, which says when it resets.
 */
export function quotaAnswer(dialect: Dialect, details: ErrorDetails = {}): JsonAnswer {
  switch (dialect) {
    case 'openai':
      return json(429, {
        error: {
          message:
            'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
          type: 'insufficient_quota',
          param: null,
          code: 'insufficient_quota',
        },
      })
    case 'anthropic':
      return errorAnswer('anthropic', 400, {
        message:
          'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
        requestId: details.requestId,
      })
    case 'codex': {
      const resetsIn = details.retryAfter ?? 3600
      const answer = json(429, usageLimitBody(resetsIn))
      answer.headers = {'retry-after': String(resetsIn)}
      return answer
    }
  }
}

/** The rate-limit headers each provider sends with a 429 (and OpenAI with every answer; here only with the 429). */
function rateLimitHeaders(dialect: Dialect, status: number, retryAfter: number | undefined): Record<string, string> {
  if (status !== 429) return {}
  const reset = retryAfter ?? 1
  if (dialect === 'openai') {
    return {
      'x-ratelimit-limit-requests': '500',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': `${reset}s`,
      'x-ratelimit-limit-tokens': '30000',
      'x-ratelimit-remaining-tokens': '30000',
      'x-ratelimit-reset-tokens': '0s',
    }
  }
  if (dialect === 'anthropic') {
    return {
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '0',
      'anthropic-ratelimit-requests-reset': new Date(Date.now() + reset * 1000).toISOString(),
    }
  }
  return {}
}

/** A 400 for a missing or malformed request field, in the dialect's shape. */
export function invalidRequest(dialect: Dialect, message: string, param: string | null = null): JsonAnswer {
  if (dialect === 'codex') return json(400, {detail: message})
  return errorAnswer(dialect, 400, {message, param, code: param === null ? null : 'invalid_value'})
}
