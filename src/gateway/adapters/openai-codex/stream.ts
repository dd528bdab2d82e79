/**
 * A Responses event stream for a streaming client: translated into `chat.completion.chunk` SSE, or relayed event by
 * event to a Responses client.
 */
import {isObject} from '../../../core/is-object.js'
import type {TokenUsage} from '../../../core/routing/schema.js'
import {formatSse, SseParser, type SseEvent} from '../../../core/sse.js'
import {ChunkWriter, SSE_DONE, type ChatUsage, type FinishReason} from '../chat.js'
import {tokenCounts} from '../shared.js'
import type {StreamTranslator} from '../types.js'
import {truncated} from './errors.js'
import {inspectResponsesEvent, ResponsesToChat, TERMINAL_EVENTS, type ChatSink} from './events.js'

/** A `ChatSink` that writes `chat.completion.chunk` SSE. */
class ChunkSink implements ChatSink {
  out = ''
  /** The counts the final Responses event reported. */
  usage: ChatUsage | undefined
  private readonly writer = new ChunkWriter()

  constructor(private readonly includeUsage: boolean) {}

  start(id: string, created: number, model: string): void {
    this.writer.start(id, created, model)
    this.out += this.writer.delta('{"role":"assistant","content":""}')
  }

  content(text: string): void {
    this.out += this.writer.content(text)
  }

  reasoning(text: string): void {
    this.out += this.writer.reasoning(text)
  }

  toolStart(index: number, id: string, name: string): void {
    this.out += this.writer.toolCallStart(index, id, name)
  }

  toolArguments(index: number, fragment: string): void {
    this.out += this.writer.toolCallArguments(index, fragment)
  }

  finish(reason: FinishReason, usage: ChatUsage | undefined): void {
    this.usage = usage
    this.out += this.writer.delta('{}', reason)
    if (this.includeUsage && usage !== undefined) this.out += this.writer.usage(usage)
    this.out += SSE_DONE
  }

  take(): string {
    const out = this.out
    this.out = ''
    return out
  }
}

/** Streams Responses SSE as `chat.completion.chunk` SSE. */
export class CodexChatStreamTranslator implements StreamTranslator {
  private readonly parser = new SseParser()
  private readonly sink: ChunkSink
  private readonly walker: ResponsesToChat

  constructor(model: string, includeUsage: boolean) {
    this.sink = new ChunkSink(includeUsage)
    this.walker = new ResponsesToChat(this.sink, model)
  }

  push(chunk: string): string {
    for (const event of this.parser.push(chunk)) this.walker.handle(event)
    return this.sink.take()
  }

  end(): string {
    for (const event of this.parser.end()) this.walker.handle(event)
    if (!this.walker.done) throw truncated()
    return this.sink.take()
  }

  reportedUsage(): TokenUsage | null {
    return tokenCounts(this.sink.usage)
  }
}

/**
 * Relays a Responses stream event by event. Only complete events are written, so that a failure event found
 * halfway through a chunk never leaves half an event on the client's stream before the gateway's error event.
 */
export class CodexResponsesStreamTranslator implements StreamTranslator {
  private readonly parser = new SseParser()
  private done = false
  private usage: TokenUsage | null = null

  push(chunk: string): string {
    return this.relay(this.parser.push(chunk))
  }

  end(): string {
    const tail = this.relay(this.parser.end())
    if (!this.done) throw truncated()
    return tail
  }

  private relay(events: SseEvent[]): string {
    let out = ''
    for (const event of events) {
      if (this.done) break
      const seen = inspectResponsesEvent(event)
      if (seen !== undefined && TERMINAL_EVENTS.has(seen.type as string)) {
        this.done = true
        if (isObject(seen.data.response)) this.usage = tokenCounts(seen.data.response.usage)
      }
      out += formatSse(event.data, event.event)
    }
    return out
  }

  reportedUsage(): TokenUsage | null {
    return this.usage
  }
}
