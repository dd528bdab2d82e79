/**
 * The gateway's Fastify app: OpenAI-compatible routes, request parsing, routing, and the error mapper.
 * `buildApp()` does not listen; `server.ts` starts it, and tests use `inject()` or listen on port 0.
 */
import {randomBytes} from 'node:crypto'
import {STATUS_CODES} from 'node:http'
import type {Socket} from 'node:net'
import Fastify, {type FastifyInstance, type FastifyReply, type FastifyRequest} from 'fastify'

import {promptForAudit} from '../core/audit/prompt.js'
import type {RouteDecisionEvent} from '../core/audit/schema.js'
import {auditTimestamp} from '../core/audit/timestamp.js'
import {decideRoute} from '../core/routing/decide.js'
import {sessionKeyOf} from '../core/routing/session.js'
import {promptCacheTtlMs} from '../core/catalog/index.js'
import {servableModels} from '../core/routing/resolve-model.js'
import type {Endpoint, RoutingDecision} from '../core/routing/schema.js'
import {ROUTER_REQUEST_FIELD_SET} from '../core/routing/request-options.js'
import {ClientAbort} from './client-abort.js'
import {DIALECTS, ENDPOINT_ROUTES, dialectOf, type ClientDialect} from './dialects/index.js'
import {ERRORS, toGatewayError, type GatewayError} from './errors.js'
import {idempotencyTenant, requestFingerprint, type IdempotencyLease, type StoredResponse} from './idempotency.js'
import {decideWithinKey, type Admission} from './key-limits.js'
import {registerOperations} from './operations.js'
import {proxyRequest, type ProxyInput} from './proxy/run.js'
import {terminalEvent} from './proxy/events.js'
import {checkRequestShape} from './request-shape.js'
import type {GatewayState} from './state.js'

const VERSION = process.env.npm_package_version ?? '0.1.0'

/** Longest accepted `Idempotency-Key`. */
const MAX_IDEMPOTENCY_KEY = 255

/** Per-request values the hooks and handlers share. */
declare module 'fastify' {
  interface FastifyRequest {
    routerId: string
    routerStart: number
    /** The API its client speaks, picked by its path when it arrives (`dialectOf`): its errors' shape and more. */
    dialect: ClientDialect
    /** The authenticated ingress principal (key name or JWT subject); undefined when ingress auth is off. */
    principal: string | undefined
    /**
     * The body's bytes as the client sent them, kept (outside the JavaScript heap) so that they can go upstream
     * without being serialised again; null until a JSON body is parsed.
     */
    rawBody: Buffer | null
  }
}

/** Builds the app around a gateway state. Extra route plugins (operations endpoints) register through `extend`. */
export async function buildApp(
  state: GatewayState,
  options: {extend?: (app: FastifyInstance) => Promise<void> | void} = {},
): Promise<FastifyInstance> {
  const {settings} = state
  const headersTimeoutMs = settings.client_headers_timeout_seconds * 1000
  const requestTimeoutMs = settings.client_request_timeout_seconds * 1000
  /** Connections whose request took too long: its body reading then fails, and the audit says why. */
  const timedOut = new WeakSet<Socket>()
  const app = Fastify({
    logger: false,
    bodyLimit: settings.max_request_body_bytes,
    // Node's own deadlines for receiving a request, checked every second (or twice per deadline, if shorter) rather
    // than every 30 s (Node's default), so that a 10 s limit means about 10 s. Fastify turns `requestTimeout` off
    // unless it is given.
    requestTimeout: requestTimeoutMs,
    http: {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.max(
        50,
        Math.min(1000, ...[headersTimeoutMs, requestTimeoutMs].filter((ms) => ms > 0).map((ms) => ms / 2)),
      ),
    },
    clientErrorHandler: (error, socket) => {
      if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') timedOut.add(socket)
      answerClientError(error, socket)
    },
    // While shutting down, the onRequest hook answers new requests with an OpenAI-shaped 503 itself.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    keepAliveTimeout: 72_000,
    // No route declares a JSON schema (bodies are checked by the routing core and the adapters), so Fastify's default
    // compilers, Ajv and fast-json-stringify (about 9 MB of a process's memory), are never loaded.
    schemaController: {compilersFactory: {buildValidator: noSchemaCompiler, buildSerializer: noSchemaCompiler}},
    // A malformed URL (bad percent-encoding) is refused before any hook runs (so before a dialect is picked): answer it
    // in OpenAI's shape.
    frameworkErrors: (error, _request, reply) => {
      const gatewayError = toGatewayError(error)
      void (reply as FastifyReply)
        .code(gatewayError.status)
        .header('x-router-request-id', newRequestId())
        .send(gatewayError.toBody())
    },
  })

  app.decorateRequest('routerId', '')
  app.decorateRequest('routerStart', 0)
  // Picked by the onRequest hook before anything reads it (a decorator's default may not be an object).
  app.decorateRequest('dialect', null as unknown as ClientDialect)
  app.decorateRequest('principal', undefined)
  app.decorateRequest('rawBody', null)
  const auth = state.auth
  // A callback hook, not an async one: no promise per request unless ingress auth has to await a key set.
  app.addHook('onRequest', (request, _reply, done) => {
    request.routerStart = performance.now()
    request.routerId = newRequestId()
    request.dialect = dialectOf(request.url)
    // An empty Content-Type is no media type at all: read the body as JSON, like a request without the header.
    if (request.headers['content-type'] === '') delete request.headers['content-type']
    if (state.draining) {
      done(ERRORS.shuttingDown())
      return
    }
    if (auth === undefined || !auth.protects(request.url)) {
      done()
      return
    }
    auth.authenticate(request.dialect.authorization(request.headers)).then(
      (principal) => {
        request.principal = principal
        done()
      },
      (error: Error) => done(error),
    )
  })

  // Parse JSON ourselves: one JSON.parse, and malformed bodies answered in OpenAI's shape.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', {parseAs: 'buffer'}, (request, bytes, done) => {
    const raw = bytes as Buffer
    if (raw.length === 0) {
      done(null, undefined)
      return
    }
    try {
      const parsed: unknown = JSON.parse(raw.toString('utf8'))
      request.rawBody = raw
      done(null, parsed)
    } catch (error) {
      done(ERRORS.invalidJson((error as Error).message), undefined)
    }
  })

  app.setErrorHandler((error, request, reply) => {
    // A body cut off by the request timeout fails to read like an aborted one: say which it was.
    const gatewayError = timedOut.has(request.raw.socket) ? ERRORS.requestTimeout() : toGatewayError(error)
    rejectRequest(state, request, reply, gatewayError)
  })

  app.setNotFoundHandler((request, reply) => {
    const error = ERRORS.noRoute(request.method, request.url.split('?')[0])
    reply.code(404).header('x-router-request-id', request.routerId).send(request.dialect.errorBody(error))
  })

  app.get('/health', async (_request, reply) => reply.send(health(state)))
  app.get('/v1/models', async (_request, reply) => reply.send(modelList(state)))
  app.get<{Params: {'*': string}}>('/v1/models/*', async (request, reply) => {
    const id = request.params['*']
    const model = modelList(state).data.find((m) => m.id === id)
    if (!model) {
      const error = ERRORS.unconfiguredModelId(id)
      return reply.code(404).header('x-router-request-id', request.routerId).send(request.dialect.errorBody(error))
    }
    return reply.send(model)
  })

  for (const [path, endpoint] of ENDPOINT_ROUTES) {
    app.post(`/v1${path}`, (request, reply) => handle(new RequestScope(state, request, reply, endpoint, path)))
  }
  for (const dialect of DIALECTS) dialect.extraRoutes?.(app)
  registerOperations(app, state)
  app.post<{Params: {'*': string}}>('/v1/*', (request, reply) =>
    handle(new RequestScope(state, request, reply, 'passthrough', passthroughPath(request.params['*'], request.url))),
  )

  await options.extend?.(app)
  return app
}

/**
 * The path a passthrough forwards, from the route's (percent-decoded) wildcard. The upstream URL is built by URL
 * rules that resolve `.` and `..` segments (written as is or as `%2e`, and `\` counts as `/`), so a path that could
 * climb out of the account's API root (`/v1/../../etc/passwd`, `/v1/..%2f..%2fadmin`) is refused here and never sent:
 * it would reach another path of the upstream host with the account's key.
 */
function passthroughPath(wildcard: string, url: string): string {
  const unsafe =
    hasControlCharacter(wildcard) ||
    /\\|%(?:2e|2f|5c)/i.test(wildcard) ||
    wildcard.split('/').some((segment) => segment === '.' || segment === '..')
  if (!unsafe) return '/' + wildcard
  const shown = url.split('?')[0]
  throw ERRORS.unsafePassthroughPath(shown.length > 200 ? shown.slice(0, 200) + '…' : shown)
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || code === 0x7f) return true
  }
  return false
}

/** The gateway's routes have no schemas; a route that adds one must choose its compiler here. */
function noSchemaCompiler(): never {
  throw new Error(
    'the gateway compiles no route schemas: validate in the handler, or set a schema compiler in buildApp',
  )
}

/** One request to a proxied route (`POST /v1/*`), as the steps of its handling share it. */
class RequestScope {
  constructor(
    readonly state: GatewayState,
    readonly request: FastifyRequest,
    readonly reply: FastifyReply,
    readonly endpoint: Endpoint,
    /** Path after `/v1`: the upstream's path, and the idempotency fingerprint's. */
    readonly path: string,
  ) {}
}

/** Routes one request and hands it to the proxy loop. */
async function handle(scope: RequestScope): Promise<void> {
  const active = scope.state.active
  active.count++
  active.started++
  try {
    await route(scope)
  } finally {
    if (--active.count === 0) active.onIdle?.()
  }
}

/** The body as a JSON object whose fields have the shapes the endpoint's API requires; throws a 400 otherwise. */
function checkedBody(endpoint: Endpoint, body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw body === undefined ? ERRORS.emptyBody() : ERRORS.bodyNotObject()
  }
  const input = body as Record<string, unknown>
  checkRequestShape(endpoint, input)
  return input
}

async function route(scope: RequestScope): Promise<void> {
  const {state, request, reply, endpoint} = scope
  const body = request.body
  let lease: IdempotencyLease | undefined
  const streamed = typeof body === 'object' && body !== null && (body as {stream?: unknown}).stream === true
  const idempotencyKey = state.idempotency !== undefined && !streamed ? request.headers['idempotency-key'] : undefined
  if (typeof idempotencyKey === 'string' && idempotencyKey.length > 0) {
    lease = await idempotent(scope, idempotencyKey)
    if (lease === undefined) return
  }
  let admission: Admission | undefined
  try {
    const input = checkedBody(endpoint, body)
    const stream = input.stream === true
    const principal = request.principal
    // The key's limits are asked of the shared store now, and its answer read just before the request goes upstream:
    // the store's round trip runs while the request is routed and prepared, not after.
    admission = state.limits?.admit(principal)
    // Captured once: a hot reload or a policy update during this request does not change what it runs on.
    const config = state.routingConfig
    const sessionKey = state.sessions !== undefined ? sessionKeyOf(endpoint, input, request.headers, principal) : null
    const session =
      sessionKey === null
        ? undefined
        : {
            key: sessionKey,
            state: sessionKey.opening ? null : state.sessions!.lookup(sessionKey),
            now: Date.now(),
            cacheTtlMs: promptCacheTtlMs,
          }
    const decision = decideWithinKey(state.limits?.allowedModels(principal), input, config, () =>
      decideRoute({body: input, endpoint}, config, {
        profile: state.config.profile,
        stats: state.stats,
        escalations: state.policy?.escalations,
        session,
      }),
    )
    const clean = withoutRouterFields(input)

    const clientGone = new ClientAbort()
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) clientGone.abort()
    })
    // With ingress auth on, `Authorization` holds the gateway credential: passthrough accounts get the client's
    // upstream token from `X-Upstream-Authorization` instead, never the ingress key.
    const authorization = state.auth
      ? request.headers['x-upstream-authorization']
      : request.dialect.authorization(request.headers)
    const requestId = request.routerId
    // The proxy holds the body's bytes from here on, and lets them go once an answer is committed.
    const rawBody = request.rawBody
    request.rawBody = null
    const dialect = request.dialect
    const proxyInput: ProxyInput = {
      requestId,
      endpoint,
      path: scope.path,
      body: clean,
      rawBody,
      stream,
      decision,
      sessionTarget: session?.state ? {account: session.state.account, provider: session.state.provider} : undefined,
      principal,
      clientAuthorization: typeof authorization === 'string' ? authorization : undefined,
      anthropicBeta: undefined,
      dialect,
      startedAt: request.routerStart,
      signal: clientGone,
      config,
      onComplete: lease
        ? (status: number, headers: Record<string, string>, text: string) =>
            lease.complete(requestId, status, headers, text)
        : undefined,
    }
    dialect.passHeaders(request.headers, proxyInput)

    try {
      if (admission !== undefined) await admission.check(decision.requirements.input_tokens)
    } finally {
      // Published once the key's limits have answered: the audit and metrics work of the event then runs after the
      // request is on its way upstream, not in front of the shared store's answer.
      state.bus.publish(decisionEvent(state, request.routerId, decision, stream, input, principal))
    }
    state.feedback?.routed(request.routerId, decision.task, decision.complexity, endpoint, input, principal)
    state.sessions?.routed(request.routerId, decision)
    await proxyRequest(state, proxyInput, reply)
  } catch (error) {
    // The gateway's own refusal (a body of the wrong shape, an unknown model) is an answer like any other: remembered
    // for the key, so that a retry gets it again. The error handler sends the same bytes.
    if (lease) {
      const refusal = toGatewayError(error)
      lease.complete(
        request.routerId,
        refusal.status,
        errorHeaders(request, refusal),
        JSON.stringify(request.dialect.errorBody(refusal)),
        refusal.code,
      )
    }
    throw error
  } finally {
    admission?.release()
    lease?.abandon()
  }
}

/** The body without the router-only fields (`router`, `allowed_models`, …): the same object when it has none, as most do. */
function withoutRouterFields(input: Record<string, unknown>): Record<string, unknown> {
  for (const field in input) {
    if (!ROUTER_REQUEST_FIELD_SET.has(field)) continue
    const clean: Record<string, unknown> = {}
    for (const key in input) if (!ROUTER_REQUEST_FIELD_SET.has(key)) clean[key] = input[key]
    return clean
  }
  return input
}

/**
 * Handles `Idempotency-Key`: returns the lease when this request is the one to run, or answers it (a replay, a 409)
 * and returns undefined.
 */
async function idempotent(scope: RequestScope, key: string): Promise<IdempotencyLease | undefined> {
  const {state, request, reply} = scope
  if (key.length > MAX_IDEMPOTENCY_KEY) {
    throw ERRORS.idempotencyKeyTooLong(MAX_IDEMPOTENCY_KEY)
  }
  const tenant = idempotencyTenant(request.principal, request.headers['openai-organization'])
  const decision = await state.idempotency!.acquire(
    tenant,
    key,
    requestFingerprint('POST', `/v1${scope.path}`, request.body),
  )
  switch (decision.kind) {
    case 'run': {
      reply.header('x-router-idempotency-status', 'created')
      return decision.lease
    }
    case 'replay': {
      replay(scope, decision.response)
      return undefined
    }
    case 'mismatch':
      throw ERRORS.idempotencyKeyReused()
    case 'busy':
      throw ERRORS.idempotencyInProgress()
  }
}

/** Sends a remembered response again and audits it as a request of its own (`replay_of`). */
function replay(scope: RequestScope, stored: StoredResponse): void {
  const {state, request, reply} = scope
  // Sent as stored: an error body is already in the dialect's shape.
  reply
    .code(stored.status)
    .headers(stored.headers)
    .header('x-router-idempotency-status', 'replayed')
    .send(stored.body.toString('utf8'))
  const ok = stored.status >= 200 && stored.status < 300
  const rejected = stored.errorCode !== undefined
  state.bus.publish(
    terminalEvent(request.routerId, request.principal || undefined, scope.endpoint, {
      outcome: ok ? 'success' : rejected ? 'rejected' : 'upstream_error',
      status: stored.status,
      task: null,
      complexity: null,
      target: {
        model: stored.headers['x-router-model'] ?? null,
        account: stored.headers['x-router-account'] ?? null,
        provider: stored.headers['x-router-provider'] ?? null,
      },
      stream: false,
      latencyMs: performance.now() - request.routerStart,
      attempts: [],
      errorType: ok || rejected ? null : 'upstream_status',
      errorCode: stored.errorCode ?? null,
      replayOf: stored.requestId,
    }),
  )
}

/** Node's errors for a connection whose request cannot be read (too slow, too large headers, not HTTP). */
const CLIENT_ERRORS: Record<string, () => GatewayError> = {
  ERR_HTTP_REQUEST_TIMEOUT: ERRORS.requestTimeout,
  HPE_HEADER_OVERFLOW: ERRORS.headersTooLarge,
}

/**
 * Answers a connection Node could not read a request from, in OpenAI's shape (Fastify's default answer is its own
 * JSON), and closes it. Nothing is written once a response has started on it.
 */
function answerClientError(error: Error & {code?: string}, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const gatewayError = CLIENT_ERRORS[error.code ?? '']?.() ?? ERRORS.notHttp()
  const response = (socket as {_httpMessage?: {headersSent?: boolean}})._httpMessage
  if (socket.writable && !response?.headersSent) {
    const body = JSON.stringify(gatewayError.toBody())
    socket.write(
      `HTTP/1.1 ${gatewayError.status} ${STATUS_CODES[gatewayError.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy(error)
}

function decisionEvent(
  state: GatewayState,
  requestId: string,
  decision: RoutingDecision,
  stream: boolean,
  body: Record<string, unknown>,
  principal: string | undefined,
): RouteDecisionEvent {
  const event: RouteDecisionEvent = {
    ts: auditTimestamp(),
    request_id: requestId,
    event: 'route_decision',
    endpoint: decision.endpoint,
    source: decision.source,
    requested_model: decision.requested_model,
    model_alias: decision.model_alias,
    session: decision.session,
    requirements: decision.requirements,
    provider_tools: decision.provider_tools,
    task: decision.task,
    complexity: decision.complexity,
    selected_model: decision.selected_model,
    fallback_models: decision.fallback_models,
    profile: decision.profile,
    stream,
    decision_ms: Math.round(decision.decision_ms * 1000) / 1000,
    signals: decision.signals,
    candidates: decision.candidates.map((c) => ({
      model: c.model,
      rank: c.rank,
      score: c.score,
      excluded: c.excluded,
      exclusion: c.exclusion,
    })),
  }
  if (principal) event.principal = principal
  const mode = state.settings.audit_log_prompts
  if (mode !== 'off') event.prompt = promptForAudit(body, mode)
  return event
}

/** The headers of the gateway's own error answer (as `rejectRequest` sends them). */
function errorHeaders(request: FastifyRequest, error: GatewayError): Record<string, string> {
  return Object.assign({'x-router-request-id': request.routerId}, error.headers, {
    'content-type': 'application/json; charset=utf-8',
  })
}

/**
 * Answers a request the gateway refuses (bad JSON, unknown model, refused credentials…) and audits it: a `POST /v1/*`
 * as its `proxy_terminal`, a refusal of credentials on any other route as `ingress_rejected`.
 */
function rejectRequest(state: GatewayState, request: FastifyRequest, reply: FastifyReply, error: GatewayError): void {
  if (reply.sent || reply.raw.headersSent) return
  reply.code(error.status).headers(errorHeaders(request, error)).send(request.dialect.errorBody(error))
  const path = request.url.split('?')[0]
  // An ingress auth refusal records why (the client is only told that it was refused).
  const auditCode = error.auditCode
  if (request.method !== 'POST' || !path.startsWith('/v1/')) {
    if (auditCode !== undefined) {
      state.bus.publish({
        ts: auditTimestamp(),
        request_id: request.routerId,
        event: 'ingress_rejected',
        method: request.method,
        path: path.length > 200 ? path.slice(0, 200) : path,
        status: error.status,
        error_code: auditCode,
      })
    }
    return
  }
  const endpoint = ENDPOINT_ROUTES.find(([route]) => path === `/v1${route}`)?.[1] ?? 'passthrough'
  state.bus.publish(
    terminalEvent(request.routerId, request.principal || undefined, endpoint, {
      outcome: 'rejected',
      status: error.status,
      task: null,
      complexity: null,
      target: null,
      stream: false,
      latencyMs: performance.now() - request.routerStart,
      attempts: [],
      errorType: null,
      errorCode: auditCode ?? error.code,
    }),
  )
}

function health(state: GatewayState): Record<string, unknown> {
  const now = Date.now()
  const {config} = state
  const cooldowns = state.cooldowns.active(now)
  const cooling = new Map(
    cooldowns.filter((c) => c.scope === 'account').map((c) => [c.account, new Date(c.until).toISOString()]),
  )
  const auditLog = state.auditLog?.status() ?? null
  const shared = state.shared.status()
  return {
    // Degraded: still serving, but something an operator relies on is not working (the audit log cannot write, or the
    // shared store is unreachable and requests flow on this replica's own state).
    status: auditLog?.state === 'failing' || !shared.shared ? 'degraded' : 'ok',
    version: VERSION,
    worker: state.worker,
    uptime_s: Math.round((now - state.startedAt) / 1000),
    config: {
      path: config.path,
      kind: config.kind,
      profile: config.profile,
      default_model: config.config.default_model,
      models: Object.keys(config.config.models).length,
      accounts: config.config.accounts.length,
      warnings: config.warnings.length,
    },
    upstreams: config.config.accounts.map((account) => ({
      account: account.name,
      provider: account.provider,
      base_url: redactUrl(account.base_url),
      enabled: account.enabled,
      auth_mode: account.auth_mode,
      models: account.models.length === 0 ? 'any' : account.models.length,
      cooling_down_until: cooling.get(account.name) ?? null,
    })),
    cooldowns: cooldowns.map((c) => Object.assign({}, c, {until: new Date(c.until).toISOString()})),
    circuit_breakers: (state.breakers?.states?.() ?? []).map((b) =>
      Object.assign({}, b, {until: b.until === null ? null : new Date(b.until).toISOString()}),
    ),
    audit_log: auditLog,
    state: shared,
  }
}

/**
 * `GET /v1/models`: `auto` first, then every model the gateway can serve (`servableModels`) by its routing key, with
 * its `kind` (`chat`, `embeddings`, `image_generation`, or `unknown` when nobody gave its capabilities).
 */
function modelList(state: GatewayState): {
  object: 'list'
  data: Array<{id: string; object: 'model'; created: number; owned_by: string; kind: string}>
} {
  const created = Math.floor(state.startedAt / 1000)
  const data = [{id: 'auto', object: 'model' as const, created, owned_by: 'open-llm-router', kind: 'auto'}]
  for (const {key, kind} of servableModels(state.config.config)) {
    const slash = key.indexOf('/')
    data.push({id: key, object: 'model', created, owned_by: slash === -1 ? 'unknown' : key.slice(0, slash), kind})
  }
  return {object: 'list', data}
}

/** Base URLs may carry credentials (`https://user:pass@host`) or keys in the query: never show those. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.username || parsed.password) {
      parsed.username = '***'
      parsed.password = ''
    }
    for (const key of [...parsed.searchParams.keys()]) {
      if (/key|token|secret|sig/i.test(key)) parsed.searchParams.set(key, '***')
    }
    return parsed.toString()
  } catch {
    return '***'
  }
}

/** `req_` and 20 random hex characters: unique enough, cheap, and safe in headers and logs. */
function newRequestId(): string {
  if (idPool.length === 0) refillIds()
  return idPool.pop()!
}

const idPool: string[] = []
function refillIds(): void {
  const bytes = randomBytes(10 * 256)
  for (let i = 0; i < 256; i++) idPool.push('req_' + bytes.toString('hex', i * 10, i * 10 + 10))
}
