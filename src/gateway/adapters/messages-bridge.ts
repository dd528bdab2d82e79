/**
 * Anthropic's Messages API for clients (Claude Code, the Anthropic SDKs): `POST /v1/messages` is routed like a chat
 * completion and served by any provider. Anthropic accounts get the client's own body (the native protocol, prompt
 * caching and thinking signatures intact); every other provider gets it as a chat completion through its own adapter,
 * and the answer, whole or streamed, comes back in Anthropic's shape (`message_start`, `content_block_*`,
 * `message_delta`, `message_stop`).
 *
 * What only Anthropic runs (server tools such as web search, PDF documents, citations) cannot be translated and is
 * refused with a 400 when the request goes to another provider. The model's thinking from another provider is not
 * returned: Anthropic checks the signature of every thinking block a client sends back, and only Anthropic can sign.
 */
import {isObject} from '../../core/is-object.js'
import type {ChatUsage} from './chat.js'
import {type ChatBridge, ChatStreamReader, type Json, jsonEvent, newId, withChatBridge} from './chat-bridge.js'
import {AdapterError, type ProviderAdapter} from './types.js'

function refuse(message: string): AdapterError {
  return new AdapterError(
    `${message} (the request went to a provider without Anthropic's Messages API, so the gateway sent it as a chat completion).`,
    400,
    'invalid_request_error',
    'unsupported_parameter',
  )
}

// ---------------------------------------------------------------------------------------------------------------
// Request

function blockText(block: Json): string {
  return typeof block.text === 'string' ? block.text : ''
}

/** A chat image part for an Anthropic image block (base64 or URL source). */
function imagePart(block: Json): Json {
  const source = isObject(block.source) ? block.source : {}
  if (source.type === 'base64' && typeof source.data === 'string') {
    return {
      type: 'image_url',
      image_url: {
        url: `data:${typeof source.media_type === 'string' ? source.media_type : 'image/png'};base64,${source.data}`,
      },
    }
  }
  if (source.type === 'url' && typeof source.url === 'string') return {type: 'image_url', image_url: {url: source.url}}
  throw refuse('an image must come as base64 data or a URL')
}

/**
 * The text of a `tool_result` block's content (a string, or text and image blocks). Chat tool messages carry text
 * only, so its images go into `images`, for a user message after the tool results.
 */
function toolResultText(content: unknown, images: Json[]): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  let text = ''
  for (const block of content) {
    if (!isObject(block)) continue
    if (block.type === 'text') text += blockText(block)
    else if (block.type === 'image') {
      images.push(imagePart(block))
      text += `${text === '' ? '' : '\n'}[image ${images.length}, attached below]`
    } else
      throw refuse(`a tool result with a ${JSON.stringify(block.type)} block cannot be sent as a chat tool message`)
  }
  return text
}

/** The text of a `system` value or turn: a string, or its text blocks joined. */
function systemText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content.map((block) => (isObject(block) ? blockText(block) : '')).join('\n')
}

/**
 * The chat messages for one Messages turn (a user turn with tool results becomes tool messages first). A `system`
 * turn, which Claude Code sends for the models it believes take them (its default and names it does not know), is a
 * system message where it stands.
 */
function chatTurn(message: Json, out: Json[]): void {
  const role = message.role
  const content = message.content
  if (role === 'system') {
    const text = systemText(content)
    if (text !== '') out.push({role: 'system', content: text})
    return
  }
  if (role !== 'user' && role !== 'assistant')
    throw refuse(`a message role must be user, assistant or system, not ${JSON.stringify(role)}`)
  if (typeof content === 'string') {
    out.push({role, content})
    return
  }
  if (!Array.isArray(content)) throw refuse('a message needs `content`: a string or a list of blocks')
  if (role === 'assistant') {
    let text = ''
    const calls: Json[] = []
    for (const block of content) {
      if (!isObject(block)) continue
      if (block.type === 'text') text += blockText(block)
      else if (block.type === 'tool_use') {
        calls.push({
          type: 'function',
          id: String(block.id ?? ''),
          function: {name: String(block.name ?? ''), arguments: JSON.stringify(block.input ?? {})},
        })
      } else if (block.type === 'thinking' || block.type === 'redacted_thinking') {
        // Another provider cannot take Anthropic's thinking back; the answer does not depend on it.
      } else
        throw refuse(
          `an assistant ${JSON.stringify(block.type)} block (an Anthropic server tool's) cannot be sent to another provider`,
        )
    }
    // A turn that held only thinking has nothing left to send.
    if (text === '' && calls.length === 0) return
    const turn: Json = {role: 'assistant', content: text === '' ? null : text}
    if (calls.length > 0) turn.tool_calls = calls
    out.push(turn)
    return
  }
  const parts: Json[] = []
  const images: Json[] = []
  for (const block of content) {
    if (!isObject(block)) continue
    if (block.type === 'tool_result') {
      const text = toolResultText(block.content, images)
      out.push({
        role: 'tool',
        tool_call_id: String(block.tool_use_id ?? ''),
        content: block.is_error === true ? `Error: ${text}` : text,
      })
    } else if (block.type === 'text') parts.push({type: 'text', text: blockText(block)})
    else if (block.type === 'image') parts.push(imagePart(block))
    else throw refuse(`a user ${JSON.stringify(block.type)} block cannot be sent to another provider`)
  }
  if (images.length > 0) parts.unshift({type: 'text', text: 'The images the tool results above refer to:'}, ...images)
  if (parts.length > 0)
    out.push({
      role: 'user',
      content: parts.every((part) => part.type === 'text') ? parts.map((part) => part.text).join('') : parts,
    })
}

function chatTools(tools: unknown): Json[] | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined
  return tools.map((tool) => {
    if (!isObject(tool) || (tool.type !== undefined && tool.type !== 'custom') || typeof tool.name !== 'string') {
      const type = isObject(tool) ? tool.type : tool
      throw refuse(`the ${JSON.stringify(type)} tool runs on Anthropic's servers and only Anthropic serves it`)
    }
    const fn: Json = {
      name: tool.name,
      parameters: isObject(tool.input_schema) ? tool.input_schema : {type: 'object', properties: {}},
    }
    if (typeof tool.description === 'string') fn.description = tool.description
    return {type: 'function', function: fn}
  })
}

function chatToolChoice(choice: unknown): {choice?: unknown; parallel?: boolean} {
  if (!isObject(choice)) return {}
  const parallel = choice.disable_parallel_tool_use === true ? false : undefined
  switch (choice.type) {
    case 'auto':
      return {choice: 'auto', parallel}
    case 'any':
      return {choice: 'required', parallel}
    case 'none':
      return {choice: 'none'}
    case 'tool':
      return {choice: {type: 'function', function: {name: String(choice.name ?? '')}}, parallel}
    default:
      return {}
  }
}

/**
 * Reasoning effort for the client's thinking: the level of a budget (Anthropic's budgets are tokens; chat protocols
 * take a level), or with adaptive thinking the effort `output_config` asks for (Anthropic's `max` is chat's `high`);
 * adaptive thinking without one leaves the provider's default.
 */
function effortOf(body: Json): string | undefined {
  const thinking = body.thinking
  if (!isObject(thinking)) return undefined
  if (thinking.type === 'enabled') {
    const budget = typeof thinking.budget_tokens === 'number' ? thinking.budget_tokens : 0
    return budget < 4096 ? 'low' : budget < 16_384 ? 'medium' : 'high'
  }
  const effort = thinking.type === 'adaptive' && isObject(body.output_config) ? body.output_config.effort : undefined
  return effort === 'max' ? 'high' : effort === 'low' || effort === 'medium' || effort === 'high' ? effort : undefined
}

/** The chat completion request for a Messages body (`model` already the upstream id, the router's fields removed). */
export function messagesToChatBody(body: Json, stream: boolean): Json {
  const messages: Json[] = []
  const system = systemText(body.system)
  if (system !== '') messages.push({role: 'system', content: system})
  if (!Array.isArray(body.messages)) throw refuse('`messages` must be a list')
  for (const message of body.messages) if (isObject(message)) chatTurn(message, messages)
  const chat: Json = {model: body.model, messages}
  const tools = chatTools(body.tools)
  if (tools !== undefined) {
    chat.tools = tools
    const {choice, parallel} = chatToolChoice(body.tool_choice)
    if (choice !== undefined) chat.tool_choice = choice
    if (parallel !== undefined) chat.parallel_tool_calls = parallel
  }
  if (typeof body.max_tokens === 'number') chat.max_tokens = body.max_tokens
  for (const field of ['temperature', 'top_p'] as const) if (typeof body[field] === 'number') chat[field] = body[field]
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length > 0) chat.stop = body.stop_sequences
  const effort = effortOf(body)
  if (effort !== undefined) chat.reasoning_effort = effort
  if (stream) {
    chat.stream = true
    chat.stream_options = {include_usage: true}
  }
  return chat
}

// ---------------------------------------------------------------------------------------------------------------
// Response

/** Anthropic's stop reason for a chat finish reason. */
function stopReason(finishReason: unknown): string {
  switch (finishReason) {
    case 'length':
      return 'max_tokens'
    case 'tool_calls':
    case 'function_call':
      return 'tool_use'
    case 'content_filter':
      return 'refusal'
    default:
      return 'end_turn'
  }
}

/**
 * Anthropic usage of chat usage. OpenAI's `prompt_tokens` includes its cached tokens; Anthropic's `input_tokens`
 * leaves out what was read from the cache (clients add `cache_read_input_tokens` to it for the prompt's size).
 */
function usageOf(usage: Partial<ChatUsage> | undefined): Json {
  const prompt = typeof usage?.prompt_tokens === 'number' ? usage.prompt_tokens : 0
  const details = usage?.prompt_tokens_details?.cached_tokens
  const cached = typeof details === 'number' && details > 0 ? Math.min(details, prompt) : 0
  const out: Json = {
    input_tokens: prompt - cached,
    output_tokens: typeof usage?.completion_tokens === 'number' ? usage.completion_tokens : 0,
  }
  if (cached > 0) out.cache_read_input_tokens = cached
  return out
}

/**
 * The stop reason and details of a chat answer: a refusal (OpenAI's `refusal` text, or a content filter) is
 * Anthropic's `refusal`, with the provider's explanation in `stop_details` as Anthropic gives its own.
 */
function stopOf(finishReason: unknown, refusal: string): {stop_reason: string; stop_details?: Json} {
  if (refusal === '') return {stop_reason: stopReason(finishReason)}
  return {stop_reason: 'refusal', stop_details: {type: 'refusal', category: null, explanation: refusal}}
}

/** The `input` object of a tool call, from its JSON arguments (an empty object when they are not an object). */
function toolInput(args: unknown): Json {
  if (typeof args !== 'string' || args === '') return {}
  try {
    const parsed: unknown = JSON.parse(args)
    return isObject(parsed) ? parsed : {}
  } catch {
    return {}
  }
}

/** An Anthropic message for a whole chat completion. */
export function messageFromChat(chat: unknown): Json {
  if (!isObject(chat) || !Array.isArray(chat.choices)) {
    throw new AdapterError(
      'the upstream answered something that is not a chat completion',
      502,
      'upstream_error',
      'bad_upstream_response',
    )
  }
  const choice = isObject(chat.choices[0]) ? chat.choices[0] : {}
  const message = isObject(choice.message) ? choice.message : {}
  const content: Json[] = []
  if (typeof message.content === 'string' && message.content !== '') content.push({type: 'text', text: message.content})
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (!isObject(call) || !isObject(call.function)) continue
      content.push({
        type: 'tool_use',
        id: typeof call.id === 'string' ? call.id : newId('toolu'),
        name: String(call.function.name ?? ''),
        input: toolInput(call.function.arguments),
      })
    }
  }
  return Object.assign(
    {id: newId('msg'), type: 'message', role: 'assistant', model: chat.model ?? null, content},
    stopOf(choice.finish_reason, typeof message.refusal === 'string' ? message.refusal : ''),
    {stop_sequence: null, usage: usageOf(chat.usage as Partial<ChatUsage> | undefined)},
  )
}

/**
 * Turns a chat completion stream into Anthropic's event stream: `message_start`, a `content_block_start` …
 * `content_block_stop` group per text and tool call (with `text_delta` and `input_json_delta` deltas),
 * `message_delta` with the stop reason and usage, `message_stop`. A chat stream that ends before its finish reason
 * is an error, never a finished message.
 */
export class ChatToMessagesStream extends ChatStreamReader {
  private readonly id = newId('msg')
  private usage: Partial<ChatUsage> | undefined
  /** The open content block: its index, and for a tool call the chat `tool_calls` index it is for. */
  private open: {index: number; kind: 'text' | 'tool_use'; call: number} | null = null
  private blocks = 0
  private readonly seenCalls = new Set<number>()
  /** The provider's explanation, when it declined to answer (`delta.refusal`). */
  private refusal = ''

  private event(type: string, fields: Json): string {
    return jsonEvent(type, JSON.stringify({type, ...fields}))
  }

  /** A `content_block_delta` event, written without building its object (one per streamed chunk: the hot path). */
  private delta(kind: 'text_delta' | 'input_json_delta', field: 'text' | 'partial_json', value: string): string {
    return jsonEvent(
      'content_block_delta',
      `{"type":"content_block_delta","index":${this.open!.index},"delta":{"type":"${kind}","${field}":${JSON.stringify(value)}}}`,
    )
  }

  private opening(model: unknown): string {
    this.started = true
    return this.event('message_start', {
      message: {
        id: this.id,
        type: 'message',
        role: 'assistant',
        model: model ?? null,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {input_tokens: 0, output_tokens: 0},
      },
    })
  }

  protected chunk(chunk: Json): string {
    let out = this.started ? '' : this.opening(chunk.model)
    if (isObject(chunk.usage)) this.usage = chunk.usage as Partial<ChatUsage>
    const delta = this.choiceDelta(chunk)
    if (delta === null) return out
    if (typeof delta.refusal === 'string') this.refusal += delta.refusal
    if (typeof delta.content === 'string' && delta.content !== '') {
      if (this.open === null || this.open.kind !== 'text') out += this.openBlock('text', -1, {type: 'text', text: ''})
      out += this.delta('text_delta', 'text', delta.content)
    }
    if (Array.isArray(delta.tool_calls)) {
      for (const call of delta.tool_calls) {
        if (!isObject(call)) continue
        const index = typeof call.index === 'number' ? call.index : 0
        const fn = isObject(call.function) ? call.function : {}
        if (!this.seenCalls.has(index)) {
          this.seenCalls.add(index)
          const id = typeof call.id === 'string' ? call.id : newId('toolu')
          out += this.openBlock('tool_use', index, {
            type: 'tool_use',
            id,
            name: typeof fn.name === 'string' ? fn.name : '',
            input: {},
          })
        } else if (this.open === null || this.open.kind !== 'tool_use' || this.open.call !== index) {
          // Providers stream one call after another; a fragment of an earlier call after a later one began is dropped.
          continue
        }
        if (typeof fn.arguments === 'string' && fn.arguments !== '') {
          out += this.delta('input_json_delta', 'partial_json', fn.arguments)
        }
      }
    }
    return out
  }

  private openBlock(kind: 'text' | 'tool_use', call: number, block: Json): string {
    const out = this.closeBlock()
    this.open = {index: this.blocks++, kind, call}
    return out + this.event('content_block_start', {index: this.open.index, content_block: block})
  }

  private closeBlock(): string {
    if (this.open === null) return ''
    const index = this.open.index
    this.open = null
    return this.event('content_block_stop', {index})
  }

  protected finish(): string {
    let out = this.started ? '' : this.opening(null)
    out += this.closeBlock()
    this.finished = true
    const usage = usageOf(this.usage)
    out += this.event('message_delta', {
      delta: Object.assign(stopOf(this.finishReason, this.refusal), {stop_sequence: null}),
      usage,
    })
    return out + this.event('message_stop', {})
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The adapter

/** Anthropic's Messages API through chat completions (see the module comment). */
export const MESSAGES_BRIDGE: ChatBridge = {
  endpoint: 'messages',
  toChat: messagesToChatBody,
  fromChat: (chat) => messageFromChat(chat),
  stream: () => new ChatToMessagesStream(),
}

/** `inner` (a chat adapter) plus Anthropic's Messages API, translated through chat completions. */
export function withMessagesBridge(inner: ProviderAdapter): ProviderAdapter {
  return withChatBridge(inner, MESSAGES_BRIDGE)
}
