/**
 * `Idempotency-Key` for non-streaming requests. Keys are scoped per tenant (the ingress principal, else the
 * `OpenAI-Organization` header, else one anonymous tenant). For one tenant and key:
 * - the first request runs; its response is remembered for `IDEMPOTENCY_TTL_SECONDS` (`x-router-idempotency-status:
 *   created`);
 * - a duplicate that arrives while the first runs waits for it (up to `IDEMPOTENCY_WAIT_TIMEOUT_SECONDS`, then a 409
 *   `idempotency_in_progress`) and replays its response; a later duplicate within the TTL replays it too
 *   (`x-router-idempotency-status: replayed`), without routing or calling any upstream;
 * - the same key with a different body (SHA-256 of the method, path and canonical JSON body) is a 409
 *   `idempotency_key_reused`: a key names one request;
 * - a response that is not worth repeating (a 5xx, every upstream failed, a 408/409/425/429) is not remembered: the
 *   key is free again, and a duplicate that was waiting runs itself.
 *
 * The store is an interface (`IdempotencyStore`) so that a shared store (Redis) can replace the in-memory one; the
 * in-memory store is bounded by entry count and total body bytes (oldest first) and sweeps expired entries.
 */
import {createHash} from 'node:crypto'

import {canonicalJson} from '../core/canonical-json.js'

/** A response as it was sent. */
export interface StoredResponse {
  status: number
  headers: Record<string, string>
  /** The body's UTF-8 bytes (outside the JavaScript heap, and counted exactly against `maxBytes`). */
  body: Buffer
  /** The request that produced it. */
  requestId: string
  /** When the answer was the gateway's own refusal (a 400 before any upstream was called): its error code. */
  errorCode?: string
}

/**
 * A record as JSON text, for a store outside this process (Redis, the primary over IPC): a remembered body is bytes,
 * which JSON would turn into a list of numbers, so it goes as base64.
 */
export function recordToJson(record: IdempotencyRecord): string {
  if (record.state !== 'completed') return JSON.stringify(record)
  const {body, ...response} = record.response
  return JSON.stringify(
    Object.assign({}, record, {response: Object.assign(response, {body64: body.toString('base64')})}),
  )
}

/** The record `recordToJson` wrote. */
export function recordFromJson(text: string): IdempotencyRecord {
  const record = JSON.parse(text) as
    | IdempotencyRecord
    | {state: 'completed'; fingerprint: string; response: Omit<StoredResponse, 'body'> & {body64: string}}
  if (record.state !== 'completed' || !('body64' in record.response)) return record as IdempotencyRecord
  const {body64, ...response} = record.response
  return Object.assign({}, record, {response: Object.assign(response, {body: Buffer.from(body64, 'base64')})})
}

export type IdempotencyRecord =
  {state: 'in_progress'; fingerprint: string} | {state: 'completed'; fingerprint: string; response: StoredResponse}

/**
 * Where idempotency records live. `begin` must be atomic (create the in-progress record only if there is none);
 * `waitForChange` resolves when the record completes or disappears, or after the timeout (a store without
 * notifications may poll).
 */
export interface IdempotencyStore {
  get(key: string): Promise<IdempotencyRecord | undefined>
  begin(key: string, fingerprint: string): Promise<{started: true} | {started: false; record: IdempotencyRecord}>
  complete(key: string, response: StoredResponse): Promise<void>
  fail(key: string): Promise<void>
  waitForChange(key: string, timeoutMs: number): Promise<void>
  close(): void
}

interface Entry {
  record: IdempotencyRecord
  expiresAt: number
  bytes: number
  waiters: Array<() => void>
}

export interface MemoryStoreOptions {
  ttlMs: number
  maxEntries: number
  maxBytes: number
  /** An in-progress record older than this is dropped (a request cannot run that long). Default 15 minutes. */
  inProgressTtlMs?: number
  now?: () => number
}

/** The in-memory store: a Map in expiry order, capped by entries and bytes. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  private readonly entries = new Map<string, Entry>()
  private bytes = 0
  private readonly now: () => number
  private readonly inProgressTtlMs: number
  private readonly timer: NodeJS.Timeout

  constructor(private readonly options: MemoryStoreOptions) {
    this.now = options.now ?? Date.now
    this.inProgressTtlMs = options.inProgressTtlMs ?? 15 * 60_000
    this.timer = setInterval(() => this.sweep(), Math.min(options.ttlMs, 60_000))
    this.timer.unref()
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    return this.live(key)?.record
  }

  async begin(
    key: string,
    fingerprint: string,
  ): Promise<{started: true} | {started: false; record: IdempotencyRecord}> {
    this.sweep()
    const existing = this.live(key)
    if (existing) return {started: false, record: existing.record}
    this.entries.set(key, {
      record: {state: 'in_progress', fingerprint},
      expiresAt: this.now() + this.inProgressTtlMs,
      bytes: 0,
      waiters: [],
    })
    this.evict()
    return {started: true}
  }

  async complete(key: string, response: StoredResponse): Promise<void> {
    const entry = this.entries.get(key)
    if (!entry || entry.record.state !== 'in_progress') return
    this.entries.delete(key)
    let bytes = response.body.length + 64
    for (const name in response.headers) bytes += Buffer.byteLength(name) + Buffer.byteLength(response.headers[name])
    // One huge answer must not push everything else out: it is simply not remembered.
    if (bytes <= this.options.maxBytes / 4) {
      // Re-inserted at the end: the Map stays in expiry order.
      this.entries.set(key, {
        record: {state: 'completed', fingerprint: entry.record.fingerprint, response},
        expiresAt: this.now() + this.options.ttlMs,
        bytes,
        waiters: [],
      })
      this.bytes += bytes
      this.evict()
    }
    notify(entry)
  }

  async fail(key: string): Promise<void> {
    const entry = this.entries.get(key)
    if (!entry || entry.record.state !== 'in_progress') return
    this.entries.delete(key)
    notify(entry)
  }

  waitForChange(key: string, timeoutMs: number): Promise<void> {
    const entry = this.live(key)
    if (!entry || entry.record.state !== 'in_progress') return Promise.resolve()
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(() => {
        const index = entry.waiters.indexOf(done)
        if (index !== -1) entry.waiters.splice(index, 1)
        resolve()
      }, timeoutMs)
      entry.waiters.push(done)
    })
  }

  close(): void {
    clearInterval(this.timer)
    for (const entry of this.entries.values()) notify(entry)
    this.entries.clear()
    this.bytes = 0
  }

  /** Entries and bytes held (for tests and `/health`). */
  get size(): {entries: number; bytes: number} {
    return {entries: this.entries.size, bytes: this.bytes}
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key)
    if (entry && entry.expiresAt <= this.now()) {
      this.remove(key, entry)
      return undefined
    }
    return entry
  }

  /** Drops expired entries from the front (the Map is in expiry order, except in-progress ones). */
  private sweep(): void {
    const now = this.now()
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) break
      this.remove(key, entry)
    }
  }

  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= this.options.maxEntries && this.bytes <= this.options.maxBytes) break
      this.remove(key, entry)
    }
  }

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key)
    this.bytes -= entry.bytes
    notify(entry)
  }
}

function notify(entry: Entry): void {
  const waiters = entry.waiters
  entry.waiters = []
  for (const wake of waiters) wake()
}

/** What a request with an `Idempotency-Key` should do. */
export type IdempotencyDecision =
  | {kind: 'run'; lease: IdempotencyLease}
  | {kind: 'replay'; response: StoredResponse}
  /** The key was used for a different request. */
  | {kind: 'mismatch'}
  /** The first request is still running after the wait timeout. */
  | {kind: 'busy'}

/** The right (and duty) to run the request for a key: settle it with `complete` or `abandon`. */
export class IdempotencyLease {
  private settled = false

  constructor(
    private readonly store: IdempotencyStore,
    private readonly key: string,
  ) {}

  /**
   * The response as sent; remembered if it is worth replaying, else the key is freed. `errorCode` marks the gateway's
   * own refusal.
   */
  complete(requestId: string, status: number, headers: Record<string, string>, body: string, errorCode?: string): void {
    if (this.settled) return
    this.settled = true
    if (!replayable(status)) {
      void this.store.fail(this.key)
      return
    }
    const response: StoredResponse = {status, headers: {...headers}, body: Buffer.from(body, 'utf8'), requestId}
    if (errorCode !== undefined) response.errorCode = errorCode
    void this.store.complete(this.key, response)
  }

  /** The request ended without a response worth remembering (an error, the client left). */
  abandon(): void {
    if (this.settled) return
    this.settled = true
    void this.store.fail(this.key)
  }
}

/** Statuses whose response is replayed: successes and client errors that another try would repeat. */
export function replayable(status: number): boolean {
  if (status >= 200 && status < 300) return true
  return status >= 400 && status < 500 && status !== 408 && status !== 409 && status !== 425 && status !== 429
}

/** Decides, per request, between running, replaying and refusing. */
export class IdempotencyCoordinator {
  constructor(
    readonly store: IdempotencyStore,
    private readonly waitTimeoutMs: number,
  ) {}

  async acquire(tenant: string, idempotencyKey: string, fingerprint: string): Promise<IdempotencyDecision> {
    const key = `${tenant}\n${idempotencyKey}`
    const deadline = Date.now() + this.waitTimeoutMs
    for (;;) {
      const begun = await this.store.begin(key, fingerprint)
      if (begun.started) return {kind: 'run', lease: new IdempotencyLease(this.store, key)}
      const {record} = begun
      if (record.fingerprint !== fingerprint) return {kind: 'mismatch'}
      if (record.state === 'completed') return {kind: 'replay', response: record.response}
      const remaining = deadline - Date.now()
      if (remaining <= 0) return {kind: 'busy'}
      await this.store.waitForChange(key, remaining)
    }
  }

  close(): void {
    this.store.close()
  }
}

/** The tenant of a request: its principal, else its `OpenAI-Organization`, else everyone anonymous together. */
export function idempotencyTenant(principal: string | undefined, organization: string | string[] | undefined): string {
  if (principal) return `principal:${principal}`
  const org = Array.isArray(organization) ? organization[0] : organization
  return org ? `org:${org}` : 'anonymous'
}

/** Identifies a request body for one key: method, path and the canonical JSON body. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n`).update(canonicalJson(body)).digest('base64url')
}
