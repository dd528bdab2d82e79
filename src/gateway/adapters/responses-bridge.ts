/**
 * The Responses API over chat completions, for providers whose protocol has none (Anthropic, Gemini, GitHub Models).
 * A `/v1/responses` request is rewritten as a chat completion and sent through the provider's own chat adapter; the
 * answer, whole or streamed, comes back as a Response (`response.*` events for a stream). So a Responses client such as
 * Codex CLI can be routed to any provider, and `model: "auto"` keeps every model of the profile.
 *
 * The bridge is stateless, like the gateway: what needs OpenAI's stored state (`previous_response_id`, `conversation`,
 * background mode, item references) and OpenAI's hosted tools (web search, file search, code interpreter…) cannot be
 * expressed, and is refused with a 400 that says so. Function tools, custom (free-form) tools such as Codex CLI's
 * `apply_patch` (sent as a function with one string argument), images, JSON schemas, reasoning effort and output
 * limits are translated.
 */
import {isObject} from '../../core/is-object.js'
import type {ChatUsage} from './chat.js'
import {type ChatBridge, ChatStreamReader, type Json, jsonEvent, newId, withChatBridge} from './chat-bridge.js'
import {nowSeconds} from './shared.js'
import {AdapterError, type ProviderAdapter} from './types.js'

/** A 400 for what chat completions cannot express; `param` names the request field. */
function refuse(message: string, param: string): AdapterError {
  return new AdapterError(
    `${message}. (\`${param}\`: this provider has no Responses API, so the gateway sends the request as a chat completion, which keeps no state.)`,
    400,
    'invalid_request_error',
    'unsupported_parameter',
  )
}

// ---------------------------------------------------------------------------------------------------------------
// Request

/** Responses fields that need OpenAI's stored state or a hosted feature. */
const STATEFUL_FIELDS: ReadonlyArray<[string, string]> = [
  [
    'previous_response_id',
    'previous_response_id needs the response stored by OpenAI: send the whole conversation in `input` instead',
  ],
  [
    'conversation',
    '`conversation` needs a conversation stored by OpenAI: send the whole conversation in `input` instead',
  ],
  ['prompt', 'a stored prompt template (`prompt`) is kept by OpenAI: send its text in `instructions` instead'],
]

/** A chat content part for one Responses input part. */
function chatPart(part: unknown): Json {
  if (!isObject(part)) throw refuse('an input content part must be an object', 'input')
  switch (part.type) {
    case 'input_text':
    case 'output_text':
    case 'text':
      return {type: 'text', text: typeof part.text === 'string' ? part.text : ''}
    case 'refusal':
      return {type: 'text', text: typeof part.refusal === 'string' ? part.refusal : ''}
    case 'input_image': {
      if (typeof part.image_url !== 'string')
        throw refuse(
          'an input_image by file_id refers to a file stored by OpenAI: send it as `image_url` (a URL or a data URL)',
          'input',
        )
      const image: Json = {url: part.image_url}
      if (typeof part.detail === 'string' && part.detail !== 'auto') image.detail = part.detail
      return {type: 'image_url', image_url: image}
    }
    default:
      throw refuse(`input content of type ${JSON.stringify(part.type)} cannot be sent to this provider`, 'input')
  }
}

/** The text of a part list (for roles whose chat content is plain text). */
function partsText(parts: unknown[]): string {
  let text = ''
  for (const part of parts) {
    const converted = chatPart(part)
    if (converted.type !== 'text') throw refuse('only user messages can carry images', 'input')
    text += converted.text as string
  }
  return text
}

function messageOf(item: Json): Json {
  const role = item.role
  if (role !== 'user' && role !== 'assistant' && role !== 'system' && role !== 'developer') {
    throw refuse(`a message role must be user, assistant, system or developer, not ${JSON.stringify(role)}`, 'input')
  }
  const content = item.content
  // `developer` is OpenAI's newer name for `system`; every chat protocol understands `system`.
  const chatRole = role === 'developer' ? 'system' : role
  if (typeof content === 'string') return {role: chatRole, content}
  if (!Array.isArray(content)) throw refuse('a message needs `content`: a string or a list of parts', 'input')
  return {role: chatRole, content: chatRole === 'user' ? content.map(chatPart) : partsText(content)}
}

/** The chat messages of `instructions` and `input`. */
function chatMessages(body: Json, tools: ClientTools): Json[] {
  const messages: Json[] = []
  if (typeof body.instructions === 'string' && body.instructions !== '')
    messages.push({role: 'system', content: body.instructions})
  const input = body.input
  if (typeof input === 'string') {
    messages.push({role: 'user', content: input})
    return messages
  }
  if (!Array.isArray(input)) throw refuse('`input` must be a string or a list of items', 'input')
  // Consecutive function calls are one assistant turn with several tool calls.
  let calls: Json[] | null = null
  for (const item of input) {
    if (!isObject(item)) throw refuse('each `input` item must be an object', 'input')
    const type = item.type ?? 'message'
    if (type === 'function_call' || type === 'custom_tool_call') {
      const args =
        type === 'function_call'
          ? typeof item.arguments === 'string'
            ? item.arguments
            : '{}'
          : JSON.stringify({[CUSTOM_INPUT]: String(item.input ?? '')})
      const call = {
        id: typeof item.call_id === 'string' ? item.call_id : String(item.id ?? ''),
        type: 'function',
        function: {
          name: tools.chatName(
            String(item.name ?? ''),
            typeof item.namespace === 'string' ? item.namespace : undefined,
          ),
          arguments: args,
        },
      }
      if (calls === null) {
        calls = [call]
        // The calls of a turn that also said something belong to that assistant message.
        const last = messages.at(-1)
        if (last !== undefined && last.role === 'assistant' && last.tool_calls === undefined) last.tool_calls = calls
        else messages.push({role: 'assistant', content: null, tool_calls: calls})
      } else calls.push(call)
      continue
    }
    // The model's earlier reasoning: other providers cannot take it back, and the answer does not depend on it.
    if (type === 'reasoning') continue
    calls = null
    if (type === 'message') messages.push(messageOf(item))
    else if (type === 'function_call_output' || type === 'custom_tool_call_output') {
      const output = item.output
      messages.push({
        role: 'tool',
        tool_call_id: String(item.call_id ?? ''),
        content:
          typeof output === 'string'
            ? output
            : Array.isArray(output)
              ? partsText(output)
              : JSON.stringify(output ?? ''),
      })
    } else if (type === 'item_reference') {
      throw refuse('an item_reference points to an item stored by OpenAI: send the item itself', 'input')
    } else {
      throw refuse(
        `input items of type ${JSON.stringify(type)} (a hosted tool's) cannot be sent to this provider`,
        'input',
      )
    }
  }
  return messages
}

/**
 * The arguments of a function call that has none. Some chat providers (and Anthropic, translated) send an empty
 * string; OpenAI sends `{}`, and tool runners that `JSON.parse` the arguments need it.
 */
const NO_ARGUMENTS = '{}'

/** The argument a custom (free-form) tool's text travels in, as a function call. */
const CUSTOM_INPUT = 'input'

/** A tool of the client's, as the chat provider knows it: its name there, and what its calls go back as. */
interface ClientTool {
  /** The name the chat provider sees (see `ClientTools`). */
  chatName: string
  name: string
  /** The `namespace` tool it belongs to, if any. */
  namespace?: string
  /** A custom (free-form) tool: its calls go back as `custom_tool_call` items. */
  custom: boolean
  /** The tool definition (a `function` or `custom` tool). */
  definition: Json
}

/**
 * The request's function and custom tools, flattened for a chat provider. A `namespace` tool groups functions the
 * client runs itself (Codex CLI offers its sub-agent tools so): they are offered by their own names, or
 * `namespace__name` when two share a name, and their calls go back with their `namespace`. Any other tool type runs
 * on OpenAI's servers and is refused.
 */
class ClientTools {
  readonly list: ClientTool[] = []
  private readonly byChatName = new Map<string, ClientTool>()

  constructor(tools: unknown) {
    if (tools === undefined || tools === null) return
    if (!Array.isArray(tools)) throw refuse('`tools` must be a list', 'tools')
    const found: Array<Omit<ClientTool, 'chatName'>> = []
    const add = (tool: unknown, namespace?: string): void => {
      if (isObject(tool) && (tool.type === 'function' || tool.type === 'custom') && typeof tool.name === 'string') {
        found.push({name: tool.name, namespace, custom: tool.type === 'custom', definition: tool})
      } else if (
        namespace === undefined &&
        isObject(tool) &&
        tool.type === 'namespace' &&
        typeof tool.name === 'string' &&
        Array.isArray(tool.tools)
      ) {
        for (const inner of tool.tools) add(inner, tool.name)
      } else {
        const type = isObject(tool) ? tool.type : tool
        throw refuse(
          `the ${JSON.stringify(type)} tool is hosted by OpenAI and only OpenAI serves it; function tools are translated`,
          'tools',
        )
      }
    }
    for (const tool of tools) add(tool)
    const uses = new Map<string, number>()
    for (const tool of found) uses.set(tool.name, (uses.get(tool.name) ?? 0) + 1)
    for (const tool of found) {
      const chatName =
        tool.namespace !== undefined && uses.get(tool.name)! > 1 ? `${tool.namespace}__${tool.name}` : tool.name
      const entry = Object.assign({}, tool, {chatName})
      this.list.push(entry)
      this.byChatName.set(chatName, entry)
    }
  }

  /** The chat provider's name for a tool (of a namespace, or not). */
  chatName(name: string, namespace?: string): string {
    if (namespace === undefined) return name
    return this.list.find((tool) => tool.name === name && tool.namespace === namespace)?.chatName ?? name
  }

  /** The client's tool a chat tool call names (undefined: a name the request did not offer). */
  get(chatName: string): ClientTool | undefined {
    return this.byChatName.get(chatName)
  }
}

/** A custom tool as a function whose one string argument is the free-form input (with its grammar, if any). */
function customAsFunction(tool: Json, name: string): Json {
  const format = isObject(tool.format) ? tool.format : null
  let input = 'The input, as free-form text.'
  if (format !== null && format.type === 'grammar' && typeof format.definition === 'string') {
    input = `The input, as text that follows this ${typeof format.syntax === 'string' ? format.syntax : ''} grammar:\n${format.definition}`
  }
  const fn: Json = {
    name,
    parameters: {
      type: 'object',
      properties: {[CUSTOM_INPUT]: {type: 'string', description: input}},
      required: [CUSTOM_INPUT],
      additionalProperties: false,
    },
  }
  if (typeof tool.description === 'string') fn.description = tool.description
  return {type: 'function', function: fn}
}

/** The free-form input of a custom tool call, from the function arguments it was sent as. */
function customInput(args: string): string {
  try {
    const parsed: unknown = JSON.parse(args)
    if (isObject(parsed) && typeof parsed[CUSTOM_INPUT] === 'string') return parsed[CUSTOM_INPUT]
  } catch {}
  return args
}

function chatTools(tools: ClientTools): Json[] {
  return tools.list.map(({chatName, custom, definition: tool}) => {
    if (custom) return customAsFunction(tool, chatName)
    const fn: Json = {name: chatName}
    if (tool.description !== undefined) fn.description = tool.description
    if (tool.parameters !== undefined && tool.parameters !== null) fn.parameters = tool.parameters
    if (typeof tool.strict === 'boolean') fn.strict = tool.strict
    return {type: 'function', function: fn}
  })
}

function chatToolChoice(choice: unknown): unknown {
  if (choice === undefined || typeof choice === 'string') return choice
  if (isObject(choice) && (choice.type === 'function' || choice.type === 'custom') && typeof choice.name === 'string') {
    return {type: 'function', function: {name: choice.name}}
  }
  throw refuse(
    `tool_choice ${JSON.stringify(choice)} names a hosted tool; use "auto", "none", "required" or a function`,
    'tool_choice',
  )
}

function responseFormat(text: unknown): Json | undefined {
  if (!isObject(text) || !isObject(text.format)) return undefined
  const format = text.format
  if (format.type === 'json_object') return {type: 'json_object'}
  if (format.type === 'json_schema') {
    const schema: Json = {name: format.name ?? 'response', schema: format.schema}
    if (format.description !== undefined) schema.description = format.description
    if (typeof format.strict === 'boolean') schema.strict = format.strict
    return {type: 'json_schema', json_schema: schema}
  }
  return undefined
}

/** The chat completion request for a Responses request body (`model` already the upstream id). */
export function responsesToChatBody(body: Json, stream: boolean): Json {
  for (const [field, message] of STATEFUL_FIELDS) {
    if (body[field] !== undefined && body[field] !== null) throw refuse(message, field)
  }
  if (body.background === true)
    throw refuse(
      'background mode keeps the response at OpenAI to poll later; send the request without `background`',
      'background',
    )
  const clientTools = new ClientTools(body.tools)
  const chat: Json = {model: body.model, messages: chatMessages(body, clientTools)}
  const tools = chatTools(clientTools)
  if (tools.length > 0) {
    chat.tools = tools
    const choice = chatToolChoice(body.tool_choice)
    if (choice !== undefined) chat.tool_choice = choice
    if (typeof body.parallel_tool_calls === 'boolean') chat.parallel_tool_calls = body.parallel_tool_calls
  }
  const format = responseFormat(body.text)
  if (format !== undefined) chat.response_format = format
  if (typeof body.max_output_tokens === 'number') chat.max_tokens = body.max_output_tokens
  for (const field of ['temperature', 'top_p', 'user'] as const)
    if (body[field] !== undefined && body[field] !== null) chat[field] = body[field]
  if (isObject(body.reasoning) && typeof body.reasoning.effort === 'string')
    chat.reasoning_effort = body.reasoning.effort
  if (stream) {
    chat.stream = true
    chat.stream_options = {include_usage: true}
  }
  return chat
}

// ---------------------------------------------------------------------------------------------------------------
// Response

/** Responses usage from chat usage. */
function responsesUsage(usage: Partial<ChatUsage> | undefined): Json | null {
  if (!isObject(usage)) return null
  const input = typeof usage.prompt_tokens === 'number' ? usage.prompt_tokens : 0
  const output = typeof usage.completion_tokens === 'number' ? usage.completion_tokens : 0
  return {
    input_tokens: input,
    input_tokens_details: {cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0},
    output_tokens: output,
    output_tokens_details: {reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0},
    total_tokens: typeof usage.total_tokens === 'number' ? usage.total_tokens : input + output,
  }
}

/** The Response's fields that echo the request, as OpenAI fills them. */
function echoed(request: Json): Json {
  const format = isObject(request.text) && isObject(request.text.format) ? request.text.format : {type: 'text'}
  return {
    instructions: typeof request.instructions === 'string' ? request.instructions : null,
    max_output_tokens: typeof request.max_output_tokens === 'number' ? request.max_output_tokens : null,
    parallel_tool_calls: typeof request.parallel_tool_calls === 'boolean' ? request.parallel_tool_calls : true,
    previous_response_id: null,
    reasoning: {
      effort:
        isObject(request.reasoning) && typeof request.reasoning.effort === 'string' ? request.reasoning.effort : null,
      summary: null,
    },
    store: false,
    temperature: typeof request.temperature === 'number' ? request.temperature : 1,
    text: {format},
    tool_choice: request.tool_choice ?? 'auto',
    tools: Array.isArray(request.tools) ? request.tools : [],
    top_p: typeof request.top_p === 'number' ? request.top_p : 1,
    truncation: 'disabled',
    user: typeof request.user === 'string' ? request.user : null,
    metadata: isObject(request.metadata) ? request.metadata : {},
  }
}

/** `status` and `incomplete_details` for a chat finish reason. */
function completion(finishReason: unknown): {status: string; incomplete_details: Json | null} {
  if (finishReason === 'length') return {status: 'incomplete', incomplete_details: {reason: 'max_output_tokens'}}
  if (finishReason === 'content_filter') return {status: 'incomplete', incomplete_details: {reason: 'content_filter'}}
  return {status: 'completed', incomplete_details: null}
}

function responseObject(
  request: Json,
  parts: {
    id: string
    created: number
    model: unknown
    output: Json[]
    finishReason: unknown
    usage: Json | null
    inProgress?: boolean
  },
): Json {
  const done = parts.inProgress ? {status: 'in_progress', incomplete_details: null} : completion(parts.finishReason)
  return Object.assign(
    {
      id: parts.id,
      object: 'response',
      created_at: parts.created,
      status: done.status,
      error: null,
      incomplete_details: done.incomplete_details,
      model: parts.model,
      output: parts.output,
    },
    echoed(request),
    {usage: parts.usage},
  )
}

/** A message that declines to answer: its one content part is a `refusal` with the provider's explanation. */
function refusalItem(id: string, refusal: string, status: string): Json {
  return {
    id,
    type: 'message',
    status,
    role: 'assistant',
    content: status === 'in_progress' ? [] : [{type: 'refusal', refusal}],
  }
}

function messageItem(id: string, text: string, status: string): Json {
  return {
    id,
    type: 'message',
    status,
    role: 'assistant',
    content: text === '' && status === 'in_progress' ? [] : [outputText(text)],
  }
}

function outputText(text: string): Json {
  return {type: 'output_text', text, annotations: [], logprobs: []}
}

function reasoningItem(id: string, text: string): Json {
  return {id, type: 'reasoning', summary: text === '' ? [] : [{type: 'summary_text', text}]}
}

/** A call of a client tool: a function or custom tool call (with its namespace, if any). */
function callItem(
  kind: 'function_call' | 'custom_tool_call',
  id: string,
  callId: string,
  tool: {name: string; namespace?: string},
  text: string,
  status: string,
): Json {
  const item: Json = {id, type: kind, status, call_id: callId, name: tool.name}
  if (tool.namespace !== undefined) item.namespace = tool.namespace
  if (kind === 'function_call') item.arguments = text
  else item.input = text
  return item
}

/** A Response for a whole chat completion (OpenAI's or the one a translating adapter built). */
export function responseFromChat(chat: unknown, request: Json): Json {
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
  const output: Json[] = []
  const reasoning =
    typeof message.reasoning_content === 'string'
      ? message.reasoning_content
      : typeof message.reasoning === 'string'
        ? message.reasoning
        : ''
  if (reasoning !== '') output.push(reasoningItem(newId('rs'), reasoning))
  const text = typeof message.content === 'string' ? message.content : ''
  const refusal = typeof message.refusal === 'string' ? message.refusal : ''
  if (refusal !== '') output.push(refusalItem(newId('msg'), refusal, 'completed'))
  if (text !== '' || (refusal === '' && (!Array.isArray(message.tool_calls) || message.tool_calls.length === 0))) {
    output.push(messageItem(newId('msg'), text, 'completed'))
  }
  if (Array.isArray(message.tool_calls)) {
    const tools = new ClientTools(request.tools)
    for (const call of message.tool_calls) {
      if (!isObject(call) || !isObject(call.function)) continue
      const callId = typeof call.id === 'string' ? call.id : newId('call')
      const chatName = String(call.function.name ?? '')
      const tool = tools.get(chatName) ?? {name: chatName, custom: false}
      const args = String(call.function.arguments ?? '')
      output.push(
        tool.custom
          ? callItem('custom_tool_call', newId('ctc'), callId, tool, customInput(args), 'completed')
          : callItem('function_call', newId('fc'), callId, tool, args === '' ? NO_ARGUMENTS : args, 'completed'),
      )
    }
  }
  return responseObject(request, {
    id: newId('resp'),
    created: typeof chat.created === 'number' ? chat.created : nowSeconds(),
    model: chat.model,
    output,
    finishReason: choice.finish_reason,
    usage: responsesUsage(chat.usage as Partial<ChatUsage> | undefined),
  })
}

/** An item being streamed: its index in `output`, its id, and what it holds so far. */
interface OpenItem {
  index: number
  id: string
  kind: 'message' | 'refusal' | 'reasoning' | 'function_call' | 'custom_tool_call'
  text: string
  callId: string
  /** The client's tool, for a call. */
  tool: {name: string; namespace?: string}
}

/**
 * Turns a chat completion stream (`chat.completion.chunk` SSE) into a Responses stream: `response.created`,
 * `response.in_progress`, one `output_item.added` … `output_item.done` group per reasoning summary, message and
 * function call, with their deltas, then `response.completed` (or `response.incomplete`) with the whole Response.
 * A call of a custom tool is a `custom_tool_call` item whose input is sent whole when the call ends (its function
 * arguments arrive as JSON fragments); a function call that got no argument fragment at all gets `{}`.
 * A chat stream that ends before its finish reason (or `[DONE]`) is an error, never a completed Response.
 */
export class ChatToResponsesStream extends ChatStreamReader {
  private readonly id = newId('resp')
  private readonly created = nowSeconds()
  private sequence = 0
  private model: unknown = null
  private usage: Json | null = null
  private readonly output: Json[] = []
  private open: OpenItem | null = null
  /** Function calls by their chat `tool_calls` index. */
  private readonly calls = new Map<number, OpenItem>()
  private readonly tools: ClientTools

  constructor(private readonly request: Json) {
    super()
    this.tools = new ClientTools(request.tools)
  }

  private event(type: string, fields: Json): string {
    return jsonEvent(type, JSON.stringify({type, sequence_number: this.sequence++, ...fields}))
  }

  private snapshot(inProgress: boolean): Json {
    return responseObject(this.request, {
      id: this.id,
      created: this.created,
      model: this.model,
      output: inProgress ? [] : this.output,
      finishReason: this.finishReason,
      usage: inProgress ? null : this.usage,
      inProgress,
    })
  }

  private opening(): string {
    this.started = true
    const response = this.snapshot(true)
    return this.event('response.created', {response}) + this.event('response.in_progress', {response})
  }

  protected chunk(chunk: Json): string {
    let out = ''
    if (!this.started) {
      this.model = chunk.model ?? null
      out += this.opening()
    }
    if (isObject(chunk.usage)) this.usage = responsesUsage(chunk.usage as Partial<ChatUsage>)
    const delta = this.choiceDelta(chunk)
    if (delta === null) return out
    const reasoning =
      typeof delta.reasoning_content === 'string'
        ? delta.reasoning_content
        : typeof delta.reasoning === 'string'
          ? delta.reasoning
          : ''
    if (reasoning !== '') out += this.reasoningDelta(reasoning)
    if (typeof delta.content === 'string' && delta.content !== '') out += this.textDelta(delta.content)
    if (typeof delta.refusal === 'string' && delta.refusal !== '') out += this.refusalDelta(delta.refusal)
    if (Array.isArray(delta.tool_calls))
      for (const call of delta.tool_calls) if (isObject(call)) out += this.toolCallDelta(call)
    return out
  }

  private openItem(
    kind: OpenItem['kind'],
    callId = '',
    tool: OpenItem['tool'] = {name: ''},
  ): {item: OpenItem; out: string} {
    const out = this.closeOpen()
    const prefix = {message: 'msg', refusal: 'msg', reasoning: 'rs', function_call: 'fc', custom_tool_call: 'ctc'}[kind]
    const item: OpenItem = {index: this.output.length, id: newId(prefix), kind, text: '', callId, tool}
    this.open = item
    const shell =
      kind === 'message'
        ? messageItem(item.id, '', 'in_progress')
        : kind === 'refusal'
          ? refusalItem(item.id, '', 'in_progress')
          : kind === 'reasoning'
            ? reasoningItem(item.id, '')
            : callItem(kind, item.id, callId, tool, '', 'in_progress')
    this.output.push(shell)
    let added = this.event('response.output_item.added', {output_index: item.index, item: shell})
    if (kind === 'message') {
      added += this.event('response.content_part.added', {
        item_id: item.id,
        output_index: item.index,
        content_index: 0,
        part: outputText(''),
      })
    } else if (kind === 'refusal') {
      added += this.event('response.content_part.added', {
        item_id: item.id,
        output_index: item.index,
        content_index: 0,
        part: {type: 'refusal', refusal: ''},
      })
    } else if (kind === 'reasoning') {
      added += this.event('response.reasoning_summary_part.added', {
        item_id: item.id,
        output_index: item.index,
        summary_index: 0,
        part: {type: 'summary_text', text: ''},
      })
    }
    return {item, out: out + added}
  }

  private reasoningDelta(text: string): string {
    let out = ''
    let item = this.open
    if (item === null || item.kind !== 'reasoning') ({item, out} = this.openItem('reasoning'))
    item.text += text
    return (
      out +
      this.event('response.reasoning_summary_text.delta', {
        item_id: item.id,
        output_index: item.index,
        summary_index: 0,
        delta: text,
      })
    )
  }

  private refusalDelta(text: string): string {
    let out = ''
    let item = this.open
    if (item === null || item.kind !== 'refusal') ({item, out} = this.openItem('refusal'))
    item.text += text
    return (
      out +
      this.event('response.refusal.delta', {item_id: item.id, output_index: item.index, content_index: 0, delta: text})
    )
  }

  private textDelta(text: string): string {
    let out = ''
    let item = this.open
    if (item === null || item.kind !== 'message') ({item, out} = this.openItem('message'))
    item.text += text
    // One per streamed chunk (the hot path): written without building its object.
    return (
      out +
      jsonEvent(
        'response.output_text.delta',
        `{"type":"response.output_text.delta","sequence_number":${this.sequence++},"item_id":"${item.id}","output_index":${item.index},"content_index":0,"delta":${JSON.stringify(text)},"logprobs":[]}`,
      )
    )
  }

  private toolCallDelta(call: Json): string {
    const index = typeof call.index === 'number' ? call.index : 0
    const fn = isObject(call.function) ? call.function : {}
    let out = ''
    let item = this.calls.get(index)
    if (item === undefined) {
      const chatName = typeof fn.name === 'string' ? fn.name : ''
      const tool = this.tools.get(chatName) ?? {name: chatName, custom: false}
      const opened = this.openItem(
        tool.custom ? 'custom_tool_call' : 'function_call',
        typeof call.id === 'string' ? call.id : newId('call'),
        tool,
      )
      item = opened.item
      out = opened.out
      this.calls.set(index, item)
    } else if (item !== this.open) {
      // Providers stream one call after another; a fragment of an earlier call after a later one began is dropped.
      return ''
    }
    if (typeof fn.arguments === 'string' && fn.arguments !== '') {
      item.text += fn.arguments
      if (item.kind === 'function_call')
        out += this.event('response.function_call_arguments.delta', {
          item_id: item.id,
          output_index: item.index,
          delta: fn.arguments,
        })
    }
    return out
  }

  /** Ends the open item: its `done` events, and its final shape in `output`. */
  private closeOpen(): string {
    const item = this.open
    if (item === null) return ''
    this.open = null
    let out = ''
    let done: Json
    if (item.kind === 'message') {
      done = messageItem(item.id, item.text, 'completed')
      out += this.event('response.output_text.done', {
        item_id: item.id,
        output_index: item.index,
        content_index: 0,
        text: item.text,
        logprobs: [],
      })
      out += this.event('response.content_part.done', {
        item_id: item.id,
        output_index: item.index,
        content_index: 0,
        part: outputText(item.text),
      })
    } else if (item.kind === 'refusal') {
      done = refusalItem(item.id, item.text, 'completed')
      out += this.event('response.refusal.done', {
        item_id: item.id,
        output_index: item.index,
        content_index: 0,
        refusal: item.text,
      })
      out += this.event('response.content_part.done', {
        item_id: item.id,
        output_index: item.index,
        content_index: 0,
        part: {type: 'refusal', refusal: item.text},
      })
    } else if (item.kind === 'reasoning') {
      done = reasoningItem(item.id, item.text)
      out += this.event('response.reasoning_summary_text.done', {
        item_id: item.id,
        output_index: item.index,
        summary_index: 0,
        text: item.text,
      })
      out += this.event('response.reasoning_summary_part.done', {
        item_id: item.id,
        output_index: item.index,
        summary_index: 0,
        part: {type: 'summary_text', text: item.text},
      })
    } else if (item.kind === 'function_call') {
      if (item.text === '') {
        item.text = NO_ARGUMENTS
        out += this.event('response.function_call_arguments.delta', {
          item_id: item.id,
          output_index: item.index,
          delta: NO_ARGUMENTS,
        })
      }
      done = callItem('function_call', item.id, item.callId, item.tool, item.text, 'completed')
      out += this.event('response.function_call_arguments.done', {
        item_id: item.id,
        output_index: item.index,
        arguments: item.text,
      })
    } else {
      const input = customInput(item.text)
      done = callItem('custom_tool_call', item.id, item.callId, item.tool, input, 'completed')
      out += this.event('response.custom_tool_call_input.delta', {
        item_id: item.id,
        output_index: item.index,
        delta: input,
      })
      out += this.event('response.custom_tool_call_input.done', {item_id: item.id, output_index: item.index, input})
    }
    this.output[item.index] = done
    return out + this.event('response.output_item.done', {output_index: item.index, item: done})
  }

  protected finish(): string {
    let out = this.started ? '' : this.opening()
    out += this.closeOpen()
    this.finished = true
    const response = this.snapshot(false)
    return out + this.event(response.status === 'completed' ? 'response.completed' : 'response.incomplete', {response})
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The adapter

/** The Responses API through chat completions (see the module comment). */
export const RESPONSES_BRIDGE: ChatBridge = {
  endpoint: 'responses',
  toChat: responsesToChatBody,
  fromChat: responseFromChat,
  stream: (request) => new ChatToResponsesStream(request),
}

/** `inner` (a chat adapter) plus the Responses API, translated through chat completions. */
export function withResponsesBridge(inner: ProviderAdapter): ProviderAdapter {
  return withChatBridge(inner, RESPONSES_BRIDGE)
}
