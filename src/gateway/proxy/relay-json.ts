/**
 * A whole (non-streamed) answer: read it, translate it to the client's dialect, and judge it. A retryable status, or a
 * 2xx that is not an answer — malformed JSON, an HTML page from a proxy, an empty body, an error object sent with a
 * 200 — is a failed attempt, so the next target takes over and the audit never records it as a success.
 */
import type {Endpoint} from '../../core/routing/schema.js'
import {
  AdapterError,
  type AdapterRequestContext,
  type ProviderAdapter,
  type UpstreamRequest,
} from '../adapters/types.js'
import {cooldownFor} from '../cooldowns.js'
import {toUpstreamError, type UpstreamResponse} from '../upstream.js'
import type {ClientAbort} from '../client-abort.js'
import {headerString, readBody} from './body.js'
import {failure, type AttemptOutcome, type UpstreamErrorDetail} from './outcome.js'
import {usageFrom} from './usage.js'

export interface JsonRelayInput {
  response: UpstreamResponse
  adapter: ProviderAdapter
  ctx: AdapterRequestContext
  upstream: UpstreamRequest
  endpoint: Endpoint
  signal: ClientAbort
  connectMs: number
  maxBytes: number
  retryStatuses: readonly number[]
  /** Asked before each chunk is kept (the gateway-wide budget of buffered answers). */
  reserve: (bytes: number) => boolean
  cooldown: {defaultMs: number; maxMs: number}
}

/** Bodies up to this size that mention `"error"` are parsed to see whether it is theirs; larger ones are not. */
const PARSE_CHECK_MAX_BYTES = 1024 * 1024

export async function relayJson(input: JsonRelayInput): Promise<AttemptOutcome> {
  const {response, adapter, ctx, connectMs} = input
  const status = response.statusCode
  let raw: Buffer
  try {
    raw = await readBody(response, input.maxBytes, input.reserve)
  } catch (error) {
    return failure(toUpstreamError(error, input.signal), {bytes: 0, connectMs})
  }
  const bytes = raw.length
  const answered = {bytes, connectMs}
  let contentType = headerString(response.headers['content-type']) ?? 'application/json'
  // A passthrough may answer with bytes that are not text (`/v1/audio/speech`): those go to the client untouched.
  if (input.endpoint === 'passthrough' && status < 400 && !isTextual(contentType)) {
    return {kind: 'answer', status, headers: response.headers, contentType, body: raw, bytes, usage: null, connectMs}
  }
  const text = raw.toString('utf8')
  const expectsJson = input.endpoint !== 'passthrough' && !input.upstream.upstreamStreams
  if (status >= 200 && status < 300 && expectsJson) {
    const problem = notAnAnswer(text)
    if (problem !== null) {
      return {
        kind: 'failed',
        status,
        errorType: 'protocol_error',
        message: problem.message,
        upstream: problem.upstream,
        cooldown: null,
        answered,
      }
    }
  }
  let outStatus = status
  let payload = text
  try {
    const translated =
      status >= 400 ? adapter.translateError?.(status, text) : adapter.translateResponse?.(status, text, ctx)
    if (translated) {
      outStatus = translated.status
      payload = JSON.stringify(translated.body)
      contentType = 'application/json'
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const upstream = error instanceof AdapterError ? {message, type: error.type, code: error.code} : null
    return {
      kind: 'failed',
      status: error instanceof AdapterError ? error.status : 502,
      errorType: 'protocol_error',
      message,
      upstream,
      cooldown: null,
      answered,
    }
  }
  if (input.retryStatuses.includes(outStatus)) {
    const cooldown =
      outStatus === 429
        ? cooldownFor(response.headers, text, Date.now(), input.cooldown.defaultMs, input.cooldown.maxMs)
        : null
    return {
      kind: 'failed',
      status: outStatus,
      errorType: 'upstream_status',
      message: `upstream answered ${outStatus}`,
      upstream: errorDetail(payload),
      cooldown,
      answered,
    }
  }
  const ok = outStatus >= 200 && outStatus < 300
  return {
    kind: 'answer',
    status: outStatus,
    headers: response.headers,
    contentType,
    body: payload,
    bytes,
    usage: ok ? usageFrom(text) : null,
    connectMs,
  }
}

/** Content types relayed as text (and given `_router` when they are JSON). */
function isTextual(contentType: string): boolean {
  return contentType.includes('json') || contentType.startsWith('text/')
}

/**
 * Why a 2xx body is not an answer, or null when it is one: it must be a JSON object without a top-level `error`. The
 * check is by the body's ends (a body cut short does not end with `}`; a proxy's page starts with `<`), and a parse
 * only when the text mentions `"error"`: parsing every answer would cost more than the rest of its relay.
 */
function notAnAnswer(text: string): {message: string; upstream: UpstreamErrorDetail | null} | null {
  let start = 0
  while (start < text.length && text.charCodeAt(start) <= 32) start++
  if (start === text.length) return {message: 'the upstream answered 2xx with an empty body', upstream: null}
  if (text[start] === '<')
    return {
      message: 'the upstream answered 2xx with an HTML page, not JSON (a proxy or captive portal in front of it?)',
      upstream: null,
    }
  let end = text.length - 1
  while (end > start && text.charCodeAt(end) <= 32) end--
  if (text[start] !== '{' || text[end] !== '}') {
    return {
      message: 'the upstream answered 2xx with malformed JSON (not a whole JSON object: cut short?)',
      upstream: null,
    }
  }
  if (!text.includes('"error"') || text.length > PARSE_CHECK_MAX_BYTES) return null
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    return {message: `the upstream answered 2xx with malformed JSON (${(error as Error).message})`, upstream: null}
  }
  const error = (parsed as {error?: unknown}).error
  if (error !== undefined && error !== null) {
    const detail = errorDetail(JSON.stringify({error}))
    return {
      message: `the upstream answered 2xx with an error: ${detail?.message ?? JSON.stringify(error).slice(0, 200)}`,
      upstream: detail,
    }
  }
  return null
}

/** The `{error: {message, type, code}}` of an OpenAI-shaped error text, when it is one. */
export function errorDetail(text: string): UpstreamErrorDetail | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return null
  }
  const error = (parsed as {error?: unknown} | null)?.error
  if (typeof error === 'string') return {message: error, type: 'upstream_error', code: null}
  if (typeof error !== 'object' || error === null) return null
  const {message, type, code} = error as {message?: unknown; type?: unknown; code?: unknown}
  if (typeof message !== 'string' || message === '') return null
  return {
    message,
    type: typeof type === 'string' && type !== '' ? type : 'upstream_error',
    code: typeof code === 'string' ? code : typeof code === 'number' ? String(code) : null,
  }
}
