/**
 * Anthropic's Messages API (https://docs.anthropic.com/en/api/messages): the `message` object and the streamed events
 * exactly as Anthropic sends them (https://docs.anthropic.com/en/docs/build-with-claude/streaming): `message_start`,
 * `content_block_start`, `ping`, `content_block_delta`, `content_block_stop`, `message_delta`, `message_stop`;
 * `error` on failure. Where gateways break, it does what Anthropic does:
 * - with `thinking` on (`enabled` or `adaptive`), the answer starts with a thinking block and its signature
 *   (`thinking_delta` events, then one `signature_delta`), and a thinking block sent back with a signature it did not
 *   make is a 400, as is, with manual thinking (`enabled`), a tool loop whose last assistant turn lost its thinking
 *   block (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking; adaptive thinking lets that turn
 *   start with the tool call, and Claude Code sends it so);
 * - usage carries `cache_read_input_tokens` / `cache_creation_input_tokens` for the prompt up to a `cache_control`
 *   breakpoint (see `prompt-cache.ts`), in `message_start` and again, cumulative, in `message_delta`;
 * - a tool call without arguments starts with `input: {}` and sends one `input_json_delta` whose `partial_json` is
 *   empty;
 * - a `system` turn inside `messages` is taken only by Claude Opus 4.8, and only where the placement rules allow it
 *   (https://platform.claude.com/docs/en/build-with-claude/mid-conversation-system-messages); every other model
 *   refuses it.
 */
import {createHmac} from 'node:crypto'

import {
  chunkFrame,
  controlFrame,
  json,
  type Answer,
  type Frame,
  type HandlerContext,
  type StreamAnswer,
} from '../answer.js'
import {isObject} from '../../core/is-object.js'
import {formatSse} from '../../core/sse.js'
import type {AnthropicCacheUsage} from '../prompt-cache.js'
import {contentText, makeReply, type Prompt, type Reply, type ToolSpec} from '../reply.js'
import {errorBody, invalidRequest} from './errors.js'
import {positiveInt} from './openai.js'

/** What signs the simulator's thinking blocks (every simulator, so that a conversation may move between them). */
const SIGNING_KEY = 'open-llm-router-sim'

/** The signature of a thinking text, long and opaque like Anthropic's. */
export function thinkingSignature(thinking: string): string {
  const mac = createHmac('sha256', SIGNING_KEY).update(thinking).digest()
  return Buffer.concat([mac, mac, mac]).toString('base64')
}

/** `POST /v1/messages`, streaming or not. */
export function messages(ctx: HandlerContext): Answer {
  const parsed = parseMessages(ctx)
  if ('type' in parsed) return parsed
  const {prompt, stream, cachePrefix} = parsed
  const reply = makeReply(prompt, ctx.settings, ctx.toolCall)
  const preamble = reply.toolCall
    ? `[sim:${ctx.settings.name} model=${prompt.model}] Calling ${reply.toolCall.name}.`
    : ''
  const thinking = parsed.thinking ? thinkingText(prompt, reply) : ''
  const outputTokens = reply.outputTokens + (preamble ? 1 : 0) + Math.ceil(thinking.length / 4)
  const p: AnswerParams = {
    id: ctx.nextId('msg_'),
    toolId: ctx.nextId('toolu_'),
    model: prompt.model,
    reply,
    preamble,
    thinking,
    usage: usage(reply.inputTokens, ctx.cache.anthropic(prompt.model, cachePrefix), outputTokens),
  }
  if (stream) return messagesStream(p)
  const content: unknown[] = []
  if (p.thinking) content.push({type: 'thinking', thinking: p.thinking, signature: thinkingSignature(p.thinking)})
  if (reply.toolCall) {
    content.push(
      {type: 'text', text: p.preamble},
      {type: 'tool_use', id: p.toolId, name: reply.toolCall.name, input: JSON.parse(reply.toolCall.arguments)},
    )
  } else content.push({type: 'text', text: reply.text})
  return json(
    200,
    {
      id: p.id,
      type: 'message',
      role: 'assistant',
      model: prompt.model,
      content,
      stop_reason: stopReason(reply),
      stop_sequence: null,
      usage: p.usage,
    },
    outputTokens,
  )
}

/** `GET /v1/models` in Anthropic's list shape. */
export function anthropicModels(ctx: HandlerContext): Answer {
  const {models} = ctx.settings
  const data = models.map((id) => ({type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z'}))
  return json(200, {data, has_more: false, first_id: models[0] ?? null, last_id: models.at(-1) ?? null})
}

/** `POST /v1/messages/count_tokens`. */
export function countTokens(ctx: HandlerContext): Answer {
  const parsed = parseMessages(ctx, false)
  if ('type' in parsed) return parsed
  return json(200, {input_tokens: Math.max(1, Math.ceil(parsed.prompt.promptChars / 4))})
}

interface AnswerParams {
  id: string
  toolId: string
  model: string
  reply: Reply
  /** The text before a tool call ("Calling …"). */
  preamble: string
  /** The thinking block's text ('' without thinking). */
  thinking: string
  usage: Record<string, unknown>
}

/** The model's visible thinking: what it is about to do. */
function thinkingText(prompt: Prompt, reply: Reply): string {
  if (reply.toolCall)
    return `The request needs ${reply.toolCall.name}. I will call it with ${reply.toolCall.arguments}.`
  if (prompt.lastIsToolResult) return 'The tool answered. I will report what it returned.'
  return `The user wrote ${JSON.stringify(prompt.lastUserText.slice(0, 40))}. A short answer will do.`
}

function messagesStream(p: AnswerParams): StreamAnswer {
  const frames: Frame[] = []
  const event = (type: string, fields: Record<string, unknown>, chunk = false): void => {
    frames.push((chunk ? chunkFrame : controlFrame)({type, ...fields}, type))
  }
  event('message_start', {
    message: {
      id: p.id,
      type: 'message',
      role: 'assistant',
      model: p.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {...p.usage, output_tokens: 1},
    },
  })
  let index = 0
  const block = (start: Record<string, unknown>, deltas: Array<Record<string, unknown>>): void => {
    event('content_block_start', {index, content_block: start})
    if (index === 0) event('ping', {})
    for (const delta of deltas) event('content_block_delta', {index, delta}, delta.type !== 'signature_delta')
    event('content_block_stop', {index})
    index++
  }
  if (p.thinking) {
    const pieces = p.thinking.split(/(?<=\. )/).map((thinking) => ({type: 'thinking_delta', thinking}))
    block({type: 'thinking', thinking: '', signature: ''}, [
      ...pieces,
      {type: 'signature_delta', signature: thinkingSignature(p.thinking)},
    ])
  }
  const {toolCall} = p.reply
  const textPieces = toolCall ? [p.preamble] : p.reply.pieces
  block(
    {type: 'text', text: ''},
    textPieces.map((text) => ({type: 'text_delta', text})),
  )
  if (toolCall) {
    // A call without arguments: `input: {}`, then one empty fragment (what Anthropic streams for it).
    const fragments = toolCall.arguments === '{}' ? [''] : toolCall.argumentPieces
    block(
      {type: 'tool_use', id: p.toolId, name: toolCall.name, input: {}},
      fragments.map((partial_json) => ({type: 'input_json_delta', partial_json})),
    )
  }
  event('message_delta', {delta: {stop_reason: stopReason(p.reply), stop_sequence: null}, usage: p.usage})
  event('message_stop', {})
  return {
    type: 'stream',
    frames,
    failure: () => formatSse(JSON.stringify(errorBody('anthropic', 529)), 'error'),
  }
}

function stopReason(reply: Reply): string {
  return reply.finish === 'tool' ? 'tool_use' : reply.finish === 'length' ? 'max_tokens' : 'end_turn'
}

/** Anthropic's usage: `input_tokens` excludes what was read from or written to the cache. */
function usage(prompt: number, cache: AnthropicCacheUsage, output: number): Record<string, unknown> {
  const cached = Math.min(prompt, cache.read + cache.write)
  const write = cached - Math.min(cache.read, cached)
  return {
    input_tokens: prompt - cached,
    cache_creation_input_tokens: write,
    cache_read_input_tokens: cached - write,
    cache_creation: {ephemeral_5m_input_tokens: write, ephemeral_1h_input_tokens: 0},
    output_tokens: output,
    service_tier: 'standard',
  }
}

interface ParsedMessages {
  prompt: Prompt
  stream: boolean
  thinking: boolean
  /** The prompt up to its last `cache_control` breakpoint ('' without one). */
  cachePrefix: string
}

function parseMessages(ctx: HandlerContext, needMaxTokens = true): ParsedMessages | Answer {
  const body = ctx.body
  const invalid = (message: string) => withRequestId(invalidRequest('anthropic', message), ctx.requestId)
  if (!isObject(body)) return invalid('The request body must be a JSON object.')
  if (typeof body.model !== 'string' || body.model === '') return invalid('model: Field required')
  if (needMaxTokens && positiveInt(body.max_tokens) === undefined) return invalid('max_tokens: Field required')
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return invalid('messages: at least one message is required')
  const thinking = isObject(body.thinking) && (body.thinking.type === 'enabled' || body.thinking.type === 'adaptive')
  const systemTurns = /^claude-opus-4-8(?:-|$)/.test(body.model)
  // The prompt in cache order (tools, system, messages), and where its last breakpoint ends.
  const prompt = new PromptText()
  if (Array.isArray(body.tools)) for (const tool of body.tools) prompt.add(JSON.stringify(tool), tool)
  if (typeof body.system === 'string') prompt.add(body.system)
  else if (Array.isArray(body.system)) for (const block of body.system) prompt.add(contentText([block]), block)
  let lastUserText = ''
  let toolResultText: string | undefined
  let lastAssistant = -1
  for (const [i, message] of (body.messages as unknown[]).entries()) {
    if (!isObject(message)) continue
    if (message.role === 'system') {
      if (!systemTurns) return invalid(`messages.${i}: role 'system' is not supported on this model`)
      const misplaced = misplacedSystemTurn(body.messages as unknown[], i)
      if (misplaced) return invalid(`messages.${i}: ${misplaced}`)
      prompt.add(contentText(message.content), message)
      continue
    }
    if (message.role !== 'user' && message.role !== 'assistant') {
      return invalid(
        `messages: Unexpected role "${String(message.role)}". Allowed roles are "user" or "assistant". For instructions or system prompts, use the top-level \`system\` parameter.`,
      )
    }
    const blocks = Array.isArray(message.content) ? (message.content as unknown[]) : [message.content]
    for (const [j, block] of blocks.entries()) {
      prompt.add(typeof block === 'string' ? block : contentText([block]) || JSON.stringify(block), block)
      if (
        isObject(block) &&
        block.type === 'thinking' &&
        block.signature !== thinkingSignature(String(block.thinking ?? ''))
      ) {
        return invalid(`messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`)
      }
    }
    if (message.role === 'user') {
      const results = blocks.filter((block) => isObject(block) && block.type === 'tool_result')
      toolResultText = results.length > 0 ? results.map((block) => contentText([block])).join('\n') : undefined
      if (toolResultText === undefined) lastUserText = contentText(message.content)
    } else {
      lastAssistant = i
      toolResultText = undefined
    }
  }
  if (isObject(body.thinking) && body.thinking.type === 'enabled' && lastAssistant >= 0) {
    const turn = body.messages[lastAssistant] as Record<string, any>
    const first = Array.isArray(turn.content) ? turn.content[0] : undefined
    const usesTools =
      Array.isArray(turn.content) && turn.content.some((block: unknown) => isObject(block) && block.type === 'tool_use')
    if (usesTools && !(isObject(first) && (first.type === 'thinking' || first.type === 'redacted_thinking'))) {
      return invalid(
        `messages.${lastAssistant}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${isObject(first) ? String(first.type) : 'text'}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking`,
      )
    }
  }
  const tools: ToolSpec[] = Array.isArray(body.tools)
    ? body.tools
        .filter((tool: unknown) => isObject(tool) && typeof tool.name === 'string')
        .map((tool: any) => ({name: tool.name, parameters: tool.input_schema}))
    : []
  const choice = isObject(body.tool_choice) ? body.tool_choice : undefined
  const toolChoice: Prompt['toolChoice'] =
    choice?.type === 'any'
      ? 'required'
      : choice?.type === 'none'
        ? 'none'
        : choice?.type === 'tool' && typeof choice.name === 'string'
          ? {name: choice.name}
          : 'auto'
  return {
    prompt: {
      model: body.model,
      lastUserText,
      promptChars: prompt.text.length,
      maxTokens: positiveInt(body.max_tokens),
      tools,
      toolChoice,
      lastIsToolResult: toolResultText !== undefined,
      toolResultText,
    },
    stream: body.stream === true,
    thinking,
    cachePrefix: prompt.cachePrefix(),
  }
}

/**
 * What is wrong with the place of the system turn at `i`, if anything: it cannot come first, must follow a user turn,
 * must end the list or come before an assistant turn, and cannot follow another system turn.
 */
function misplacedSystemTurn(messages: unknown[], i: number): string | undefined {
  const role = (index: number) =>
    isObject(messages[index]) ? (messages[index] as Record<string, unknown>).role : undefined
  if (i === 0) return 'a system message cannot be the first message; use the top-level `system` parameter'
  if (role(i - 1) !== 'user') return 'a system message must immediately follow a user message'
  if (i < messages.length - 1 && role(i + 1) !== 'assistant')
    return 'a system message must be the last message or be followed by an assistant message'
  return undefined
}

/** The prompt's text in order, remembering where the last `cache_control` breakpoint ends. */
class PromptText {
  text = ''
  private breakpoint = 0

  add(text: string, block?: unknown): void {
    this.text += text
    if (isObject(block) && block.cache_control !== undefined) this.breakpoint = this.text.length
  }

  cachePrefix(): string {
    return this.text.slice(0, this.breakpoint)
  }
}

/** Anthropic repeats the request id in its error bodies. */
function withRequestId<T extends Answer>(answer: T, requestId: string): T {
  if (answer.type === 'json' && isObject(answer.body) && answer.body.type === 'error')
    answer.body.request_id = requestId
  return answer
}
