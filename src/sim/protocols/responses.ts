/**
 * The Responses API (https://platform.openai.com/docs/api-reference/responses), shared by OpenAI's
 * `POST /v1/responses` and the ChatGPT backend's `POST /codex/responses`: the Response object and the streamed event
 * sequence (https://platform.openai.com/docs/api-reference/responses-streaming: `response.created` …
 * `response.completed`, each with a `sequence_number`), with message or function-call output items. Like OpenAI, every
 * snapshot of the Response (`response.created`, `response.in_progress`, the final event) echoes the request's
 * `instructions` and `tools`: a coding agent's first event is tens of kilobytes. Usage reports cached input tokens
 * (`input_tokens_details.cached_tokens`, see `prompt-cache.ts`).
 */
import {json, nowSeconds, type Answer, type Frame, type HandlerContext, type StreamAnswer} from '../answer.js'
import {isObject} from '../../core/is-object.js'
import {formatSse} from '../../core/sse.js'
import {contentText, makeReply, type Prompt, type Reply, type ToolSpec} from '../reply.js'
import {invalidRequest} from './errors.js'
import {cachedTokens, openAiToolChoice, positiveInt} from './openai.js'

/** Differences between the public API and the ChatGPT backend. */
export interface ResponsesFlavour {
  dialect: 'openai' | 'codex'
  /** `store` echoed in Response objects (the ChatGPT backend never stores). */
  store: boolean
}

const PUBLIC: ResponsesFlavour = {dialect: 'openai', store: true}

/** `POST /v1/responses`, streaming or not. */
export function responses(ctx: HandlerContext): Answer {
  return answerResponses(ctx, PUBLIC)
}

/** Builds the answer for either flavour (the caller has checked flavour-specific requirements). */
export function answerResponses(ctx: HandlerContext, flavour: ResponsesFlavour): Answer {
  const body = ctx.body
  if (!isObject(body)) return invalidRequest(flavour.dialect, 'The request body must be a JSON object.')
  if (typeof body.model !== 'string' || body.model === '') {
    return invalidRequest(flavour.dialect, "Missing required parameter: 'model'.", 'model')
  }
  if (typeof body.input !== 'string' && !Array.isArray(body.input)) {
    return invalidRequest(flavour.dialect, "Missing required parameter: 'input'.", 'input')
  }
  const prompt = responsesPrompt(body)
  const reply = makeReply(prompt, ctx.settings, ctx.toolCall)
  const cached = cachedTokens(ctx, prompt, reply)
  const ids = {
    response: ctx.nextId('resp_'),
    item: ctx.nextId(reply.toolCall ? 'fc_' : 'msg_'),
    call: ctx.nextId('call_'),
  }
  const shell = responseShell(body, prompt.model, ids.response, flavour)
  if (body.stream === true) return responsesStream(shell, reply, ids, cached)
  const output = [outputItem(reply, ids, 'done')]
  const final = finalResponse(shell, reply, output, cached)
  return json(200, {...final, output_text: reply.text}, reply.outputTokens)
}

type Shell = Record<string, unknown>

/** The Response object's fields that do not change during a stream. */
function responseShell(body: Record<string, any>, model: string, id: string, flavour: ResponsesFlavour): Shell {
  return {
    id,
    object: 'response',
    created_at: nowSeconds(),
    status: 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: typeof body.instructions === 'string' ? body.instructions : null,
    max_output_tokens: positiveInt(body.max_output_tokens) ?? null,
    max_tool_calls: positiveInt(body.max_tool_calls) ?? null,
    model,
    output: [],
    parallel_tool_calls: body.parallel_tool_calls !== false,
    previous_response_id: typeof body.previous_response_id === 'string' ? body.previous_response_id : null,
    prompt_cache_key: typeof body.prompt_cache_key === 'string' ? body.prompt_cache_key : null,
    reasoning: {
      effort: isObject(body.reasoning) ? (body.reasoning.effort ?? null) : null,
      summary: isObject(body.reasoning) ? (body.reasoning.summary ?? null) : null,
    },
    safety_identifier: typeof body.safety_identifier === 'string' ? body.safety_identifier : null,
    service_tier: typeof body.service_tier === 'string' ? body.service_tier : 'auto',
    store: flavour.store,
    temperature: typeof body.temperature === 'number' ? body.temperature : 1,
    text: {
      format: isObject(body.text) && isObject(body.text.format) ? body.text.format : {type: 'text'},
      verbosity: isObject(body.text) && typeof body.text.verbosity === 'string' ? body.text.verbosity : 'medium',
    },
    tool_choice: body.tool_choice ?? 'auto',
    tools: Array.isArray(body.tools) ? body.tools : [],
    top_logprobs: typeof body.top_logprobs === 'number' ? body.top_logprobs : 0,
    top_p: typeof body.top_p === 'number' ? body.top_p : 1,
    truncation: typeof body.truncation === 'string' ? body.truncation : 'disabled',
    usage: null,
    user: typeof body.user === 'string' ? body.user : null,
    metadata: isObject(body.metadata) ? body.metadata : {},
  }
}

function finalResponse(shell: Shell, reply: Reply, output: unknown[], cached: number): Shell {
  const incomplete = reply.finish === 'length'
  return {
    ...shell,
    status: incomplete ? 'incomplete' : 'completed',
    incomplete_details: incomplete ? {reason: 'max_output_tokens'} : null,
    output,
    usage: {
      input_tokens: reply.inputTokens,
      input_tokens_details: {cached_tokens: cached},
      output_tokens: reply.outputTokens,
      output_tokens_details: {reasoning_tokens: 0},
      total_tokens: reply.inputTokens + reply.outputTokens,
    },
  }
}

interface Ids {
  response: string
  item: string
  call: string
}

/** The output item, as first announced (`added`) or finished (`done`). */
function outputItem(reply: Reply, ids: Ids, stage: 'added' | 'done'): Record<string, unknown> {
  const done = stage === 'done'
  if (reply.toolCall) {
    return {
      id: ids.item,
      type: 'function_call',
      status: done ? 'completed' : 'in_progress',
      arguments: done ? reply.toolCall.arguments : '',
      call_id: ids.call,
      name: reply.toolCall.name,
    }
  }
  return {
    id: ids.item,
    type: 'message',
    status: done ? (reply.finish === 'length' ? 'incomplete' : 'completed') : 'in_progress',
    content: done ? [textPart(reply.text)] : [],
    role: 'assistant',
  }
}

function textPart(text: string): Record<string, unknown> {
  return {type: 'output_text', annotations: [], logprobs: [], text}
}

function responsesStream(shell: Shell, reply: Reply, ids: Ids, cached: number): StreamAnswer {
  const frames: Frame[] = []
  const push = (type: string, fields: Record<string, unknown>, chunk = false): void => {
    const text = formatSse(JSON.stringify({type, sequence_number: frames.length, ...fields}), type)
    frames.push({text, chunk})
  }
  push('response.created', {response: shell})
  push('response.in_progress', {response: shell})
  push('response.output_item.added', {output_index: 0, item: outputItem(reply, ids, 'added')})
  if (reply.toolCall) {
    for (const delta of reply.toolCall.argumentPieces) {
      push('response.function_call_arguments.delta', {item_id: ids.item, output_index: 0, delta}, true)
    }
    push('response.function_call_arguments.done', {
      item_id: ids.item,
      output_index: 0,
      name: reply.toolCall.name,
      arguments: reply.toolCall.arguments,
    })
  } else {
    const part = {item_id: ids.item, output_index: 0, content_index: 0}
    push('response.content_part.added', {...part, part: textPart('')})
    for (const delta of reply.pieces) push('response.output_text.delta', {...part, delta, logprobs: []}, true)
    push('response.output_text.done', {...part, text: reply.text, logprobs: []})
    push('response.content_part.done', {...part, part: textPart(reply.text)})
  }
  const item = outputItem(reply, ids, 'done')
  push('response.output_item.done', {output_index: 0, item})
  const final = finalResponse(shell, reply, [item], cached)
  push(final.status === 'incomplete' ? 'response.incomplete' : 'response.completed', {response: final})
  return {
    type: 'stream',
    frames,
    failure: (kind, sent) => (kind === 'response_failed' ? failedFrame(shell, sent) : errorFrame(sent)),
  }
}

const STREAM_ERROR_MESSAGE = 'An error occurred while processing your request.'

function failedFrame(shell: Shell, sequence: number): string {
  const response = {...shell, status: 'failed', error: {code: 'server_error', message: STREAM_ERROR_MESSAGE}}
  return formatSse(JSON.stringify({type: 'response.failed', sequence_number: sequence, response}), 'response.failed')
}

function errorFrame(sequence: number): string {
  const event = {
    type: 'error',
    sequence_number: sequence,
    code: 'server_error',
    message: STREAM_ERROR_MESSAGE,
    param: null,
  }
  return formatSse(JSON.stringify(event), 'error')
}

function responsesPrompt(body: Record<string, any>): Prompt {
  let lastUserText = ''
  let toolResultText: string | undefined
  // The prompt as OpenAI caches it: tools first, then instructions and input in order.
  let text = Array.isArray(body.tools) && body.tools.length > 0 ? JSON.stringify(body.tools) : ''
  if (typeof body.instructions === 'string') text += body.instructions
  if (typeof body.input === 'string') {
    lastUserText = body.input
    text += `\nuser: ${body.input}`
  } else {
    for (const item of body.input as unknown[]) {
      if (!isObject(item)) continue
      const isResult = item.type === 'function_call_output' || item.type === 'custom_tool_call_output'
      const content =
        contentText(item.content) || (typeof item.output === 'string' ? item.output : contentText(item.output))
      text += `\n${String(item.role ?? item.type)}: ${content || (typeof item.arguments === 'string' ? item.arguments : '')}`
      if (item.role === 'user') lastUserText = content
      toolResultText = isResult ? content : item.type === 'reasoning' ? toolResultText : undefined
    }
  }
  const tools: ToolSpec[] = Array.isArray(body.tools)
    ? body.tools
        .filter((tool: unknown) => isObject(tool) && tool.type === 'function' && typeof tool.name === 'string')
        .map((tool: any) => ({name: tool.name, parameters: tool.parameters}))
    : []
  const format = isObject(body.text) && isObject(body.text.format) ? body.text.format : undefined
  return {
    model: body.model,
    lastUserText,
    promptChars: text.length,
    cacheKey: text,
    maxTokens: positiveInt(body.max_output_tokens),
    tools,
    toolChoice: openAiToolChoice(body.tool_choice),
    lastIsToolResult: toolResultText !== undefined,
    toolResultText,
    json: format?.type === 'json_schema' ? {schema: format.schema} : format?.type === 'json_object' ? {} : undefined,
  }
}
