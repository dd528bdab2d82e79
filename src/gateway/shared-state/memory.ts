/**
 * The in-process store: key counters in Maps, idempotency in `MemoryIdempotencyStore`, and no other replica to tell
 * (`publish` keeps nothing). `MemoryCounters` is also what the Redis store falls back on while Redis is down, and
 * what a `serve --workers` primary serves to its workers.
 */
import {randomBytes} from 'node:crypto'

import type {LimitCode} from '../../core/auth/schema.js'
import type {LiveMetricsSnapshot} from '../../core/metrics/schema.js'
import {MemoryIdempotencyStore, type MemoryStoreOptions} from '../idempotency.js'
import {
  LEASE_TTL_MS,
  windows,
  type AdmitRequest,
  type AdmitResult,
  type ChangeHandler,
  type CounterValues,
  type ReplicaSnapshot,
  type SharedState,
  type StateChange,
  type StoreStatus,
} from './types.js'

interface KeyCounters {
  day: string
  dayNanos: number
  month: string
  monthNanos: number
  minute: number
  requests: number
  tokens: number
  /** Concurrency slots: lease id → when it frees itself. */
  leases: Map<string, number>
}

/** Key counters of one process. Windows roll over when they are next touched. */
export class MemoryCounters {
  private readonly keys = new Map<string, KeyCounters>()

  admit(request: AdmitRequest): AdmitResult {
    const {limits, now} = request
    const counters = this.counters(request.principal, now)
    const tokens = counters.tokens
    let limit: LimitCode | null = null
    if (limits.dayNanos !== null && counters.dayNanos >= limits.dayNanos) limit = 'budget_usd_day'
    else if (limits.monthNanos !== null && counters.monthNanos >= limits.monthNanos) limit = 'budget_usd_month'
    else if (limits.rpm !== null && counters.requests >= limits.rpm) limit = 'rpm'
    // The request's own estimate is checked by the gateway once it is routed (see `AdmitRequest`).
    else if (limits.tpm !== null && tokens > limits.tpm) limit = 'tpm'
    else if (limits.maxConcurrency !== null) {
      for (const [id, until] of counters.leases) if (until <= now) counters.leases.delete(id)
      if (counters.leases.size >= limits.maxConcurrency) limit = 'max_concurrency'
    }
    if (limit === null) {
      counters.requests++
      if (limits.maxConcurrency !== null) counters.leases.set(request.leaseId, now + LEASE_TTL_MS)
    }
    return {limit, tokens}
  }

  release(principal: string, leaseId: string): void {
    this.keys.get(principal)?.leases.delete(leaseId)
  }

  cancel(principal: string, leaseId: string, now: number): void {
    const counters = this.keys.get(principal)
    if (counters === undefined) return
    counters.leases.delete(leaseId)
    if (counters.minute === windows(now).minute && counters.requests > 0) counters.requests--
  }

  record(principal: string, tokens: number, nanos: number, now: number): void {
    const counters = this.counters(principal, now)
    counters.dayNanos += nanos
    counters.monthNanos += nanos
    counters.tokens += tokens
  }

  values(principal: string, now: number): CounterValues {
    const counters = this.counters(principal, now)
    for (const [id, until] of counters.leases) if (until <= now) counters.leases.delete(id)
    return {
      dayNanos: counters.dayNanos,
      monthNanos: counters.monthNanos,
      requests: counters.requests,
      tokens: counters.tokens,
      inFlight: counters.leases.size,
    }
  }

  /** Takes the shared store's figures as this process's own (kept current while Redis answers, used when it does not). */
  adopt(principal: string, values: Omit<CounterValues, 'inFlight'>, now: number): void {
    const counters = this.counters(principal, now)
    counters.dayNanos = values.dayNanos
    counters.monthNanos = values.monthNanos
    counters.requests = values.requests
    counters.tokens = values.tokens
  }

  private counters(principal: string, now: number): KeyCounters {
    const {day, month, minute} = windows(now)
    let counters = this.keys.get(principal)
    if (counters === undefined) {
      counters = {day, dayNanos: 0, month, monthNanos: 0, minute, requests: 0, tokens: 0, leases: new Map()}
      this.keys.set(principal, counters)
      return counters
    }
    if (counters.minute !== minute) {
      counters.minute = minute
      counters.requests = 0
      counters.tokens = 0
    }
    if (counters.day !== day) {
      counters.day = day
      counters.dayNanos = 0
    }
    if (counters.month !== month) {
      counters.month = month
      counters.monthNanos = 0
    }
    return counters
  }
}

/** Changes still in force by what they are about, for a worker that starts after they were made. */
export class ChangeRecords {
  private readonly records = new Map<string, {change: StateChange; until: number}>()
  /** Session changes in the order of their last turn, oldest first. */
  private readonly sessions = new Map<string, {change: StateChange; until: number}>()

  constructor(
    private readonly breakerRecoveryMs: number,
    /** Sessions kept at most (the oldest go first). */
    private readonly maxSessions: number,
  ) {}

  keep(change: StateChange): void {
    if (change.kind === 'session') {
      this.sessions.delete(change.id)
      this.sessions.set(change.id, {change, until: change.state.answered_at + change.ttlMs})
      if (this.sessions.size > this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!)
    } else if (change.kind === 'cooldown')
      this.records.set(`cd\n${change.account}\n${change.model ?? ''}`, {change, until: change.until})
    else if (change.kind === 'cooldown_clear') this.records.delete(`cd\n${change.account}\n`)
    else if (change.state === 'open')
      this.records.set(`br\n${change.account}\n${change.model ?? ''}`, {
        change,
        until: change.openedAt + this.breakerRecoveryMs,
      })
    else this.records.delete(`br\n${change.account}\n${change.model ?? ''}`)
  }

  current(now: number): StateChange[] {
    const out: StateChange[] = []
    for (const records of [this.records, this.sessions]) {
      for (const [key, record] of records) {
        if (record.until <= now) records.delete(key)
        else out.push(record.change)
      }
    }
    return out
  }
}

/** The default store: everything in this process. */
export class MemorySharedState implements SharedState {
  readonly kind = 'memory' as const
  readonly idempotency: MemoryIdempotencyStore
  readonly counters = new MemoryCounters()
  readonly replica = randomBytes(8).toString('hex')
  private readonly since = new Date().toISOString()

  constructor(idempotency: MemoryStoreOptions) {
    this.idempotency = new MemoryIdempotencyStore(idempotency)
  }

  publish(_change: StateChange): void {}

  async attach(_handler: ChangeHandler): Promise<void> {}

  async admit(request: AdmitRequest): Promise<AdmitResult> {
    return this.counters.admit(request)
  }

  release(principal: string, leaseId: string): void {
    this.counters.release(principal, leaseId)
  }

  cancel(principal: string, leaseId: string, now: number): void {
    this.counters.cancel(principal, leaseId, now)
  }

  record(principal: string, tokens: number, nanos: number, now: number): void {
    this.counters.record(principal, tokens, nanos, now)
  }

  async values(principals: readonly string[], now: number): Promise<Map<string, CounterValues>> {
    return new Map(principals.map((p) => [p, this.counters.values(p, now)]))
  }

  /** One process is its whole fleet: the fleet view is its own snapshot. */
  publishMetrics(_snapshot: LiveMetricsSnapshot | null, _ttlMs: number): void {}

  async fleetMetrics(): Promise<ReplicaSnapshot[]> {
    return []
  }

  status(): StoreStatus {
    return {kind: 'memory', replica: this.replica, shared: true, url: null, since: this.since, problem: null}
  }

  async close(): Promise<void> {
    this.idempotency.close()
  }
}
