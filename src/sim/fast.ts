/**
 * The fixed-response mode (`fast: true`), the zero-latency upstream of the benchmark. Chat completions, streaming or
 * not, are answered from buffers built once per model by the normal handler (so they stay wire-accurate); the body is
 * read fully but only scanned for `model`, `stream` and `include_usage`; nothing is logged or recorded beyond a
 * counter. Anything else (other routes, scripted behaviours, random failures, delays, a wrong key) takes the full path.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {HandlerContext, HandlerSettings, StreamAnswer} from './answer.js'
import {PromptCache} from './prompt-cache.js'
import {chatCompletions} from './protocols/openai.js'
import type {SimOptions} from './types.js'

/** What the fast path needs from the simulator. */
export interface FastHost {
  countFast(): void
  fastAllowed(): boolean
}

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void

interface Prepared {
  json: Buffer
  /** Headers of the JSON answer, content length included, built once. */
  jsonHeaders: Record<string, string | number>
  sse: Buffer
  sseUsage: Buffer
}

const MODEL = /"model"\s*:\s*"((?:[^"\\]|\\.)*)"/
const STREAM = /"stream"\s*:\s*true/
const INCLUDE_USAGE = /"include_usage"\s*:\s*true/
/** Distinct models kept; past that, answers are built per request (still correct, only slower). */
const CACHE_LIMIT = 64
const FAST_PROMPT = 'benchmark'

/** Wraps the full handler with the fast path for chat completions. */
export function createFastPath(
  host: FastHost,
  settings: HandlerSettings,
  options: SimOptions,
  slow: RequestHandler,
): RequestHandler {
  const delayed = (options.latencyMs ?? 0) > 0 || (options.jitterMs ?? 0) > 0 || (options.tokensPerSecond ?? 0) > 0
  if (delayed || (options.failureRate ?? 0) > 0) return slow
  const expectedAuth = options.apiKey === undefined ? undefined : `Bearer ${options.apiKey}`
  const cache = new Map<string, Prepared>()
  const jsonHeaders = {'content-type': 'application/json', 'x-sim-name': settings.name}
  const sseHeaders = {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-sim-name': settings.name,
  }

  const prepared = (model: string): Prepared => {
    const hit = cache.get(model)
    if (hit) return hit
    const built = prepare(model, settings, jsonHeaders)
    if (cache.size < CACHE_LIMIT) cache.set(model, built)
    return built
  }

  return (req, res) => {
    const url = req.url
    if (
      req.method !== 'POST' ||
      (url !== '/v1/chat/completions' && url !== '/chat/completions') ||
      (expectedAuth !== undefined && req.headers.authorization !== expectedAuth) ||
      !host.fastAllowed()
    ) {
      slow(req, res)
      return
    }
    host.countFast()
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('latin1')
      const match = MODEL.exec(text)
      if (match === null) {
        res.writeHead(400, jsonHeaders)
        res.end(
          '{"error":{"message":"you must provide a model parameter","type":"invalid_request_error","param":"model","code":null}}',
        )
        return
      }
      // latin1 keeps one char per byte, so the model's UTF-8 bytes survive the round trip.
      const answers = prepared(Buffer.from(match[1], 'latin1').toString('utf8'))
      if (STREAM.test(text)) {
        res.writeHead(200, sseHeaders)
        res.end(INCLUDE_USAGE.test(text) ? answers.sseUsage : answers.sse)
      } else {
        res.writeHead(200, answers.jsonHeaders)
        res.end(answers.json)
      }
    })
  }
}

function prepare(escapedModel: string, settings: HandlerSettings, jsonHeaders: Record<string, string>): Prepared {
  let model = escapedModel
  try {
    model = JSON.parse(`"${escapedModel}"`) as string
  } catch {
    // An invalid escape: answer with the model as written rather than fail the benchmark.
  }
  let ids = 0
  const render = (stream: boolean, includeUsage: boolean): Buffer => {
    const ctx: HandlerContext = {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: {},
      body: {
        model,
        messages: [{role: 'user', content: FAST_PROMPT}],
        stream,
        stream_options: {include_usage: includeUsage},
      },
      settings,
      nextId: (prefix) => `${prefix}simfast${++ids}`,
      requestId: 'req_simfast',
      // A fresh cache per answer: the fixed answers report no cached tokens.
      cache: new PromptCache(),
    }
    const answer = chatCompletions(ctx)
    if (answer.type === 'stream')
      return Buffer.from((answer as StreamAnswer).frames.map((frame) => frame.text).join(''))
    return Buffer.from(JSON.stringify(answer.type === 'json' ? answer.body : null))
  }
  const json = render(false, false)
  return {
    json,
    jsonHeaders: {...jsonHeaders, 'content-length': json.length},
    sse: render(true, false),
    sseUsage: render(true, true),
  }
}
