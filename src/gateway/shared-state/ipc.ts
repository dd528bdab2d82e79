/**
 * `router serve --workers N` without Redis: the primary keeps the shared state (a `MemorySharedState` and the
 * changes in force) and its workers reach it over the cluster's IPC channel. A worker's store (`PrimarySharedState`)
 * asks the primary for admissions, idempotency records and counters, and sends its cool-down and breaker changes,
 * which the primary passes on to the other workers (and to a worker that starts later). A primary that does not answer
 * within `ROUTER_STATE_TIMEOUT_MS` (busy, or gone) is treated like a Redis that does not: the worker goes on with its
 * own counters and idempotency records until the primary answers again.
 */
import type {Worker} from 'node:cluster'
import {randomBytes} from 'node:crypto'

import type {LiveMetricsSnapshot} from '../../core/metrics/schema.js'

import type {IdempotencyRecord, IdempotencyStore, MemoryStoreOptions, StoredResponse} from '../idempotency.js'
import {MemoryIdempotencyStore, recordFromJson, recordToJson} from '../idempotency.js'
import {ChangeRecords, MemoryCounters, MemorySharedState} from './memory.js'
import type {
  AdmitRequest,
  AdmitResult,
  ChangeHandler,
  CounterValues,
  ReplicaSnapshot,
  SharedState,
  StateChange,
  StoreStatus,
} from './types.js'

/** Messages between a worker and its primary; `olr` tells them from anything else on the channel. */
type ToPrimary =
  | {olr: 'call'; id: number; op: string; args: unknown[]}
  | {olr: 'change'; change: StateChange}
  | {olr: 'release'; principal: string; leaseId: string}
  | {olr: 'cancel'; principal: string; leaseId: string; now: number}
  | {olr: 'record'; principal: string; tokens: number; nanos: number; now: number}
  | {olr: 'metrics'; replica: string; snapshot: LiveMetricsSnapshot | null; ttlMs: number}
type ToWorker = {olr: 'reply'; id: number; result: unknown} | {olr: 'change'; change: StateChange}

/** What the primary answers: its memory store's operations, by name. */
type Operations = Record<string, (...args: never[]) => unknown>

/** The primary's side: serves `state` to every worker of `cluster` and relays their changes. */
export class PrimaryStateServer {
  private readonly records: ChangeRecords
  private readonly workers = new Set<Worker>()
  /** Concurrency slots per worker, freed when the worker exits. */
  private readonly leases = new Map<Worker, Map<string, string>>()
  /** The live metrics each worker published last, until they are too old. */
  private readonly snapshots = new Map<Worker, ReplicaSnapshot & {until: number}>()
  private readonly operations: Operations

  constructor(
    readonly state: MemorySharedState,
    breakerRecoveryMs: number,
    /** Sessions kept for the workers that start later (the config's `session.max_sessions`). */
    maxSessions: number,
  ) {
    this.records = new ChangeRecords(breakerRecoveryMs, maxSessions)
    const idem = state.idempotency
    this.operations = {
      admit: (request: AdmitRequest) => state.counters.admit(request),
      values: (principals: string[], now: number) => principals.map((p) => state.counters.values(p, now)),
      records: () => this.records.current(Date.now()),
      fleet: () => {
        const now = Date.now()
        const out: ReplicaSnapshot[] = []
        for (const {replica, snapshot, until} of this.snapshots.values()) if (until > now) out.push({replica, snapshot})
        return out
      },
      // Records cross the IPC channel as JSON text: a remembered body is bytes (see `recordToJson`).
      'idem.get': async (key: string) => {
        const record = await idem.get(key)
        return record === undefined ? undefined : recordToJson(record)
      },
      'idem.begin': async (key: string, fingerprint: string) => {
        const begun = await idem.begin(key, fingerprint)
        return begun.started ? begun : {started: false, record: recordToJson(begun.record)}
      },
      'idem.complete': (key: string, record: string) => {
        const parsed = recordFromJson(record)
        return parsed.state === 'completed' ? idem.complete(key, parsed.response) : undefined
      },
      'idem.fail': (key: string) => idem.fail(key),
      'idem.wait': (key: string, timeoutMs: number) => idem.waitForChange(key, timeoutMs),
    }
  }

  /** Serves one worker (call on `cluster.on('fork')`). */
  add(worker: Worker): void {
    this.workers.add(worker)
    worker.on('message', (message: ToPrimary) => void this.onMessage(worker, message))
    worker.on('exit', () => {
      this.workers.delete(worker)
      this.snapshots.delete(worker)
      for (const [leaseId, principal] of this.leases.get(worker) ?? []) this.state.counters.release(principal, leaseId)
      this.leases.delete(worker)
    })
  }

  private async onMessage(worker: Worker, message: ToPrimary): Promise<void> {
    if (typeof message !== 'object' || message === null || !('olr' in message)) return
    switch (message.olr) {
      case 'call': {
        // The worker sent the arguments its own typed wrapper built for this operation.
        const result = await this.operations[message.op]?.(...(message.args as never[]))
        if (message.op === 'admit' && (result as AdmitResult).limit === null) {
          const request = message.args[0] as AdmitRequest
          if (request.limits.maxConcurrency !== null) this.leasesOf(worker).set(request.leaseId, request.principal)
        }
        if (worker.isConnected()) worker.send({olr: 'reply', id: message.id, result} satisfies ToWorker)
        break
      }
      case 'change': {
        this.records.keep(message.change)
        for (const other of this.workers)
          if (other !== worker && other.isConnected())
            other.send({olr: 'change', change: message.change} satisfies ToWorker)
        break
      }
      case 'release': {
        this.leasesOf(worker).delete(message.leaseId)
        this.state.counters.release(message.principal, message.leaseId)
        break
      }
      case 'cancel': {
        this.leasesOf(worker).delete(message.leaseId)
        this.state.counters.cancel(message.principal, message.leaseId, message.now)
        break
      }
      case 'record': {
        this.state.counters.record(message.principal, message.tokens, message.nanos, message.now)
        break
      }
      case 'metrics': {
        if (message.snapshot === null) this.snapshots.delete(worker)
        else
          this.snapshots.set(worker, {
            replica: message.replica,
            snapshot: message.snapshot,
            until: Date.now() + message.ttlMs,
          })
        break
      }
    }
  }

  private leasesOf(worker: Worker): Map<string, string> {
    let leases = this.leases.get(worker)
    if (leases === undefined) {
      leases = new Map()
      this.leases.set(worker, leases)
    }
    return leases
  }
}

/** A worker's store: its primary's state over IPC (see the module comment). */
export class PrimarySharedState implements SharedState {
  readonly kind = 'primary' as const
  readonly idempotency: IpcIdempotencyStore
  readonly local = new MemoryCounters()
  readonly replica = randomBytes(8).toString('hex')
  private readonly pending = new Map<
    number,
    {resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout}
  >()
  private nextId = 1
  private handler: ChangeHandler | undefined
  private problem: string | null = null
  private since = new Date().toISOString()
  private readonly localLeases = new Set<string>()
  private readonly listener = (message: ToWorker): void => this.onMessage(message)

  constructor(
    private readonly timeoutMs: number,
    idempotency: MemoryStoreOptions,
    private readonly onStatus?: (status: 'up' | 'down', message: string) => void,
  ) {
    if (typeof process.send !== 'function') throw new Error('PrimarySharedState runs in a cluster worker only')
    process.on('message', this.listener)
    this.idempotency = new IpcIdempotencyStore(this, idempotency)
  }

  publish(change: StateChange): void {
    this.send({olr: 'change', change})
  }

  async attach(handler: ChangeHandler): Promise<void> {
    this.handler = handler
    const records = await this.call<StateChange[]>('records', [], this.timeoutMs * 10).catch(() => [])
    for (const change of records) handler.apply(change)
  }

  async admit(request: AdmitRequest): Promise<AdmitResult> {
    try {
      return await this.call<AdmitResult>('admit', [request])
    } catch {
      const result = this.local.admit(request)
      if (result.limit === null && request.limits.maxConcurrency !== null) this.localLeases.add(request.leaseId)
      return result
    }
  }

  release(principal: string, leaseId: string): void {
    if (this.localLeases.delete(leaseId)) this.local.release(principal, leaseId)
    else this.send({olr: 'release', principal, leaseId})
  }

  cancel(principal: string, leaseId: string, now: number): void {
    if (this.localLeases.delete(leaseId)) this.local.cancel(principal, leaseId, now)
    else this.send({olr: 'cancel', principal, leaseId, now})
  }

  record(principal: string, tokens: number, nanos: number, now: number): void {
    this.local.record(principal, tokens, nanos, now)
    this.send({olr: 'record', principal, tokens, nanos, now})
  }

  async values(principals: readonly string[], now: number): Promise<Map<string, CounterValues>> {
    const list = await this.call<CounterValues[]>('values', [principals, now]).catch(() =>
      principals.map((p) => this.local.values(p, now)),
    )
    return new Map(principals.map((p, i) => [p, list[i]]))
  }

  publishMetrics(snapshot: LiveMetricsSnapshot | null, ttlMs: number): void {
    this.send({olr: 'metrics', replica: this.replica, snapshot, ttlMs})
  }

  async fleetMetrics(): Promise<ReplicaSnapshot[]> {
    return this.call<ReplicaSnapshot[]>('fleet', []).catch(() => [])
  }

  status(): StoreStatus {
    return {
      kind: 'primary',
      replica: this.replica,
      shared: this.problem === null,
      url: null,
      since: this.since,
      problem: this.problem,
    }
  }

  async close(): Promise<void> {
    process.off('message', this.listener)
    for (const call of this.pending.values()) {
      clearTimeout(call.timer)
      call.reject(new Error('closed'))
    }
    this.pending.clear()
    this.idempotency.close()
  }

  /** Whether the primary answered the last call in time. */
  get up(): boolean {
    return this.problem === null
  }

  /** Calls an operation of the primary's store; rejects after `timeoutMs`. */
  call<T>(op: string, args: unknown[], timeoutMs = this.timeoutMs): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        this.down(`the primary did not answer within ${timeoutMs} ms`)
        reject(new Error('primary timed out'))
      }, timeoutMs)
      this.pending.set(id, {resolve: resolve as (value: unknown) => void, reject, timer})
      if (!this.send({olr: 'call', id, op, args})) {
        clearTimeout(timer)
        this.pending.delete(id)
        reject(new Error('no IPC channel'))
      }
    })
  }

  private send(message: ToPrimary): boolean {
    if (!process.connected) {
      this.down('the IPC channel to the primary is closed')
      return false
    }
    process.send!(message)
    return true
  }

  private onMessage(message: ToWorker): void {
    if (typeof message !== 'object' || message === null || !('olr' in message)) return
    if (message.olr === 'change') {
      this.handler?.apply(message.change)
      return
    }
    const call = this.pending.get(message.id)
    if (call === undefined) return
    this.pending.delete(message.id)
    clearTimeout(call.timer)
    if (this.problem !== null) {
      this.problem = null
      this.since = new Date().toISOString()
      this.onStatus?.('up', 'the primary answers again; state is shared')
    }
    call.resolve(message.result)
  }

  private down(problem: string): void {
    if (this.problem !== null) return
    this.problem = problem
    this.since = new Date().toISOString()
    this.onStatus?.('down', `${problem}; requests go on with this worker's own state`)
  }
}

/** Idempotency records kept by the primary; a key begun while it did not answer stays with this worker. */
class IpcIdempotencyStore implements IdempotencyStore {
  private readonly local: MemoryIdempotencyStore
  private readonly localKeys = new Set<string>()

  constructor(
    private readonly owner: PrimarySharedState,
    options: MemoryStoreOptions,
  ) {
    this.local = new MemoryIdempotencyStore(options)
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    if (this.localKeys.has(key)) return this.local.get(key)
    return this.owner
      .call<string | undefined>('idem.get', [key])
      .then((text) => (text === undefined ? undefined : recordFromJson(text)))
      .catch(() => this.local.get(key))
  }

  async begin(
    key: string,
    fingerprint: string,
  ): Promise<{started: true} | {started: false; record: IdempotencyRecord}> {
    if (!this.localKeys.has(key)) {
      try {
        const begun = await this.owner.call<{started: true} | {started: false; record: string}>('idem.begin', [
          key,
          fingerprint,
        ])
        return begun.started ? begun : {started: false, record: recordFromJson(begun.record)}
      } catch {
        // The primary does not answer: this worker runs the key on its own.
      }
    }
    const begun = await this.local.begin(key, fingerprint)
    if (begun.started) this.localKeys.add(key)
    return begun
  }

  async complete(key: string, response: StoredResponse): Promise<void> {
    if (this.localKeys.delete(key)) return this.local.complete(key, response)
    await this.owner
      .call('idem.complete', [key, recordToJson({state: 'completed', fingerprint: '', response})])
      .catch(() => {})
  }

  async fail(key: string): Promise<void> {
    if (this.localKeys.delete(key)) return this.local.fail(key)
    await this.owner.call('idem.fail', [key]).catch(() => {})
  }

  async waitForChange(key: string, timeoutMs: number): Promise<void> {
    if (this.localKeys.has(key)) return this.local.waitForChange(key, timeoutMs)
    await this.owner.call('idem.wait', [key, timeoutMs], timeoutMs + 1000).catch(() => {})
  }

  close(): void {
    this.local.close()
  }
}
