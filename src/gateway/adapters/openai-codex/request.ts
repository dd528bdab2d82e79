/**
 * The body the backend gets: a chat completion translated into a Responses request, or a Responses request made fit
 * for the backend (`stream: true` and `store: false` are mandatory, some fields are rejected).
 */
import {isObject} from '../../../core/is-object.js'
import {contentText, imageUrlOf} from '../shared.js'
import type {AdapterRequestContext} from '../types.js'
import {badRequest} from './errors.js'

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

type Item = Record<string, unknown>

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
        throw badRequest(
          `content parts of type ${JSON.stringify(part.type)} are not supported by the ChatGPT backend`,
          'messages',
        )
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
  if (!Array.isArray(messages) || messages.length === 0)
    throw badRequest('messages must be a non-empty array', 'messages')
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
        throw badRequest(
          `messages with role ${JSON.stringify(message.role)} are not supported by the ChatGPT backend`,
          'messages',
        )
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
    reasoning:
      typeof body.reasoning_effort === 'string' ? {effort: body.reasoning_effort, summary: 'auto'} : {summary: 'auto'},
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
  const out: Record<string, unknown> = Object.assign({}, body, {model, stream: true, store: false})
  for (const field of CODEX_REJECTED_FIELDS) delete out[field]
  return out
}

/** The upstream body of one request; the backend serves chat completions (translated) and Responses only. */
export function codexRequestBody(ctx: AdapterRequestContext): Record<string, unknown> {
  if (ctx.endpoint === 'chat.completions') return toCodexResponsesBody(ctx.body, ctx.upstreamModel)
  if (ctx.endpoint === 'responses') return toCodexPassthroughBody(ctx.body, ctx.upstreamModel)
  throw badRequest(`the ChatGPT backend serves chat completions and responses, not ${ctx.endpoint}`)
}
