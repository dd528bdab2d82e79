/**
 * How one attempt ended, as data. The relays (relay-json.ts, relay-stream.ts) and the request step return one of
 * these; `ProxyRun.settle` is the one place that turns it into the audit events, the attempt summary, the breaker's
 * verdict, the cool-down and the decision to go on or stop.
 */
import type {ErrorType} from '../../core/audit/schema.js'
import type {TokenUsage} from '../../core/routing/schema.js'
import type {CooldownRequest} from '../cooldowns.js'
import type {UpstreamError} from '../upstream.js'

/** The upstream's own error, in OpenAI's shape, kept so that the client's final error can say what the provider said. */
export interface UpstreamErrorDetail {
  message: string
  type: string
  code: string | null
}

export type AttemptOutcome =
  /** A complete answer to relay: a success, or an upstream error that is not retried (a 400, a 401…). */
  | {
      kind: 'answer'
      status: number
      headers: Record<string, string | string[] | undefined>
      contentType: string
      body: string | Buffer
      /** Bytes received from the upstream. */
      bytes: number
      usage: TokenUsage | null
      connectMs: number
    }
  /** A stream relayed to its proper end. */
  | {kind: 'streamed'; status: number; bytes: number; usage: TokenUsage | null; connectMs: number}
  /**
   * The attempt failed before anything reached the client, so the next target may take over: no connection, no
   * headers in time, a retryable status, a 2xx that is not a usable answer, a stream that broke before its first event.
   */
  | {
      kind: 'failed'
      /** The upstream's status when it answered, else null. */
      status: number | null
      errorType: ErrorType
      message: string
      /** What the provider said, when it said something. */
      upstream: UpstreamErrorDetail | null
      /** A 429's cool-down. */
      cooldown: CooldownRequest | null
      /** Set when it answered: bytes and the time to its headers (the outcome event is then `proxy_response`). */
      answered: {bytes: number; connectMs: number} | null
    }
  /** The stream broke after bytes reached the client (the error event has been written): no fallback. */
  | {kind: 'broken'; errorType: ErrorType; message: string; bytesSent: number}
  /** The client went away; `midStream` when some of the answer had been sent. */
  | {kind: 'client_gone'; midStream: boolean; bytesSent: number}
  /** The provider's protocol cannot express this request (an adapter refused it): the next target may. */
  | {kind: 'refused'; status: number; message: string; code: string}

/** A failed attempt from an upstream error (a connection, a timeout, a body that broke) before any answer. */
export function failure(
  error: UpstreamError,
  answered: {bytes: number; connectMs: number} | null = null,
): AttemptOutcome {
  if (error.errorType === 'client_abort') return {kind: 'client_gone', midStream: false, bytesSent: 0}
  return {
    kind: 'failed',
    status: null,
    errorType: error.errorType,
    message: error.message,
    upstream: null,
    cooldown: null,
    answered,
  }
}
