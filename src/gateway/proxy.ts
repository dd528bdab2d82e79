/**
 * The proxy loop: for one routed request, try each target (model × account) of the decision's chain in order until
 * one answers, relaying the answer (JSON or SSE) to the client, and publish the audit events of every step.
 *
 * Rules (see docs/gateway.md): a status in `retry_statuses`, a connection failure, a timeout or an adapter-reported
 * failure moves on to the next target; any other status is the answer. A 429 cools the account down for its
 * Retry-After. Streams may fall back until the first byte has been written to the client; after that a failure
 * becomes an SSE error event and the stream ends without `[DONE]`.
 */
import {createBrotliDecompress, createGunzip, createInflate} from 'node:zlib'
import type {Transform} from 'node:stream'
import type {FastifyReply} from 'fastify'

import type {AttemptSummary, AuditEvent, ErrorType} from '../core/audit/schema.js'
import {auditTimestamp} from '../core/audit/timestamp.js'
import type {Account, RuntimeConfig} from '../core/config/schema.js'
import {rewriteJsonObject} from '../core/json-members.js'
import {accountsForModel, upstreamModelId} from '../core/routing/accounts.js'
import {modelInfo, usageCostUsd, type TokenUsage} from '../core/routing/model-info.js'
import {ROUTER_REQUEST_FIELD_SET} from '../core/routing/request-options.js'
import type {Endpoint, RoutingDecision} from '../core/routing/schema.js'
import {adapterFor} from './adapters/index.js'
import type {ClientAbort} from './client-abort.js'
import {AdapterError, type AdapterRequestContext, type ProviderAdapter, type StreamTranslator} from './adapters/types.js'
import {GatewayError} from './errors.js'
import {providerFor} from './providers.js'
import type {BreakerTicket, GatewayState} from './state.js'
import {UpstreamError, toUpstreamError, type BodyConsumer, type UpstreamResponse} from './upstream.js'
import {retryAfterMs} from './retry-after.js'

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
  /** The client's `anthropic-beta` header, for a Messages request. */
  anthropicBeta?: string
  /** `performance.now()` when the request arrived. */
  startedAt: number
  /** Aborted when the client goes away. */
  signal: ClientAbort
  /** The config this request runs on, captured when it arrived (a hot reload does not change it midway). */
  config: RuntimeConfig
  /** Sees every complete (non-streamed) answer just before it is sent: status, headers and the JSON text. */
  onComplete?: (status: number, headers: Record<string, string>, body: string) => void
}

/** Events about one request (every kind but the gateway-wide `circuit_state` and `config_reload`). */
type RequestEvent = Exclude<AuditEvent, {event: 'circuit_state' | 'config_reload'}>

type SkipReason = 'circuit_open' | 'rate_limited' | 'auth_unavailable' | 'already_tried' | 'unsupported_endpoint'

interface Target {
  model: string
  account: Account
  provider: string
  adapter: ProviderAdapter
}

/** Outcome of one attempt that did not produce the final answer. */
interface AttemptFailure {
  status: number | null
  errorType: ErrorType
  message: string
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
  private readonly skipped: Array<{model: string; account: string; provider: string; reason: SkipReason}> = []
  /** Accounts whose connection failed in this request: trying them again with another model would fail too. */
  private readonly deadAccounts = new Set<string>()
  private readonly bodies = new Map<string, Record<string, unknown>>()
  private readonly bodyJsons = new Map<string, string | Buffer>()
  private lastFailure: AttemptFailure | undefined
  private terminalSent = false
  /** The circuit breaker ticket of the attempt in progress, until its outcome settles it. */
  private ticket: BreakerTicket | null = null
  /** The client's body bytes, until an answer is committed (no fallback needs them after that). */
  private rawBody: Buffer | null

  constructor(
    private readonly state: GatewayState,
    private readonly input: ProxyInput,
    private readonly reply: FastifyReply,
  ) {
    this.rawBody = input.rawBody
  }

  async execute(): Promise<void> {
    try {
      await this.run()
    } finally {
      // Whatever path ended the request (an abort, an error nobody expected), no probe slot stays taken.
      this.settleTicket('release')
    }
  }

  private async run(): Promise<void> {
    const {decision} = this.input
    const chain = [decision.selected_model, ...decision.fallback_models]
    const targets = this.targets(chain)
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i]
      if (this.input.signal.aborted) return this.clientGone(target)
      if (!this.usable(target)) continue
      const done = await this.attempt(target, targets.length - 1 - i)
      this.settleTicket('release')
      if (done) return
      if (this.input.signal.aborted) return this.clientGone(target)
    }
    this.exhausted()
  }

  /** Settles the current attempt's breaker ticket (once; later calls do nothing). */
  private settleTicket(outcome: 'success' | 'failure' | 'connection_failure' | 'release'): void {
    const ticket = this.ticket
    if (ticket === null) return
    this.ticket = null
    if (outcome === 'success') ticket.success(Date.now())
    else if (outcome === 'failure') ticket.failure(Date.now())
    else if (outcome === 'connection_failure') ticket.failure(Date.now(), true)
    else ticket.release()
  }

  /** Every (model, account) pair of the chain, in order. */
  private targets(chain: string[]): Target[] {
    const config = this.input.config
    const out: Target[] = []
    for (const model of chain) {
      for (const account of accountsForModel(config, model)) {
        const provider = providerFor(account.provider)
        out.push({
          model,
          account,
          provider: account.provider,
          adapter: adapterFor(provider?.adapter ?? 'openai'),
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
      this.skip(target, 'proxy_skip_unavailable', null, `${target.provider} does not support ${this.input.endpoint}`, 'unsupported_endpoint')
      return false
    }
    if (this.deadAccounts.has(name)) {
      this.skip(target, 'proxy_skip_unavailable', null, 'connection to this account already failed in this request', 'already_tried')
      return false
    }
    const coolUntil = this.state.cooldowns.activeUntil(name, now)
    if (coolUntil !== undefined) {
      this.skip(target, 'proxy_skip_rate_limited', new Date(coolUntil).toISOString(), 'rate limited (Retry-After)', 'rate_limited')
      return false
    }
    const breakers = this.state.breakers
    if (breakers !== undefined) {
      const breaker = breakers.check(name, target.model, target.provider, now)
      if (!breaker.allowed) {
        this.skip(target, 'proxy_skip_circuit_open', breaker.until === null ? null : new Date(breaker.until).toISOString(), breaker.reason, 'circuit_open')
        return false
      }
      this.ticket = breaker
    }
    return true
  }

  private skip(
    target: Target,
    event: 'proxy_skip_circuit_open' | 'proxy_skip_rate_limited' | 'proxy_skip_unavailable',
    until: string | null,
    reason: string,
    code: SkipReason,
  ): void {
    this.skipped.push({model: target.model, account: target.account.name, provider: target.provider, reason: code})
    this.emit({
      ts: auditTimestamp(),
      request_id: this.input.requestId,
      event,
      model: target.model,
      account: target.account.name,
      provider: target.provider,
      until,
      reason,
    })
  }

  /** One attempt. Returns true when the request is finished (answered, or the client left). */
  private async attempt(target: Target, remaining: number): Promise<boolean> {
    const attemptNo = this.attempts.length + 1
    const credential = await this.state.credentials.resolve(target.account, this.input.clientAuthorization)
    if (credential === null) {
      this.settleTicket('release')
      const reason = this.state.credentialProblems.get(target.account.name) ?? 'no usable credential for this account'
      this.skip(target, 'proxy_skip_unavailable', null, reason, 'auth_unavailable')
      return false
    }
    const upstreamModel = upstreamModelId(this.input.config, target.model)
    const ctx: AdapterRequestContext = {
      endpoint: this.input.endpoint,
      path: this.input.path,
      body: this.bodyFor(upstreamModel),
      bodyJson: () => this.bodyJsonFor(upstreamModel),
      upstreamModel,
      stream: this.input.stream,
      account: target.account,
      credential: credential ?? {token: null},
    }
    if (this.input.anthropicBeta !== undefined) ctx.anthropicBeta = this.input.anthropicBeta
    let upstream
    try {
      upstream = target.adapter.buildRequest(ctx)
    } catch (error) {
      // A request the provider's protocol cannot express (e.g. an unsupported content part) is the client's error.
      const message = error instanceof Error ? error.message : String(error)
      const status = error instanceof AdapterError ? error.status : 400
      const code = (error instanceof AdapterError && error.code) || 'unsupported_request'
      this.settleTicket('release')
      this.fail(new GatewayError(status, message, 'invalid_request_error', code), target)
      return true
    }
    upstream.headers['accept-encoding'] ??= 'identity'
    this.emit({
      ts: auditTimestamp(),
      request_id: this.input.requestId,
      event: 'proxy_attempt',
      model: target.model,
      account: target.account.name,
      provider: target.provider,
      attempt: attemptNo,
      upstream_model: upstreamModel,
      stream: this.input.stream,
    })
    const sentAt = performance.now()
    let response: UpstreamResponse
    try {
      response = await this.state.upstream.send(upstream, this.input.signal)
    } catch (error) {
      const failure = toUpstreamError(error, this.input.signal)
      this.requestError(target, attemptNo, failure, sentAt)
      if (failure.errorType === 'client_abort') return true
      if (failure.errorType === 'connect_error' || failure.errorType === 'connect_timeout') this.deadAccounts.add(target.account.name)
      this.retry(target, attemptNo, null, failure.errorType, failure.message, remaining)
      return false
    }
    const connectMs = performance.now() - sentAt
    const status = response.statusCode
    this.emit({
      ts: auditTimestamp(),
      request_id: this.input.requestId,
      event: 'proxy_upstream_connected',
      model: target.model,
      account: target.account.name,
      provider: target.provider,
      attempt: attemptNo,
      status,
      connect_ms: round(connectMs),
    })

    const ok = status >= 200 && status < 300
    const translator = this.input.stream && ok ? target.adapter.createStreamTranslator?.(ctx) : undefined
    if (this.input.stream && ok && (translator !== undefined || isEventStream(response))) {
      return this.relayStream(target, attemptNo, response, translator, sentAt, connectMs, remaining)
    }
    return this.relayJson(target, attemptNo, response, ctx, sentAt, connectMs, remaining)
  }

  /** Reads a complete answer and sends it as JSON (translated, with `_router` added to JSON objects). */
  private async relayJson(
    target: Target,
    attemptNo: number,
    response: UpstreamResponse,
    ctx: AdapterRequestContext,
    sentAt: number,
    connectMs: number,
    remaining: number,
  ): Promise<boolean> {
    const status = response.statusCode
    let text: string
    try {
      text = await readText(response, this.state.settings.max_response_body_bytes)
    } catch (error) {
      const failure = toUpstreamError(error, this.input.signal)
      this.requestError(target, attemptNo, failure, sentAt)
      if (failure.errorType === 'client_abort') return true
      this.retry(target, attemptNo, status, failure.errorType, failure.message, remaining)
      return false
    }
    let outStatus = status
    let payload = text
    let contentType = headerString(response.headers['content-type']) ?? 'application/json'
    try {
      const translated =
        status >= 400
          ? target.adapter.translateError?.(status, text)
          : target.adapter.translateResponse?.(status, text, ctx)
      if (translated) {
        outStatus = translated.status
        payload = JSON.stringify(translated.body)
        contentType = 'application/json'
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      const adapterStatus = error instanceof AdapterError ? error.status : 502
      this.outcomeError(target, attemptNo, 'protocol_error', message, sentAt)
      this.recordAttempt(target, adapterStatus, 'protocol_error', sentAt, false)
      this.lastFailure = {status: adapterStatus, errorType: 'protocol_error', message}
      this.settleTicket('failure')
      this.retry(target, attemptNo, adapterStatus, 'protocol_error', message, remaining)
      return false
    }
    if (this.input.config.retry_statuses.includes(outStatus)) {
      this.response(target, attemptNo, outStatus, connectMs, sentAt, Buffer.byteLength(text), null)
      this.recordAttempt(target, outStatus, 'upstream_status', sentAt, false)
      this.lastFailure = {status: outStatus, errorType: 'upstream_status', message: `upstream answered ${outStatus}`}
      // A 429 is the cool-down's business, not a sign that the target is broken.
      this.settleTicket(outStatus === 429 ? 'release' : 'failure')
      if (outStatus === 429) this.rateLimited(target, attemptNo, response)
      this.retry(target, attemptNo, outStatus, 'upstream_status', `upstream answered ${outStatus}`, remaining)
      return false
    }
    const ok = outStatus >= 200 && outStatus < 300
    const cost = this.response(target, attemptNo, outStatus, connectMs, sentAt, Buffer.byteLength(text), ok ? usageFrom(text) : null)
    this.recordAttempt(target, outStatus, ok ? null : 'upstream_status', sentAt, ok)
    this.settleTicket(ok || outStatus < 500 ? 'success' : 'failure')
    if (contentType.includes('json')) payload = injectRouter(payload, this.routerSummary(target, cost))
    const headers = this.clientHeaders(target, response.headers)
    headers['content-type'] = contentType
    this.input.onComplete?.(outStatus, headers, payload)
    this.reply.code(outStatus).headers(headers).send(payload)
    this.terminal(ok ? 'success' : 'upstream_error', outStatus, target, ok ? null : 'upstream_status', null)
    return true
  }

  /** Relays an SSE answer chunk by chunk; falls back only while nothing has been written to the client. */
  private async relayStream(
    target: Target,
    attemptNo: number,
    response: UpstreamResponse,
    translator: StreamTranslator | undefined,
    sentAt: number,
    connectMs: number,
    remaining: number,
  ): Promise<boolean> {
    const maxBytes = this.state.settings.max_response_body_bytes
    const res = this.reply.raw
    const signal = this.input.signal
    let started = false
    let bytesIn = 0
    let bytesOut = 0
    let tail = ''
    const start = (): void => {
      started = true
      // A stream that has started cannot fall back: its body bytes need not stay in memory while it runs.
      this.rawBody = null
      this.bodyJsons.clear()
      this.reply.hijack()
      // This attempt is recorded when the stream ends; the client learns about it now.
      const headers = this.clientHeaders(target, response.headers, this.attempts.length + 1)
      headers['content-type'] = 'text/event-stream; charset=utf-8'
      headers['cache-control'] = 'no-cache'
      headers['x-accel-buffering'] = 'no'
      res.writeHead(response.statusCode, headers)
    }
    try {
      await new Promise<void>((resolve, reject) => {
        let done = false
        const stop = (error: unknown): void => {
          if (done) return
          done = true
          signal.off('abort', onAbort)
          response.body.destroy()
          reject(error)
        }
        // A client that leaves while the upstream is paused for backpressure would otherwise wait forever.
        const onAbort = (): void => stop(new UpstreamError('client_abort', 'the client closed the connection'))
        signal.once('abort', onAbort)
        const body = decodedBody(response)
        body.consume({
          data: (chunk) => {
            if (done) return
            try {
              bytesIn += chunk.length
              if (bytesIn > maxBytes) throw new UpstreamError('response_too_large', 'the upstream stream is larger than allowed')
              let out: string | Buffer = chunk
              if (translator) {
                out = translator.push(chunk.toString('utf8'))
                if (out.length === 0) return
              } else {
                tail = keepTail(tail, chunk)
              }
              if (!started) start()
              bytesOut += out.length
              if (!res.write(out)) {
                body.setPaused(true)
                res.once('drain', () => body.setPaused(false))
              }
            } catch (error) {
              stop(error)
            }
          },
          end: () => {
            if (done) return
            try {
              if (translator) {
                const rest = translator.end()
                if (rest.length > 0) {
                  if (!started) start()
                  bytesOut += rest.length
                  res.write(rest)
                }
              }
              if (!started) start()
              done = true
              signal.off('abort', onAbort)
              res.end()
              resolve()
            } catch (error) {
              stop(error)
            }
          },
          error: (error) => stop(error),
        })
      })
    } catch (error) {
      const failure =
        error instanceof AdapterError
          ? new UpstreamError('protocol_error', error.message)
          : toUpstreamError(error, signal)
      if (!started) {
        // Nothing reached the client yet: this attempt failed like any other and the chain goes on.
        this.requestError(target, attemptNo, failure, sentAt)
        if (failure.errorType === 'client_abort') return true
        this.retry(target, attemptNo, null, failure.errorType, failure.message, remaining)
        return false
      }
      this.streamError(target, attemptNo, failure, bytesOut, sentAt)
      if (failure.errorType !== 'client_abort' && !res.destroyed) {
        res.end(sseError(this.input.endpoint, failure.message))
      }
      return true
    }
    const usage = translator === undefined ? usageFrom(tail) : (translator.reportedUsage?.() ?? null)
    this.response(target, attemptNo, response.statusCode, connectMs, sentAt, bytesIn, usage)
    this.recordAttempt(target, response.statusCode, null, sentAt, true)
    this.settleTicket('success')
    this.terminal('success', response.statusCode, target, null, null)
    return true
  }

  private streamError(target: Target, attemptNo: number, failure: UpstreamError, bytesSent: number, sentAt: number): void {
    this.emit({
      ts: auditTimestamp(),
      request_id: this.input.requestId,
      event: 'proxy_stream_error',
      model: target.model,
      account: target.account.name,
      provider: target.provider,
      attempt: attemptNo,
      error_type: failure.errorType,
      message: failure.message,
      bytes_sent: bytesSent,
    })
    this.recordAttempt(target, 200, failure.errorType, sentAt, false)
    this.settleTicket(failure.errorType === 'client_abort' ? 'release' : 'failure')
    const outcome = failure.errorType === 'client_abort' ? 'client_abort' : 'stream_error'
    this.terminal(outcome, 200, target, failure.errorType, null)
  }

  private requestError(target: Target, attemptNo: number, failure: UpstreamError, sentAt: number): void {
    this.outcomeError(target, attemptNo, failure.errorType, failure.message, sentAt)
    this.recordAttempt(target, null, failure.errorType, sentAt, false)
    if (failure.errorType === 'client_abort') {
      this.settleTicket('release')
      this.terminal('client_abort', 499, target, 'client_abort', null)
      return
    }
    this.lastFailure = {status: null, errorType: failure.errorType, message: failure.message}
    const connection = failure.errorType === 'connect_error' || failure.errorType === 'connect_timeout'
    this.settleTicket(connection ? 'connection_failure' : 'failure')
  }

  private outcomeError(target: Target, attemptNo: number, errorType: ErrorType, message: string, sentAt: number): void {
    this.emit({
      ts: auditTimestamp(),
      request_id: this.input.requestId,
      event: 'proxy_request_error',
      model: target.model,
      account: target.account.name,
      provider: target.provider,
      attempt: attemptNo,
      error_type: errorType,
      message,
      latency_ms: round(performance.now() - sentAt),
    })
  }

  /** Publishes the attempt's `proxy_response`; returns the answer's estimated cost (`cost_usd`). */
  private response(
    target: Target,
    attemptNo: number,
    status: number,
    connectMs: number,
    sentAt: number,
    bytes: number,
    usage: TokenUsage | null,
  ): number | null {
    const cost = usageCostUsd(modelInfo(this.input.config, target.model), usage)
    this.emit({
      ts: auditTimestamp(),
      request_id: this.input.requestId,
      event: 'proxy_response',
      model: target.model,
      account: target.account.name,
      provider: target.provider,
      attempt: attemptNo,
      status,
      stream: this.input.stream,
      connect_ms: round(connectMs),
      latency_ms: round(performance.now() - sentAt),
      bytes,
      usage,
      cost_usd: cost,
    })
    return cost
  }

  private rateLimited(target: Target, attemptNo: number, response: UpstreamResponse): void {
    const now = Date.now()
    const {rate_limit_default_cooldown_seconds: fallback, rate_limit_max_cooldown_seconds: max} = this.state.settings
    const wanted = retryAfterMs(response.headers, now) ?? fallback * 1000
    const duration = Math.min(wanted, max * 1000)
    const until = this.state.cooldowns.set(target.account.name, duration, now)
    this.emit({
      ts: auditTimestamp(),
      request_id: this.input.requestId,
      event: 'proxy_rate_limited',
      model: target.model,
      account: target.account.name,
      provider: target.provider,
      attempt: attemptNo,
      status: 429,
      retry_after_ms: duration,
      cooldown_until: new Date(until).toISOString(),
    })
  }

  private retry(target: Target, attemptNo: number, status: number | null, errorType: ErrorType, reason: string, remaining: number): void {
    if (remaining <= 0) return
    this.emit({
      ts: auditTimestamp(),
      request_id: this.input.requestId,
      event: 'proxy_retry',
      model: target.model,
      account: target.account.name,
      provider: target.provider,
      attempt: attemptNo,
      status,
      error_type: errorType,
      reason,
    })
  }

  private recordAttempt(target: Target, status: number | null, errorType: ErrorType | null, sentAt: number, ok: boolean): void {
    this.attempts.push({
      model: target.model,
      account: target.account.name,
      provider: target.provider,
      status,
      error_type: errorType,
      latency_ms: round(performance.now() - sentAt),
      ok,
    })
  }

  /** Every target failed or was skipped: answer with the last upstream status and what was tried. */
  private exhausted(): void {
    const last = this.lastFailure
    let status: number
    let code: string
    if (this.attempts.length === 0) {
      status = 503
      code = 'no_available_upstream'
    } else if (last?.status) {
      status = last.status >= 500 || last.status === 429 ? last.status : 502
      code = 'upstream_exhausted'
    } else {
      status = last?.errorType.endsWith('timeout') ? 504 : 502
      code = 'upstream_exhausted'
    }
    const tried = this.attempts.map((a) => `${a.model} via ${a.account}: ${a.status ?? describe(a.error_type)}`)
    const skipped = this.skipped.map((s) => `${s.model} via ${s.account}: skipped (${s.reason.replace('_', ' ')})`)
    const message =
      this.attempts.length === 0
        ? `No upstream could be tried: ${skipped.join('; ') || 'no target'}.`
        : `All upstream attempts failed: ${[...tried, ...skipped].join('; ')}.`
    this.emit({
      ts: auditTimestamp(),
      request_id: this.input.requestId,
      event: 'proxy_exhausted',
      status,
      attempts: this.attempts,
      skipped: this.skipped,
    })
    const headers: Record<string, string> = {}
    const waits = this.state.cooldowns.active(Date.now()).map((c) => c.until)
    if (this.attempts.length === 0 && waits.length > 0) {
      headers['retry-after'] = String(Math.max(1, Math.ceil((Math.min(...waits) - Date.now()) / 1000)))
    }
    const type = status === 429 ? 'rate_limit_error' : 'upstream_error'
    this.fail(new GatewayError(status, message, type, code, null, headers), undefined, 'exhausted', last?.errorType ?? null)
  }

  /** Answers with a gateway error (JSON), or ends the stream if headers were already sent. */
  private fail(error: GatewayError, target?: Target, outcome: 'exhausted' | 'rejected' = 'rejected', errorType: ErrorType | null = null): void {
    const last = this.attempts.at(-1)
    const headers = this.diagnosticHeaders(target ?? null, last)
    Object.assign(headers, error.headers)
    // Serialised here, once, so that the idempotency capture sees exactly the bytes sent.
    const body = JSON.stringify({...error.toBody(), _router: this.routerObject(target ?? null)})
    headers['content-type'] = 'application/json; charset=utf-8'
    this.input.onComplete?.(error.status, headers, body)
    this.reply.code(error.status).headers(headers).send(body)
    this.terminal(outcome, error.status, target ?? null, errorType, outcome === 'rejected' ? error.code : null)
  }

  private clientGone(target: Target): void {
    this.terminal('client_abort', 499, target, 'client_abort', null)
  }

  private terminal(
    outcome: 'success' | 'upstream_error' | 'exhausted' | 'stream_error' | 'client_abort' | 'rejected',
    status: number,
    target: Target | null,
    errorType: ErrorType | null,
    errorCode: string | null,
  ): void {
    if (this.terminalSent) return
    this.terminalSent = true
    const last = this.attempts.at(-1)
    const {decision} = this.input
    this.emit({
      ts: auditTimestamp(),
      request_id: this.input.requestId,
      event: 'proxy_terminal',
      endpoint: this.input.endpoint,
      outcome,
      status,
      task: decision.task,
      complexity: decision.complexity,
      model: target?.model ?? last?.model ?? null,
      account: target?.account.name ?? last?.account ?? null,
      provider: target?.provider ?? last?.provider ?? null,
      stream: this.input.stream,
      latency_ms: round(performance.now() - this.input.startedAt),
      attempts: this.attempts,
      error_type: errorType,
      error_code: errorCode,
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
        (raw === null ? undefined : rewriteJsonObject(raw, {key: 'model', value: upstreamModel}, ROUTER_REQUEST_FIELD_SET)) ??
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
      if (value !== undefined) headers[name === 'x-request-id' ? 'x-upstream-request-id' : name] = Array.isArray(value) ? value.join(', ') : value
    }
    return headers
  }

  private diagnosticHeaders(target: Target | null, last: AttemptSummary | undefined, attempts = this.attempts.length): Record<string, string> {
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
      decision_ms: round(decision.decision_ms),
      attempts: this.attempts,
      cost_usd: costUsd,
    }
  }

  private routerSummary(target: Target, costUsd: number | null): string {
    return JSON.stringify(this.routerObject(target, costUsd))
  }

  /** Publishes an event, with the ingress principal when there is one. */
  private emit(event: RequestEvent): void {
    if (this.input.principal !== undefined) event.principal = this.input.principal
    this.state.bus.publish(event)
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000
}

function describe(errorType: ErrorType | null): string {
  return (errorType ?? 'error').replaceAll('_', ' ')
}

function isEventStream(response: UpstreamResponse): boolean {
  return headerString(response.headers['content-type'])?.includes('text/event-stream') ?? false
}

function headerString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** A decoder for the upstream's `content-encoding`, when it ignored our `accept-encoding: identity`. */
function decoderFor(response: UpstreamResponse): Transform | undefined {
  const encoding = headerString(response.headers['content-encoding'])?.toLowerCase()
  if (!encoding || encoding === 'identity') return undefined
  if (encoding === 'gzip' || encoding === 'x-gzip') return createGunzip()
  if (encoding === 'deflate') return createInflate()
  if (encoding === 'br') return createBrotliDecompress()
  return undefined
}

/** The upstream body, decoded if needed: one consumer, and pause/resume for backpressure. */
interface DecodedBody {
  consume(consumer: BodyConsumer): void
  /** Pauses (true) or resumes (false) the upstream; usable before and during `consume`. */
  setPaused(paused: boolean): void
}

/**
 * Wraps the upstream body with a decoder for its `content-encoding`. `setPaused` exists before `consume` is called,
 * because chunks that arrived before the consumer are handed over inside `consume`, and writing one of them to the
 * client may already need backpressure (a first SSE event of 16 KB or more does).
 */
function decodedBody(response: UpstreamResponse): DecodedBody {
  const {body} = response
  const decoder = decoderFor(response)
  if (decoder === undefined) {
    return {
      consume: (consumer) => body.consume(consumer),
      setPaused: (paused) => (paused ? body.pause() : body.resume()),
    }
  }
  return {
    consume(consumer) {
      decoder.on('data', (chunk: Buffer) => consumer.data(chunk))
      decoder.on('end', () => consumer.end())
      decoder.on('error', (error) => {
        body.destroy()
        consumer.error(new UpstreamError('protocol_error', `the upstream body does not decode: ${error.message}`))
      })
      body.consume({
        data: (chunk) => decoder.write(chunk),
        end: () => decoder.end(),
        error: (error) => {
          decoder.destroy()
          consumer.error(error)
        },
      })
    },
    setPaused: (paused) => (paused ? decoder.pause() : decoder.resume()),
  }
}

/** Reads a whole (decoded) body as UTF-8, failing past `maxBytes`. */
function readText(response: UpstreamResponse, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let first: Buffer | undefined
    let chunks: Buffer[] | undefined
    let size = 0
    let failed = false
    decodedBody(response).consume({
      data(chunk) {
        if (failed) return
        size += chunk.length
        if (size > maxBytes) {
          failed = true
          response.body.destroy()
          reject(new UpstreamError('response_too_large', `the upstream response is larger than ${maxBytes} bytes`))
          return
        }
        if (first === undefined) first = chunk
        else (chunks ??= [first]).push(chunk)
      },
      end() {
        if (failed) return
        if (chunks !== undefined) resolve(Buffer.concat(chunks, size).toString('utf8'))
        else resolve(first === undefined ? '' : first.toString('utf8'))
      },
      error: reject,
    })
  })
}

/** Adds `"_router": {...}` as the last key of a JSON object text, without parsing it. Other JSON is left alone. */
export function injectRouter(json: string, routerJson: string): string {
  let end = json.length - 1
  while (end >= 0 && json.charCodeAt(end) <= 32) end--
  let start = 0
  while (start < end && json.charCodeAt(start) <= 32) start++
  if (json[start] !== '{' || json[end] !== '}') return json
  let inner = start + 1
  while (inner < end && json.charCodeAt(inner) <= 32) inner++
  const separator = inner === end ? '' : ','
  return `${json.slice(0, end)}${separator}"_router":${routerJson}}`
}

const USAGE_PROMPT = /"(?:prompt_tokens|input_tokens)"\s*:\s*(\d+)/
const USAGE_COMPLETION = /"(?:completion_tokens|output_tokens)"\s*:\s*(\d+)/

/** Token usage from the tail of a body (where OpenAI puts it), without parsing the whole JSON. */
function usageFrom(text: string): TokenUsage | null {
  const tail = text.length > 2048 ? text.slice(-2048) : text
  const prompt = USAGE_PROMPT.exec(tail)
  const completion = USAGE_COMPLETION.exec(tail)
  if (!prompt && !completion) return null
  return {
    prompt_tokens: prompt ? Number(prompt[1]) : null,
    completion_tokens: completion ? Number(completion[1]) : null,
  }
}

function keepTail(tail: string, chunk: Buffer): string {
  const text = chunk.length > 2048 ? chunk.subarray(chunk.length - 2048).toString('utf8') : chunk.toString('utf8')
  const joined = tail + text
  return joined.length > 2048 ? joined.slice(-2048) : joined
}

/** The SSE error event that ends a broken stream, in the shape OpenAI clients raise as an error. */
export function sseError(endpoint: Endpoint, message: string): string {
  const error = {message: `Upstream stream interrupted: ${message}`, type: 'upstream_error', code: 'stream_interrupted', param: null}
  if (endpoint === 'responses') {
    return `event: error\ndata: ${JSON.stringify({type: 'error', code: error.code, message: error.message, param: null, error})}\n\n`
  }
  if (endpoint === 'messages') {
    return `event: error\ndata: ${JSON.stringify({type: 'error', error: {type: 'api_error', message: error.message}})}\n\n`
  }
  return `data: ${JSON.stringify({error})}\n\n`
}
