/**
 * The state that replicas of one gateway share: one interface (`SharedState`), three stores. `memory` (the default)
 * keeps it in this process; `redis` (`ROUTER_STATE_URL`) shares it across processes and machines; `primary` is a
 * `serve --workers` worker reaching its primary's memory store over IPC.
 *
 * What is shared, and how the hot path stays free of round trips:
 * - cool-downs and breaker transitions are *mirrored*: each replica keeps deciding from its own `CooldownTracker` and
 *   `CircuitBreakers` (synchronous checks), and publishes its changes (`StateChange`), which the others apply to their
 *   own trackers; a keyed record with the change's lifetime lets a replica that starts (or reconnects) later learn the
 *   changes still in force;
 * - idempotency records, key limits (requests and tokens per minute, concurrency) and spend live in the store itself,
 *   checked with one atomic operation (a Lua script on Redis) where atomicity across replicas is the point.
 *
 * - session affinity is mirrored too: each replica routes a turn from its own `SessionStore` (a synchronous Map
 *   lookup), and publishes a session's new state when one of its turns is answered (`session` change, after the
 *   answer, never on the request's path); the others put it in their stores. Its record lives for the session's TTL,
 *   so a replica that starts or reconnects later learns the sessions in force. When two replicas answer turns of one
 *   session at once, the later answer (`answered_at`) wins.
 * - live metrics: each replica publishes its snapshot every few seconds (`publishMetrics`), kept for a few intervals;
 *   `fleetMetrics` reads those of every replica alive, for the fleet view (core/metrics/fleet.ts merges them).
 */
import type {KeyLimits, LimitCode} from '../../core/auth/schema.js'
import type {LiveMetricsSnapshot} from '../../core/metrics/schema.js'
import type {SessionState} from '../../core/routing/schema.js'
import type {IdempotencyStore} from '../idempotency.js'

/** A change of one replica's trackers that the others apply to theirs. */
export type StateChange =
  /** A cool-down started (`model` null: the whole account) until `until` (epoch ms). */
  | {kind: 'cooldown'; account: string; model: string | null; until: number; reason: string}
  /** An account-wide cool-down's probe was answered: the account is open again. */
  | {kind: 'cooldown_clear'; account: string}
  /** A breaker opened (at `openedAt`) or closed. */
  | {
      kind: 'breaker'
      account: string
      model: string | null
      provider: string
      state: 'open' | 'closed'
      openedAt: number
      reason: string
    }
  /** A turn of session `id` was answered: its state now, kept until `answered_at + ttlMs` without another turn. */
  | {kind: 'session'; id: string; state: SessionState; ttlMs: number}

/** Applies other replicas' changes to this replica's trackers, and lists this replica's changes still in force. */
export interface ChangeHandler {
  apply(change: StateChange): void
  /** Changes of this replica still in force, published again when a store comes back. */
  current(now: number): StateChange[]
}

/** A key's limits in the units the stores count in. */
export interface CounterLimits {
  rpm: number | null
  tpm: number | null
  maxConcurrency: number | null
  /** Budgets in whole nano-dollars. */
  dayNanos: number | null
  monthNanos: number | null
}

/**
 * A request to count against its key's limits. It is sent before the request is routed, so its prompt estimate is not
 * known yet: the store checks `tpm` against the minute's tokens alone, and the gateway checks the estimate once it is
 * known (`KeyLimiter`), giving the admission back (`cancel`) if it puts the key over.
 */
export interface AdmitRequest {
  principal: string
  limits: CounterLimits
  now: number
  /** Names the concurrency slot this request holds until `release`. */
  leaseId: string
}

export interface AdmitResult {
  /** The limit the key is over (the request was not counted); null: admitted, counted, holding its slot. */
  limit: LimitCode | null
  /** The key's tokens of the minute before this request. */
  tokens: number
}

/** One key's counters now. */
export interface CounterValues {
  dayNanos: number
  monthNanos: number
  requests: number
  tokens: number
  inFlight: number
}

/** One replica's published live metrics. */
export interface ReplicaSnapshot {
  replica: string
  snapshot: LiveMetricsSnapshot
}

export type StoreKind = 'memory' | 'primary' | 'redis'

/** Whether the store shares state right now, for `/health` and the admin endpoint. */
export interface StoreStatus {
  kind: StoreKind
  /** This replica's id in the fleet (`fleet.replicas` of the fleet view). */
  replica: string
  /** False while the shared store is unreachable or too slow: this replica runs on its own state. */
  shared: boolean
  /** The store's address without its password (Redis), or null. */
  url: string | null
  /** When the current status began (ISO time). */
  since: string
  /** Why it is not shared; null while it is. */
  problem: string | null
}

/** The state replicas share (see the module comment). Every method is safe to call while the store is down. */
export interface SharedState {
  readonly kind: StoreKind
  /** Publishes a change of this replica to the others (fire and forget). */
  publish(change: StateChange): void
  /** Sets the handler of the others' changes, and applies the changes already in force. */
  attach(handler: ChangeHandler): Promise<void>
  readonly idempotency: IdempotencyStore
  /** Checks a key's limits and, when it may go, counts the request and takes a concurrency slot. */
  admit(request: AdmitRequest): Promise<AdmitResult>
  /** Frees the concurrency slot of an admitted request. */
  release(principal: string, leaseId: string): void
  /**
   * Gives back an admission the gateway did not use after all (routing refused the request, or its prompt estimate
   * puts the key over `tpm`): the request no longer counts in the minute of `now` (the admission's), and its slot is
   * freed (fire and forget).
   */
  cancel(principal: string, leaseId: string, now: number): void
  /** Adds an answer's tokens and estimated cost to a key's counters (fire and forget). */
  record(principal: string, tokens: number, nanos: number, now: number): void
  /** The counters of these keys now. */
  values(principals: readonly string[], now: number): Promise<Map<string, CounterValues>>
  /** This replica's id in the fleet (random per process). */
  readonly replica: string
  /** Publishes this replica's live metrics snapshot for the fleet view, kept `ttlMs`; null withdraws it (fire and forget). */
  publishMetrics(snapshot: LiveMetricsSnapshot | null, ttlMs: number): void
  /** The snapshots the replicas published that are still kept, maybe this one's too (each as old as an interval). */
  fleetMetrics(): Promise<ReplicaSnapshot[]>
  status(): StoreStatus
  close(): Promise<void>
}

/** `KeyLimits` (USD) → `CounterLimits` (nano-dollars, nulls for no limit). */
export function counterLimits(limits: KeyLimits): CounterLimits {
  return {
    rpm: limits.rpm ?? null,
    tpm: limits.tpm ?? null,
    maxConcurrency: limits.max_concurrency ?? null,
    dayNanos: limits.budget_usd_day === undefined ? null : Math.round(limits.budget_usd_day * 1e9),
    monthNanos: limits.budget_usd_month === undefined ? null : Math.round(limits.budget_usd_month * 1e9),
  }
}

/** A concurrency slot not released (its replica died) frees itself after this. */
export const LEASE_TTL_MS = 15 * 60_000

/** The windows of a moment (see `windows`). */
export interface Windows {
  readonly day: string
  readonly month: string
  readonly minute: number
}

let lastWindows: Windows = {day: '', month: '', minute: -1}

/**
 * The UTC day (`2026-12-07`), month (`2026-12`) and minute number of `now`, which name the counters' windows. Asked
 * several times per request: the answer is kept for its minute (a day and a month start on a minute's boundary).
 */
export function windows(now: number): Windows {
  const minute = Math.floor(now / 60_000)
  if (minute === lastWindows.minute) return lastWindows
  const iso = new Date(now).toISOString()
  lastWindows = {day: iso.slice(0, 10), month: iso.slice(0, 7), minute}
  return lastWindows
}

/** Seconds until the window of `limit` that refused a request ends (at least 1). */
export function retryAfterSeconds(limit: LimitCode, now: number): number {
  const date = new Date(now)
  let end: number
  if (limit === 'budget_usd_day') end = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1)
  else if (limit === 'budget_usd_month') end = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1)
  else if (limit === 'max_concurrency') end = now + 1000
  else end = (Math.floor(now / 60_000) + 1) * 60_000
  return Math.max(1, Math.ceil((end - now) / 1000))
}
