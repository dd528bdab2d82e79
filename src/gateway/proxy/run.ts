/**
 * The proxy loop: for one routed request, try each target (model × account) of the decision's chain in order until
 * one answers, relaying the answer (JSON or SSE) to the client.
 *
 * Each attempt ends in one `AttemptOutcome` (outcome.ts), returned by the relays; `settle` is the one place that
 * records it: the outcome event, the attempt summary, the breaker's verdict, the cool-down, the retry event, and the
 * terminal event when the request is over. Rules (docs/gateway.md): a status in `retry_statuses`, a connection
 * failure, a timeout, a 2xx that is not an answer, or an adapter's refusal moves on to the next target; any other
 * status is the answer. A 429 cools down that model on that account (the whole account when the provider says the
 * account is out). Streams may fall back until their first event has been written to the client.
 */
import type {FastifyReply} from 'fastify'

import type {
  AttemptSummary,
  ErrorType,
  SkipEventName,
  SkipReason,
  SkippedTarget,
  TerminalOutcome,
} from '../../core/audit/schema.js'
import type {RuntimeConfig} from '../../core/config/schema.js'
import {rewriteJsonObject} from '../../core/json-members.js'
import {roundMs} from '../../core/round.js'
import {accountsForModel, upstreamModelId} from '../../core/routing/accounts.js'
import {modelInfo, usageCost} from '../../core/routing/model-info.js'
import {ROUTER_REQUEST_FIELD_SET} from '../../core/routing/request-options.js'
import type {Endpoint, RoutingDecision} from '../../core/routing/schema.js'
import {adapterFor} from '../adapters/index.js'
import {AdapterError, type AdapterRequestContext, type UpstreamRequest} from '../adapters/types.js'
import type {ClientAbort} from '../client-abort.js'
import type {ClientDialect} from '../dialects/index.js'
import {ERRORS, type GatewayError} from '../errors.js'
import {providerFor} from '../providers.js'
import type {BreakerTicket, GatewayState} from '../state.js'
import {toUpstreamError, type UpstreamResponse} from '../upstream.js'
import {injectRouter} from './answer.js'
import {headerString} from './body.js'
import {RequestEvents} from './events.js'
import {failure, type AttemptOutcome, type UpstreamErrorDetail} from './outcome.js'
import {relayJson} from './relay-json.js'
import {withoutReasoningState} from './reasoning-state.js'
import {relayStream} from './relay-stream.js'
import type {Target} from './target.js'

/** One client request after parsing and routing. */
export interface ProxyInput {
  requestId: string
  endpoint: Endpoint
  /** Path after `/v1`. */
  path: string
  /** Client body with router-only fields removed. */
  body: Record<string, unknown>
  /** The body's bytes as the client sent them (router-only fields included), or null when the gateway has none. */
  rawBody: Buffer | null
  stream: boolean
  decision: RoutingDecision
  principal?: string
  clientAuthorization?: string
  /** The client's `anthropic-beta` header, for a Messages request (`ClientDialect.passHeaders`). */
  anthropicBeta?: string
  /** The API the client speaks: its errors' shape. */
  dialect: ClientDialect
  /** `performance.now()` when the request arrived. */
  startedAt: number
  /** Aborted when the client goes away. */
  signal: ClientAbort
  /** The config this request runs on, captured when it arrived (a hot reload does not change it midway). */
  config: RuntimeConfig
  /**
   * The target that answered the session's last turn: its account goes first among its model's accounts, and any
   * other target gets the request without the reasoning state of earlier turns (reasoning-state.ts).
   */
  sessionTarget?: {account: string; provider: string}
  /** Sees every complete (non-streamed) text answer just before it is sent: status, headers and the text. */
  onComplete?: (status: number, headers: Record<string, string>, body: string) => void
}

/** The last failed attempt, for the final error when every target failed. */
interface LastFailure {
  status: number | null
  errorType: ErrorType
  message: string
  upstream: UpstreamErrorDetail | null
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'content-encoding',
])

/** Upstream response headers worth passing to the client (rate-limit information and upstream ids). */
function forwardedHeader(name: string): boolean {
  return (
    name.startsWith('x-ratelimit-') ||
    name.startsWith('openai-') ||
    name.startsWith('anthropic-ratelimit-') ||
    name === 'x-request-id' ||
    name === 'retry-after'
  )
}

/** Runs the chain for one request and writes the response. Never throws: every failure is answered and audited. */
export async function proxyRequest(state: GatewayState, input: ProxyInput, reply: FastifyReply): Promise<void> {
  const run = new ProxyRun(state, input, reply)
  await run.execute()
}

class ProxyRun {
  private readonly attempts: AttemptSummary[] = []
  private readonly skipped: SkippedTarget[] = []
  /** Accounts whose connection failed in this request: trying them again with another model would fail too. */
  private readonly deadAccounts = new Set<string>()
  private readonly bodies = new Map<string, Record<string, unknown>>()
  private readonly bodyJsons = new Map<string, string | Buffer>()
  private readonly events: RequestEvents
  private lastFailure: LastFailure | undefined
  /** The last adapter refusal: when every target refused, the client's request is what no provider can serve. */
  private lastRefusal: {status: number; message: string; code: string} | undefined
  private terminalSent = false
  /** The circuit breaker ticket of the attempt in progress, until its outcome settles it. */
  private ticket: BreakerTicket | null = null
  /** The account whose cool-down probe the attempt in progress is, until its outcome settles it. */
  private probe: string | null = null
  /** When the attempt in progress was sent (`performance.now()`). */
  private sentAt = 0
  /** Bytes of the whole answer in hand counted against the gateway-wide budget. */
  private held = 0
  /** The client's body bytes, until an answer is committed (no fallback needs them after that). */
  private rawBody: Buffer | null

  constructor(
    private readonly state: GatewayState,
    private readonly input: ProxyInput,
    private readonly reply: FastifyReply,
  ) {
    this.rawBody = input.rawBody
    this.events = new RequestEvents(state, input.requestId, input.principal)
  }

  async execute(): Promise<void> {
    try {
      await this.run()
    } finally {
      // Whatever path ended the request (an abort, an error nobody expected), no probe slot stays taken.
      this.release()
    }
  }

  private async run(): Promise<void> {
    const {decision} = this.input
    const targets = this.targets([decision.selected_model, ...decision.fallback_models])
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i]
      if (this.input.signal.aborted) return this.clientGone(target)
      if (!this.usable(target)) continue
      const outcome = await this.attempt(target)
      if (outcome !== null && this.settle(target, outcome, targets.length - 1 - i)) return
      this.release()
      if (this.input.signal.aborted) return this.clientGone(target)
    }
    this.exhausted()
  }

  /** Every (model, account) pair of the chain, in order; the session's account first among its model's. */
  private targets(chain: string[]): Target[] {
    const config = this.input.config
    const preferred = this.input.sessionTarget?.account
    const out: Target[] = []
    for (const model of chain) {
      const accounts = accountsForModel(config, model)
      const first = preferred === undefined ? -1 : accounts.findIndex((account) => account.name === preferred)
      const ordered = first <= 0 ? accounts : [accounts[first], ...accounts.filter((_, i) => i !== first)]
      for (const account of ordered) {
        out.push({
          model,
          account,
          provider: account.provider,
          adapter: adapterFor(providerFor(account.provider)?.adapter ?? 'openai'),
        })
      }
    }
    return out
  }

  /** Whether a target may be tried now; publishes the skip event when not. */
  private usable(target: Target): boolean {
    const now = Date.now()
    const name = target.account.name
    if (!target.adapter.supports(this.input.endpoint)) {
      this.skip(
        target,
        'proxy_skip_unavailable',
        null,
        `${target.provider} does not support ${this.input.endpoint}`,
        'unsupported_endpoint',
      )
      return false
    }
    if (this.deadAccounts.has(name)) {
      this.skip(
        target,
        'proxy_skip_unavailable',
        null,
        'connection to this account already failed in this request',
        'already_tried',
      )
      return false
    }
    const cooling = this.state.cooldowns.check(name, target.model, now)
    if (cooling !== undefined && cooling !== 'probe') {
      const what = cooling.scope === 'account' ? 'account' : 'model on this account'
      this.skip(
        target,
        'proxy_skip_rate_limited',
        cooling.until,
        `${what} cooling down: ${cooling.reason}`,
        'rate_limited',
      )
      return false
    }
    if (cooling === 'probe') this.probe = name
    const breakers = this.state.breakers
    if (breakers !== undefined) {
      const breaker = breakers.check(name, target.model, target.provider, now)
      if (!breaker.allowed) {
        this.release()
        this.skip(target, 'proxy_skip_circuit_open', breaker.until, breaker.reason, 'circuit_open')
        return false
      }
      this.ticket = breaker
    }
    return true
  }

  private skip(target: Target, event: SkipEventName, until: number | null, reason: string, code: SkipReason): void {
    this.skipped.push({model: target.model, account: target.account.name, provider: target.provider, reason: code})
    this.events.skip(target, event, until, reason)
  }

  /**
   * One attempt: build the provider's request, send it, relay what comes back. Null when it was never sent for want
   * of a credential (already audited as a skip).
   */
  private async attempt(target: Target): Promise<AttemptOutcome | null> {
    const credential = await this.state.credentials.resolve(target.account, this.input.clientAuthorization)
    if (credential === null) {
      const reason = this.state.credentialProblems.get(target.account.name) ?? 'no usable credential for this account'
      this.skip(target, 'proxy_skip_unavailable', null, reason, 'auth_unavailable')
      return null
    }
    const upstreamModel = upstreamModelId(this.input.config, target.model)
    const session = this.input.sessionTarget
    const moved = session !== undefined && session.account !== target.account.name
    const ctx: AdapterRequestContext = {
      endpoint: this.input.endpoint,
      path: this.input.path,
      body: moved ? this.movedBodyFor(upstreamModel) : this.bodyFor(upstreamModel),
      bodyJson: () => (moved ? JSON.stringify(this.movedBodyFor(upstreamModel)) : this.bodyJsonFor(upstreamModel)),
      upstreamModel,
      stream: this.input.stream,
      account: target.account,
      credential: credential ?? {token: null},
    }
    if (this.input.anthropicBeta !== undefined) ctx.anthropicBeta = this.input.anthropicBeta
    let upstream: UpstreamRequest
    try {
      upstream = target.adapter.buildRequest(ctx)
    } catch (error) {
      // A request this provider's protocol cannot express (a tool only another provider runs, a content part it
      // lacks): another target of the chain may serve it.
      const message = error instanceof Error ? error.message : String(error)
      const status = error instanceof AdapterError ? error.status : 400
      return {
        kind: 'refused',
        status,
        message,
        code: (error instanceof AdapterError && error.code) || 'unsupported_request',
      }
    }
    upstream.headers['accept-encoding'] ??= 'identity'
    this.events.attempt(target, this.attempts.length + 1, upstreamModel, this.input.stream)
    this.sentAt = performance.now()
    let response: UpstreamResponse
    try {
      response = await this.state.upstream.send(upstream, this.input.signal)
    } catch (error) {
      return failure(toUpstreamError(error, this.input.signal))
    }
    const connectMs = performance.now() - this.sentAt
    const status = response.statusCode
    this.events.connected(target, this.attempts.length + 1, status, connectMs)
    const ok = status >= 200 && status < 300
    const translator = this.input.stream && ok ? target.adapter.createStreamTranslator?.(ctx) : undefined
    if (this.input.stream && ok && (translator !== undefined || isEventStream(response))) {
      return relayStream({
        response,
        translator,
        endpoint: this.input.endpoint,
        dialect: this.input.dialect,
        signal: this.input.signal,
        connectMs,
        maxBytes: this.state.settings.max_response_body_bytes,
        res: this.reply.raw,
        begin: () => this.beginStream(target, response),
      })
    }
    const {settings} = this.state
    return relayJson({
      response,
      adapter: target.adapter,
      ctx,
      upstream,
      endpoint: this.input.endpoint,
      signal: this.input.signal,
      connectMs,
      maxBytes: settings.max_response_body_bytes,
      retryStatuses: this.input.config.retry_statuses,
      reserve: (bytes) => this.reserve(bytes),
      cooldown: {
        defaultMs: settings.rate_limit_default_cooldown_seconds * 1000,
        maxMs: settings.rate_limit_max_cooldown_seconds * 1000,
      },
    })
  }

  /** Sends a stream's status and headers, once its first event is ready: from here on, no fallback. */
  private beginStream(target: Target, response: UpstreamResponse): void {
    this.rawBody = null
    this.bodyJsons.clear()
    this.reply.hijack()
    // This attempt is recorded when the stream ends; the client learns about it now.
    const headers = this.clientHeaders(target, response.headers, this.attempts.length + 1)
    headers['content-type'] = 'text/event-stream; charset=utf-8'
    headers['cache-control'] = 'no-cache'
    headers['x-accel-buffering'] = 'no'
    this.reply.raw.writeHead(response.statusCode, headers)
  }

  /**
   * Records how an attempt ended: its outcome event, its summary, the breaker's verdict, the cool-down, and the retry
   * or terminal event. Sends a whole answer. Returns true when the request is over.
   */
  private settle(target: Target, outcome: AttemptOutcome, remaining: number): boolean {
    const attempt = this.attempts.length + 1
    const latencyMs = performance.now() - this.sentAt
    const account = target.account.name
    switch (outcome.kind) {
      case 'refused': {
        this.lastRefusal = outcome
        this.skip(target, 'proxy_skip_unavailable', null, outcome.message, 'unsupported_request')
        return false
      }
      case 'answer':
      case 'streamed': {
        const ok = outcome.status >= 200 && outcome.status < 300
        const cost = usageCost(modelInfo(this.input.config, target.model), outcome.usage)
        this.events.response(target, attempt, {
          status: outcome.status,
          stream: this.input.stream,
          connectMs: outcome.connectMs,
          latencyMs,
          bytes: outcome.bytes,
          usage: outcome.usage,
          cost,
        })
        this.record(target, outcome.status, ok ? null : 'upstream_status', latencyMs, ok)
        this.verdict(ok || outcome.status < 500 ? 'success' : 'failure')
        this.state.cooldowns.settle(account, Date.now())
        if (outcome.kind === 'answer') this.sendAnswer(target, outcome, cost.cost_usd)
        this.terminal(ok ? 'success' : 'upstream_error', outcome.status, target, ok ? null : 'upstream_status', null)
        return true
      }
      case 'failed': {
        if (outcome.errorType === 'upstream_status' && outcome.answered !== null) {
          this.events.response(target, attempt, {
            status: outcome.status ?? 0,
            stream: this.input.stream,
            connectMs: outcome.answered.connectMs,
            latencyMs,
            bytes: outcome.answered.bytes,
            usage: null,
            cost: null,
          })
        } else {
          this.events.requestError(target, attempt, outcome.errorType, outcome.message, latencyMs)
        }
        this.record(target, outcome.status, outcome.errorType, latencyMs, false)
        const connection = outcome.errorType === 'connect_error' || outcome.errorType === 'connect_timeout'
        if (connection) this.deadAccounts.add(account)
        // A 429 is the cool-down's business, not a sign that the target is broken.
        this.verdict(outcome.status === 429 ? 'release' : connection ? 'connection_failure' : 'failure')
        if (outcome.cooldown !== null) {
          const now = Date.now()
          const {scope, durationMs, reason} = outcome.cooldown
          const until = this.state.cooldowns.set(
            account,
            scope === 'account' ? null : target.model,
            durationMs,
            now,
            reason,
          )
          this.probe = null
          this.events.rateLimited(target, attempt, durationMs, until, scope, reason)
        } else if (outcome.status !== null) {
          this.state.cooldowns.settle(account, Date.now())
        }
        this.lastFailure = {
          status: outcome.status,
          errorType: outcome.errorType,
          message: outcome.message,
          upstream: outcome.upstream,
        }
        if (remaining > 0) this.events.retry(target, attempt, outcome.status, outcome.errorType, outcome.message)
        return false
      }
      case 'broken': {
        this.events.streamError(target, attempt, outcome.errorType, outcome.message, outcome.bytesSent)
        this.record(target, 200, outcome.errorType, latencyMs, false)
        this.verdict('failure')
        this.state.cooldowns.settle(account, Date.now())
        this.terminal('stream_error', 200, target, outcome.errorType, null)
        return true
      }
      case 'client_gone': {
        if (outcome.midStream) {
          this.events.streamError(
            target,
            attempt,
            'client_abort',
            'the client closed the connection',
            outcome.bytesSent,
          )
          this.record(target, 200, 'client_abort', latencyMs, false)
        } else {
          this.events.requestError(target, attempt, 'client_abort', 'the client closed the connection', latencyMs)
          this.record(target, null, 'client_abort', latencyMs, false)
        }
        this.verdict('release')
        this.terminal('client_abort', outcome.midStream ? 200 : 499, target, 'client_abort', null)
        return true
      }
    }
  }

  /** Settles the attempt's breaker ticket (once; later calls do nothing). */
  private verdict(outcome: 'success' | 'failure' | 'connection_failure' | 'release'): void {
    const ticket = this.ticket
    if (ticket === null) return
    this.ticket = null
    if (outcome === 'success') ticket.success(Date.now())
    else if (outcome === 'failure') ticket.failure(Date.now())
    else if (outcome === 'connection_failure') ticket.failure(Date.now(), true)
    else ticket.release()
  }

  /** Lets go of what the attempt in progress held and did not settle: its breaker ticket and its cool-down probe. */
  private release(): void {
    this.verdict('release')
    if (this.probe !== null) this.state.cooldowns.release(this.probe)
    this.probe = null
  }

  /** Counts `bytes` of a whole answer against the gateway-wide budget of buffered answers; false when over it. */
  private reserve(bytes: number): boolean {
    const budget = this.state.bufferedAnswers
    if (budget.bytes + bytes > this.state.settings.max_buffered_response_bytes && budget.bytes > 0) return false
    budget.bytes += bytes
    this.held += bytes
    return true
  }

  /** Gives the buffered bytes back once the answer has left (or failed). */
  private unreserve(): void {
    this.state.bufferedAnswers.bytes -= this.held
    this.held = 0
  }

  private sendAnswer(target: Target, answer: Extract<AttemptOutcome, {kind: 'answer'}>, costUsd: number | null): void {
    let body = answer.body
    if (typeof body === 'string' && answer.contentType.includes('json'))
      body = injectRouter(body, JSON.stringify(this.routerObject(target, costUsd)))
    // The adapters leave an upstream's error in OpenAI's shape: the client's dialect puts it in its API's.
    if (answer.status >= 400 && typeof body === 'string') body = this.input.dialect.upstreamError(answer.status, body)
    const headers = this.clientHeaders(target, answer.headers)
    headers['content-type'] = answer.contentType
    if (typeof body === 'string') this.input.onComplete?.(answer.status, headers, body)
    if (this.held > 0) this.reply.raw.once('close', () => this.unreserve())
    this.reply.code(answer.status).headers(headers).send(body)
  }

  private record(
    target: Target,
    status: number | null,
    errorType: ErrorType | null,
    latencyMs: number,
    ok: boolean,
  ): void {
    this.attempts.push({
      model: target.model,
      account: target.account.name,
      provider: target.provider,
      status,
      error_type: errorType,
      latency_ms: roundMs(latencyMs),
      ok,
    })
    // A failed whole answer's bytes are garbage now.
    if (!ok && this.held > 0) this.unreserve()
  }

  /** Every target failed or was skipped: answer with what the last upstream said, and what was tried. */
  private exhausted(): void {
    const last = this.lastFailure
    const tried = this.attempts.map(
      (a) =>
        `${a.model} via ${a.account}: ${a.status === null ? describe(a.error_type) : a.error_type === 'upstream_status' ? a.status : `${a.status} ${describe(a.error_type)}`}`,
    )
    const skipped = this.skipped.map((s) => `${s.model} via ${s.account}: skipped (${s.reason.replaceAll('_', ' ')})`)
    let error: GatewayError
    if (this.attempts.length === 0) {
      const refusal = this.lastRefusal
      const permanent = this.skipped.every(
        (s) => s.reason === 'unsupported_request' || s.reason === 'unsupported_endpoint',
      )
      if (refusal !== undefined && permanent) {
        // No provider of the chain can express this request: the client's to change.
        error = ERRORS.upstreamRefusal(refusal.status, refusal.message, refusal.code)
      } else {
        const rateLimited = this.skipped.length > 0 && this.skipped.every((s) => s.reason === 'rate_limited')
        error = ERRORS.noAvailableUpstream(rateLimited, skipped.join('; ') || 'no target', this.retryAfter())
      }
    } else {
      let status: number
      if (last?.status != null && (last.status >= 500 || last.status === 429)) status = last.status
      else if (last?.status == null && last?.errorType.endsWith('timeout')) status = 504
      else status = 502
      const summary = `All upstream attempts failed: ${[...tried, ...skipped].join('; ')}.`
      const upstream = last?.upstream ?? null
      // The provider's own words first: a billing problem must never look like a transient limit.
      const message =
        upstream !== null
          ? `${upstream.message} (${summary})`
          : last !== undefined && last.errorType !== 'upstream_status'
            ? `${summary} Last error: ${last.message}.`
            : summary
      const type = upstream?.type ?? (status === 429 ? 'rate_limit_error' : 'upstream_error')
      const headers = status === 429 || status === 503 ? this.retryAfter() : {}
      error = ERRORS.upstreamExhausted(status, message, type, upstream?.code ?? null, headers)
    }
    this.events.exhausted(error.status, this.attempts, this.skipped)
    this.fail(error, last?.errorType ?? null)
  }

  /**
   * `Retry-After` for a 429 or 503: the soonest moment a target of this request's chain frees up (a cool-down or an
   * open breaker ends), at least one second; one second when nothing says.
   */
  private retryAfter(): Record<string, string> {
    const now = Date.now()
    const chain = new Set([this.input.decision.selected_model, ...this.input.decision.fallback_models])
    let soonest = Infinity
    for (const cooldown of this.state.cooldowns.active(now)) {
      if (cooldown.model !== null && !chain.has(cooldown.model)) continue
      if (
        cooldown.model === null &&
        !this.skipped.some((s) => s.account === cooldown.account) &&
        !this.attempts.some((a) => a.account === cooldown.account)
      )
        continue
      soonest = Math.min(soonest, cooldown.until)
    }
    for (const breaker of this.state.breakers?.states?.() ?? []) {
      if (breaker.until !== null && (breaker.model === null || chain.has(breaker.model)))
        soonest = Math.min(soonest, breaker.until)
    }
    const seconds = soonest === Infinity ? 1 : Math.max(1, Math.ceil((soonest - now) / 1000))
    return {'retry-after': String(seconds)}
  }

  /** Answers with a gateway error (JSON) and the terminal event. */
  private fail(error: GatewayError, errorType: ErrorType | null): void {
    const last = this.attempts.at(-1)
    const headers = this.diagnosticHeaders(null, last)
    Object.assign(headers, error.headers)
    // Serialised here, once, so that the idempotency capture sees exactly the bytes sent.
    const body = JSON.stringify(this.input.dialect.errorBody(error, this.routerObject(null)))
    headers['content-type'] = 'application/json; charset=utf-8'
    this.input.onComplete?.(error.status, headers, body)
    this.reply.code(error.status).headers(headers).send(body)
    const rejected = this.attempts.length === 0 && error.status < 500 && error.status !== 429
    this.terminal(rejected ? 'rejected' : 'exhausted', error.status, null, errorType, rejected ? error.code : null)
  }

  private clientGone(target: Target): void {
    this.terminal('client_abort', 499, target, 'client_abort', null)
  }

  private terminal(
    outcome: TerminalOutcome,
    status: number,
    target: Target | null,
    errorType: ErrorType | null,
    errorCode: string | null,
  ): void {
    if (this.terminalSent) return
    this.terminalSent = true
    const last = this.attempts.at(-1)
    this.events.terminal(this.input.endpoint, this.input.decision, {
      outcome,
      status,
      target:
        target !== null
          ? {model: target.model, account: target.account.name, provider: target.provider}
          : (last ?? null),
      stream: this.input.stream,
      latencyMs: performance.now() - this.input.startedAt,
      attempts: this.attempts,
      errorType,
      errorCode,
    })
  }

  /** The client body for one upstream model (shared between accounts of that model). */
  private bodyFor(upstreamModel: string): Record<string, unknown> {
    let body = this.bodies.get(upstreamModel)
    if (!body) {
      // Object.assign, not a spread: V8 takes a slow path for `{...big, model}` (microseconds per request).
      body = Object.assign({}, this.input.body)
      body.model = upstreamModel
      this.bodies.set(upstreamModel, body)
    }
    return body
  }

  /** `bodyFor(upstreamModel)` for a target the session moves to: without the reasoning state of earlier turns. */
  private movedBodyFor(upstreamModel: string): Record<string, unknown> {
    const body = this.bodyFor(upstreamModel)
    return withoutReasoningState(this.input.endpoint, body) ?? body
  }

  /**
   * `bodyFor(upstreamModel)` as JSON: the client's own bytes with `model` replaced and the router-only fields cut out,
   * which costs far less than serialising the parsed body again (see `rewriteJsonObject`); a fresh serialisation when
   * the bytes cannot be edited that way (a key given twice).
   */
  private bodyJsonFor(upstreamModel: string): string | Buffer {
    let json = this.bodyJsons.get(upstreamModel)
    if (json === undefined) {
      const raw = this.rawBody
      json =
        (raw === null
          ? undefined
          : rewriteJsonObject(raw, {key: 'model', value: upstreamModel}, ROUTER_REQUEST_FIELD_SET)) ??
        JSON.stringify(this.bodyFor(upstreamModel))
      this.bodyJsons.set(upstreamModel, json)
    }
    return json
  }

  private clientHeaders(
    target: Target,
    upstream: Record<string, string | string[] | undefined>,
    attempts = this.attempts.length,
  ): Record<string, string> {
    const headers = this.diagnosticHeaders(target, undefined, attempts)
    for (const name in upstream) {
      if (HOP_BY_HOP.has(name) || !forwardedHeader(name)) continue
      const value = upstream[name]
      if (value !== undefined)
        headers[name === 'x-request-id' ? 'x-upstream-request-id' : name] = Array.isArray(value)
          ? value.join(', ')
          : value
    }
    return headers
  }

  private diagnosticHeaders(
    target: Target | null,
    last: AttemptSummary | undefined,
    attempts = this.attempts.length,
  ): Record<string, string> {
    const {decision} = this.input
    const headers: Record<string, string> = {
      'x-router-request-id': this.input.requestId,
      'x-router-task': decision.task,
      'x-router-complexity': decision.complexity,
      'x-router-attempts': String(attempts),
      'x-router-decision-ms': decision.decision_ms.toFixed(3),
    }
    const model = target?.model ?? last?.model
    const account = target?.account.name ?? last?.account
    const provider = target?.provider ?? last?.provider
    if (model) headers['x-router-model'] = model
    if (account) headers['x-router-account'] = account
    if (provider) headers['x-router-provider'] = provider
    return headers
  }

  /** The `_router` object of an answer (its estimated cost with it) or of an error body. */
  private routerObject(target: Target | null, costUsd: number | null = null): Record<string, unknown> {
    const {decision} = this.input
    return {
      request_id: this.input.requestId,
      source: decision.source,
      task: decision.task,
      complexity: decision.complexity,
      selected_model: decision.selected_model,
      model: target?.model ?? null,
      account: target?.account.name ?? null,
      provider: target?.provider ?? null,
      fallback_models: decision.fallback_models,
      profile: decision.profile,
      decision_ms: roundMs(decision.decision_ms),
      attempts: this.attempts,
      cost_usd: costUsd,
    }
  }
}

function describe(errorType: ErrorType | null): string {
  return (errorType ?? 'error').replaceAll('_', ' ')
}

function isEventStream(response: UpstreamResponse): boolean {
  return headerString(response.headers['content-type'])?.includes('text/event-stream') ?? false
}
