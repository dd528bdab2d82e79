/**
 * A complete Messages API answer as a `chat.completion`, and the pieces the stream translation shares with it: finish
 * reasons, refusals and usage counts.
 */
import {isObject} from '../../../core/is-object.js'
import {chatCompletion, type ChatCompletion, type ChatToolCall, type ChatUsage, type FinishReason} from '../chat.js'
import {nowSeconds, tryParseJson} from '../shared.js'
import {AdapterError} from '../types.js'
import {streamError} from './errors.js'

/**
 * What a chat client learns of a refusal (`stop_reason: "refusal"`): Anthropic's explanation from `stop_details`
 * (https://docs.anthropic.com/en/docs/test-and-evaluate/strengthen-guardrails/handle-streaming-refusals), or that
 * Anthropic declined when it gave none. Undefined for any other stop reason.
 */
export function refusalOf(stopReason: unknown, stopDetails: unknown): string | undefined {
  if (stopReason !== 'refusal') return undefined
  const explanation = isObject(stopDetails) ? stopDetails.explanation : undefined
  return typeof explanation === 'string' && explanation !== ''
    ? explanation
    : 'Anthropic declined to answer (stop_reason: refusal).'
}

/** OpenAI finish reason of an Anthropic stop reason. */
export function finishReasonOf(stopReason: unknown): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length'
    case 'tool_use':
      return 'tool_calls'
    case 'refusal':
      return 'content_filter'
    default:
      // end_turn, stop_sequence, pause_turn
      return 'stop'
  }
}

/** Token counts as Anthropic reports them (`message.usage`, `message_delta.usage`). */
export interface AnthropicUsage {
  input_tokens?: number
  output_tokens?: number
  cache_creation_input_tokens?: number | null
  cache_read_input_tokens?: number | null
}

/**
 * `usage` updated by a later event's counts (`message_delta` holds cumulative counts; newer API versions repeat the
 * input and cache counts there, possibly as null, which must not erase `message_start`'s).
 */
export function withCounts<T extends object>(usage: T, update: Record<string, unknown>): T {
  const out: Record<string, unknown> = {...(usage as Record<string, unknown>)}
  for (const [field, value] of Object.entries(update)) if (value !== null) out[field] = value
  return out as T
}

/** OpenAI usage of Anthropic usage. Anthropic's `input_tokens` excludes cached tokens; OpenAI's prompt count includes them. */
export function usageOf(usage: AnthropicUsage): ChatUsage {
  const cacheRead = usage.cache_read_input_tokens ?? 0
  const prompt = (usage.input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0) + cacheRead
  const completion = usage.output_tokens ?? 0
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: {cached_tokens: cacheRead},
  }
}

/** Translates a complete Messages API response into a `chat.completion`. */
export function fromAnthropicMessage(message: Record<string, unknown>, fallbackModel: string): ChatCompletion {
  let text = ''
  let reasoning = ''
  const toolCalls: ChatToolCall[] = []
  const content = Array.isArray(message.content) ? message.content : []
  for (const block of content) {
    if (!isObject(block)) continue
    if (block.type === 'text' && typeof block.text === 'string') text += block.text
    else if (block.type === 'thinking' && typeof block.thinking === 'string') reasoning += block.thinking
    else if (block.type === 'tool_use') {
      toolCalls.push({
        id: String(block.id),
        type: 'function',
        function: {name: String(block.name), arguments: JSON.stringify(block.input ?? {})},
      })
    }
  }
  return chatCompletion({
    id: String(message.id ?? ''),
    created: nowSeconds(),
    model: typeof message.model === 'string' ? message.model : fallbackModel,
    text,
    toolCalls,
    reasoning,
    finishReason: finishReasonOf(message.stop_reason),
    usage: isObject(message.usage) ? usageOf(message.usage as AnthropicUsage) : undefined,
    refusal: refusalOf(message.stop_reason, message.stop_details),
  })
}

/** A whole Messages API answer (status below 400) as a `chat.completion`; an `error` body inside it is a failure. */
export function chatCompletionOfText(text: string, fallbackModel: string): ChatCompletion {
  const message = tryParseJson(text)
  if (!isObject(message))
    throw new AdapterError('Anthropic answered with a body that is not JSON', 502, 'upstream_error')
  if (message.type === 'error') throw streamError(message)
  return fromAnthropicMessage(message, fallbackModel)
}
