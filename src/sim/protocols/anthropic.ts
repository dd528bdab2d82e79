/**
 * Anthropic's Messages API (https://docs.anthropic.com/en/api/messages): the `message` object with text and
 * `tool_use` blocks, and the streamed events exactly as Anthropic sends them (`message_start`, `content_block_start`,
 * `ping`, `content_block_delta`, `content_block_stop`, `message_delta`, `message_stop`; `error` on failure).
 */
import {chunkFrame, controlFrame, json, type Answer, type Frame, type HandlerContext, type StreamAnswer} from '../answer.js'
import {formatSse} from '../../core/sse.js'
import {contentText, isObject, makeReply, type Prompt, type Reply, type ToolSpec} from '../reply.js'
import {errorBody, invalidRequest} from './errors.js'
import {positiveInt} from './openai.js'

/** `POST /v1/messages`, streaming or not. */
export function messages(ctx: HandlerContext): Answer {
  const parsed = parseMessages(ctx)
  if ('type' in parsed) return parsed
  const {prompt, stream} = parsed
  const reply = makeReply(prompt, ctx.settings)
  const id = ctx.nextId('msg_')
  const toolId = ctx.nextId('toolu_')
  const preamble = reply.toolCall ? `[sim:${ctx.settings.name} model=${prompt.model}] Calling ${reply.toolCall.name}.` : ''
  const outputTokens = reply.outputTokens + (preamble ? 1 : 0)
  if (stream) return messagesStream({id, toolId, model: prompt.model, reply, preamble, outputTokens})
  const content: unknown[] = reply.toolCall
    ? [
        {type: 'text', text: preamble},
        {type: 'tool_use', id: toolId, name: reply.toolCall.name, input: JSON.parse(reply.toolCall.arguments)},
      ]
    : [{type: 'text', text: reply.text}]
  return json(
    200,
    {
      id,
      type: 'message',
      role: 'assistant',
      model: prompt.model,
      content,
      stop_reason: stopReason(reply),
      stop_sequence: null,
      usage: usage(reply.inputTokens, outputTokens),
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

interface StreamParams {
  id: string
  toolId: string
  model: string
  reply: Reply
  preamble: string
  outputTokens: number
}

function messagesStream(p: StreamParams): StreamAnswer {
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
      usage: usage(p.reply.inputTokens, 1),
    },
  })
  event('content_block_start', {index: 0, content_block: {type: 'text', text: ''}})
  event('ping', {})
  const textPieces = p.reply.toolCall ? [p.preamble] : p.reply.pieces
  for (const text of textPieces) event('content_block_delta', {index: 0, delta: {type: 'text_delta', text}}, true)
  event('content_block_stop', {index: 0})
  if (p.reply.toolCall) {
    const {name, argumentPieces} = p.reply.toolCall
    event('content_block_start', {index: 1, content_block: {type: 'tool_use', id: p.toolId, name, input: {}}})
    for (const partial_json of argumentPieces) {
      event('content_block_delta', {index: 1, delta: {type: 'input_json_delta', partial_json}}, true)
    }
    event('content_block_stop', {index: 1})
  }
  event('message_delta', {delta: {stop_reason: stopReason(p.reply), stop_sequence: null}, usage: {output_tokens: p.outputTokens}})
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

function usage(input: number, output: number): Record<string, unknown> {
  return {input_tokens: input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: output}
}

function parseMessages(ctx: HandlerContext, needMaxTokens = true): {prompt: Prompt; stream: boolean} | Answer {
  const body = ctx.body
  if (!isObject(body)) return invalidRequest('anthropic', 'The request body must be a JSON object.')
  if (typeof body.model !== 'string' || body.model === '') return invalidRequest('anthropic', 'model: Field required')
  if (needMaxTokens && positiveInt(body.max_tokens) === undefined) return invalidRequest('anthropic', 'max_tokens: Field required')
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return invalidRequest('anthropic', 'messages: at least one message is required')
  }
  let promptChars = contentText(body.system).length
  let lastUserText = ''
  let lastIsToolResult = false
  for (const message of body.messages as unknown[]) {
    if (!isObject(message)) continue
    if (message.role !== 'user' && message.role !== 'assistant') {
      return invalidRequest('anthropic', `messages: unexpected role "${String(message.role)}"; use "user" or "assistant"`)
    }
    const text = contentText(message.content)
    promptChars += text.length
    if (message.role === 'user') {
      lastUserText = text
      lastIsToolResult = Array.isArray(message.content) && message.content.some((block) => isObject(block) && block.type === 'tool_result')
    } else lastIsToolResult = false
  }
  const tools: ToolSpec[] = Array.isArray(body.tools)
    ? body.tools.filter((tool: unknown) => isObject(tool) && typeof tool.name === 'string').map((tool: any) => ({name: tool.name, parameters: tool.input_schema}))
    : []
  const choice = isObject(body.tool_choice) ? body.tool_choice : undefined
  const toolChoice: Prompt['toolChoice'] =
    choice?.type === 'any' ? 'required' : choice?.type === 'none' ? 'none' : choice?.type === 'tool' && typeof choice.name === 'string' ? {name: choice.name} : 'auto'
  return {
    prompt: {model: body.model, lastUserText, promptChars, maxTokens: positiveInt(body.max_tokens), tools, toolChoice, lastIsToolResult},
    stream: body.stream === true,
  }
}
