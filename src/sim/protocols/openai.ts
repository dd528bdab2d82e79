/**
 * OpenAI's wire format (https://platform.openai.com/docs/api-reference): chat completions, legacy completions,
 * embeddings, image generation, the model list and an echo for any other `POST /v1/*` route. The Responses API lives
 * in `responses.ts` because the ChatGPT backend shares it.
 */
import {
  chunkFrame,
  controlFrame,
  json,
  nowSeconds,
  type Answer,
  type Frame,
  type HandlerContext,
  type StreamAnswer,
} from '../answer.js'
import {samplePngBase64} from '../png.js'
import {createPrng, hashString} from '../prng.js'
import {isObject} from '../../core/is-object.js'
import {contentText, makeReply, type Prompt, type Reply, type ToolSpec} from '../reply.js'
import {errorBody, invalidRequest} from './errors.js'

const FINGERPRINT = 'fp_sim'

/** `GET /v1/models`: the configured model ids in OpenAI's list shape. */
export function listModels(ctx: HandlerContext): Answer {
  const {models, name} = ctx.settings
  return json(200, {object: 'list', data: models.map((id) => modelObject(id, name))})
}

/** `GET /v1/models/{id}`: the simulator serves any model, so any id is found. */
export function retrieveModel(ctx: HandlerContext): Answer {
  const id = decodeURIComponent(ctx.path.slice('/v1/models/'.length))
  return json(200, modelObject(id, ctx.settings.name))
}

function modelObject(id: string, name: string): Record<string, unknown> {
  return {id, object: 'model', created: 1_700_000_000, owned_by: `sim:${name}`}
}

/** `POST /v1/chat/completions`, streaming or not, with tool calls and JSON response formats. */
export function chatCompletions(ctx: HandlerContext): Answer {
  const body = ctx.body
  if (!isObject(body)) return invalidRequest('openai', 'The request body must be a JSON object.')
  if (typeof body.model !== 'string' || body.model === '') {
    return invalidRequest('openai', 'you must provide a model parameter', 'model')
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return invalidRequest('openai', "Missing required parameter: 'messages'.", 'messages')
  }
  const prompt = chatPrompt(body)
  const reply = makeReply(prompt, ctx.settings, ctx.toolCall)
  const cached = cachedTokens(ctx, prompt, reply)
  const id = ctx.nextId('chatcmpl-')
  const created = nowSeconds()
  const n = typeof body.n === 'number' && body.n > 1 ? Math.min(Math.floor(body.n), 16) : 1
  const callId = ctx.nextId('call_')
  if (body.stream === true) {
    const includeUsage = isObject(body.stream_options) && body.stream_options.include_usage === true
    return chatStream({id, created, model: prompt.model, reply, n, callId, includeUsage, cached})
  }
  const message = reply.toolCall
    ? {
        role: 'assistant',
        content: null,
        tool_calls: [
          {id: callId, type: 'function', function: {name: reply.toolCall.name, arguments: reply.toolCall.arguments}},
        ],
        refusal: null,
        annotations: [],
      }
    : {role: 'assistant', content: reply.text, refusal: null, annotations: []}
  const choices = Array.from({length: n}, (_, index) => ({
    index,
    message,
    logprobs: null,
    finish_reason: finishReason(reply),
  }))
  return json(
    200,
    {
      id,
      object: 'chat.completion',
      created,
      model: prompt.model,
      choices,
      usage: chatUsage(reply, n, cached),
      service_tier: 'default',
      system_fingerprint: FINGERPRINT,
    },
    reply.outputTokens,
  )
}

interface ChatStreamParams {
  id: string
  created: number
  model: string
  reply: Reply
  n: number
  callId: string
  includeUsage: boolean
  cached: number
}

function chatStream(p: ChatStreamParams): StreamAnswer {
  const {reply, n} = p
  const chunk = (choices: unknown[]): Record<string, unknown> => {
    const out: Record<string, unknown> = {
      id: p.id,
      object: 'chat.completion.chunk',
      created: p.created,
      model: p.model,
      service_tier: 'default',
      system_fingerprint: FINGERPRINT,
      choices,
    }
    // With include_usage every chunk carries `usage: null` and one extra chunk at the end carries the totals.
    if (p.includeUsage) out.usage = null
    return out
  }
  const choice = (index: number, delta: unknown, finish: string | null = null) => ({
    index,
    delta,
    logprobs: null,
    finish_reason: finish,
  })
  const frames: Frame[] = []
  for (let index = 0; index < n; index++) {
    const first = reply.toolCall
      ? {
          role: 'assistant',
          content: null,
          tool_calls: [
            {index: 0, id: p.callId, type: 'function', function: {name: reply.toolCall.name, arguments: ''}},
          ],
          refusal: null,
        }
      : {role: 'assistant', content: '', refusal: null}
    frames.push(controlFrame(chunk([choice(index, first)])))
  }
  const pieces = reply.toolCall ? reply.toolCall.argumentPieces : reply.pieces
  for (const piece of pieces) {
    for (let index = 0; index < n; index++) {
      const delta = reply.toolCall ? {tool_calls: [{index: 0, function: {arguments: piece}}]} : {content: piece}
      frames.push(chunkFrame(chunk([choice(index, delta)])))
    }
  }
  for (let index = 0; index < n; index++) frames.push(controlFrame(chunk([choice(index, {}, finishReason(reply))])))
  if (p.includeUsage) frames.push(controlFrame({...chunk([]), usage: chatUsage(reply, n, p.cached)}))
  frames.push(controlFrame('[DONE]'))
  return {type: 'stream', frames, failure: () => openAiStreamError()}
}

/** OpenAI reports a failure inside a stream as a `data:` line holding an error object, with no `[DONE]` after it. */
function openAiStreamError(): string {
  return `data: ${JSON.stringify(errorBody('openai', 500, {message: 'The server had an error while processing your request.'}))}\n\n`
}

function finishReason(reply: Reply): string {
  return reply.finish === 'tool' ? 'tool_calls' : reply.finish
}

/**
 * OpenAI's cached prompt tokens for this prompt (automatic caching, see `prompt-cache.ts`): part of `prompt_tokens`,
 * never more than it.
 */
export function cachedTokens(ctx: HandlerContext, prompt: Prompt, reply: Reply): number {
  return Math.min(ctx.cache.openai(prompt.model, prompt.cacheKey ?? ''), reply.inputTokens)
}

/** Chat usage: `prompt_tokens` includes the cached tokens that `prompt_tokens_details.cached_tokens` counts. */
function chatUsage(reply: Reply, n: number, cached: number): Record<string, unknown> {
  const completion = reply.outputTokens * n
  return {
    prompt_tokens: reply.inputTokens,
    completion_tokens: completion,
    total_tokens: reply.inputTokens + completion,
    prompt_tokens_details: {cached_tokens: cached, audio_tokens: 0},
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  }
}

function chatPrompt(body: Record<string, any>): Prompt {
  const messages: unknown[] = body.messages
  let lastUserText = ''
  // The prompt as OpenAI caches it: tools first, then the messages in order.
  let text = Array.isArray(body.tools) && body.tools.length > 0 ? JSON.stringify(body.tools) : ''
  for (const message of messages) {
    if (!isObject(message)) continue
    const content = contentText(message.content)
    text += `\n${String(message.role)}: ${content}`
    if (message.role === 'user') lastUserText = content
  }
  const last = messages.at(-1)
  const tools: ToolSpec[] = Array.isArray(body.tools)
    ? body.tools
        .filter((tool: unknown) => isObject(tool) && isObject(tool.function) && typeof tool.function.name === 'string')
        .map((tool: any) => ({name: tool.function.name, parameters: tool.function.parameters}))
    : []
  const format = isObject(body.response_format) ? body.response_format : undefined
  return {
    model: body.model,
    lastUserText,
    promptChars: text.length,
    cacheKey: text,
    maxTokens: positiveInt(body.max_completion_tokens) ?? positiveInt(body.max_tokens),
    tools,
    toolChoice: openAiToolChoice(body.tool_choice),
    lastIsToolResult: isObject(last) && last.role === 'tool',
    toolResultText: isObject(last) && last.role === 'tool' ? contentText(last.content) : undefined,
    json:
      format?.type === 'json_schema'
        ? {schema: isObject(format.json_schema) ? format.json_schema.schema : undefined}
        : format?.type === 'json_object'
          ? {}
          : undefined,
  }
}

/** Tool choice in chat (`{type: 'function', function: {name}}`) and Responses (`{type: 'function', name}`) shapes. */
export function openAiToolChoice(choice: unknown): Prompt['toolChoice'] {
  if (choice === 'none' || choice === 'required') return choice
  if (isObject(choice)) {
    const name = isObject(choice.function) ? choice.function.name : choice.name
    if (typeof name === 'string') return {name}
  }
  return 'auto'
}

/** A positive integer or undefined. */
export function positiveInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined
}

/** `POST /v1/completions` (the legacy text completion API), streaming or not. */
export function completions(ctx: HandlerContext): Answer {
  const body = ctx.body
  if (!isObject(body)) return invalidRequest('openai', 'The request body must be a JSON object.')
  if (typeof body.model !== 'string' || body.model === '') {
    return invalidRequest('openai', 'you must provide a model parameter', 'model')
  }
  const promptText = Array.isArray(body.prompt)
    ? body.prompt.map(String).join('\n')
    : typeof body.prompt === 'string'
      ? body.prompt
      : ''
  const prompt: Prompt = {
    model: body.model,
    lastUserText: promptText,
    promptChars: promptText.length,
    maxTokens: positiveInt(body.max_tokens),
    tools: [],
    toolChoice: 'none',
    lastIsToolResult: false,
  }
  const reply = makeReply(prompt, ctx.settings)
  const id = ctx.nextId('cmpl-')
  const created = nowSeconds()
  const usage = {
    prompt_tokens: reply.inputTokens,
    completion_tokens: reply.outputTokens,
    total_tokens: reply.inputTokens + reply.outputTokens,
  }
  if (body.stream === true) {
    const includeUsage = isObject(body.stream_options) && body.stream_options.include_usage === true
    const chunk = (text: string, finish: string | null) => ({
      id,
      object: 'text_completion',
      created,
      choices: [{text, index: 0, logprobs: null, finish_reason: finish}],
      model: prompt.model,
      system_fingerprint: FINGERPRINT,
      ...(includeUsage ? {usage: null} : {}),
    })
    const frames: Frame[] = reply.pieces.map((piece) => chunkFrame(chunk(piece, null)))
    frames.push(controlFrame(chunk('', reply.finish)))
    if (includeUsage)
      frames.push(controlFrame({id, object: 'text_completion', created, choices: [], model: prompt.model, usage}))
    frames.push(controlFrame('[DONE]'))
    return {type: 'stream', frames, failure: () => openAiStreamError()}
  }
  return json(
    200,
    {
      id,
      object: 'text_completion',
      created,
      model: prompt.model,
      system_fingerprint: FINGERPRINT,
      choices: [{text: reply.text, index: 0, logprobs: null, finish_reason: reply.finish}],
      usage,
    },
    reply.outputTokens,
  )
}

/** `POST /v1/embeddings`: unit vectors seeded by a hash of model and input, `dimensions` and base64 honoured. */
export function embeddings(ctx: HandlerContext): Answer {
  const body = ctx.body
  if (!isObject(body)) return invalidRequest('openai', 'The request body must be a JSON object.')
  if (typeof body.model !== 'string' || body.model === '') {
    return invalidRequest('openai', 'you must provide a model parameter', 'model')
  }
  const inputs = embeddingInputs(body.input)
  if (inputs === undefined) {
    return invalidRequest(
      'openai',
      "'input' must be a non-empty string, array of strings, or array of token arrays.",
      'input',
    )
  }
  const dimensions = body.dimensions === undefined ? 1536 : positiveInt(body.dimensions)
  if (dimensions === undefined || dimensions < 1 || dimensions > 8192) {
    return invalidRequest('openai', "'dimensions' must be an integer between 1 and 8192.", 'dimensions')
  }
  const base64 = body.encoding_format === 'base64'
  let tokens = 0
  const data = inputs.map((input, index) => {
    tokens += Math.max(1, Math.ceil(input.length / 4))
    const vector = embeddingVector(`${body.model}\u0000${input}`, dimensions)
    return {
      object: 'embedding',
      index,
      embedding: base64 ? Buffer.from(vector.buffer).toString('base64') : Array.from(vector),
    }
  })
  return json(200, {object: 'list', data, model: body.model, usage: {prompt_tokens: tokens, total_tokens: tokens}})
}

function embeddingInputs(input: unknown): string[] | undefined {
  if (typeof input === 'string') return input === '' ? undefined : [input]
  if (!Array.isArray(input) || input.length === 0) return undefined
  if (input.every((item) => typeof item === 'number')) return [input.join(',')]
  if (
    input.every((item) => typeof item === 'string' || (Array.isArray(item) && item.every((t) => typeof t === 'number')))
  ) {
    return input.map((item) => (typeof item === 'string' ? item : item.join(',')))
  }
  return undefined
}

/** A deterministic unit vector (float32, little-endian on every platform Node runs on). */
export function embeddingVector(text: string, dimensions: number): Float32Array {
  const random = createPrng(hashString(text))
  const vector = new Float32Array(dimensions)
  let norm = 0
  for (let i = 0; i < dimensions; i++) {
    const value = random() * 2 - 1
    vector[i] = value
    norm += value * value
  }
  const scale = 1 / Math.sqrt(norm)
  for (let i = 0; i < dimensions; i++) vector[i] *= scale
  return vector
}

/** `POST /v1/images/generations`: a tiny valid PNG, as `b64_json` (default) or as a URL served by the simulator. */
export function imageGenerations(ctx: HandlerContext): Answer {
  const body = ctx.body
  if (!isObject(body)) return invalidRequest('openai', 'The request body must be a JSON object.')
  if (typeof body.prompt !== 'string' || body.prompt === '') {
    return invalidRequest('openai', "Missing required parameter: 'prompt'.", 'prompt')
  }
  const n = positiveInt(body.n) ?? 1
  if (n < 1 || n > 10) return invalidRequest('openai', "'n' must be between 1 and 10.", 'n')
  const asUrl = body.response_format === 'url'
  const revised = `[sim:${ctx.settings.name} model=${typeof body.model === 'string' ? body.model : 'default'}] ${body.prompt}`
  const data = Array.from({length: n}, () =>
    asUrl
      ? {url: `${ctx.settings.baseUrl}/_sim/image.png`, revised_prompt: revised}
      : {b64_json: samplePngBase64(), revised_prompt: revised},
  )
  return json(200, {
    created: nowSeconds(),
    data,
    usage: {
      input_tokens: Math.ceil(body.prompt.length / 4),
      output_tokens: 16 * n,
      total_tokens: Math.ceil(body.prompt.length / 4) + 16 * n,
    },
  })
}

/** Any other `POST /v1/*`: echoes the path and body so passthrough routes can be checked end to end. */
export function echo(ctx: HandlerContext): Answer {
  return json(200, {object: 'sim.echo', path: ctx.path, body: ctx.body ?? null})
}
