/**
 * Sessions and cache affinity, from `route_decision.session` and the requests' `proxy_terminal`: the sessions active
 * in a window (5 minutes by default, the providers' usual prompt-cache lifetime), how many of the window's turns kept
 * their session's model and how many moved, the decisions by affinity since the start, and the estimated spend that
 * affinity saved.
 *
 * **Affinity saved**: for each turn whose affinity is `stay` and whose decision priced both staying and switching
 * (`session.stay_cost_usd`, `session.switch_cost_usd`), `switch − stay`, counted when the request succeeded with the
 * session's model and account (a turn that stayed but was answered by a fallback read no cache). Net: a stay on a model that costs
 * more, even cached, than the one routing would pick otherwise counts negative.
 *
 * Cheap per event: one map entry per session (its last bucket, a small integer) and one per priced stay until its
 * terminal; nothing is rebuilt per event. Expired entries are swept when the figures are read. Bounded: at most
 * `maxSessions` sessions (the least recently seen go first) and `maxPending` stays awaiting their terminal.
 */
import type {ProxyTerminalEvent} from '../audit/schema.js'
import type {Affinity, SessionDecision} from '../routing/schema.js'
import {CounterRing} from './rings.js'
import {NANO_PER_USD, nanoUsd} from './usage.js'
import type {AffinityTotals, SessionMetrics} from './schema.js'

/** Affinities that kept a session on its model, and those that moved it (`new` and `off` do neither). */
const KEPT = 0
const MOVED = 1
const KIND: Record<Affinity, number> = {
  stay: KEPT,
  move_up: MOVED,
  downgrade: MOVED,
  cold: MOVED,
  unavailable: MOVED,
  new: -1,
  off: -1,
}

export interface SessionStatsOptions {
  /** The window in which a session with a decision counts as active, in ms; default 300 000 (5 minutes). */
  windowMs?: number
  /** Buckets of that window; default 30. */
  buckets?: number
  /** Sessions tracked at most (the least recently seen are dropped first); default 10 000. */
  maxSessions?: number
  /** Priced stays awaiting their request's terminal, at most (the oldest are dropped); default 10 000. */
  maxPending?: number
  /** A priced stay whose terminal has not come after this long (event time) is forgotten; default 10 minutes. */
  pendingTtlMs?: number
}

/** A priced stay awaiting its request's terminal. */
interface PendingStay {
  nanos: number
  model: string
  account: string | null
  ts: number
}

/** Decisions by affinity since the start, and what affinity saved (shared by the live metrics and the summary). */
export class AffinityTally {
  private readonly decisions: Record<Affinity, number> = {
    new: 0,
    stay: 0,
    move_up: 0,
    downgrade: 0,
    cold: 0,
    unavailable: 0,
    off: 0,
  }
  private readonly pending = new Map<string, PendingStay>()
  private savedNanos = 0
  private pricedStays = 0

  constructor(
    private readonly maxPending = 10_000,
    private readonly pendingTtlMs = 10 * 60_000,
  ) {}

  decision(requestId: string, session: SessionDecision, ts: number): void {
    this.decisions[session.affinity]++
    if (
      session.affinity !== 'stay' ||
      session.stay_cost_usd === null ||
      session.switch_cost_usd === null ||
      session.previous_model === null
    )
      return
    if (this.pending.size >= this.maxPending) this.pending.delete(this.pending.keys().next().value!)
    this.pending.set(requestId, {
      nanos: nanoUsd(session.switch_cost_usd) - nanoUsd(session.stay_cost_usd),
      model: session.previous_model,
      account: session.previous_account,
      ts,
    })
  }

  terminal(event: ProxyTerminalEvent): void {
    if (this.pending.size === 0) return
    const stay = this.pending.get(event.request_id)
    if (stay === undefined) return
    this.pending.delete(event.request_id)
    // The cache is the account's: an answer by the same model on another account read none of it.
    if (
      event.outcome !== 'success' ||
      event.model !== stay.model ||
      (stay.account !== null && event.account !== stay.account)
    )
      return
    this.savedNanos += stay.nanos
    this.pricedStays++
  }

  /** Forgets the stays whose terminal never came. */
  sweep(now: number): void {
    const cutoff = now - this.pendingTtlMs
    for (const [id, stay] of this.pending) if (stay.ts < cutoff) this.pending.delete(id)
  }

  /** Stays awaiting their terminal (for tests and diagnostics). */
  get pendingSize(): number {
    return this.pending.size
  }

  result(): AffinityTotals {
    return {
      decisions: {...this.decisions},
      affinity_saved_usd: this.savedNanos / NANO_PER_USD,
      priced_stays: this.pricedStays,
    }
  }
}

/** Active sessions and the window's kept and moved turns, with the totals of `AffinityTally`. */
export class SessionStats {
  readonly windowMs: number
  private readonly bucketMs: number
  private readonly maxSessions: number
  /** Session id → bucket of its last decision; in order of last decision (an entry moves to the end when it changes). */
  private readonly lastBucket = new Map<string, number>()
  private readonly turns: CounterRing
  readonly tally: AffinityTally

  constructor(options: SessionStatsOptions = {}) {
    this.windowMs = options.windowMs ?? 5 * 60_000
    const buckets = options.buckets ?? 30
    this.bucketMs = this.windowMs / buckets
    this.maxSessions = options.maxSessions ?? 10_000
    this.turns = new CounterRing(buckets, 2)
    this.tally = new AffinityTally(options.maxPending, options.pendingTtlMs)
  }

  decision(requestId: string, session: SessionDecision, ts: number, now: number): void {
    this.tally.decision(requestId, session, ts)
    const bucket = Math.floor(ts / this.bucketMs)
    const previous = this.lastBucket.get(session.id)
    if (previous === undefined || bucket > previous) {
      if (previous !== undefined) this.lastBucket.delete(session.id)
      else if (this.lastBucket.size >= this.maxSessions) this.lastBucket.delete(this.lastBucket.keys().next().value!)
      this.lastBucket.set(session.id, bucket)
    }
    const kind = KIND[session.affinity]
    if (kind !== -1) this.turns.add(bucket, Math.floor(now / this.bucketMs), kind)
  }

  terminal(event: ProxyTerminalEvent): void {
    this.tally.terminal(event)
  }

  /** Sessions tracked (for tests and diagnostics; expired ones stay until the next `result`). */
  get size(): number {
    return this.lastBucket.size
  }

  /** The figures at `now`; forgets the sessions that left the window. */
  result(now: number): SessionMetrics {
    const current = Math.floor(now / this.bucketMs)
    const oldest = current - this.turns.length + 1
    for (const [id, bucket] of this.lastBucket) if (bucket < oldest) this.lastBucket.delete(id)
    this.tally.sweep(now)
    return {
      window_seconds: this.windowMs / 1000,
      active: this.lastBucket.size,
      kept: this.turns.sum(current, KEPT),
      moved: this.turns.sum(current, MOVED),
      ...this.tally.result(),
    }
  }
}
