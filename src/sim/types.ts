/** Public types of the simulated provider. The behaviour and failure schemas live in `core/sim/schema.ts`. */
import type {IncomingHttpHeaders} from 'node:http'

import type {FailureKind, SimBehaviour} from '../core/sim/schema.js'

export type {FailureKind, SimBehaviour}

/** Which wire protocols a simulator serves. */
export type SimProtocol = 'openai' | 'anthropic' | 'codex'

/** How to start a simulator. Every field is optional; the defaults give an instant, always-successful provider. */
export interface SimOptions {
  /** Interface to listen on (default `127.0.0.1`). */
  host?: string
  /** Port (default 0: a free port). */
  port?: number
  /** Name shown in replies (`[sim:NAME model=…]`), headers (`x-sim-name`) and logs (default `sim`). */
  name?: string
  /** Which routes exist (default `all`). */
  protocol?: SimProtocol | 'all'
  /** Model ids listed by the model endpoints (any model is accepted in requests). */
  models?: string[]
  /** Time to headers, in milliseconds (default 0). */
  latencyMs?: number
  /** Extra random time to headers, uniform in [0, jitterMs), drawn from the seeded generator. */
  jitterMs?: number
  /** Paces streamed chunks (and delays non-streaming answers by their token count); default unpaced. */
  tokensPerSecond?: number
  /** Content chunks per streamed answer, one output token each (default 20). */
  streamChunks?: number
  /** Share of requests, 0–1, that fail with one of `failureKinds` (default 0). */
  failureRate?: number
  /** Failures drawn at random (default `429`, `500`, `503`). */
  failureKinds?: FailureKind[]
  /** Seed of the random failures and jitter: the same seed gives the same sequence (default 1). */
  seed?: number
  /** Fixed-response mode for benchmarks: precomputed chat answers, no request records (only a count). */
  fast?: boolean
  /** `Retry-After` seconds on 429 answers (default 1). */
  retryAfterSeconds?: number
  /** When set, requests must carry this key (`Authorization: Bearer`, or `x-api-key` for Anthropic). */
  apiKey?: string
  /** How many request records to keep, oldest dropped first (default 1000). */
  maxRecords?: number
  /** Called once per protocol request when its response ends or its connection closes (never in `fast` mode). */
  onRequest?: (record: SimRequestRecord) => void
}

/** One request the simulator received (control routes under `/_sim/` are not recorded). */
export interface SimRequestRecord {
  /** 1-based arrival number. */
  seq: number
  method: string
  /** Path without the query string. */
  path: string
  /** Query string without `?` (empty when none). */
  query: string
  headers: IncomingHttpHeaders
  /** Parsed JSON body; the raw text when it was not JSON; undefined when empty. */
  body: unknown
  /** The body as it arrived, as UTF-8 text ('' when empty). */
  bodyText: string
  /** The client asked for a stream (`"stream": true`). */
  stream: boolean
  /** What the simulator did: `ok`, a failure kind, `status:503`… */
  behaviour: string
  /** The behaviour came from `script()` rather than the defaults or a random draw. */
  scripted: boolean
  /** Status sent, once the headers went out. */
  status?: number
  /** The client closed the connection before the response ended (a failure the simulator caused does not count). */
  aborted: boolean
  /** The response was sent completely. */
  completed: boolean
  /** Milliseconds since the epoch: arrival, headers sent, end (response finished or connection closed). */
  receivedAt: number
  headersAt?: number
  endedAt?: number
}

/** A running simulator. */
export interface SimServer {
  /** `http://127.0.0.1:PORT` (no trailing slash, no `/v1`). */
  url: string
  port: number
  name: string
  protocols: SimProtocol[]
  /** Requests received so far (empty in `fast` mode; see `requestCount`). */
  requests: SimRequestRecord[]
  /** Protocol requests received since start or the last `clearRequests()`. */
  readonly requestCount: number
  clearRequests(): void
  /** Queues behaviours, consumed one per request in order, before random failures apply. */
  script(behaviours: SimBehaviour[]): void
  /** Behaviours still queued. */
  readonly pendingScript: number
  /** Stops listening and closes every connection (hanging requests included). */
  close(): Promise<void>
}
