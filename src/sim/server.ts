/**
 * The simulated provider's HTTP server (plain `node:http`, so that its fixed-response mode costs next to nothing).
 * Each protocol request gets one behaviour: the next scripted one, else a random failure drawn from the seeded
 * generator, else a normal answer from the protocol handler. Control routes under `/_sim/` script and inspect it.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {setTimeout as sleep} from 'node:timers/promises'

import {SimScriptSchema, type SimBehaviour} from '../core/sim/schema.js'
import type {Answer, Dialect, HandlerContext, HandlerSettings, JsonAnswer, StreamAnswer} from './answer.js'
import {createFastPath} from './fast.js'
import {samplePng} from './png.js'
import {createPrng} from './prng.js'
import {PromptCache} from './prompt-cache.js'
import {errorAnswer, invalidRequest, quotaAnswer} from './protocols/errors.js'
import {offersTool} from './reply.js'
import {authenticate, findRoute, routeTable, type RouteTable} from './routes.js'
import type {SimOptions, SimProtocol, SimRequestRecord, SimServer} from './types.js'

const ALL_PROTOCOLS: SimProtocol[] = ['openai', 'anthropic', 'codex']
const DEFAULT_MODELS = ['sim-small', 'sim-medium', 'sim-large']
const MAX_BODY_BYTES = 32 * 1024 * 1024
/** `afterChunks` when a `drop` or in-stream error does not say. */
const DEFAULT_AFTER_CHUNKS = 3
const DEFAULT_SLOW_HEADERS_MS = 2000

/** Starts a simulator and resolves once it listens. */
export async function startSim(options: SimOptions = {}): Promise<SimServer> {
  const sim = new Simulator(options)
  await sim.listen()
  return sim
}

/** Per-exchange state shared by the steps that answer one request. */
interface Exchange {
  req: IncomingMessage
  res: ServerResponse
  record: SimRequestRecord
  /** Aborted when the connection closes, so that pending waits stop. */
  closed: AbortController
  /** The simulator itself closed the socket (reset, drop): not a client abort. */
  selfClosed: boolean
  dialect: Dialect
}

class Simulator implements SimServer {
  url = ''
  port = 0
  readonly name: string
  readonly protocols: SimProtocol[]
  readonly requests: SimRequestRecord[] = []
  private count = 0
  private queue: SimBehaviour[] = []
  private readonly server: Server
  private readonly routes: RouteTable
  private readonly settings: HandlerSettings
  private readonly failureRandom: () => number
  private readonly jitterRandom: () => number
  private readonly maxRecords: number
  private readonly cache = new PromptCache()
  private ids = 0

  constructor(private readonly options: SimOptions) {
    this.name = options.name ?? 'sim'
    this.protocols = !options.protocol || options.protocol === 'all' ? [...ALL_PROTOCOLS] : [options.protocol]
    this.routes = routeTable(this.protocols)
    this.settings = {
      name: this.name,
      chunks: Math.max(1, Math.floor(options.streamChunks ?? 20)),
      models: options.models && options.models.length > 0 ? options.models : DEFAULT_MODELS,
      baseUrl: '',
    }
    const seed = options.seed ?? 1
    this.failureRandom = createPrng(seed)
    // A separate stream for jitter, so that turning jitter on does not change which requests fail.
    this.jitterRandom = createPrng(seed ^ 0x5bd1e995)
    this.maxRecords = Math.max(1, options.maxRecords ?? 1000)
    const slow = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res)
    const handler = options.fast ? createFastPath(this, this.settings, options, slow) : slow
    this.server = createServer({keepAlive: true, requestTimeout: 0}, handler)
    // Longer than common client pools keep idle sockets, so that a reused connection is never closed under a request.
    this.server.keepAliveTimeout = 30_000
  }

  get requestCount(): number {
    return this.count
  }

  get pendingScript(): number {
    return this.queue.length
  }

  /** Counts a request served by the fast path (which keeps no record). */
  countFast(): void {
    this.count++
  }

  /** Whether the fast path may answer: nothing scripted, no random failures, no delays. */
  fastAllowed(): boolean {
    return this.queue.length === 0
  }

  async listen(): Promise<void> {
    const host = this.options.host ?? '127.0.0.1'
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.options.port ?? 0, host, () => {
        this.server.off('error', reject)
        resolve()
      })
    })
    this.port = (this.server.address() as AddressInfo).port
    const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
    this.url = `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${this.port}`
    this.settings.baseUrl = this.url
  }

  clearRequests(): void {
    // Emptied in place: a caller may hold on to `sim.requests`.
    this.requests.length = 0
    this.count = 0
  }

  script(behaviours: SimBehaviour[]): void {
    this.queue.push(...SimScriptSchema.parse(behaviours))
  }

  async close(): Promise<void> {
    if (!this.server.listening) return
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    this.server.closeAllConnections()
    await closed
  }

  /** The full path: control routes, then one behaviour per protocol request. */
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const path = q === -1 ? url : url.slice(0, q)
    const raw = await readBody(req)
    if (path.startsWith('/_sim/')) return this.control(req.method ?? 'GET', path, raw, res)
    if (req.socket.destroyed) return

    const body = parseBody(raw)
    const {behaviour, scripted} = this.nextBehaviour(body.value)
    this.count++
    const record: SimRequestRecord = {
      seq: this.count,
      method: req.method ?? 'GET',
      path,
      query: q === -1 ? '' : url.slice(q + 1),
      headers: req.headers,
      body: body.value,
      bodyText: this.options.fast ? '' : raw.toString('utf8'),
      stream: isStreamRequest(body.value),
      behaviour: describe(behaviour),
      scripted,
      aborted: false,
      completed: false,
      receivedAt: Date.now(),
    }
    if (!this.options.fast) {
      this.requests.push(record)
      if (this.requests.length > this.maxRecords) this.requests.shift()
    }
    const route = findRoute(this.routes, record.method, path, req.headers)
    const ex: Exchange = {
      req,
      res,
      record,
      closed: new AbortController(),
      selfClosed: false,
      dialect: route?.dialect ?? this.defaultDialect(path),
    }
    res.on('close', () => {
      record.endedAt = Date.now()
      record.completed = res.writableFinished
      record.aborted = !res.writableFinished && !ex.selfClosed
      ex.closed.abort()
      if (!this.options.fast) this.options.onRequest?.(record)
    })

    try {
      await this.apply(
        ex,
        behaviour,
        route === undefined ? undefined : () => this.answer(ex, route, body, raw, behaviour),
      )
    } catch (error) {
      if (ex.closed.signal.aborted) return
      this.send(
        ex,
        errorAnswer(ex.dialect, 500, {
          message: `Simulator failure: ${(error as Error).message}`,
          requestId: requestIdOf(ex),
        }),
      )
    }
  }

  private defaultDialect(path: string): Dialect {
    if (path.startsWith('/codex/') || path.startsWith('/backend-api/')) return 'codex'
    return this.protocols.includes('openai') ? 'openai' : this.protocols[0]
  }

  /** The next scripted behaviour (a scripted tool call waits for a request that offers the tool), else a random draw. */
  private nextBehaviour(body: unknown): {behaviour: SimBehaviour; scripted: boolean} {
    const next = this.queue[0]
    if (next && (next.toolCall === undefined || offersTool(body, next.toolCall.name))) {
      this.queue.shift()
      return {behaviour: next, scripted: true}
    }
    const rate = this.options.failureRate ?? 0
    if (rate > 0 && this.failureRandom() < rate) {
      const kinds =
        this.options.failureKinds && this.options.failureKinds.length > 0
          ? this.options.failureKinds
          : (['429', '500', '503'] as const)
      return {behaviour: {kind: kinds[Math.floor(this.failureRandom() * kinds.length)]}, scripted: false}
    }
    return {behaviour: {}, scripted: false}
  }

  /** Applies one behaviour; `answer` builds the normal answer (undefined: no such route). */
  private async apply(ex: Exchange, behaviour: SimBehaviour, answer: (() => Answer) | undefined): Promise<void> {
    const kind = behaviour.kind ?? 'ok'
    if (kind === 'hang') return
    const jitter = this.options.jitterMs ? this.jitterRandom() * this.options.jitterMs : 0
    let wait = behaviour.latencyMs ?? (this.options.latencyMs ?? 0) + jitter
    if (kind === 'slow_headers') wait += behaviour.delayMs ?? DEFAULT_SLOW_HEADERS_MS
    if (wait > 0 && !(await this.wait(ex, wait))) return

    if (kind === 'reset') {
      ex.selfClosed = true
      ex.req.socket.resetAndDestroy()
      return
    }
    const requestId = requestIdOf(ex)
    if (kind === 'quota') return this.send(ex, quotaAnswer(ex.dialect, {retryAfter: behaviour.retryAfter, requestId}))
    const status = behaviour.status ?? (/^\d{3}$/.test(kind) ? Number(kind) : undefined)
    if (status !== undefined) {
      const retryAfter = behaviour.retryAfter ?? (status === 429 ? (this.options.retryAfterSeconds ?? 1) : undefined)
      const failure = errorAnswer(ex.dialect, status, {retryAfter, requestId})
      const reply: JsonAnswer = behaviour.body === undefined ? failure : {type: 'json', status, body: behaviour.body}
      reply.headers = {...failure.headers, ...retryAfterMs(ex.dialect, retryAfter), ...behaviour.headers}
      return this.send(ex, reply)
    }

    const normal = answer ? answer() : this.notFound(ex)
    if (normal.type === 'stream') {
      const cut = kind === 'drop' || kind === 'error_event' || kind === 'response_failed' ? kind : undefined
      return this.stream(ex, normal, cut, behaviour.afterChunks ?? DEFAULT_AFTER_CHUNKS)
    }
    if (normal.type === 'json' && normal.status < 400) {
      if (kind === 'drop') return this.dropJson(ex, normal)
      if (kind === 'error_event' || kind === 'response_failed')
        return this.send(ex, errorAnswer(ex.dialect, 500, {requestId}))
      const tps = this.options.tokensPerSecond
      if (tps && normal.tokens && !(await this.wait(ex, (normal.tokens * 1000) / tps))) return
    }
    this.send(ex, normal)
  }

  /** The normal answer: authentication, body checks, then the route's handler. */
  private answer(
    ex: Exchange,
    route: NonNullable<ReturnType<typeof findRoute>>,
    body: ParsedBody,
    raw: Buffer,
    behaviour: SimBehaviour,
  ): Answer {
    const requestId = requestIdOf(ex)
    const denied = authenticate(route.dialect, ex.req.headers, this.options.apiKey, requestId)
    if (denied) return denied
    if (raw.length > MAX_BODY_BYTES) {
      return errorAnswer(route.dialect, 413, {
        message: `Request body exceeds ${MAX_BODY_BYTES} bytes.`,
        type: 'request_too_large',
        requestId,
      })
    }
    if (body.invalid) {
      return invalidRequest(
        route.dialect,
        'We could not parse the JSON body of your request. The API expects a JSON payload.',
      )
    }
    const ctx: HandlerContext = {
      method: ex.record.method,
      path: route.path,
      headers: ex.req.headers,
      body: body.value,
      settings: this.settings,
      nextId: (prefix) => `${prefix}sim${(++this.ids).toString(36).padStart(6, '0')}`,
      requestId,
      toolCall: behaviour.toolCall,
      cache: this.cache,
    }
    return route.handle(ctx)
  }

  private notFound(ex: Exchange): JsonAnswer {
    const {method, path} = ex.record
    const message = `Invalid URL (${method} ${path}): this simulator serves ${this.protocols.join(', ')}.`
    return errorAnswer(ex.dialect, 404, {message, code: 'unknown_url', requestId: requestIdOf(ex)})
  }

  /** Waits, unless the client goes away first; false when it did. */
  private async wait(ex: Exchange, ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, {signal: ex.closed.signal})
      return true
    } catch {
      return false
    }
  }

  private headers(ex: Exchange, extra?: Record<string, string>): Record<string, string> {
    return {
      'x-sim-name': this.name,
      [ex.dialect === 'anthropic' ? 'request-id' : 'x-request-id']: requestIdOf(ex),
      ...extra,
    }
  }

  private send(ex: Exchange, answer: Answer): void {
    if (ex.closed.signal.aborted) return
    if (answer.type === 'stream') {
      void this.stream(ex, answer, undefined, 0)
      return
    }
    const payload = answer.type === 'raw' ? answer.body : Buffer.from(JSON.stringify(answer.body))
    const contentType = answer.type === 'raw' ? answer.contentType : 'application/json'
    const extra = answer.type === 'json' ? answer.headers : undefined
    this.markHeaders(ex, answer.status)
    ex.res.writeHead(
      answer.status,
      this.headers(ex, {'content-type': contentType, 'content-length': String(payload.length), ...extra}),
    )
    ex.res.end(payload)
  }

  /** Sends a JSON answer's headers and half its body, then closes the socket. */
  private dropJson(ex: Exchange, answer: JsonAnswer): void {
    const payload = Buffer.from(JSON.stringify(answer.body))
    this.markHeaders(ex, answer.status)
    ex.res.writeHead(
      answer.status,
      this.headers(ex, {'content-type': 'application/json', 'content-length': String(payload.length)}),
    )
    this.destroyAfter(ex, payload.subarray(0, Math.floor(payload.length / 2)))
  }

  /**
   * Writes SSE frames, pacing content chunks by `tokensPerSecond`. With `cut`, stops after `afterChunks` content
   * chunks: `drop` closes the socket, the error kinds send the protocol's failure event and end the stream.
   */
  private async stream(
    ex: Exchange,
    answer: StreamAnswer,
    cut: 'drop' | 'error_event' | 'response_failed' | undefined,
    afterChunks: number,
  ): Promise<void> {
    const {res} = ex
    this.markHeaders(ex, 200)
    res.writeHead(
      200,
      this.headers(ex, {'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache'}),
    )
    const interval = this.options.tokensPerSecond ? 1000 / this.options.tokensPerSecond : 0
    const {frames} = answer
    let lastChunk = -1
    for (let i = 0; i < frames.length; i++) if (frames[i].chunk) lastChunk = i
    let pending = ''
    let chunks = 0
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i]
      if (cut && chunks >= afterChunks && (frame.chunk || i > lastChunk)) {
        if (cut === 'drop') return this.destroyAfter(ex, Buffer.from(pending))
        res.end(pending + answer.failure(cut, i))
        return
      }
      if (frame.chunk && chunks > 0 && interval > 0) {
        if (pending) res.write(pending)
        pending = ''
        if (!(await this.wait(ex, interval))) return
      }
      pending += frame.text
      if (frame.chunk) chunks++
    }
    res.end(pending)
  }

  /** Writes what is given, then destroys the socket once it is flushed (a connection lost mid-answer). */
  private destroyAfter(ex: Exchange, data: Buffer): void {
    ex.selfClosed = true
    const destroy = () => ex.res.socket?.destroy()
    if (data.length > 0) ex.res.write(data, destroy)
    else ex.res.flushHeaders()
    if (data.length === 0) setImmediate(destroy)
  }

  private markHeaders(ex: Exchange, status: number): void {
    ex.record.status = status
    ex.record.headersAt = Date.now()
  }

  /** `/_sim/*`: health, script, requests, the sample image. */
  private control(method: string, path: string, raw: Buffer, res: ServerResponse): void {
    const reply = (status: number, body: unknown) => {
      const payload = JSON.stringify(body)
      res.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        'x-sim-name': this.name,
      })
      res.end(payload)
    }
    const key = `${method} ${path}`
    switch (key) {
      case 'GET /_sim/health':
        return reply(200, {
          status: 'ok',
          name: this.name,
          url: this.url,
          protocols: this.protocols,
          requests: this.count,
          pending_script: this.queue.length,
          fast: Boolean(this.options.fast),
        })
      case 'GET /_sim/requests':
        return reply(200, {count: this.count, requests: this.requests})
      case 'DELETE /_sim/requests': {
        const cleared = this.count
        this.clearRequests()
        return reply(200, {cleared})
      }
      case 'POST /_sim/script': {
        const parsed = parseBody(raw)
        const list = Array.isArray(parsed.value) ? parsed.value : [parsed.value]
        const result = SimScriptSchema.safeParse(parsed.invalid ? undefined : list)
        if (!result.success) {
          const problem = result.error.issues[0]
          const where = problem.path.length > 0 ? `[${problem.path.join('.')}] ` : ''
          return reply(400, {
            error: {
              message: `Invalid script: ${where}${problem.message}`,
              type: 'invalid_request_error',
              code: 'invalid_script',
              param: null,
            },
          })
        }
        this.queue.push(...result.data)
        return reply(200, {queued: result.data.length, pending: this.queue.length})
      }
      case 'DELETE /_sim/script': {
        const cleared = this.queue.length
        this.queue = []
        return reply(200, {cleared})
      }
      case 'GET /_sim/image.png': {
        const png = samplePng()
        res.writeHead(200, {'content-type': 'image/png', 'content-length': png.length})
        res.end(png)
        return
      }
      default:
        return reply(404, {
          error: {
            message: `Unknown control route ${key}. Routes: GET /_sim/health, POST|DELETE /_sim/script, GET|DELETE /_sim/requests.`,
            type: 'invalid_request_error',
            code: 'unknown_url',
            param: null,
          },
        })
    }
  }
}

/** The request's id, in the `request-id` / `x-request-id` header and in Anthropic's error bodies. */
function requestIdOf(ex: Exchange): string {
  return `req_sim${ex.record.seq}`
}

/** OpenAI's SDK honours `retry-after-ms` before `retry-after`; the real API sends both. */
function retryAfterMs(dialect: Dialect, seconds: number | undefined): Record<string, string> {
  return seconds === undefined || dialect === 'anthropic' ? {} : {'retry-after-ms': String(Math.round(seconds * 1000))}
}

function describe(behaviour: SimBehaviour): string {
  if (behaviour.status !== undefined) return `status:${behaviour.status}`
  if (behaviour.toolCall !== undefined) return `tool_call:${behaviour.toolCall.name}`
  return behaviour.kind ?? 'ok'
}

interface ParsedBody {
  value: unknown
  invalid: boolean
}

function parseBody(raw: Buffer): ParsedBody {
  if (raw.length === 0) return {value: undefined, invalid: false}
  const text = raw.toString('utf8')
  try {
    return {value: JSON.parse(text), invalid: false}
  } catch {
    return {value: text, invalid: true}
  }
}

function isStreamRequest(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as {stream?: unknown}).stream === true
}

/** Reads the whole body (past the size limit it keeps only the first bytes; the handler answers 413). */
function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY_BYTES + 1) chunks.push(chunk)
    })
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)))
    req.on('error', () => resolve(Buffer.concat(chunks)))
    req.on('close', () => resolve(Buffer.concat(chunks)))
  })
}
