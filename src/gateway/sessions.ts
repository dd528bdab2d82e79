/**
 * Sessions at the gateway: what is remembered of each conversation between its turns (the model, account and
 * provider that answered last, when, the session's task and complexity, the prompt size), held in memory with a bound
 * (least recently used first out, forgotten after `session.ttl_seconds` without a turn).
 *
 * A turn's session is recognised when it is routed (core/routing/session.ts); what answered it is learnt from the
 * audit events (`proxy_terminal`, `proxy_response`), as the dashboard learns it: the proxy needs no session code.
 * A turn that fell back to another target leaves the session on the target that answered.
 *
 * Behind a load balancer, replicas mirror their sessions through the shared state (`mirrorTrackers` in
 * shared-state/index.ts): a session's new state is published when a turn is answered (`onChange`), and the others'
 * are put in this replica's store (`MemorySessionStore.merge`), so the next turn keeps its target whichever replica it
 * lands on. Routing still reads this process's Map only.
 */
import type {AuditEventBus} from '../core/audit/event-bus.js'
import type {SessionSettings} from '../core/config/schema.js'
import type {RoutingDecision, SessionState} from '../core/routing/schema.js'
import type {SessionKey} from '../core/routing/session.js'

/** Where session states live: in this process by default; a shared store implements the same. */
export interface SessionStore {
  get(id: string, now: number): SessionState | null
  set(id: string, state: SessionState, now: number): void
  /** Sessions held now. */
  readonly size: number
}

/**
 * A session that stays on its target is published to the other replicas at most this often (a move at once): their
 * copy's `answered_at` lags by at most this, so they take its cache for cold at most this early.
 */
export const MIRROR_REFRESH_MS = 10_000

/** Expired sessions are dropped at least this often (a look-up never returns one). */
const SWEEP_INTERVAL_MS = 1000

/** The in-process store: a Map in least-recently-used order, bounded in entries and idle time. */
export class MemorySessionStore implements SessionStore {
  /** `mirroredAt`: when the state was last published to (or learnt from) the other replicas. */
  private readonly entries = new Map<string, {state: SessionState; seenAt: number; mirroredAt: number}>()
  /** The most recently used session: using it again needs no move. */
  private newest: string | null = null
  /** When expired sessions were last looked for (a full store is trimmed at once). */
  private sweptAt = 0

  constructor(private readonly bounds: () => {maxEntries: number; ttlMs: number}) {}

  get(id: string, now: number): SessionState | null {
    const entry = this.entries.get(id)
    if (entry === undefined) return null
    if (now - entry.seenAt > this.bounds().ttlMs) {
      this.entries.delete(id)
      return null
    }
    entry.seenAt = now
    this.touch(id, entry)
    return entry.state
  }

  set(id: string, state: SessionState, now: number): void {
    let entry = this.entries.get(id)
    if (entry === undefined) {
      entry = {state, seenAt: now, mirroredAt: 0}
      this.entries.set(id, entry)
      this.newest = id
    } else {
      entry.state = state
      entry.seenAt = now
      this.touch(id, entry)
    }
    const {maxEntries, ttlMs} = this.bounds()
    if (this.entries.size <= maxEntries && now - this.sweptAt < SWEEP_INTERVAL_MS) return
    this.sweptAt = now
    for (const [oldest, held] of this.entries) {
      if (this.entries.size <= maxEntries && now - held.seenAt <= ttlMs) break
      this.entries.delete(oldest)
    }
  }

  /**
   * Moves session `id` to the most recent end of the Map, unless it is there already: the turns of one conversation
   * follow each other, and a Map that is deleted from and added to on every request leaves a hole each time, which
   * every later walk from its oldest end steps over.
   */
  private touch(id: string, entry: {state: SessionState; seenAt: number; mirroredAt: number}): void {
    if (this.newest === id) return
    this.entries.delete(id)
    this.entries.set(id, entry)
    this.newest = id
  }

  get size(): number {
    return this.entries.size
  }

  /** The sessions held and not expired, least recently used first. */
  *current(now: number): Generator<[string, SessionState]> {
    const {ttlMs} = this.bounds()
    for (const [id, entry] of this.entries) if (now - entry.seenAt <= ttlMs) yield [id, entry.state]
  }

  /** Takes another replica's state of session `id` unless this store holds a later one. */
  merge(id: string, state: SessionState): void {
    const held = this.entries.get(id)
    if (held !== undefined && held.state.answered_at > state.answered_at) return
    this.set(id, state, Math.max(state.answered_at, held?.seenAt ?? 0))
    this.entries.get(id)!.mirroredAt = state.answered_at
  }

  /** Whether session `id` was last published (or learnt) `refreshMs` or longer ago; if so, it counts as published now. */
  mirrorDue(id: string, now: number, refreshMs: number): boolean {
    const entry = this.entries.get(id)
    if (entry === undefined || (refreshMs > 0 && now - entry.mirroredAt < refreshMs)) return false
    entry.mirroredAt = now
    return true
  }
}

interface Pending {
  id: string
  decision: RoutingDecision
  promptTokens: number | null
}

/** Recognised sessions and their states, updated from the audit events of each turn. */
export class SessionTracker {
  /** Turns in flight: request id → session, until their `proxy_terminal`. */
  private readonly pending = new Map<string, Pending>()

  /**
   * Set when sessions are mirrored: called with a session's new state after its turn was answered, when its target,
   * task or complexity changed, else at most every `MIRROR_REFRESH_MS`.
   */
  onChange: ((id: string, state: SessionState) => void) | undefined

  constructor(
    readonly store: MemorySessionStore,
    bus: AuditEventBus,
    private readonly settings: () => SessionSettings,
    private readonly now: () => number = Date.now,
  ) {
    bus.subscribe((event) => {
      if (event.event === 'proxy_response') {
        const turn = this.pending.get(event.request_id)
        if (turn !== undefined && event.usage?.prompt_tokens != null) turn.promptTokens = event.usage.prompt_tokens
      } else if (event.event === 'proxy_terminal') {
        const turn = this.pending.get(event.request_id)
        if (turn === undefined) return
        this.pending.delete(event.request_id)
        if (event.outcome !== 'success' || event.model === null || event.account === null || event.provider === null)
          return
        const now = this.now()
        const before = this.store.get(turn.id, now)
        const state: SessionState = {
          task: turn.decision.task,
          complexity: turn.decision.complexity,
          model: event.model,
          account: event.account,
          provider: event.provider,
          answered_at: now,
          prompt_tokens: turn.promptTokens ?? turn.decision.requirements.input_tokens,
          turns: (before?.turns ?? 0) + 1,
        }
        this.store.set(turn.id, state, now)
        if (this.onChange === undefined) return
        // What the other replicas route on changed: told at once; the same target again: refreshed now and then.
        const moved =
          before === null ||
          before.model !== state.model ||
          before.account !== state.account ||
          before.task !== state.task ||
          before.complexity !== state.complexity
        if (this.store.mirrorDue(turn.id, now, moved ? 0 : MIRROR_REFRESH_MS)) this.onChange(turn.id, state)
      }
    })
  }

  /** What is remembered of `key`'s session, for routing its next turn. */
  lookup(key: SessionKey): SessionState | null {
    return this.store.get(key.id, this.now())
  }

  /** A turn was routed: its answer will update the session. */
  routed(requestId: string, decision: RoutingDecision): void {
    if (decision.session === null) return
    // A request whose terminal never comes (it cannot, but a bug must not grow this map) is dropped with the oldest.
    if (this.pending.size >= 10_000) this.pending.delete(this.pending.keys().next().value!)
    this.pending.set(requestId, {id: decision.session.id, decision, promptTokens: null})
  }

  /** Sessions remembered now. */
  get size(): number {
    return this.store.size
  }

  /** The settings sessions run on now (a hot reload may change them). */
  get current(): SessionSettings {
    return this.settings()
  }
}
