/**
 * Helpers shared by the provider adapters: upstream URLs, headers, OpenAI error bodies, and the small parsing
 * utilities the translating adapters need. Everything here is pure and allocation-conscious (adapters are on the
 * hot path).
 */
import type {Account} from '../../core/config/schema.js'
import {joinUpstreamUrl} from '../../core/config/url.js'
import {isObject} from '../../core/is-object.js'
import type {Endpoint, TokenUsage} from '../../core/routing/schema.js'
import type {OpenAIErrorBody} from '../errors.js'
import type {TranslatedResponse} from './types.js'

/** API path of each dedicated endpoint, relative to the API root. */
export const ENDPOINT_PATHS: Record<Exclude<Endpoint, 'passthrough'>, string> = {
  'chat.completions': '/chat/completions',
  responses: '/responses',
  completions: '/completions',
  embeddings: '/embeddings',
  'images.generations': '/images/generations',
  messages: '/messages',
}

/** The path to call upstream: the endpoint's own path, or the client's path for a passthrough. */
export function endpointPath(endpoint: Endpoint, passthroughPath: string): string {
  return endpoint === 'passthrough' ? passthroughPath : ENDPOINT_PATHS[endpoint]
}

const MAX_CACHED_PATHS_PER_BASE = 256

/**
 * `joinUpstreamUrl` with one version segment, memoised per base URL and path: parsing a URL per request is the most
 * expensive thing an OpenAI-format adapter would otherwise do. Passthrough paths are unbounded, so each base URL keeps
 * at most a few hundred of them.
 */
export function urlJoiner(versionSegment: string | null): (baseUrl: string, path: string) => string {
  const cache = new Map<string, Map<string, string>>()
  return (baseUrl, path) => {
    let paths = cache.get(baseUrl)
    if (paths === undefined) {
      paths = new Map()
      cache.set(baseUrl, paths)
    }
    let url = paths.get(path)
    if (url === undefined) {
      // A passthrough path may carry the client's query string; it joins the base URL's own query, if any.
      const q = path.indexOf('?')
      url = joinUpstreamUrl(baseUrl, q === -1 ? path : path.slice(0, q), {versionSegment})
      if (q !== -1 && q < path.length - 1) url += (url.includes('?') ? '&' : '?') + path.slice(q + 1)
      if (paths.size >= MAX_CACHED_PATHS_PER_BASE) paths.clear()
      paths.set(path, url)
    }
    return url
  }
}

const normalisedHeaders = new WeakMap<Record<string, string>, Record<string, string>>()

/**
 * An account's extra headers with lower-case names, computed once per account object, so that they replace (rather
 * than duplicate) the adapter's own headers of the same name.
 */
export function accountHeaders(account: Account): Record<string, string> | undefined {
  const headers = account.headers
  if (headers === undefined) return undefined
  let lower = normalisedHeaders.get(headers)
  if (lower === undefined) {
    lower = {}
    for (const name of Object.keys(headers)) lower[name.toLowerCase()] = headers[name]
    normalisedHeaders.set(headers, lower)
  }
  return lower
}

/** Copies an account's extra headers over `headers` (the account has the last word) and returns `headers`. */
export function withAccountHeaders(headers: Record<string, string>, account: Account): Record<string, string> {
  const extra = accountHeaders(account)
  if (extra !== undefined) Object.assign(headers, extra)
  return headers
}

/** Builds OpenAI's error body. */
export function openAIError(
  message: string,
  type: string,
  code: string | null = null,
  param: string | null = null,
): OpenAIErrorBody {
  return {error: {message, type, code, param}}
}

/** The OpenAI error type that fits an HTTP status, for upstream errors that do not name one. */
export function errorTypeForStatus(status: number): string {
  if (status === 401) return 'authentication_error'
  if (status === 403) return 'permission_error'
  if (status === 404) return 'not_found_error'
  if (status === 429) return 'rate_limit_error'
  if (status >= 500) return 'server_error'
  return 'invalid_request_error'
}

/** Parses JSON, or returns undefined for text that is not JSON. */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const HTML_START = /^\s*<(?:!doctype|html)/i
const MAX_MESSAGE_CHARS = 500

/**
 * Turns any upstream error body into OpenAI's shape, keeping a body that already has it. Understands the shapes
 * OpenAI-compatible servers use in practice: `{"error": {...}}`, `{"error": "text"}`, vLLM's
 * `{"object": "error", "message"}`, FastAPI's `{"detail"}`, Google's `[{"error": {...}}]`, plain text and HTML
 * pages from proxies (never relayed as a message).
 */
export function normaliseErrorBody(status: number, text: string): OpenAIErrorBody {
  let parsed = tryParseJson(text)
  if (Array.isArray(parsed) && parsed.length > 0) parsed = parsed[0]
  if (isObject(parsed)) {
    const error = parsed.error
    if (isObject(error)) {
      const message = stringOr(error.message, `upstream answered ${status}`)
      const type = stringOr(error.type, errorTypeForStatus(status))
      // Google names the status (`INVALID_ARGUMENT`), which says more than its numeric `code`.
      const code = codeOf(typeof error.status === 'string' ? error.status : error.code)
      return openAIError(message, type, code, stringOr(error.param, null))
    }
    if (typeof error === 'string') return openAIError(error, errorTypeForStatus(status), null)
    const message = parsed.message ?? parsed.detail
    if (typeof message === 'string') {
      return openAIError(
        message,
        stringOr(parsed.type, errorTypeForStatus(status)),
        codeOf(parsed.code),
        stringOr(parsed.param, null),
      )
    }
    if (message !== undefined) return openAIError(JSON.stringify(message), errorTypeForStatus(status), null)
  }
  const trimmed = text.trim()
  const message =
    trimmed === ''
      ? `upstream answered ${status} with an empty body`
      : HTML_START.test(trimmed)
        ? `upstream answered ${status} with an HTML page (a proxy or firewall in front of the provider?)`
        : trimmed.length > MAX_MESSAGE_CHARS
          ? trimmed.slice(0, MAX_MESSAGE_CHARS) + '…'
          : trimmed
  return openAIError(message, errorTypeForStatus(status), null)
}

/** `translateError` for providers whose error bodies need no more than `normaliseErrorBody`. */
export function translateErrorGeneric(status: number, text: string): TranslatedResponse {
  return {status, body: normaliseErrorBody(status, text)}
}

function stringOr<T extends string | null>(value: unknown, fallback: T): string | T {
  return typeof value === 'string' && value !== '' ? value : fallback
}

function codeOf(value: unknown): string | null {
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  return null
}

/** A parsed `data:` URL. */
export interface DataUrl {
  mediaType: string
  data: string
}

const DATA_URL = /^data:([^;,]+)?((?:;[^;,]*)*?);base64,/i

/** Splits a base64 `data:` URL into media type and payload; null for any other URL. */
export function parseDataUrl(url: string): DataUrl | null {
  if (!url.startsWith('data:')) return null
  const match = DATA_URL.exec(url)
  if (match === null) return null
  return {mediaType: (match[1] ?? 'application/octet-stream').toLowerCase(), data: url.slice(match[0].length)}
}

/** The text of an OpenAI message `content`: a string, or the text parts of a part list joined. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  let text = ''
  for (const part of content) {
    if (isObject(part) && typeof part.text === 'string') text += part.text
  }
  return text
}

/** The URL of an OpenAI `image_url` part (`{image_url: {url}}` or the older `{image_url: "…"}`). */
export function imageUrlOf(part: Record<string, unknown>): {url: string; detail?: string} | null {
  const image = part.image_url
  if (typeof image === 'string') return {url: image}
  if (isObject(image) && typeof image.url === 'string') {
    return {url: image.url, detail: typeof image.detail === 'string' ? image.detail : undefined}
  }
  return null
}

/** A count, or null when `value` is not a number. */
function countOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

/**
 * The token counts of a `usage` object, in one normalisation for every protocol (`TokenUsage`: `prompt_tokens`
 * counts every prompt token, the cached ones included):
 * - OpenAI chat: `prompt_tokens` (cached included), `prompt_tokens_details.cached_tokens`, and the
 *   `prompt_tokens_details.cache_write_tokens` that OpenRouter adds (https://openrouter.ai/docs/features/prompt-caching);
 * - the Responses API: `input_tokens` (cached included), `input_tokens_details.cached_tokens`;
 * - Anthropic, told apart by its cache fields: `input_tokens` counts only what was neither read from the cache
 *   (`cache_read_input_tokens`) nor written to it (`cache_creation_input_tokens`), so the prompt is their sum
 *   (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance).
 * Null when the object holds neither a prompt nor a completion count; a cache count the upstream did not give is null.
 */
export function tokenCounts(usage: unknown): TokenUsage | null {
  if (!isObject(usage)) return null
  const completion = countOf(usage.completion_tokens) ?? countOf(usage.output_tokens)
  if ('cache_read_input_tokens' in usage || 'cache_creation_input_tokens' in usage) {
    // Anthropic sends both (null before it counted any); a null among them is none.
    const read = countOf(usage.cache_read_input_tokens) ?? 0
    const written = countOf(usage.cache_creation_input_tokens) ?? 0
    const input = countOf(usage.input_tokens)
    if (input === null && completion === null) return null
    return {
      prompt_tokens: input === null ? null : input + read + written,
      completion_tokens: completion,
      cached_tokens: read,
      cache_write_tokens: written,
    }
  }
  const prompt = countOf(usage.prompt_tokens) ?? countOf(usage.input_tokens)
  if (prompt === null && completion === null) return null
  const details = isObject(usage.prompt_tokens_details)
    ? usage.prompt_tokens_details
    : isObject(usage.input_tokens_details)
      ? usage.input_tokens_details
      : {}
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    cached_tokens: countOf(details.cached_tokens),
    cache_write_tokens: countOf(details.cache_write_tokens),
  }
}

/** Whether the client asked for a usage chunk at the end of a stream (`stream_options.include_usage`). */
export function wantsStreamUsage(body: Record<string, unknown>): boolean {
  const options = body.stream_options
  return isObject(options) && options.include_usage === true
}

/** Seconds since the epoch, for OpenAI's `created` fields. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}
