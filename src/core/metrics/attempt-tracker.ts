/**
 * The live metrics' open requests and their attempts: what is known about each attempt until it is settled into its
 * one sample (see live-metrics.ts for the exact definitions). Bounded: at most `maxOpenRequests` open requests (the
 * oldest are settled and dropped first), each forgotten `inFlightTtlMs` after its last event, and the last 4 096
 * finished request ids remembered so that a late event cannot reopen one.
 */
import type {AttemptSummary, ErrorType, ProxyTerminalEvent} from '../audit/schema.js'
import type {Sample, Target} from './rings.js'
import type {StatusClass} from './schema.js'

/** How many finished request ids are remembered to drop events that arrive after their terminal. */
const FINISHED_MEMORY = 4096

/** What is known about one attempt until it is settled. */
export interface AttemptState extends Target {
  status: number | null
  errorType: ErrorType | null
  failed: boolean
  succeeded: boolean
  latencyMs: number | null
  connectCounted: boolean
  retried: boolean
  rateLimited: boolean
  /** Already turned into its sample: later events about it change nothing. */
  settled: boolean
  /** Event time of the attempt's latest event. */
  ts: number
}

/** An open request: its attempts by number. */
export interface RequestState {
  lastTs: number
  attempts: Map<number, AttemptState>
}

export interface AttemptTrackerOptions {
  inFlightTtlMs: number
  maxOpenRequests: number
  now: () => number
  /** Receives each settled attempt's sample, once. */
  record: (target: Target, sample: Sample, now: number) => void
}

export class AttemptTracker {
  private readonly requests = new Map<string, RequestState>()
  /** Recently finished requests: a straggling event after the terminal must not reopen them. */
  private readonly finished = new Set<string>()
  private readonly finishedOrder: string[] = []
  private finishedNext = 0
  private lastSweep: number

  constructor(private readonly options: AttemptTrackerOptions) {
    this.lastSweep = options.now()
  }

  /** Requests routed whose terminal has not come. */
  get openRequests(): number {
    return this.requests.size
  }

  get openAttempts(): number {
    let openAttempts = 0
    for (const request of this.requests.values()) openAttempts += request.attempts.size
    return openAttempts
  }

  /** Whether the request's terminal was seen (recently). */
  isFinished(requestId: string): boolean {
    return this.finished.has(requestId)
  }

  /** The request, opened if it is not yet. */
  request(requestId: string, ts: number): RequestState {
    let request = this.requests.get(requestId)
    if (!request) {
      if (this.requests.size >= this.options.maxOpenRequests) this.dropOldestRequest()
      request = {lastTs: ts, attempts: new Map()}
      this.requests.set(requestId, request)
    } else if (ts > request.lastTs) {
      request.lastTs = ts
    }
    return request
  }

  /** A new attempt starts (`proxy_attempt`): the earlier ones of its request are over. */
  start(requestId: string, number: number, target: Target, ts: number, now: number): AttemptState {
    const request = this.request(requestId, ts)
    for (const [earlier, attempt] of request.attempts) if (earlier < number) this.settle(attempt, now)
    return this.attempt(requestId, number, target, ts)
  }

  /** The attempt, opened if it is not yet. */
  attempt(requestId: string, number: number, target: Target, ts: number): AttemptState {
    const request = this.request(requestId, ts)
    let attempt = request.attempts.get(number)
    if (!attempt) {
      attempt = {
        model: target.model,
        account: target.account,
        provider: target.provider,
        status: null,
        errorType: null,
        failed: false,
        succeeded: false,
        latencyMs: null,
        connectCounted: false,
        retried: false,
        rateLimited: false,
        settled: false,
        ts,
      }
      request.attempts.set(number, attempt)
    } else if (ts > attempt.ts) {
      attempt.ts = ts
    }
    return attempt
  }

  /**
   * The request's terminal: every attempt it lists is settled (from the terminal's summary when its own events were
   * not seen), then any it does not list, and the request is forgotten.
   */
  finish(event: ProxyTerminalEvent, ts: number, now: number): void {
    const request = this.requests.get(event.request_id)
    this.requests.delete(event.request_id)
    this.markFinished(event.request_id)
    event.attempts.forEach((summary, index) => {
      const state = request?.attempts.get(index + 1)
      if (state && state.account === summary.account && state.model === summary.model) {
        if (!state.failed && !state.succeeded) fillFromSummary(state, summary)
        this.settle(state, now)
      } else {
        this.settleSummary(summary, ts, now)
      }
    })
    // Attempts the terminal does not list (it should list all) are settled with what is known.
    for (const attempt of request?.attempts.values() ?? []) this.settle(attempt, now)
  }

  /** Sweeps at most once a second. */
  maybeSweep(now: number): void {
    if (now - this.lastSweep >= 1000) this.sweep(now)
  }

  /** Settles and forgets requests whose terminal never came (the gateway crashed, the log was cut). */
  sweep(now: number): void {
    this.lastSweep = now
    const cutoff = now - this.options.inFlightTtlMs
    for (const [id, request] of this.requests) {
      if (request.lastTs >= cutoff) continue
      for (const attempt of request.attempts.values()) this.settle(attempt, now)
      this.requests.delete(id)
    }
  }

  /** Turns a finished attempt into its one sample (or none, see the module comment of live-metrics.ts). */
  private settle(attempt: AttemptState, now: number): void {
    if (attempt.settled) return
    // Nothing known about its end yet: the request's terminal may still tell.
    if (!attempt.failed && !attempt.succeeded) return
    attempt.settled = true
    if (attempt.errorType === 'client_abort') return
    const failed = attempt.failed
    const nonStatusError = attempt.errorType !== null && attempt.errorType !== 'upstream_status'
    this.options.record(
      attempt,
      {
        ts: attempt.ts,
        failed,
        latencyMs: failed ? null : attempt.latencyMs,
        status: nonStatusError || attempt.status === null ? 'error' : statusClass(attempt.status),
        errorType: failed ? attempt.errorType : null,
        retried: attempt.retried,
        rateLimited: attempt.rateLimited,
      },
      now,
    )
  }

  private settleSummary(summary: AttemptSummary, ts: number, now: number): void {
    if (summary.error_type === 'client_abort') return
    const nonStatusError = summary.error_type !== null && summary.error_type !== 'upstream_status'
    const failed = !summary.ok && !(summary.status !== null && isClientError(summary.status))
    this.options.record(
      summary,
      {
        ts,
        failed,
        latencyMs: summary.ok ? summary.latency_ms : null,
        status: nonStatusError || summary.status === null ? 'error' : statusClass(summary.status),
        errorType: failed ? summary.error_type : null,
        retried: false,
        rateLimited: !summary.ok && summary.status === 429,
      },
      now,
    )
  }

  private markFinished(requestId: string): void {
    const evicted = this.finishedOrder[this.finishedNext]
    if (evicted !== undefined) this.finished.delete(evicted)
    this.finishedOrder[this.finishedNext] = requestId
    this.finishedNext = (this.finishedNext + 1) % FINISHED_MEMORY
    this.finished.add(requestId)
  }

  private dropOldestRequest(): void {
    const oldest = this.requests.entries().next().value
    if (!oldest) return
    for (const attempt of oldest[1].attempts.values()) this.settle(attempt, this.options.now())
    this.requests.delete(oldest[0])
  }
}

function fillFromSummary(state: AttemptState, summary: AttemptSummary): void {
  state.status ??= summary.status
  if (summary.ok) {
    state.succeeded = true
    state.latencyMs ??= summary.latency_ms
  } else {
    state.failed = true
    state.errorType ??= summary.error_type
  }
}

/** HTTP status → status class of an attempt that got one. */
export function statusClass(status: number): StatusClass {
  if (status >= 200 && status < 300) return '2xx'
  if (status >= 400 && status < 500) return '4xx'
  if (status >= 500 && status < 600) return '5xx'
  return 'other'
}

/** A 4xx that says the request was wrong, not that the upstream is unhealthy (timeouts and rate limits excepted). */
export function isClientError(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429
}
