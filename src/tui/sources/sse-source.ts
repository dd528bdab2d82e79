/**
 * Audit events from a running gateway's `GET /v1/router/events` Server-Sent Events stream: each message is
 * `event: audit` with one audit event as JSON in `data:`. Reconnects with exponential backoff (with jitter) when the
 * connection drops or the gateway restarts, sending `Last-Event-ID` when the stream gave ids. A refused key (401/403)
 * or a URL that is not a gateway's events endpoint (404, not an event stream) stops it with a clear error.
 */
import {parseAuditEventJson} from '../../core/audit/parse-event.js'
import {RouterError} from '../../core/errors.js'
import {SseParser} from '../../core/sse.js'
import {SourceBase} from './source-base.js'
import type {TailSource} from './types.js'

export interface SseSourceOptions {
  /** The gateway's base URL (`http://host:8000`) or the full events URL. */
  url: string
  /** Ingress key, sent as `Authorization: Bearer …`. */
  apiKey?: string
  /** First reconnect delay; doubles up to `maxBackoffMs`. Defaults 500 ms and 10 s. */
  initialBackoffMs?: number
  maxBackoffMs?: number
}

/** `http://host:8000` → `http://host:8000/v1/router/events`; a URL that already names the endpoint is kept. */
export function eventsUrl(base: string): string {
  let url: URL
  try {
    url = new URL(base)
  } catch {
    throw new RouterError('usage', `--url ${JSON.stringify(base)} is not a URL.`, {
      hint: "Give the gateway's address, e.g. --url http://127.0.0.1:8000",
      exitCode: 2,
    })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RouterError('usage', `--url must be an http or https URL, got ${url.protocol}`, {
      hint: 'e.g. --url http://127.0.0.1:8000',
      exitCode: 2,
    })
  }
  const path = url.pathname.replace(/\/+$/, '')
  if (path.endsWith('/v1/router/events')) url.pathname = path
  else if (path.endsWith('/v1')) url.pathname = `${path}/router/events`
  else url.pathname = `${path}/v1/router/events`
  return url.toString()
}

export class SseAuditSource extends SourceBase implements TailSource {
  private controller: AbortController | null = null
  private stopped = false
  private lastEventId: string | undefined
  private loop: Promise<void> | null = null
  private wake: (() => void) | null = null
  private fatal: ((error: RouterError) => void) | null = null
  private resolveClosed: () => void = () => {}
  private readonly url: string
  private readonly initialBackoffMs: number
  private readonly maxBackoffMs: number
  /** Settles when the source stops: resolves after `stop()`, rejects on an error that retrying cannot fix. */
  readonly closed: Promise<void>
  /** Successful connections so far (the first one included). */
  connections = 0

  constructor(private readonly options: SseSourceOptions) {
    super()
    this.url = eventsUrl(options.url)
    this.initialBackoffMs = options.initialBackoffMs ?? 500
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000
    this.closed = new Promise<void>((resolve, reject) => {
      this.fatal = reject
      this.resolveClosed = resolve
    })
    // Whoever does not await `closed` must not get an unhandled rejection.
    this.closed.catch(() => {})
  }

  get endpoint(): string {
    return this.url
  }

  /** Starts connecting; resolves at once (the first connection may take a while: watch `status()`). */
  async start(): Promise<void> {
    this.loop ??= this.run()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.controller?.abort()
    this.wake?.()
    await this.loop
    this.setStatus({state: 'stopped', detail: 'stopped'})
    this.resolveClosed()
  }

  private async run(): Promise<void> {
    let delay = this.initialBackoffMs
    let reason = ''
    while (!this.stopped) {
      this.setStatus(
        this.connections === 0 && !reason
          ? {state: 'starting', detail: `connecting to ${this.url}`}
          : {state: 'reconnecting', detail: `reconnecting to ${this.url}${reason ? ` (${reason})` : ''}`},
      )
      try {
        const connectedBefore = this.connections
        await this.connectOnce()
        if (this.stopped) break
        reason = 'the gateway closed the stream'
        if (this.connections > connectedBefore) delay = this.initialBackoffMs
      } catch (error) {
        if (this.stopped) break
        if (error instanceof RouterError) {
          this.setStatus({state: 'failed', detail: error.message})
          this.stopped = true
          this.fatal?.(error)
          return
        }
        reason = describe(error)
      }
      const wait = Math.round(delay * (0.8 + Math.random() * 0.4))
      this.setStatus({
        state: 'reconnecting',
        detail: `reconnecting in ${Math.max(1, Math.round(wait / 1000))}s (${reason})`,
      })
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait)
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
      this.wake = null
      delay = Math.min(this.maxBackoffMs, delay * 2)
    }
  }

  private async connectOnce(): Promise<void> {
    this.controller = new AbortController()
    const headers: Record<string, string> = {accept: 'text/event-stream', 'cache-control': 'no-cache'}
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`
    if (this.lastEventId !== undefined) headers['last-event-id'] = this.lastEventId
    const response = await fetch(this.url, {headers, signal: this.controller.signal})
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel().catch(() => {})
      throw new RouterError(
        'gateway_auth',
        `The gateway at ${this.url} refused the events stream (${response.status}).`,
        {
          hint: this.options.apiKey
            ? "Check the key given with --api-key or ROUTER_API_KEY: it must be one of the gateway's INGRESS_API_KEYS."
            : 'The gateway requires an ingress key: pass --api-key or set ROUTER_API_KEY.',
          exitCode: 2,
        },
      )
    }
    if (response.status === 404) {
      await response.body?.cancel().catch(() => {})
      throw new RouterError('gateway_no_events', `${this.url} answered 404: no audit event stream there.`, {
        hint: 'Give the address of an Open-LLM Router gateway (`router serve`), e.g. --url http://127.0.0.1:8000',
        exitCode: 2,
      })
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => {})
      throw new Error(`HTTP ${response.status}`)
    }
    const type = response.headers.get('content-type') ?? ''
    if (!type.startsWith('text/event-stream')) {
      await response.body.cancel().catch(() => {})
      throw new RouterError(
        'gateway_no_events',
        `${this.url} did not answer with an event stream (content-type ${type || 'none'}).`,
        {
          hint: 'Give the address of an Open-LLM Router gateway (`router serve`), e.g. --url http://127.0.0.1:8000',
          exitCode: 2,
        },
      )
    }
    this.connections++
    this.setStatus({state: 'live', detail: `connected to ${this.url}`})
    const parser = new SseParser()
    const decoder = new TextDecoder()
    try {
      for await (const chunk of response.body) {
        this.dispatch(parser.push(decoder.decode(chunk, {stream: true})))
      }
      this.dispatch(parser.push(decoder.decode()))
      this.dispatch(parser.end())
    } catch (error) {
      if (this.stopped) return
      throw error
    }
  }

  private dispatch(messages: ReturnType<SseParser['push']>): void {
    for (const message of messages) {
      if (message.id !== undefined) this.lastEventId = message.id
      if (message.event !== 'audit') continue
      const parsed = parseAuditEventJson(message.data)
      if (parsed.kind === 'malformed') this.malformed++
      else if (parsed.kind === 'unknown') this.unknown++
      else if (parsed.kind === 'event') this.emit(parsed.event)
    }
  }
}

/** A short reason for a failed connection, without secrets (the key is only ever in a header). */
function describe(error: unknown): string {
  const cause = (error as {cause?: {code?: string; message?: string}})?.cause
  if (cause?.code) return cause.code
  if (error instanceof Error) return error.message === 'fetch failed' && cause?.message ? cause.message : error.message
  return String(error)
}
