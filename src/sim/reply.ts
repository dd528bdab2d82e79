/**
 * What the simulator answers, independent of the wire protocol: deterministic text split into stream pieces (one
 * piece counts as one output token), or one tool call, plus token usage. Each protocol module turns a `Reply` into
 * its own JSON object or SSE events.
 */
import {isObject} from '../core/is-object.js'
import type {SimToolCall} from '../core/sim/schema.js'

/** A tool the client offered, reduced to what the simulator needs. */
export interface ToolSpec {
  name: string
  /** JSON Schema of the arguments (OpenAI `parameters`, Anthropic `input_schema`). */
  parameters?: unknown
}

/** The parts of any protocol's request that shape the answer. */
export interface Prompt {
  model: string
  /** Text of the last user turn (the echo and the tool trigger look at it). */
  lastUserText: string
  /** Characters of all prompt text, for a rough input token count. */
  promptChars: number
  /** The prompt as a provider with automatic caching compares it with earlier ones (OpenAI). */
  cacheKey?: string
  maxTokens?: number
  tools: ToolSpec[]
  /** `required`: some tool must be called; `{name}`: that tool. */
  toolChoice: 'auto' | 'none' | 'required' | {name: string}
  /** The conversation ends with a tool result: answer in text so that agent loops terminate. */
  lastIsToolResult: boolean
  /** The text of that tool result, which the answer quotes (so a client shows that the round trip happened). */
  toolResultText?: string
  /** Structured output asked for: the text is JSON (matching `schema` when one is given). */
  json?: {schema?: unknown}
}

/** One tool call the simulator decided to make. */
export interface ToolCall {
  name: string
  /** JSON text of the arguments. */
  arguments: string
  /** The arguments cut into stream pieces. */
  argumentPieces: string[]
}

/** The protocol-neutral answer. */
export interface Reply {
  /** Text pieces in stream order (empty for a tool call without text). */
  pieces: string[]
  text: string
  /** `length`: cut by the token limit; `tool`: the answer is a tool call. */
  finish: 'stop' | 'length' | 'tool'
  toolCall?: ToolCall
  inputTokens: number
  outputTokens: number
}

/** Simulator settings that shape replies. */
export interface ReplySettings {
  name: string
  chunks: number
}

const FILLER =
  ' This is a simulated answer from a fake provider, deterministic so that tests can check every byte of it.'.split(
    /(?= )/,
  )

/**
 * Builds the answer to a prompt: `scripted`, a tool call a script asked for, wins. Same prompt, settings and script,
 * same reply.
 */
export function makeReply(prompt: Prompt, settings: ReplySettings, scripted?: SimToolCall): Reply {
  const inputTokens = Math.max(1, Math.ceil(prompt.promptChars / 4))
  const call = scripted ?? sampledCall(prompt)
  if (call) {
    const args = JSON.stringify(call.arguments)
    const toolCall = {name: call.name, arguments: args, argumentPieces: splitEven(args, 4)}
    return {
      pieces: [],
      text: '',
      finish: 'tool',
      toolCall,
      inputTokens,
      outputTokens: Math.max(1, Math.ceil(args.length / 4)),
    }
  }
  let pieces = prompt.json ? jsonPieces(prompt, settings) : textPieces(prompt, settings)
  let finish: Reply['finish'] = 'stop'
  if (prompt.maxTokens !== undefined && prompt.maxTokens < pieces.length) {
    pieces = pieces.slice(0, Math.max(1, prompt.maxTokens))
    finish = 'length'
  }
  return {pieces, text: pieces.join(''), finish, inputTokens, outputTokens: pieces.length}
}

/**
 * `[sim:alpha model=gpt-5.2] Reply to "hello". This is a simulated answer…` in exactly `chunks` pieces; after a tool
 * result, `[sim:alpha model=gpt-5.2] Tool result: "…".` quoting it.
 */
function textPieces(prompt: Prompt, settings: ReplySettings): string[] {
  const chunks = Math.max(1, settings.chunks)
  const said =
    prompt.lastIsToolResult && prompt.toolResultText !== undefined
      ? ` Tool result: "${shorten(prompt.toolResultText, TOOL_RESULT_QUOTE)}".`
      : ` Reply to "${shorten(prompt.lastUserText)}".`
  const words = [`[sim:${settings.name} model=${prompt.model}]`, ...said.split(/(?= )/)]
  for (let i = 0; words.length < chunks; i++) words.push(FILLER[i % FILLER.length])
  if (words.length === chunks) return words
  return [...words.slice(0, chunks - 1), words.slice(chunks - 1).join('')]
}

/** A JSON object (a sample of the schema, or a small fixed object) in `chunks` pieces. */
function jsonPieces(prompt: Prompt, settings: ReplySettings): string[] {
  const value =
    prompt.json?.schema === undefined
      ? {sim: settings.name, model: prompt.model, reply: `Reply to "${shorten(prompt.lastUserText)}".`}
      : sampleFromSchema(prompt.json.schema, 0)
  return splitEven(JSON.stringify(value), Math.max(1, settings.chunks))
}

/** Characters of a tool result the answer quotes: enough for a CLI's framing and the first lines of a file. */
const TOOL_RESULT_QUOTE = 240

function shorten(text: string, max = 48): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/** The simulator's own tool call, if the prompt asks for one: arguments sampled from the tool's schema. */
function sampledCall(prompt: Prompt): {name: string; arguments: unknown} | undefined {
  const tool = chooseTool(prompt)
  return tool && {name: tool.name, arguments: sampleFromSchema(tool.parameters, 0) ?? {}}
}

function chooseTool(prompt: Prompt): ToolSpec | undefined {
  const {tools, toolChoice} = prompt
  if (tools.length === 0 || toolChoice === 'none') return undefined
  if (typeof toolChoice === 'object') return tools.find((tool) => tool.name === toolChoice.name) ?? tools[0]
  if (toolChoice === 'required') return mentionedTool(prompt) ?? tools[0]
  if (prompt.lastIsToolResult) return undefined
  return mentionedTool(prompt) ?? (/\btools?\b/i.test(prompt.lastUserText) ? tools[0] : undefined)
}

function mentionedTool(prompt: Prompt): ToolSpec | undefined {
  const text = prompt.lastUserText.toLowerCase()
  return prompt.tools.find((tool) => tool.name !== '' && text.includes(tool.name.toLowerCase()))
}

/** A deterministic value that satisfies a (simple) JSON Schema: enums take their first value. */
function sampleFromSchema(schema: unknown, depth: number): unknown {
  if (!isObject(schema) || depth > 6) return null
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0]
  if ('const' in schema) return schema.const
  if ('default' in schema) return schema.default
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type
  switch (type) {
    case 'string':
      return 'sim'
    case 'number':
    case 'integer':
      return 42
    case 'boolean':
      return true
    case 'array':
      return [sampleFromSchema(schema.items, depth + 1)]
    case 'null':
      return null
    default: {
      const properties = isObject(schema.properties) ? schema.properties : {}
      const out: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(properties)) out[key] = sampleFromSchema(value, depth + 1)
      return out
    }
  }
}

function splitEven(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / parts))
  const out: string[] = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out
}

/**
 * Whether a request body offers a tool of that name, in any protocol's shape: chat `tools[].function.name`, Responses
 * and Anthropic `tools[].name`, and the tools inside a Responses `namespace`.
 */
export function offersTool(body: unknown, name: string): boolean {
  if (!isObject(body) || !Array.isArray(body.tools)) return false
  const offers = (tool: unknown): boolean =>
    isObject(tool) &&
    (tool.name === name ||
      (isObject(tool.function) && tool.function.name === name) ||
      (Array.isArray(tool.tools) && tool.tools.some(offers)))
  return body.tools.some(offers)
}

/** Text of a message `content` in any of the shapes clients send (string, OpenAI parts, Anthropic blocks). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  let text = ''
  for (const part of content) {
    if (typeof part === 'string') text += part
    else if (isObject(part)) {
      if (typeof part.text === 'string') text += (text ? '\n' : '') + part.text
      else if (typeof part.content === 'string' || Array.isArray(part.content)) text += contentText(part.content)
    }
  }
  return text
}
