/**
 * Anthropic's Messages API (https://docs.anthropic.com/en/api/messages), translated from and to OpenAI chat
 * completions: `POST {base}/messages` with `x-api-key` and `anthropic-version`, base `https://api.anthropic.com/v1`.
 *
 * Requests are rebuilt field by field (an allow-list): Anthropic rejects unknown fields, so an OpenAI-only field that
 * has no Anthropic meaning (`logprobs`, `seed`, `presence_penalty`…) is simply not carried over.
 */
import type {Endpoint, TokenUsage} from '../../core/routing/schema.js'
import {formatSse, SseParser, type SseEvent} from '../../core/sse.js'
import {
  chatCompletion,
  ChunkWriter,
  SSE_DONE,
  type ChatCompletion,
  type ChatToolCall,
  type ChatUsage,
  type FinishReason,
} from './chat.js'
import {
  imageUrlOf,
  isObject,
  normaliseErrorBody,
  nowSeconds,
  openAIError,
  parseDataUrl,
  tokenCounts,
  tryParseJson,
  urlJoiner,
  wantsStreamUsage,
  withAccountHeaders,
} from './shared.js'
import {
  AdapterError,
  type AdapterRequestContext,
  type ProviderAdapter,
  type StreamTranslator,
  type TranslatedResponse,
  type UpstreamRequest,
} from './types.js'

/** The Messages API version every request pins. */
export const ANTHROPIC_VERSION = '2023-06-01'

/**
 * `max_tokens` when the client gives none (Anthropic requires it; OpenAI's default is "up to the model's limit").
 * Deliberately modest: Anthropic counts `max_tokens` against the output-tokens-per-minute rate limit when a request
 * starts, and low usage tiers allow only a few thousand output tokens per minute, so a model-sized default would turn
 * ordinary requests into 429s. A client that wants longer answers sets `max_tokens` and sees `finish_reason: length`
 * otherwise.
 */
export const DEFAULT_MAX_TOKENS = 4096

/**
 * Extended-thinking budgets for OpenAI's `reasoning_effort` (Anthropic's minimum budget is 1024 tokens). `none`
 * (and any unknown value) means no thinking.
 */
export const THINKING_BUDGETS: Readonly<Record<string, number>> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16384,
  xhigh: 32768,
}

const MIN_THINKING_BUDGET = 1024
/** Tokens left for the visible answer when a client's `max_tokens` has to share room with a thinking budget. */
const MIN_ANSWER_TOKENS = 1024

/** Anthropic caps temperature at 1 where OpenAI allows 2. */
const MAX_TEMPERATURE = 1

/** Claude 3.0 and 3.5 models have no extended thinking; 3.7 and every later family do. */
const NO_THINKING_MODEL = /^claude-3-(?!7)/

const join = urlJoiner('/v1')

type Block = Record<string, unknown>
interface Turn {
  role: 'user' | 'assistant'
  content: Block[]
}

function badRequest(message: string, param: string | null = null): AdapterError {
  return new AdapterError(message, 400, 'invalid_request_error', param)
}

/** An image part as an Anthropic image block: data URLs become base64 sources, web URLs URL sources. */
function imageBlock(url: string): Block {
  const data = parseDataUrl(url)
  if (data !== null) return {type: 'image', source: {type: 'base64', media_type: data.mediaType, data: data.data}}
  if (url.startsWith('http://') || url.startsWith('https://')) return {type: 'image', source: {type: 'url', url}}
  throw badRequest('image_url must be an http(s) URL or a base64 data: URL for Anthropic models', 'messages')
}

/** A `file` part (PDF or plain text given inline as `file_data`) as an Anthropic document block. */
function documentBlock(part: Record<string, unknown>): Block {
  const file = isObject(part.file) ? part.file : {}
  const data = typeof file.file_data === 'string' ? parseDataUrl(file.file_data) : null
  if (data === null) {
    throw badRequest('Anthropic models take files inline: send file.file_data as a base64 data: URL (file_id is OpenAI-only)', 'messages')
  }
  const block: Block =
    data.mediaType === 'text/plain'
      ? {type: 'document', source: {type: 'text', media_type: 'text/plain', data: Buffer.from(data.data, 'base64').toString('utf8')}}
      : {type: 'document', source: {type: 'base64', media_type: data.mediaType, data: data.data}}
  if (typeof file.filename === 'string') block.title = file.filename
  return block
}

function textBlock(text: string, part?: Record<string, unknown>): Block {
  // `cache_control` on a text part is how OpenAI-format clients (OpenRouter, LiteLLM users) ask for prompt caching.
  return part !== undefined && part.cache_control !== undefined
    ? {type: 'text', text, cache_control: part.cache_control}
    : {type: 'text', text}
}

/** A user (or tool result) content value as Anthropic blocks; empty text is dropped (Anthropic rejects it). */
function contentBlocks(content: unknown): Block[] {
  if (typeof content === 'string') return content === '' ? [] : [{type: 'text', text: content}]
  if (!Array.isArray(content)) return []
  const blocks: Block[] = []
  for (const part of content) {
    if (typeof part === 'string') {
      if (part !== '') blocks.push({type: 'text', text: part})
      continue
    }
    if (!isObject(part)) continue
    switch (part.type) {
      case 'text':
        if (typeof part.text === 'string' && part.text !== '') blocks.push(textBlock(part.text, part))
        break
      case 'image_url': {
        const image = imageUrlOf(part)
        if (image !== null) blocks.push(imageBlock(image.url))
        break
      }
      case 'file':
        blocks.push(documentBlock(part))
        break
      default:
        throw badRequest(`content parts of type ${JSON.stringify(part.type)} are not supported by Anthropic models`, 'messages')
    }
  }
  return blocks
}

/** Tool call arguments (a JSON string) as the object Anthropic's `tool_use.input` must be. */
function toolInput(args: unknown): Record<string, unknown> {
  if (isObject(args)) return args
  if (typeof args !== 'string' || args.trim() === '') return {}
  const parsed = tryParseJson(args)
  // A model's own truncated or invalid arguments cannot be represented; an empty input keeps the history usable.
  return isObject(parsed) ? parsed : {}
}

function assistantBlocks(message: Record<string, unknown>): Block[] {
  const blocks: Block[] = []
  const content = message.content
  if (typeof content === 'string') {
    if (content !== '') blocks.push({type: 'text', text: content})
  } else if (Array.isArray(content)) {
    for (const part of content) {
      if (!isObject(part)) continue
      const text = typeof part.text === 'string' ? part.text : typeof part.refusal === 'string' ? part.refusal : ''
      if (text !== '') blocks.push(textBlock(text, part))
    }
  }
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (!isObject(call) || !isObject(call.function)) continue
      blocks.push({
        type: 'tool_use',
        id: String(call.id ?? ''),
        name: String(call.function.name ?? ''),
        input: toolInput(call.function.arguments),
      })
    }
  }
  return blocks
}

function toolResultBlock(message: Record<string, unknown>): Block {
  const block: Block = {type: 'tool_result', tool_use_id: String(message.tool_call_id ?? '')}
  const content = message.content
  if (typeof content === 'string') {
    if (content !== '') block.content = content
  } else {
    const blocks = contentBlocks(content)
    if (blocks.length > 0) block.content = blocks
  }
  return block
}

/** Appends blocks as a turn, merging with the previous turn of the same role (Anthropic wants roles to alternate). */
function appendTurn(turns: Turn[], role: Turn['role'], blocks: Block[]): void {
  if (blocks.length === 0) return
  const last = turns.at(-1)
  if (last !== undefined && last.role === role) {
    for (const block of blocks) last.content.push(block)
  } else {
    turns.push({role, content: blocks})
  }
}

function systemBlocks(content: unknown, into: Block[]): void {
  if (typeof content === 'string') {
    if (content !== '') into.push({type: 'text', text: content})
    return
  }
  if (!Array.isArray(content)) return
  for (const part of content) {
    if (isObject(part) && typeof part.text === 'string' && part.text !== '') into.push(textBlock(part.text, part))
  }
}

function translateMessages(messages: unknown): {system: Block[]; turns: Turn[]} {
  if (!Array.isArray(messages) || messages.length === 0) throw badRequest('messages must be a non-empty array', 'messages')
  const system: Block[] = []
  const turns: Turn[] = []
  for (const message of messages) {
    if (!isObject(message)) throw badRequest('each message must be an object', 'messages')
    switch (message.role) {
      case 'system':
      case 'developer':
        // Anthropic has one top-level system prompt; system messages anywhere in the conversation join it in order.
        systemBlocks(message.content, system)
        break
      case 'user':
        appendTurn(turns, 'user', contentBlocks(message.content))
        break
      case 'assistant':
        appendTurn(turns, 'assistant', assistantBlocks(message))
        break
      case 'tool':
        // Tool results travel in a user turn; consecutive results (parallel calls) merge into one turn.
        appendTurn(turns, 'user', [toolResultBlock(message)])
        break
      default:
        throw badRequest(`messages with role ${JSON.stringify(message.role)} are not supported by Anthropic models`, 'messages')
    }
  }
  return {system, turns}
}

function translateTools(tools: unknown): Block[] | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined
  return tools.map((tool) => {
    if (!isObject(tool) || tool.type !== 'function' || !isObject(tool.function)) {
      throw badRequest('only tools of type "function" are supported by Anthropic models', 'tools')
    }
    const fn = tool.function
    const out: Block = {
      name: fn.name,
      // Anthropic requires an object schema; a function without parameters takes no input.
      input_schema: isObject(fn.parameters) ? fn.parameters : {type: 'object', properties: {}},
    }
    if (typeof fn.description === 'string') out.description = fn.description
    return out
  })
}

function translateToolChoice(choice: unknown, parallel: unknown): Block | undefined {
  let out: Block | undefined
  if (choice === 'auto') out = {type: 'auto'}
  else if (choice === 'none') out = {type: 'none'}
  else if (choice === 'required') out = {type: 'any'}
  else if (isObject(choice) && isObject(choice.function) && typeof choice.function.name === 'string') {
    out = {type: 'tool', name: choice.function.name}
  }
  if (parallel === false) {
    out ??= {type: 'auto'}
    if (out.type !== 'none') out.disable_parallel_tool_use = true
  }
  return out
}

function lastAssistantUsesTools(turns: Turn[]): boolean {
  for (let i = turns.length - 1; i >= 0; i--) {
    if (turns[i].role === 'assistant') return turns[i].content.some((block) => block.type === 'tool_use')
  }
  return false
}

/** Builds the Messages API body for an OpenAI chat completion body. */
export function toAnthropicBody(body: Record<string, unknown>, model: string, stream: boolean): Record<string, unknown> {
  if (typeof body.n === 'number' && body.n > 1) throw badRequest('Anthropic models return one choice: n must be 1', 'n')
  const {system, turns} = translateMessages(body.messages)
  const out: Record<string, unknown> = {model, messages: turns}
  if (system.length > 0) out.system = system

  const requested = body.max_completion_tokens ?? body.max_tokens
  const clientMaxTokens = typeof requested === 'number' && requested > 0 ? Math.floor(requested) : undefined
  let maxTokens = clientMaxTokens ?? DEFAULT_MAX_TOKENS

  // Thinking: the client's own Anthropic `thinking` object wins; otherwise `reasoning_effort` picks a budget.
  let thinking: Record<string, unknown> | undefined = isObject(body.thinking) ? body.thinking : undefined
  const effort = body.reasoning_effort
  if (thinking === undefined && typeof effort === 'string' && THINKING_BUDGETS[effort] !== undefined && !NO_THINKING_MODEL.test(model)) {
    // With thinking on, Anthropic demands that the assistant turn in a tool loop starts with its signed thinking
    // block, which OpenAI-format history cannot carry: such a turn continues without thinking.
    if (!lastAssistantUsesTools(turns)) {
      let budget = THINKING_BUDGETS[effort]
      if (clientMaxTokens === undefined) {
        maxTokens = budget + DEFAULT_MAX_TOKENS
      } else {
        budget = Math.min(budget, clientMaxTokens - MIN_ANSWER_TOKENS)
      }
      if (budget >= MIN_THINKING_BUDGET) thinking = {type: 'enabled', budget_tokens: budget}
    }
  }
  out.max_tokens = maxTokens
  if (thinking !== undefined) out.thinking = thinking

  // Thinking fixes the sampling parameters (Anthropic rejects temperature, top_k and a low top_p with it).
  if (thinking?.type !== 'enabled') {
    if (typeof body.temperature === 'number') out.temperature = Math.min(body.temperature, MAX_TEMPERATURE)
    // `top_p: 1` is a no-op that newer Claude models reject alongside `temperature`.
    if (typeof body.top_p === 'number' && body.top_p < 1) out.top_p = body.top_p
    if (typeof body.top_k === 'number') out.top_k = body.top_k
  }

  const stop = body.stop
  if (typeof stop === 'string') out.stop_sequences = [stop]
  else if (Array.isArray(stop) && stop.length > 0) out.stop_sequences = stop.filter((s) => typeof s === 'string')

  const tools = translateTools(body.tools)
  if (tools !== undefined) {
    out.tools = tools
    const choice = translateToolChoice(body.tool_choice, body.parallel_tool_calls)
    if (choice !== undefined) out.tool_choice = choice
  }

  if (typeof body.user === 'string' && body.user !== '') out.metadata = {user_id: body.user}
  if (stream) out.stream = true
  return out
}

/**
 * What a chat client learns of a refusal (`stop_reason: "refusal"`): Anthropic's explanation from `stop_details`
 * (https://docs.anthropic.com/en/docs/test-and-evaluate/strengthen-guardrails/handle-streaming-refusals), or that
 * Anthropic declined when it gave none. Undefined for any other stop reason.
 */
export function refusalOf(stopReason: unknown, stopDetails: unknown): string | undefined {
  if (stopReason !== 'refusal') return undefined
  const explanation = isObject(stopDetails) ? stopDetails.explanation : undefined
  return typeof explanation === 'string' && explanation !== '' ? explanation : 'Anthropic declined to answer (stop_reason: refusal).'
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

interface AnthropicUsage {
  input_tokens?: number
  output_tokens?: number
  cache_creation_input_tokens?: number | null
  cache_read_input_tokens?: number | null
}

/**
 * `usage` updated by a later event's counts (`message_delta` holds cumulative counts; newer API versions repeat the
 * input and cache counts there, possibly as null, which must not erase `message_start`'s).
 */
function withCounts<T extends object>(usage: T, update: Record<string, unknown>): T {
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

/** OpenAI error type and HTTP status of each Anthropic error type. */
const ERROR_TYPES: Readonly<Record<string, {type: string; status: number}>> = {
  invalid_request_error: {type: 'invalid_request_error', status: 400},
  authentication_error: {type: 'authentication_error', status: 401},
  billing_error: {type: 'insufficient_quota', status: 402},
  permission_error: {type: 'permission_error', status: 403},
  not_found_error: {type: 'not_found_error', status: 404},
  request_too_large: {type: 'invalid_request_error', status: 413},
  rate_limit_error: {type: 'rate_limit_error', status: 429},
  api_error: {type: 'server_error', status: 502},
  overloaded_error: {type: 'server_error', status: 503},
}

/** Anthropic's 529 "overloaded" is 503 for clients and retry rules. */
const OVERLOADED_STATUS = 529

function anthropicErrorOf(value: unknown): {type: string; message: string} | undefined {
  if (!isObject(value) || !isObject(value.error)) return undefined
  const {type, message} = value.error
  return {type: typeof type === 'string' ? type : 'api_error', message: typeof message === 'string' ? message : 'Anthropic error'}
}

/** Anthropic error body (`{"type": "error", "error": {"type", "message"}}`) → OpenAI's error shape. */
export function translateAnthropicError(status: number, text: string): TranslatedResponse {
  const mappedStatus = status === OVERLOADED_STATUS ? 503 : status
  const error = anthropicErrorOf(tryParseJson(text))
  // Not Anthropic's shape: a proxy's page or plain text in front of the API.
  if (error === undefined) return {status: mappedStatus, body: normaliseErrorBody(mappedStatus, text)}
  const known = ERROR_TYPES[error.type]
  return {status: mappedStatus, body: openAIError(error.message, known?.type ?? 'server_error', error.type)}
}

function streamError(data: unknown): AdapterError {
  const error = anthropicErrorOf(data) ?? {type: 'api_error', message: 'Anthropic reported an error in the stream'}
  const known = ERROR_TYPES[error.type]
  return new AdapterError(error.message, known?.status ?? 502, known?.type ?? 'server_error', error.type)
}

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
    if (!this.done) throw new AdapterError('the upstream stream ended before message_stop', 502, 'upstream_error', 'stream_truncated')
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
    const usage = isObject(parsed.usage) ? parsed.usage : isObject(parsed.message) && isObject(parsed.message.usage) ? parsed.message.usage : null
    if (usage === null) return
    this.usage = withCounts(this.usage, usage)
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
      throw new AdapterError('Anthropic stream ended before message_stop (truncated answer)', 502, 'upstream_error', 'stream_truncated')
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
        return this.ensureStarted(String(message.id ?? ''), typeof message.model === 'string' ? message.model : this.model)
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
            return typeof delta.thinking === 'string' && delta.thinking !== '' ? start + this.writer.reasoning(delta.thinking) : start
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

/** A Messages client's body for Anthropic, and the betas it asks for in the body rather than the header. */
interface MessagesUpstream {
  body: string | Buffer
  betas: string[]
}

/**
 * Models that take `role: "system"` turns inside `messages` ("mid-conversation system messages", Claude Opus 4.8
 * only: https://platform.claude.com/docs/en/build-with-claude/mid-conversation-system-messages). Every other model
 * answers such a turn with a 400.
 */
const MID_CONVERSATION_SYSTEM = /^claude-opus-4-8(?:-|$)/

/**
 * A Messages client's own body, as Anthropic takes it: the client's bytes (prompt caching, thinking and its
 * signatures, `context_management`, `metadata` and every other field untouched), except two things clients send that
 * the upstream model would refuse. A `system` turn inside `messages` (Claude Code writes its reminders so for models
 * it believes take them, `auto` and its own default included) stays where it is for a model that takes it, and
 * otherwise joins the top-level `system` blocks, in order. A `betas` list (the SDKs' parameter, which they send as the
 * `anthropic-beta` header) goes to the header.
 */
export function messagesForAnthropic(body: Record<string, unknown>, bodyJson: () => string | Buffer, upstreamModel: string): MessagesUpstream {
  const messages = Array.isArray(body.messages) ? body.messages : []
  const hoist = !MID_CONVERSATION_SYSTEM.test(upstreamModel) && messages.some((message) => isObject(message) && message.role === 'system')
  if (!hoist && body.betas === undefined) return {body: bodyJson(), betas: []}
  const out: Record<string, unknown> = {...body}
  delete out.betas
  if (hoist) {
    const system: Block[] = typeof body.system === 'string' ? [{type: 'text', text: body.system}] : Array.isArray(body.system) ? [...body.system] : []
    out.messages = messages.filter((message) => {
      if (!isObject(message) || message.role !== 'system') return true
      if (typeof message.content === 'string') system.push({type: 'text', text: message.content})
      else if (Array.isArray(message.content)) for (const block of message.content) if (isObject(block) && block.type === 'text') system.push(block)
      return false
    })
    out.system = system.filter((block) => block.text !== '')
  }
  const betas = Array.isArray(body.betas) ? body.betas.filter((beta): beta is string => typeof beta === 'string') : []
  return {body: JSON.stringify(out), betas}
}

/**
 * Anthropic: chat completions, translated both ways, and the Messages API itself for Messages clients (their own
 * body, see `messagesForAnthropic`, with the upstream model id and their `anthropic-beta` header, and the answer
 * relayed as it comes, a stream event by event, see `AnthropicMessagesRelay`). The Responses API goes through
 * `withResponsesBridge`.
 */
export const anthropicAdapter = {
  supports: (endpoint: Endpoint) => endpoint === 'chat.completions' || endpoint === 'messages',

  buildRequest(ctx: AdapterRequestContext): UpstreamRequest {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'anthropic-version': ANTHROPIC_VERSION,
    }
    if (ctx.credential.token) headers['x-api-key'] = ctx.credential.token
    if (ctx.stream) headers.accept = 'text/event-stream'
    let body: string | Buffer
    if (ctx.endpoint === 'messages') {
      const upstream = messagesForAnthropic(ctx.body, ctx.bodyJson, ctx.upstreamModel)
      const betas = ctx.anthropicBeta === undefined ? upstream.betas : [ctx.anthropicBeta, ...upstream.betas]
      if (betas.length > 0) headers['anthropic-beta'] = betas.join(',')
      body = upstream.body
    } else body = JSON.stringify(toAnthropicBody(ctx.body, ctx.upstreamModel, ctx.stream))
    withAccountHeaders(headers, ctx.account)
    return {url: join(ctx.account.base_url, '/messages'), method: 'POST', headers, body, upstreamStreams: false}
  },

  translateResponse(status: number, text: string, ctx: AdapterRequestContext): TranslatedResponse | undefined {
    if (ctx.endpoint === 'messages') return undefined
    if (status >= 400) return translateAnthropicError(status, text)
    const message = tryParseJson(text)
    if (!isObject(message)) throw new AdapterError('Anthropic answered with a body that is not JSON', 502, 'upstream_error')
    if (message.type === 'error') throw streamError(message)
    return {status, body: fromAnthropicMessage(message, ctx.upstreamModel)}
  },

  translateError: translateAnthropicError,

  createStreamTranslator(ctx: AdapterRequestContext): StreamTranslator {
    if (ctx.endpoint === 'messages') return new AnthropicMessagesRelay()
    return new AnthropicStreamTranslator(ctx.upstreamModel, wantsStreamUsage(ctx.body))
  },
} satisfies ProviderAdapter
