/**
 * The body Anthropic gets. A chat completion is rebuilt field by field (an allow-list): Anthropic rejects unknown
 * fields, so an OpenAI-only field that has no Anthropic meaning (`logprobs`, `seed`, `presence_penalty`…) is simply
 * not carried over. A Messages client's own body goes through almost untouched (`messagesForAnthropic`).
 */
import {isObject} from '../../../core/is-object.js'
import {imageUrlOf, parseDataUrl, tryParseJson} from '../shared.js'
import type {AdapterRequestContext} from '../types.js'
import {badRequest} from './errors.js'

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

type Block = Record<string, unknown>
interface Turn {
  role: 'user' | 'assistant'
  content: Block[]
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
    throw badRequest(
      'Anthropic models take files inline: send file.file_data as a base64 data: URL (file_id is OpenAI-only)',
      'messages',
    )
  }
  const block: Block =
    data.mediaType === 'text/plain'
      ? {
          type: 'document',
          source: {type: 'text', media_type: 'text/plain', data: Buffer.from(data.data, 'base64').toString('utf8')},
        }
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
        throw badRequest(
          `content parts of type ${JSON.stringify(part.type)} are not supported by Anthropic models`,
          'messages',
        )
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
  if (!Array.isArray(messages) || messages.length === 0)
    throw badRequest('messages must be a non-empty array', 'messages')
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
        throw badRequest(
          `messages with role ${JSON.stringify(message.role)} are not supported by Anthropic models`,
          'messages',
        )
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
export function toAnthropicBody(
  body: Record<string, unknown>,
  model: string,
  stream: boolean,
): Record<string, unknown> {
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
  if (
    thinking === undefined &&
    typeof effort === 'string' &&
    THINKING_BUDGETS[effort] !== undefined &&
    !NO_THINKING_MODEL.test(model)
  ) {
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

/** A body for Anthropic, and the betas the request asks for (which go to the `anthropic-beta` header). */
interface UpstreamBody {
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
export function messagesForAnthropic(
  body: Record<string, unknown>,
  bodyJson: () => string | Buffer,
  upstreamModel: string,
): UpstreamBody {
  const messages = Array.isArray(body.messages) ? body.messages : []
  const hoist =
    !MID_CONVERSATION_SYSTEM.test(upstreamModel) &&
    messages.some((message) => isObject(message) && message.role === 'system')
  if (!hoist && body.betas === undefined) return {body: bodyJson(), betas: []}
  const out: Record<string, unknown> = {...body}
  delete out.betas
  if (hoist) {
    const system: Block[] =
      typeof body.system === 'string'
        ? [{type: 'text', text: body.system}]
        : Array.isArray(body.system)
          ? [...body.system]
          : []
    out.messages = messages.filter((message) => {
      if (!isObject(message) || message.role !== 'system') return true
      if (typeof message.content === 'string') system.push({type: 'text', text: message.content})
      else if (Array.isArray(message.content))
        for (const block of message.content) if (isObject(block) && block.type === 'text') system.push(block)
      return false
    })
    out.system = system.filter((block) => block.text !== '')
  }
  const betas = Array.isArray(body.betas) ? body.betas.filter((beta): beta is string => typeof beta === 'string') : []
  return {body: JSON.stringify(out), betas}
}

/** The upstream body of one request and the betas it asks for (a Messages client's `anthropic-beta` header first). */
export function anthropicRequestBody(ctx: AdapterRequestContext): UpstreamBody {
  if (ctx.endpoint !== 'messages')
    return {body: JSON.stringify(toAnthropicBody(ctx.body, ctx.upstreamModel, ctx.stream)), betas: []}
  const upstream = messagesForAnthropic(ctx.body, ctx.bodyJson, ctx.upstreamModel)
  return {
    body: upstream.body,
    betas: ctx.anthropicBeta === undefined ? upstream.betas : [ctx.anthropicBeta, ...upstream.betas],
  }
}
