/**
 * Anthropic's Messages event stream (https://docs.anthropic.com/en/api/messages-streaming), translated into
 * `chat.completion.chunk` events for chat clients, or relayed as it comes to Messages clients. Either way an `error`
 * event, or a stream that ends before `message_stop`, is a failure.
 */
import {isObject} from '../../../core/is-object.js'
import type {TokenUsage} from '../../../core/routing/schema.js'
import {formatSse, SseParser, type SseEvent} from '../../../core/sse.js'
import {ChunkWriter, SSE_DONE} from '../chat.js'
import {nowSeconds, tokenCounts, tryParseJson} from '../shared.js'
import {AdapterError, type StreamTranslator} from '../types.js'
import {streamError} from './errors.js'
import {finishReasonOf, refusalOf, usageOf, withCounts, type AnthropicUsage} from './response.js'

/**
 * Relays a Messages stream to a Messages client event by event, as Anthropic wrote it. An `error` event, or a stream
 * that ends before `message_stop`, is a failure: before anything reached the client the gateway can still fall back,
 * and after, the client gets the gateway's error event and the audit log a `stream_error`, never a success.
 */
export class AnthropicMessagesRelay implements StreamTranslator {
  private readonly parser = new SseParser()
  private done = false
  /** The counts so far: `message_start`'s, updated by each `message_delta` (cumulative). */
  private usage: Record<string, unknown> = {}

  push(chunk: string): string {
    return this.relay(this.parser.push(chunk))
  }

  end(): string {
    const tail = this.relay(this.parser.end())
    if (!this.done)
      throw new AdapterError('the upstream stream ended before message_stop', 502, 'upstream_error', 'stream_truncated')
    return tail
  }

  private relay(events: SseEvent[]): string {
    let out = ''
    for (const event of events) {
      if (this.done) break
      if (event.event === 'error') throw streamError(tryParseJson(event.data))
      if (event.event === 'message_stop') this.done = true
      else if (event.event === 'message_start' || event.event === 'message_delta') this.count(event.data)
      out += formatSse(event.data, event.event)
    }
    return out
  }

  reportedUsage(): TokenUsage | null {
    return tokenCounts(this.usage)
  }

  /** Usage from `message_start` (input and cache counts) and `message_delta` (output so far), as Anthropic reports it. */
  private count(data: string): void {
    const parsed = tryParseJson(data)
    if (!isObject(parsed)) return
    const usage = isObject(parsed.usage)
      ? parsed.usage
      : isObject(parsed.message) && isObject(parsed.message.usage)
        ? parsed.message.usage
        : null
    if (usage === null) return
    this.usage = withCounts(this.usage, usage)
  }
}
/** Streams Anthropic's Messages events as `chat.completion.chunk` events. */
export class AnthropicStreamTranslator implements StreamTranslator {
  private readonly parser = new SseParser()
  private readonly writer = new ChunkWriter()
  /** Tool call index of each content block index (-1 for blocks that are not tool calls). */
  private readonly toolIndex: number[] = []
  private toolCount = 0
  /** Tool calls (by tool call index) that have sent an argument fragment. */
  private readonly toolArguments = new Set<number>()
  private stopReason: unknown = null
  private stopDetails: unknown = null
  private usage: AnthropicUsage = {}
  private done = false

  constructor(
    private readonly model: string,
    private readonly includeUsage: boolean,
  ) {}

  push(chunk: string): string {
    return this.handleAll(this.parser.push(chunk))
  }

  end(): string {
    const tail = this.handleAll(this.parser.end())
    if (!this.done) {
      throw new AdapterError(
        'Anthropic stream ended before message_stop (truncated answer)',
        502,
        'upstream_error',
        'stream_truncated',
      )
    }
    return tail
  }

  reportedUsage(): TokenUsage | null {
    // `message_start` carries the input and cache counts, `message_delta` the output so far; before either nothing
    // is known.
    if (this.usage.input_tokens === undefined && this.usage.output_tokens === undefined) return null
    return tokenCounts(this.usage)
  }

  private handleAll(events: SseEvent[]): string {
    let out = ''
    for (const event of events) {
      if (this.done) break
      out += this.handle(event)
    }
    return out
  }

  private ensureStarted(id: string, model: string): string {
    if (this.writer.started) return ''
    this.writer.start(id, nowSeconds(), model)
    return this.writer.delta('{"role":"assistant","content":""}')
  }

  private handle(event: SseEvent): string {
    const data = tryParseJson(event.data)
    if (!isObject(data)) return ''
    const type = data.type ?? event.event
    switch (type) {
      case 'message_start': {
        const message = isObject(data.message) ? data.message : {}
        if (isObject(message.usage)) this.usage = {...(message.usage as AnthropicUsage)}
        return this.ensureStarted(
          String(message.id ?? ''),
          typeof message.model === 'string' ? message.model : this.model,
        )
      }
      case 'content_block_start': {
        const start = this.ensureStarted('', this.model)
        const index = Number(data.index)
        const block = isObject(data.content_block) ? data.content_block : {}
        if (block.type === 'tool_use') {
          const toolIndex = this.toolCount++
          this.toolIndex[index] = toolIndex
          return start + this.writer.toolCallStart(toolIndex, String(block.id), String(block.name))
        }
        this.toolIndex[index] = -1
        if (block.type === 'text' && typeof block.text === 'string' && block.text !== '') {
          return start + this.writer.content(block.text)
        }
        return start
      }
      case 'content_block_delta': {
        const start = this.ensureStarted('', this.model)
        const delta = isObject(data.delta) ? data.delta : {}
        switch (delta.type) {
          case 'text_delta':
            return typeof delta.text === 'string' && delta.text !== '' ? start + this.writer.content(delta.text) : start
          case 'input_json_delta': {
            const toolIndex = this.toolIndex[Number(data.index)] ?? -1
            const fragment = delta.partial_json
            if (toolIndex < 0 || typeof fragment !== 'string' || fragment === '') return start
            this.toolArguments.add(toolIndex)
            return start + this.writer.toolCallArguments(toolIndex, fragment)
          }
          case 'thinking_delta':
            return typeof delta.thinking === 'string' && delta.thinking !== ''
              ? start + this.writer.reasoning(delta.thinking)
              : start
          default:
            // signature_delta, citations_delta: nothing in OpenAI's format carries them.
            return start
        }
      }
      case 'content_block_stop': {
        // A call without arguments streams `input: {}` and at most an empty fragment; chat clients get OpenAI's `{}`.
        const toolIndex = this.toolIndex[Number(data.index)] ?? -1
        if (toolIndex < 0 || this.toolArguments.has(toolIndex)) return ''
        this.toolArguments.add(toolIndex)
        return this.writer.toolCallArguments(toolIndex, '{}')
      }
      case 'message_delta': {
        const delta = isObject(data.delta) ? data.delta : {}
        if (delta.stop_reason !== undefined) this.stopReason = delta.stop_reason
        if (delta.stop_details !== undefined) this.stopDetails = delta.stop_details
        // `message_delta.usage` holds cumulative counts; newer API versions repeat the input counts there too.
        if (isObject(data.usage)) this.usage = withCounts(this.usage, data.usage)
        return ''
      }
      case 'message_stop': {
        let out = this.ensureStarted('', this.model)
        const refusal = refusalOf(this.stopReason, this.stopDetails)
        if (refusal !== undefined) out += this.writer.refusal(refusal)
        out += this.writer.delta('{}', finishReasonOf(this.stopReason))
        if (this.includeUsage) out += this.writer.usage(usageOf(this.usage))
        this.done = true
        return out + SSE_DONE
      }
      case 'error':
        throw streamError(data)
      default:
        // ping and event types added later.
        return ''
    }
  }
}
