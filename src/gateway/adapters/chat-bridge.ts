/**
 * What the API bridges share (the Responses API and Anthropic's Messages API served through chat completions): an
 * adapter wrapper that sends one endpoint as a chat completion through a provider's own chat adapter, and the reading
 * of the chat answer's event stream that each bridge turns into its own events.
 */
import {randomBytes} from 'node:crypto'

import {isObject} from '../../core/is-object.js'
import type {Endpoint, TokenUsage} from '../../core/routing/schema.js'
import {SseParser} from '../../core/sse.js'
import {tokenCounts} from './shared.js'
import {
  AdapterError,
  type AdapterRequestContext,
  type ProviderAdapter,
  type StreamTranslator,
  type TranslatedResponse,
} from './types.js'

export type Json = Record<string, unknown>

/**
 * One SSE event whose data is JSON the gateway serialised itself (`JSON.stringify` never writes a raw line break, so
 * the data needs no splitting into lines, as `formatSse` does for text of unknown origin).
 */
export function jsonEvent(type: string, json: string): string {
  return `event: ${type}\ndata: ${json}\n\n`
}

const ID_BYTES = 12
/** Random bytes for ids, drawn 256 ids at a time: one `randomBytes` call per id costs several microseconds. */
let idPool = Buffer.alloc(0)
let idOffset = 0

/** An id in OpenAI's and Anthropic's style: a prefix and 24 hex characters. */
export function newId(prefix: string): string {
  if (idOffset + ID_BYTES > idPool.length) {
    idPool = randomBytes(ID_BYTES * 256)
    idOffset = 0
  }
  const id = idPool.toString('hex', idOffset, idOffset + ID_BYTES)
  idOffset += ID_BYTES
  return `${prefix}_${id}`
}

/** The whole chat answer of a provider that speaks OpenAI's format. */
function parseChat(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new AdapterError(
      'the upstream answered something that is not JSON',
      502,
      'upstream_error',
      'bad_upstream_response',
    )
  }
}

/** One API served through chat completions. */
export interface ChatBridge {
  endpoint: Endpoint
  /** The chat completion request for the client's body (`model` already the upstream id). Throws a 400 `AdapterError`. */
  toChat(body: Json, stream: boolean): Json
  /** The client's answer for a whole chat completion. */
  fromChat(chat: unknown, request: Json): Json
  /** Turns the chat answer's event stream into the client's. */
  stream(request: Json): StreamTranslator
}

/** `inner` (a chat adapter) plus the bridge's endpoint; every other endpoint is `inner`'s, untouched. */
export function withChatBridge(inner: ProviderAdapter, bridge: ChatBridge): ProviderAdapter {
  const contexts = new WeakMap<AdapterRequestContext, AdapterRequestContext>()
  const chatContext = (ctx: AdapterRequestContext): AdapterRequestContext => {
    let chat = contexts.get(ctx)
    if (chat === undefined) {
      const body = bridge.toChat(ctx.body, ctx.stream)
      chat = Object.assign({}, ctx, {
        endpoint: 'chat.completions' as const,
        path: '/chat/completions',
        body,
        bodyJson: () => JSON.stringify(body),
      })
      contexts.set(ctx, chat)
    }
    return chat
  }
  return {
    supports: (endpoint) => endpoint === bridge.endpoint || inner.supports(endpoint),

    buildRequest(ctx) {
      return inner.buildRequest(ctx.endpoint === bridge.endpoint ? chatContext(ctx) : ctx)
    },

    translateResponse(status, text, ctx): TranslatedResponse | undefined {
      if (ctx.endpoint !== bridge.endpoint) return inner.translateResponse?.(status, text, ctx)
      const translated = inner.translateResponse?.(status, text, chatContext(ctx))
      return {status, body: bridge.fromChat(translated === undefined ? parseChat(text) : translated.body, ctx.body)}
    },

    translateError: inner.translateError,

    createStreamTranslator(ctx): StreamTranslator | undefined {
      if (ctx.endpoint !== bridge.endpoint) return inner.createStreamTranslator?.(ctx)
      const chat = inner.createStreamTranslator?.(chatContext(ctx))
      const out = bridge.stream(ctx.body)
      return {
        push: (chunk) => out.push(chat ? chat.push(chunk) : chunk),
        end: () => (chat ? out.push(chat.end()) : '') + out.end(),
        // A translating chat adapter read the counts in the upstream's own terms (Anthropic's cache writes, which a
        // chat usage chunk cannot carry); else the chat stream has them, since the bridge asks for `include_usage`.
        reportedUsage: () => chat?.reportedUsage?.() ?? out.reportedUsage?.() ?? null,
      }
    },
  }
}

/**
 * Reads a chat completion stream (`chat.completion.chunk` SSE, any split) and hands each chunk to `chunk`; a bridge
 * writes its own events from there. An error chunk, or a stream that ends before its finish reason, is an
 * `AdapterError`, never a finished answer.
 */
export abstract class ChatStreamReader implements StreamTranslator {
  private readonly parser = new SseParser()
  /** Whether the first chunk was seen (the bridge's opening events are written). */
  protected started = false
  protected finished = false
  protected finishReason: unknown = null
  /** The counts of the stream's usage chunk, once seen. */
  private reported: TokenUsage | null = null

  push(chatSse: string): string {
    let out = ''
    for (const event of this.parser.push(chatSse)) out += this.data(event.data)
    return out
  }

  end(): string {
    let out = ''
    for (const event of this.parser.end()) out += this.data(event.data)
    if (!this.finished) {
      if (this.finishReason === null) {
        throw new AdapterError(
          'the upstream stream ended before the answer was complete',
          502,
          'upstream_error',
          'stream_truncated',
        )
      }
      out += this.finish()
    }
    return out
  }

  /** The bridge's events for one chunk (it sets `started` when it writes its opening events). */
  protected abstract chunk(chunk: Json): string
  /** The bridge's closing events; sets `finished`. */
  protected abstract finish(): string

  private data(data: string): string {
    if (this.finished) return ''
    if (data === '[DONE]') return this.finishReason === null && !this.started ? '' : this.finish()
    let chunk: unknown
    try {
      chunk = JSON.parse(data)
    } catch {
      throw new AdapterError(
        'the upstream stream carried an event that is not JSON',
        502,
        'upstream_error',
        'bad_upstream_response',
      )
    }
    if (!isObject(chunk)) return ''
    if (isObject(chunk.error)) {
      const message =
        typeof chunk.error.message === 'string' ? chunk.error.message : 'the upstream reported an error in the stream'
      throw new AdapterError(
        message,
        502,
        'upstream_error',
        typeof chunk.error.code === 'string' ? chunk.error.code : null,
      )
    }
    if (isObject(chunk.usage)) this.reported = tokenCounts(chunk.usage) ?? this.reported
    return this.chunk(chunk)
  }

  reportedUsage(): TokenUsage | null {
    return this.reported
  }

  /** The first choice's delta of a chunk (its finish reason recorded); null when the chunk has no choice. */
  protected choiceDelta(chunk: Json): Json | null {
    const choice = Array.isArray(chunk.choices) && isObject(chunk.choices[0]) ? chunk.choices[0] : null
    if (choice === null) return null
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) this.finishReason = choice.finish_reason
    return isObject(choice.delta) ? choice.delta : {}
  }
}
