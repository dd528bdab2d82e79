/**
 * The provider adapter contract. The gateway picks an adapter by the provider's `adapter` kind in the catalog
 * (`core/catalog/schema.ts`); adapters turn an OpenAI-shaped client request into the provider's request and, for
 * providers that do not speak OpenAI's wire format, the provider's answer back into OpenAI's shape.
 *
 * Adapters are pure: no sockets, no timers, no logging. The gateway owns I/O, timeouts, retries and auditing.
 */
import type {Account} from '../../core/config/schema.js'
import type {Endpoint, TokenUsage} from '../../core/routing/schema.js'

/** The resolved credential for one attempt. Never logged. */
export interface Credential {
  /** `bearer`: `Authorization: Bearer <token>`; adapters with their own header (Anthropic `x-api-key`) use `token`. */
  token: string | null
  /** ChatGPT account id for `openai-codex` (`chatgpt-account-id` header). */
  accountId?: string
}

/** Everything an adapter needs to build one upstream request. */
export interface AdapterRequestContext {
  endpoint: Endpoint
  /** Path after `/v1`, e.g. `/chat/completions` or `/fine_tuning/jobs` for a passthrough. */
  path: string
  /** The client's JSON body with router-only fields already removed and `model` already set to `upstreamModel`. */
  body: Record<string, unknown>
  /**
   * `body` as JSON, for adapters that send it unchanged: the client's own bytes with `model` replaced and the
   * router-only fields removed (no second serialisation of a large body), or `JSON.stringify(body)`.
   */
  bodyJson: () => string | Buffer
  upstreamModel: string
  /** Whether the client asked for a stream. */
  stream: boolean
  account: Account
  credential: Credential
  /** The client's `anthropic-beta` header (Messages clients), for Anthropic. */
  anthropicBeta?: string
}

/** A request ready for undici. */
export interface UpstreamRequest {
  url: string
  method: 'POST' | 'GET'
  headers: Record<string, string>
  /** JSON text, or its UTF-8 bytes. */
  body: string | Buffer | undefined
  /** True when the upstream answers with SSE even if the client did not ask for a stream (ChatGPT backend). */
  upstreamStreams: boolean
}

/** Result of translating a complete (non-streaming) upstream answer. */
export interface TranslatedResponse {
  status: number
  body: unknown
}

/**
 * Turns upstream SSE text into client SSE text, incrementally. `push` takes raw upstream text (any split) and returns
 * client text to write now (possibly empty); `end` is called when the upstream ends cleanly and returns the tail
 * (e.g. `data: [DONE]`). If the upstream reports a failure inside the stream, `push`/`end` throw an `AdapterError`.
 */
export interface StreamTranslator {
  push(chunk: string): string
  end(): string
  /**
   * Token counts the upstream reported in the stream so far, for the audit log and the cost estimate (without it, a
   * translated stream's usage is not recorded).
   */
  reportedUsage?(): TokenUsage | null
}

/**
 * A failure that the adapter found in the upstream's answer (e.g. a `response.failed` event), or a request that the
 * provider's protocol cannot express (status 400, thrown by `buildRequest`). `code` is the upstream's own error code
 * when it gave one (e.g. `overloaded_error`, `rate_limit_exceeded`).
 */
export class AdapterError extends Error {
  constructor(
    message: string,
    readonly status: number = 502,
    readonly type: string = 'upstream_error',
    readonly code: string | null = null,
  ) {
    super(message)
    this.name = 'AdapterError'
  }
}

/** One provider protocol. */
export interface ProviderAdapter {
  /** Whether this adapter can serve the endpoint at all (the gateway skips the target otherwise). */
  supports(endpoint: Endpoint): boolean
  /** Builds the upstream request; throws `AdapterError` (400) when the provider cannot express the request. */
  buildRequest(ctx: AdapterRequestContext): UpstreamRequest
  /**
   * Translation of a complete successful upstream answer for a non-streaming client; absent (or undefined returned)
   * means the body is relayed as is. `text` is the whole upstream body (SSE text when `upstreamStreams` was true).
   * Throws `AdapterError` when the answer reports a failure (e.g. a `response.failed` event inside a 200 stream).
   * Given an error status, it delegates to `translateError`.
   */
  translateResponse?(status: number, text: string, ctx: AdapterRequestContext): TranslatedResponse | undefined
  /**
   * Translation of an upstream error answer (status >= 400) into OpenAI's error shape
   * `{"error": {"message", "type", "code", "param"}}`; absent means the body is relayed as is. The status may change
   * where the provider uses one that clients and retry rules do not know (Anthropic's 529 "overloaded" becomes 503).
   */
  translateError?(status: number, text: string): TranslatedResponse
  /** Translation of a streamed answer for a streaming client; absent (or undefined returned): bytes relayed as is. */
  createStreamTranslator?(ctx: AdapterRequestContext): StreamTranslator | undefined
}
