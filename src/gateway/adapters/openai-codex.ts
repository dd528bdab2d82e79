/**
 * The ChatGPT backend that Codex uses (base `https://chatgpt.com/backend-api`), for ChatGPT subscriptions signed in
 * by OAuth. Upstream there is one endpoint, `POST {base}/codex/responses`, speaking the Responses API and only as a
 * stream (`stream: true`, `store: false` are mandatory). So:
 * - a chat completion is translated into a Responses request, and the Responses SSE back into chat chunks (streaming
 *   client) or one assembled `chat.completion` (non-streaming client);
 * - a Responses request is forwarded with `stream: true`, `store: false`; its SSE is relayed to a streaming client,
 *   and a non-streaming client gets the final `response` object.
 *
 * `response.failed` and `error` events become an `AdapterError` with the upstream's message, never a truncated
 * success. `response.incomplete` is an honest, complete answer (the model stopped at a limit or a content filter):
 * chat clients get `finish_reason: length` or `content_filter`, Responses clients the `incomplete` response as the
 * OpenAI API itself returns it.
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
  contentText,
  imageUrlOf,
  isObject,
  normaliseErrorBody,
  nowSeconds,
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

/**
 * `originator` identifies the calling client to the ChatGPT backend, which serves Codex models on a ChatGPT plan to
 * first-party Codex clients; `codex_cli_rs` is the Codex CLI's own value, and matches the OAuth client id that
 * `provider login --kind chatgpt` signs in with. Requests with an unknown originator are not guaranteed to be served.
 */
export const CODEX_ORIGINATOR = 'codex_cli_rs'

/**
 * Request fields the backend rejects ("Unsupported parameter"): it serves only reasoning models and sets the output
 * limit itself, so `max_output_tokens` (and chat's `max_tokens`/`max_completion_tokens`), `temperature` and `top_p`
 * are dropped rather than forwarded into a certain 400. A client's limit is therefore not enforced for this provider.
 */
export const CODEX_REJECTED_FIELDS: readonly string[] = [
  'max_output_tokens',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
]

// A bare `https://chatgpt.com` means the backend API root.
const join = urlJoiner('/backend-api')

type Item = Record<string, unknown>

function badRequest(message: string, param: string | null = null): AdapterError {
  return new AdapterError(message, 400, 'invalid_request_error', param)
}

// ---------------------------------------------------------------------------------------------------------------
// Chat completions → Responses request

function userParts(content: unknown): Item[] {
  if (typeof content === 'string') return [{type: 'input_text', text: content}]
  if (!Array.isArray(content)) return []
  const parts: Item[] = []
  for (const part of content) {
    if (typeof part === 'string') {
      parts.push({type: 'input_text', text: part})
      continue
    }
    if (!isObject(part)) continue
    switch (part.type) {
      case 'text':
        if (typeof part.text === 'string') parts.push({type: 'input_text', text: part.text})
        break
      case 'image_url': {
        const image = imageUrlOf(part)
        if (image !== null) parts.push({type: 'input_image', image_url: image.url, detail: image.detail ?? 'auto'})
        break
      }
      case 'file': {
        const file = isObject(part.file) ? part.file : {}
        const out: Item = {type: 'input_file'}
        if (typeof file.file_id === 'string') out.file_id = file.file_id
        if (typeof file.file_data === 'string') out.file_data = file.file_data
        if (typeof file.filename === 'string') out.filename = file.filename
        parts.push(out)
        break
      }
      default:
        throw badRequest(`content parts of type ${JSON.stringify(part.type)} are not supported by the ChatGPT backend`, 'messages')
    }
  }
  return parts
}

function assistantItems(message: Record<string, unknown>, into: Item[]): void {
  const text = contentText(message.content) || (typeof message.refusal === 'string' ? message.refusal : '')
  if (text !== '') into.push({type: 'message', role: 'assistant', content: [{type: 'output_text', text}]})
  if (!Array.isArray(message.tool_calls)) return
  for (const call of message.tool_calls) {
    if (!isObject(call) || !isObject(call.function)) continue
    const args = call.function.arguments
    into.push({
      type: 'function_call',
      call_id: String(call.id ?? ''),
      name: String(call.function.name ?? ''),
      arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
    })
  }
}

function translateTools(tools: unknown): Item[] | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined
  return tools.map((tool) => {
    if (!isObject(tool) || tool.type !== 'function' || !isObject(tool.function)) {
      throw badRequest('only tools of type "function" can be translated for the ChatGPT backend', 'tools')
    }
    const fn = tool.function
    const out: Item = {
      type: 'function',
      name: fn.name,
      parameters: isObject(fn.parameters) ? fn.parameters : {type: 'object', properties: {}},
      // Responses functions are strict unless told otherwise, chat functions are not: keep chat's meaning.
      strict: fn.strict === true,
    }
    if (typeof fn.description === 'string') out.description = fn.description
    return out
  })
}

function translateToolChoice(choice: unknown): unknown {
  if (choice === 'auto' || choice === 'none' || choice === 'required') return choice
  if (isObject(choice) && isObject(choice.function) && typeof choice.function.name === 'string') {
    return {type: 'function', name: choice.function.name}
  }
  return undefined
}

function translateTextOptions(body: Record<string, unknown>): Item | undefined {
  let text: Item | undefined
  const format = body.response_format
  if (isObject(format)) {
    if (format.type === 'json_object') text = {format: {type: 'json_object'}}
    else if (format.type === 'json_schema' && isObject(format.json_schema)) {
      // Chat nests the schema under `json_schema`; Responses flattens it into `text.format`.
      text = {format: {type: 'json_schema', ...format.json_schema}}
    }
  }
  if (typeof body.verbosity === 'string') {
    text ??= {}
    text.verbosity = body.verbosity
  }
  return text
}

/** Builds the Responses request body for an OpenAI chat completion body. */
export function toCodexResponsesBody(body: Record<string, unknown>, model: string): Record<string, unknown> {
  const messages = body.messages
  if (!Array.isArray(messages) || messages.length === 0) throw badRequest('messages must be a non-empty array', 'messages')
  const instructions: string[] = []
  const input: Item[] = []
  for (const message of messages) {
    if (!isObject(message)) throw badRequest('each message must be an object', 'messages')
    switch (message.role) {
      case 'system':
      case 'developer': {
        const text = contentText(message.content)
        if (text !== '') instructions.push(text)
        break
      }
      case 'user':
        input.push({type: 'message', role: 'user', content: userParts(message.content)})
        break
      case 'assistant':
        assistantItems(message, input)
        break
      case 'tool':
        input.push({
          type: 'function_call_output',
          call_id: String(message.tool_call_id ?? ''),
          output: contentText(message.content),
        })
        break
      default:
        throw badRequest(`messages with role ${JSON.stringify(message.role)} are not supported by the ChatGPT backend`, 'messages')
    }
  }
  const out: Record<string, unknown> = {
    model,
    // The backend requires `instructions` to be present, even when the conversation has no system prompt.
    instructions: instructions.join('\n\n'),
    input,
    store: false,
    stream: true,
    // A reasoning summary is what chat clients see as `reasoning_content`.
    reasoning: typeof body.reasoning_effort === 'string' ? {effort: body.reasoning_effort, summary: 'auto'} : {summary: 'auto'},
  }
  const tools = translateTools(body.tools)
  if (tools !== undefined) {
    out.tools = tools
    const choice = translateToolChoice(body.tool_choice)
    if (choice !== undefined) out.tool_choice = choice
    if (typeof body.parallel_tool_calls === 'boolean') out.parallel_tool_calls = body.parallel_tool_calls
  }
  const text = translateTextOptions(body)
  if (text !== undefined) out.text = text
  if (typeof body.prompt_cache_key === 'string') out.prompt_cache_key = body.prompt_cache_key
  // `stop`, `n`, `logprobs`, `seed` and the penalties have no Responses equivalent and are not carried over.
  return out
}

/** A Responses request body made fit for the backend: streamed, not stored, without the fields it rejects. */
export function toCodexPassthroughBody(body: Record<string, unknown>, model: string): Record<string, unknown> {
  const out: Record<string, unknown> = {...body, model, stream: true, store: false}
  for (const field of CODEX_REJECTED_FIELDS) delete out[field]
  return out
}

// ---------------------------------------------------------------------------------------------------------------
// Responses SSE → chat completions

/** Receives what a Responses stream means for a chat client. */
interface ChatSink {
  start(id: string, created: number, model: string): void
  content(text: string): void
  reasoning(text: string): void
  toolStart(index: number, id: string, name: string): void
  toolArguments(index: number, fragment: string): void
  finish(reason: FinishReason, usage: ChatUsage | undefined): void
}

/** OpenAI's HTTP status for a Responses error code. */
function statusOfCode(code: unknown): number {
  switch (code) {
    case 'rate_limit_exceeded':
    case 'usage_limit_reached':
    case 'insufficient_quota':
      return 429
    case 'invalid_prompt':
    case 'context_length_exceeded':
    case 'invalid_request_error':
      return 400
    case 'server_is_overloaded':
    case 'slow_down':
      return 503
    default:
      return 502
  }
}

function failure(message: unknown, code: unknown, fallback: string): AdapterError {
  const text = typeof message === 'string' && message !== '' ? message : fallback
  const codeText = typeof code === 'string' ? code : null
  return new AdapterError(text, statusOfCode(code), 'upstream_error', codeText)
}

/** The `AdapterError` for a `response.failed` or `error` event. */
function eventFailure(type: unknown, data: Record<string, unknown>): AdapterError {
  if (type === 'response.failed') {
    const response = isObject(data.response) ? data.response : {}
    const error = isObject(response.error) ? response.error : {}
    return failure(error.message, error.code, 'the ChatGPT backend reported response.failed')
  }
  const error = isObject(data.error) ? data.error : data
  return failure(error.message, error.code ?? error.type, 'the ChatGPT backend reported an error in the stream')
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
class ResponsesToChat {
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
        if (tool !== undefined && typeof data.delta === 'string' && data.delta !== '') this.toolArguments(tool, data.delta)
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

function truncated(): AdapterError {
  return new AdapterError(
    'the ChatGPT backend stream ended before response.completed (truncated answer)',
    502,
    'upstream_error',
    'stream_truncated',
  )
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

// ---------------------------------------------------------------------------------------------------------------
// Responses SSE → Responses (relayed or collected)

const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete'])

/** Checks one Responses event: throws on a failure, returns the terminal response object if it is one. */
function inspectResponsesEvent(event: SseEvent): {data: Record<string, unknown>; type: unknown} | undefined {
  const data = tryParseJson(event.data)
  if (!isObject(data)) return undefined
  const type = data.type ?? event.event
  if (type === 'response.failed' || type === 'error') throw eventFailure(type, data)
  return {data, type}
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

/** The final `response` object of a whole Responses SSE text, for a non-streaming client. */
export function responseFromCodexSse(text: string): Record<string, unknown> {
  const parser = new SseParser()
  const items: Item[] = []
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
        return {...response, output: items.filter((item) => item !== undefined)}
      }
      return response
    }
  }
  throw truncated()
}

// ---------------------------------------------------------------------------------------------------------------
// Errors

function humanDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`
  const minutes = Math.round(seconds / 60)
  if (minutes < 90) return `${minutes} min`
  const hours = Math.floor(minutes / 60)
  return `${hours} h ${minutes % 60} min`
}

/**
 * Backend errors → OpenAI's shape. The backend answers OpenAI-style `{"error": {...}}` bodies or `{"detail": …}`;
 * a ChatGPT plan's usage limit (429, `usage_limit_reached`) says when it resets, which the message keeps.
 */
export function translateCodexError(status: number, text: string): TranslatedResponse {
  const body = normaliseErrorBody(status, text)
  const parsed = tryParseJson(text)
  if (isObject(parsed) && isObject(parsed.error)) {
    const {type, resets_in_seconds: resetsIn} = parsed.error
    if (typeof type === 'string' && body.error.code === null) body.error.code = type
    if (typeof resetsIn === 'number' && resetsIn > 0) body.error.message += ` (resets in ${humanDuration(resetsIn)})`
  }
  return {status, body}
}

// ---------------------------------------------------------------------------------------------------------------
// The adapter

/** ChatGPT backend: chat completions (translated) and Responses (forwarded). */
export const openaiCodexAdapter = {
  supports: (endpoint: Endpoint) => endpoint === 'chat.completions' || endpoint === 'responses',

  buildRequest(ctx: AdapterRequestContext): UpstreamRequest {
    const {account, credential} = ctx
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      'openai-beta': 'responses=experimental',
      originator: CODEX_ORIGINATOR,
    }
    if (credential.token) headers.authorization = `Bearer ${credential.token}`
    if (credential.accountId) headers['chatgpt-account-id'] = credential.accountId
    withAccountHeaders(headers, account)
    let body: Record<string, unknown>
    if (ctx.endpoint === 'chat.completions') body = toCodexResponsesBody(ctx.body, ctx.upstreamModel)
    else if (ctx.endpoint === 'responses') body = toCodexPassthroughBody(ctx.body, ctx.upstreamModel)
    else throw badRequest(`the ChatGPT backend serves chat completions and responses, not ${ctx.endpoint}`)
    return {
      url: join(account.base_url, '/codex/responses'),
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      upstreamStreams: true,
    }
  },

  translateResponse(status: number, text: string, ctx: AdapterRequestContext): TranslatedResponse {
    if (status >= 400) return translateCodexError(status, text)
    if (ctx.endpoint === 'responses') return {status, body: responseFromCodexSse(text)}
    return {status, body: chatCompletionFromCodexSse(text, ctx.upstreamModel)}
  },

  translateError: translateCodexError,

  createStreamTranslator(ctx: AdapterRequestContext): StreamTranslator {
    if (ctx.endpoint === 'responses') return new CodexResponsesStreamTranslator()
    return new CodexChatStreamTranslator(ctx.upstreamModel, wantsStreamUsage(ctx.body))
  },
} satisfies ProviderAdapter
