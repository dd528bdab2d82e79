/**
 * OpenAI chat completion shapes that the translating adapters produce (`chat.completion` and
 * `chat.completion.chunk`), and a fast writer for chunk SSE events.
 */
import {formatSse} from '../../core/sse.js'

/** One tool call in an assembled assistant message. */
export interface ChatToolCall {
  id: string
  type: 'function'
  function: {name: string; arguments: string}
}

/** Token counts in OpenAI's shape. */
export interface ChatUsage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
  prompt_tokens_details?: {cached_tokens: number}
  completion_tokens_details?: {reasoning_tokens: number}
}

/** OpenAI's finish reasons. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter'

/**
 * The assistant message of an assembled completion; `reasoning_content` carries the model's visible reasoning, and
 * `refusal` the provider's explanation when it declined to answer (as OpenAI's own refusals do).
 */
export interface ChatMessage {
  role: 'assistant'
  content: string | null
  refusal: string | null
  tool_calls?: ChatToolCall[]
  reasoning_content?: string
}

/** A complete `chat.completion` object. */
export interface ChatCompletion {
  id: string
  object: 'chat.completion'
  created: number
  model: string
  choices: Array<{index: 0; message: ChatMessage; finish_reason: FinishReason; logprobs: null}>
  usage?: ChatUsage
}

/** Builds a `chat.completion` from its parts (omitting `tool_calls` and `reasoning_content` when empty). */
export function chatCompletion(parts: {
  id: string
  created: number
  model: string
  text: string
  toolCalls: ChatToolCall[]
  reasoning: string
  finishReason: FinishReason
  usage?: ChatUsage
  refusal?: string
}): ChatCompletion {
  const message: ChatMessage = {
    role: 'assistant',
    // OpenAI answers `null` content for a message that only calls tools.
    content: parts.text === '' && parts.toolCalls.length > 0 ? null : parts.text,
    refusal: parts.refusal ?? null,
  }
  if (parts.toolCalls.length > 0) message.tool_calls = parts.toolCalls
  if (parts.reasoning !== '') message.reasoning_content = parts.reasoning
  const completion: ChatCompletion = {
    id: parts.id,
    object: 'chat.completion',
    created: parts.created,
    model: parts.model,
    choices: [{index: 0, message, finish_reason: parts.finishReason, logprobs: null}],
  }
  if (parts.usage !== undefined) completion.usage = parts.usage
  return completion
}

/** The `[DONE]` sentinel that ends every successful chat stream. */
export const SSE_DONE = formatSse('[DONE]')

/**
 * Writes `chat.completion.chunk` events for one stream. The constant head of every chunk (id, created, model) is
 * serialised once; each chunk then costs one `JSON.stringify` of its delta.
 */
export class ChunkWriter {
  private head = ''

  /** Fixes the stream's id, creation time and model; call before the first chunk. */
  start(id: string, created: number, model: string): void {
    this.head = `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"choices":`
  }

  /** Whether `start` was called. */
  get started(): boolean {
    return this.head !== ''
  }

  /** A chunk with one choice delta (already serialised JSON) and an optional finish reason. */
  delta(deltaJson: string, finishReason: FinishReason | null = null): string {
    const finish = finishReason === null ? 'null' : `"${finishReason}"`
    return formatSse(`${this.head}[{"index":0,"delta":${deltaJson},"finish_reason":${finish}}]}`)
  }

  /** A text delta. */
  content(text: string): string {
    return this.delta(`{"content":${JSON.stringify(text)}}`)
  }

  /** A refusal delta: the provider's explanation of why it declined (OpenAI streams its refusals so). */
  refusal(text: string): string {
    return this.delta(`{"refusal":${JSON.stringify(text)}}`)
  }

  /** A reasoning delta (`reasoning_content`, as DeepSeek, vLLM and LiteLLM stream it). */
  reasoning(text: string): string {
    return this.delta(`{"reasoning_content":${JSON.stringify(text)}}`)
  }

  /** The first fragment of a tool call: index, id and name. */
  toolCallStart(index: number, id: string, name: string): string {
    return this.delta(
      `{"tool_calls":[{"index":${index},"id":${JSON.stringify(id)},"type":"function","function":{"name":${JSON.stringify(name)},"arguments":""}}]}`,
    )
  }

  /** A fragment of a tool call's JSON arguments. */
  toolCallArguments(index: number, fragment: string): string {
    return this.delta(`{"tool_calls":[{"index":${index},"function":{"arguments":${JSON.stringify(fragment)}}}]}`)
  }

  /** The usage chunk that `stream_options.include_usage` asks for: no choices, only usage. */
  usage(usage: ChatUsage): string {
    return formatSse(`${this.head}[],"usage":${JSON.stringify(usage)}}`)
  }
}
