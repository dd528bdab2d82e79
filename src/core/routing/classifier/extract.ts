/**
 * Reads the parts of a request body that the classifier needs: the texts of every turn with their roles (chat
 * `messages`, responses `input`/`instructions`, completions `prompt`, embeddings `input`, images `prompt`, and
 * Anthropic Messages `system`/`messages`), media parts, tools, structured-output settings, streaming, requested
 * output tokens and reasoning effort (a Messages thinking budget counts as one). Never throws: a malformed body yields fewer segments, not an error (validation is the gateway's job).
 */
import type {Endpoint} from '../schema.js'

/** Who wrote a text. `developer` messages count as `system`; tool and function results as `tool`. */
export type SegmentRole = 'system' | 'user' | 'assistant' | 'tool'

/** One text of the request, in request order. */
export interface Segment {
  role: SegmentRole
  text: string
}

/** What the classifier reads from a request body. */
export interface ExtractedRequest {
  segments: Segment[]
  /** Messages or input items (for the per-message token overhead). */
  messages: number
  /** Tokens of pre-tokenised inputs (token-id arrays), which have no text. */
  knownTokens: number
  images: number
  /** Token estimate of the image parts (low detail: 85, otherwise 765, the usual cost of a 1024 px image). */
  imageTokens: number
  audio: number
  files: number
  tools: number
  /** Characters of the tool definitions (they are sent to the model as prompt). */
  toolChars: number
  jsonMode: boolean
  streaming: boolean
  outputTokens: number | null
  /** `reasoning_effort` or `reasoning.effort`, lower-cased, when given. */
  reasoningEffort: string | null
  /** A completions request with a `suffix` (fill-in-the-middle, nearly always code). */
  fillInMiddle: boolean
}

const IMAGE_TOKENS_LOW = 85
const IMAGE_TOKENS_DEFAULT = 765

type Json = Record<string, unknown>

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function positiveInt(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : null
}

function roleOf(value: unknown): SegmentRole {
  switch (value) {
    case 'system':
    case 'developer':
      return 'system'
    case 'assistant':
      return 'assistant'
    case 'tool':
    case 'function':
      return 'tool'
    default:
      return 'user'
  }
}

function emptyRequest(): ExtractedRequest {
  return {
    segments: [],
    messages: 0,
    knownTokens: 0,
    images: 0,
    imageTokens: 0,
    audio: 0,
    files: 0,
    tools: 0,
    toolChars: 0,
    jsonMode: false,
    streaming: false,
    outputTokens: null,
    reasoningEffort: null,
    fillInMiddle: false,
  }
}

/** Collects the text of a content value (string or list of parts) and counts its media parts. */
function readContent(content: unknown, out: ExtractedRequest): string {
  if (typeof content === 'string') return content
  if (isObject(content)) return readContent([content], out)
  if (!Array.isArray(content)) return ''
  const texts: string[] = []
  for (const part of content) {
    if (typeof part === 'string') {
      texts.push(part)
      continue
    }
    if (!isObject(part)) continue
    switch (part.type) {
      case 'text':
      case 'input_text':
      case 'output_text':
        if (typeof part.text === 'string') texts.push(part.text)
        break
      case 'refusal':
        if (typeof part.refusal === 'string') texts.push(part.refusal)
        break
      case 'image_url':
      case 'input_image':
      case 'image': {
        out.images++
        const image = isObject(part.image_url) ? part.image_url : part
        out.imageTokens += image.detail === 'low' ? IMAGE_TOKENS_LOW : IMAGE_TOKENS_DEFAULT
        break
      }
      case 'input_audio':
      case 'audio':
        out.audio++
        break
      case 'file':
      case 'input_file':
        out.files++
        break
      default:
        if (typeof part.text === 'string') texts.push(part.text)
    }
  }
  return texts.join('\n')
}

/** Text of an assistant's tool calls (their JSON arguments), which later turns often discuss. */
function readToolCalls(message: Json): string {
  const texts: string[] = []
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (isObject(call) && isObject(call.function) && typeof call.function.arguments === 'string') {
        texts.push(call.function.arguments)
      }
    }
  }
  if (isObject(message.function_call) && typeof message.function_call.arguments === 'string') {
    texts.push(message.function_call.arguments)
  }
  return texts.join('\n')
}

function readChatMessages(messages: unknown[], out: ExtractedRequest): void {
  for (const message of messages) {
    if (!isObject(message)) continue
    out.messages++
    const role = roleOf(message.role)
    const text = [readContent(message.content, out), role === 'assistant' ? readToolCalls(message) : '']
      .filter(Boolean)
      .join('\n')
    out.segments.push({role, text})
  }
}

/**
 * Anthropic Messages turns: content blocks, with tool calls read as their JSON input (an assistant's) and tool results
 * as tool turns (a user's). Thinking blocks are the model's own and are skipped.
 */
function readAnthropicMessages(messages: unknown[], out: ExtractedRequest): void {
  for (const message of messages) {
    if (!isObject(message)) continue
    out.messages++
    const role = roleOf(message.role)
    if (!Array.isArray(message.content)) {
      out.segments.push({role, text: readContent(message.content, out)})
      continue
    }
    const texts: string[] = []
    for (const block of message.content) {
      if (!isObject(block)) continue
      if (block.type === 'tool_result') {
        out.segments.push({role: 'tool', text: readContent(block.content, out)})
      } else if (block.type === 'tool_use') {
        try {
          texts.push(JSON.stringify(block.input ?? {}))
        } catch {}
      } else if (block.type === 'document') {
        out.files++
      } else if (block.type !== 'thinking' && block.type !== 'redacted_thinking') {
        const text = readContent([block], out)
        if (text) texts.push(text)
      }
    }
    if (texts.length > 0) out.segments.push({role, text: texts.join('\n')})
  }
}

/** A Messages thinking budget as a reasoning effort (the user's own signal of how hard the request is). */
function thinkingEffort(thinking: unknown): string | null {
  if (!isObject(thinking) || thinking.type !== 'enabled') return null
  const budget = typeof thinking.budget_tokens === 'number' ? thinking.budget_tokens : 0
  return budget < 4096 ? 'low' : budget < 16_384 ? 'medium' : 'high'
}

/** Responses API `input`: a string, or a list of messages, typed items and bare content parts. */
function readResponsesInput(input: unknown, out: ExtractedRequest): void {
  if (typeof input === 'string') {
    out.messages++
    out.segments.push({role: 'user', text: input})
    return
  }
  if (!Array.isArray(input)) return
  for (const item of input) {
    if (typeof item === 'string') {
      out.messages++
      out.segments.push({role: 'user', text: item})
      continue
    }
    if (!isObject(item)) continue
    out.messages++
    if ('role' in item) {
      out.segments.push({role: roleOf(item.role), text: readContent(item.content, out)})
      continue
    }
    switch (item.type) {
      case 'function_call':
      case 'custom_tool_call':
        out.segments.push({role: 'assistant', text: typeof item.arguments === 'string' ? item.arguments : ''})
        break
      case 'function_call_output':
      case 'custom_tool_call_output': {
        const output = typeof item.output === 'string' ? item.output : readContent(item.output, out)
        out.segments.push({role: 'tool', text: output})
        break
      }
      case 'reasoning':
        break
      default:
        // A bare content part (`{type: "input_text", ...}`) stands for a user turn.
        out.segments.push({role: 'user', text: readContent([item], out)})
    }
  }
}

/**
 * Completions `prompt` / embeddings `input`: a string, a list of strings (a batch, read as one text), or token
 * arrays, whose token count is known exactly but whose text is not.
 */
function readPromptLike(value: unknown, out: ExtractedRequest): void {
  if (typeof value === 'string') {
    out.messages++
    out.segments.push({role: 'user', text: value})
    return
  }
  if (!Array.isArray(value)) return
  if (value.length > 0 && value.every((v) => typeof v === 'number')) {
    out.messages++
    out.knownTokens += value.length
    return
  }
  const texts: string[] = []
  for (const v of value) {
    out.messages++
    if (typeof v === 'string') texts.push(v)
    else if (Array.isArray(v)) out.knownTokens += v.length
  }
  if (texts.length > 0) out.segments.push({role: 'user', text: texts.join('\n')})
}

function readEffort(body: Json): string | null {
  if (typeof body.reasoning_effort === 'string') return body.reasoning_effort.toLowerCase()
  if (isObject(body.reasoning) && typeof body.reasoning.effort === 'string') return body.reasoning.effort.toLowerCase()
  return null
}

function readJsonMode(body: Json): boolean {
  const formats = [
    isObject(body.response_format) ? body.response_format.type : undefined,
    isObject(body.text) && isObject(body.text.format) ? body.text.format.type : undefined,
  ]
  return formats.some((type) => type === 'json_object' || type === 'json_schema')
}

function readTools(body: Json, out: ExtractedRequest): void {
  for (const key of ['tools', 'functions'] as const) {
    const list = body[key]
    if (!Array.isArray(list) || list.length === 0) continue
    out.tools += list.length
    try {
      out.toolChars += JSON.stringify(list).length
    } catch {
      // A cyclic or exotic value cannot come from JSON; leave its size out.
    }
  }
}

/** Extracts what the classifier reads from `body`, as sent to `endpoint`. */
export function extractRequest(body: unknown, endpoint: Endpoint): ExtractedRequest {
  const out = emptyRequest()
  if (!isObject(body)) {
    if (typeof body === 'string') readPromptLike(body, out)
    return out
  }
  out.streaming = body.stream === true
  out.outputTokens =
    positiveInt(body.max_completion_tokens) ?? positiveInt(body.max_output_tokens) ?? positiveInt(body.max_tokens)
  out.reasoningEffort = readEffort(body)
  out.jsonMode = readJsonMode(body)
  readTools(body, out)

  const shape =
    endpoint === 'passthrough'
      ? Array.isArray(body.messages)
        ? 'chat.completions'
        : 'input' in body || 'instructions' in body
          ? 'responses'
          : 'completions'
      : endpoint
  switch (shape) {
    case 'chat.completions':
      if (Array.isArray(body.messages)) readChatMessages(body.messages, out)
      break
    case 'messages': {
      const system = readContent(body.system, out)
      if (system) {
        out.messages++
        out.segments.push({role: 'system', text: system})
      }
      if (Array.isArray(body.messages)) readAnthropicMessages(body.messages, out)
      out.reasoningEffort ??= thinkingEffort(body.thinking)
      break
    }
    case 'responses':
      if (typeof body.instructions === 'string' && body.instructions) {
        out.messages++
        out.segments.push({role: 'system', text: body.instructions})
      }
      readResponsesInput(body.input, out)
      break
    case 'completions':
      readPromptLike(body.prompt, out)
      out.fillInMiddle = typeof body.suffix === 'string' && body.suffix.length > 0
      break
    case 'embeddings':
      readPromptLike(body.input, out)
      break
    case 'images.generations':
      readPromptLike(body.prompt, out)
      break
  }
  return out
}
