/**
 * The upstream HTTP client: one undici Agent with pooled keep-alive connections per origin, per-attempt timeouts,
 * and undici's error codes mapped to the audit log's error types.
 */
import {Agent, errors as undiciErrors, request, type Dispatcher} from 'undici'

import type {ErrorType} from '../core/audit/schema.js'
import type {UpstreamRequest} from './adapters/types.js'
import type {ClientAbort} from './client-abort.js'

export interface UpstreamClientOptions {
  connectTimeoutMs: number
  /** Time to the response headers. */
  headersTimeoutMs: number
  /** Longest gap between body chunks. */
  idleTimeoutMs: number
  maxConnections: number
}

/** An upstream failure before or while reading a response, with its audit error type. */
export class UpstreamError extends Error {
  constructor(
    readonly errorType: ErrorType,
    message: string,
    options?: {cause?: unknown},
  ) {
    super(message, options)
    this.name = 'UpstreamError'
  }
}

export type UpstreamResponse = Dispatcher.ResponseData

export class UpstreamClient {
  private readonly agent: Agent

  constructor(private readonly options: UpstreamClientOptions) {
    this.agent = new Agent({
      connect: {timeout: options.connectTimeoutMs},
      connections: options.maxConnections,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.idleTimeoutMs,
    })
  }

  /** Sends one request; resolves when the response headers arrive. Throws `UpstreamError`. */
  async send(upstream: UpstreamRequest, signal: AbortSignal | ClientAbort): Promise<UpstreamResponse> {
    try {
      return await request(upstream.url, {
        method: upstream.method,
        headers: upstream.headers,
        body: upstream.body,
        signal,
        dispatcher: this.agent,
        headersTimeout: this.options.headersTimeoutMs,
        bodyTimeout: this.options.idleTimeoutMs,
      })
    } catch (error) {
      throw toUpstreamError(error, signal)
    }
  }

  async close(): Promise<void> {
    await this.agent.close()
  }
}

/** Maps undici and socket errors to audit error types, with a message safe to show a client. */
export function toUpstreamError(error: unknown, signal?: {readonly aborted: boolean}): UpstreamError {
  if (error instanceof UpstreamError) return error
  if (signal?.aborted) return new UpstreamError('client_abort', 'the client closed the connection', {cause: error})
  const code = (error as {code?: string})?.code ?? ''
  if (error instanceof undiciErrors.ConnectTimeoutError || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new UpstreamError('connect_timeout', 'connect timeout', {cause: error})
  }
  if (error instanceof undiciErrors.HeadersTimeoutError || code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new UpstreamError('headers_timeout', 'no response headers within the read timeout', {cause: error})
  }
  if (error instanceof undiciErrors.BodyTimeoutError || code === 'UND_ERR_BODY_TIMEOUT') {
    return new UpstreamError('idle_timeout', 'the response stalled longer than the idle timeout', {cause: error})
  }
  if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EADDRNOTAVAIL'].includes(code)) {
    return new UpstreamError('connect_error', `cannot connect (${code})`, {cause: error})
  }
  if (['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED'].includes(code)) {
    return new UpstreamError('connection_reset', 'the upstream closed the connection', {cause: error})
  }
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
    return new UpstreamError('response_too_large', 'the upstream response is larger than allowed', {cause: error})
  }
  if ((error as Error)?.name === 'AbortError') {
    return new UpstreamError('client_abort', 'the client closed the connection', {cause: error})
  }
  return new UpstreamError('connection_reset', `upstream request failed (${code || (error as Error)?.name || 'error'})`, {
    cause: error,
  })
}
