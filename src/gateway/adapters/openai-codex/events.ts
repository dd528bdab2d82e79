/**
 * What the backend's Responses events mean (https://platform.openai.com/docs/api-reference/responses-streaming), read
 * once for a streaming client (`stream.ts`) and a non-streaming one (`response.ts`): a `response.failed` or `error`
 * event is a failure, `response.completed` and `response.incomplete` end an answer.
 */
import {isObject} from '../../../core/is-object.js'
import type {SseEvent} from '../../../core/sse.js'
import type {ChatUsage, FinishReason} from '../chat.js'
import {nowSeconds, tryParseJson} from '../shared.js'
import {eventFailure} from './errors.js'

/** Receives what a Responses stream means for a chat client. */
export interface ChatSink {
  start(id: string, created: number, model: string): void
  content(text: string): void
  reasoning(text: string): void
  toolStart(index: number, id: string, name: string): void
  toolArguments(index: number, fragment: string): void
  finish(reason: FinishReason, usage: ChatUsage | undefined): void
}

/** OpenAI chat usage of Responses usage. */
export function chatUsageOf(usage: unknown): ChatUsage | undefined {
  if (!isObject(usage)) return undefined
  const prompt = typeof usage.input_tokens === 'number' ? usage.input_tokens : 0
  const completion = typeof usage.output_tokens === 'number' ? usage.output_tokens : 0
  const out: ChatUsage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: typeof usage.total_tokens === 'number' ? usage.total_tokens : prompt + completion,
  }
  const inputDetails = isObject(usage.input_tokens_details) ? usage.input_tokens_details : {}
  const outputDetails = isObject(usage.output_tokens_details) ? usage.output_tokens_details : {}
  out.prompt_tokens_details = {cached_tokens: Number(inputDetails.cached_tokens ?? 0)}
  out.completion_tokens_details = {reasoning_tokens: Number(outputDetails.reasoning_tokens ?? 0)}
  return out
}

function incompleteReason(response: Record<string, unknown>): FinishReason {
  const details = isObject(response.incomplete_details) ? response.incomplete_details : {}
  return details.reason === 'content_filter' ? 'content_filter' : 'length'
}

interface ToolState {
  index: number
  emitted: boolean
}

/** Walks Responses stream events and tells a `ChatSink` what they mean. */
export class ResponsesToChat {
  private started = false
  private readonly tools = new Map<number, ToolState>()
  private toolCount = 0
  private sawText = false
  /** The terminal response object (`response.completed` or `response.incomplete`), once seen. */
  finalResponse: Record<string, unknown> | undefined

  constructor(
    private readonly sink: ChatSink,
    private readonly model: string,
  ) {}

  get done(): boolean {
    return this.finalResponse !== undefined
  }

  get toolCalls(): number {
    return this.toolCount
  }

  get producedOutput(): boolean {
    return this.sawText || this.toolCount > 0
  }

  handle(event: SseEvent): void {
    if (this.done) return
    const data = tryParseJson(event.data)
    if (!isObject(data)) return
    const type = data.type ?? event.event
    switch (type) {
      case 'response.created':
      case 'response.in_progress': {
        const response = isObject(data.response) ? data.response : {}
        this.ensureStarted(response)
        return
      }
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        if (typeof data.delta === 'string' && data.delta !== '') {
          this.ensureStarted({})
          this.sawText = true
          this.sink.content(data.delta)
        }
        return
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        if (typeof data.delta === 'string' && data.delta !== '') {
          this.ensureStarted({})
          this.sink.reasoning(data.delta)
        }
        return
      case 'response.output_item.added': {
        const item = isObject(data.item) ? data.item : {}
        if (item.type !== 'function_call') return
        this.ensureStarted({})
        const tool: ToolState = {index: this.toolCount++, emitted: false}
        this.tools.set(Number(data.output_index), tool)
        this.sink.toolStart(tool.index, String(item.call_id ?? item.id ?? ''), String(item.name ?? ''))
        if (typeof item.arguments === 'string' && item.arguments !== '') this.toolArguments(tool, item.arguments)
        return
      }
      case 'response.function_call_arguments.delta': {
        const tool = this.tools.get(Number(data.output_index))
        if (tool !== undefined && typeof data.delta === 'string' && data.delta !== '')
          this.toolArguments(tool, data.delta)
        return
      }
      case 'response.function_call_arguments.done':
      case 'response.output_item.done': {
        // A backend that sends a call only whole (no `added` event, no deltas) still gets it across.
        const item = isObject(data.item) ? data.item : data
        let tool = this.tools.get(Number(data.output_index))
        if (tool === undefined && type === 'response.output_item.done' && item.type === 'function_call') {
          this.ensureStarted({})
          tool = {index: this.toolCount++, emitted: false}
          this.tools.set(Number(data.output_index), tool)
          this.sink.toolStart(tool.index, String(item.call_id ?? item.id ?? ''), String(item.name ?? ''))
        }
        if (tool === undefined || tool.emitted) return
        if (typeof item.arguments === 'string' && item.arguments !== '') this.toolArguments(tool, item.arguments)
        return
      }
      case 'response.completed':
      case 'response.incomplete': {
        const response = isObject(data.response) ? data.response : {}
        this.ensureStarted(response)
        this.finalResponse = response
        const reason: FinishReason =
          type === 'response.incomplete' ? incompleteReason(response) : this.toolCount > 0 ? 'tool_calls' : 'stop'
        this.sink.finish(reason, chatUsageOf(response.usage))
        return
      }
      case 'response.failed':
      case 'error':
        throw eventFailure(type, data)
      default:
        // response.content_part.*, response.output_text.done, reasoning part events and event types added later.
        return
    }
  }

  private toolArguments(tool: ToolState, fragment: string): void {
    tool.emitted = true
    this.sink.toolArguments(tool.index, fragment)
  }

  private ensureStarted(response: Record<string, unknown>): void {
    if (this.started) return
    this.started = true
    this.sink.start(
      String(response.id ?? ''),
      typeof response.created_at === 'number' ? response.created_at : nowSeconds(),
      typeof response.model === 'string' ? response.model : this.model,
    )
  }
}

/** The events that end an answer. */
export const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete'])

/** Checks one Responses event: throws on a failure, returns the terminal response object if it is one. */
export function inspectResponsesEvent(event: SseEvent): {data: Record<string, unknown>; type: unknown} | undefined {
  const data = tryParseJson(event.data)
  if (!isObject(data)) return undefined
  const type = data.type ?? event.event
  if (type === 'response.failed' || type === 'error') throw eventFailure(type, data)
  return {data, type}
}
