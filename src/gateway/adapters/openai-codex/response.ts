/**
 * A whole Responses SSE text (the backend always streams) for a non-streaming client: one assembled
 * `chat.completion`, or the final `response` object.
 */
import {isObject} from '../../../core/is-object.js'
import {SseParser} from '../../../core/sse.js'
import {chatCompletion, type ChatCompletion, type ChatToolCall, type ChatUsage, type FinishReason} from '../chat.js'
import {truncated} from './errors.js'
import {inspectResponsesEvent, ResponsesToChat, TERMINAL_EVENTS, type ChatSink} from './events.js'

/** A `ChatSink` that assembles one `chat.completion`. */
class CompletionSink implements ChatSink {
  id = ''
  created = 0
  model = ''
  text = ''
  reasoningText = ''
  readonly toolCalls: ChatToolCall[] = []
  finishReason: FinishReason | undefined
  usage: ChatUsage | undefined

  start(id: string, created: number, model: string): void {
    this.id = id
    this.created = created
    this.model = model
  }

  content(text: string): void {
    this.text += text
  }

  reasoning(text: string): void {
    this.reasoningText += text
  }

  toolStart(index: number, id: string, name: string): void {
    this.toolCalls[index] = {id, type: 'function', function: {name, arguments: ''}}
  }

  toolArguments(index: number, fragment: string): void {
    this.toolCalls[index].function.arguments += fragment
  }

  finish(reason: FinishReason, usage: ChatUsage | undefined): void {
    this.finishReason = reason
    this.usage = usage
  }
}

/** Fills a sink from a final response's `output` items, for a stream that carried no deltas. */
function replayOutput(response: Record<string, unknown>, sink: CompletionSink): void {
  const output = Array.isArray(response.output) ? response.output : []
  for (const item of output) {
    if (!isObject(item)) continue
    if (item.type === 'message' && Array.isArray(item.content)) {
      for (const part of item.content) {
        if (isObject(part) && typeof part.text === 'string') sink.content(part.text)
        else if (isObject(part) && typeof part.refusal === 'string') sink.content(part.refusal)
      }
    } else if (item.type === 'function_call') {
      const index = sink.toolCalls.length
      sink.toolStart(index, String(item.call_id ?? ''), String(item.name ?? ''))
      sink.toolArguments(index, typeof item.arguments === 'string' ? item.arguments : '')
    }
  }
  if (sink.toolCalls.length > 0 && sink.finishReason === 'stop') sink.finishReason = 'tool_calls'
}

/** Assembles one `chat.completion` from the whole Responses SSE text. */
export function chatCompletionFromCodexSse(text: string, model: string): ChatCompletion {
  const sink = new CompletionSink()
  const walker = new ResponsesToChat(sink, model)
  const parser = new SseParser()
  for (const event of parser.push(text)) walker.handle(event)
  for (const event of parser.end()) walker.handle(event)
  if (walker.finalResponse === undefined || sink.finishReason === undefined) throw truncated()
  if (!walker.producedOutput) replayOutput(walker.finalResponse, sink)
  return chatCompletion({
    id: sink.id,
    created: sink.created,
    model: sink.model,
    text: sink.text,
    toolCalls: sink.toolCalls,
    reasoning: sink.reasoningText,
    finishReason: sink.finishReason,
    usage: sink.usage,
  })
}

/** The final `response` object of a whole Responses SSE text, for a non-streaming client. */
export function responseFromCodexSse(text: string): Record<string, unknown> {
  const parser = new SseParser()
  const items: Record<string, unknown>[] = []
  const events = parser.push(text)
  for (const event of parser.end()) events.push(event)
  for (const event of events) {
    const seen = inspectResponsesEvent(event)
    if (seen === undefined) continue
    if (seen.type === 'response.output_item.done' && isObject(seen.data.item)) {
      const index = seen.data.output_index
      items[typeof index === 'number' ? index : items.length] = seen.data.item
    } else if (TERMINAL_EVENTS.has(seen.type as string) && isObject(seen.data.response)) {
      const response = seen.data.response
      // The final event may carry an empty `output` (nothing is stored); the items streamed before it are the output.
      if (!Array.isArray(response.output) || response.output.length === 0) {
        return Object.assign({}, response, {output: items.filter((item) => item !== undefined)})
      }
      return response
    }
  }
  throw truncated()
}
