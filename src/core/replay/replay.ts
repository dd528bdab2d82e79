/**
 * `router route replay`: the decisions of an audit log routed again on another config, without the prompts.
 *
 * A `route_decision` event holds what selection needs: the task and complexity (the turn's own, and the session's),
 * the requirements (capabilities, estimated tokens), the tools only some providers run, the model the client named, and
 * the session with its follow-up flag. `decideOnFacts` routes those facts as the gateway routes a request. The answer's
 * token counts (`proxy_response.usage`) price the turn on the model chosen now.
 *
 * Sessions are replayed as the gateway runs them: turns in the order they were decided, each session's state after a
 * turn being the model chosen now, with the turn's recorded prompt tokens and the time its answer came, kept in the
 * gateway's own store (bounded by the config's `session` settings); so a profile's affinity settings show in the
 * replay. A turn that found no state in the log (a conversation's first, or one the gateway had forgotten) starts
 * afresh here too.
 *
 * Not in the log, so not replayed: live latency and failure figures (the config's and the catalog's priors rank), a
 * request's `provider`, `allowed_models` and `models` fields, and a key's `allowed_models`.
 */
import type {AuditEvent, ProxyResponseEvent, RouteDecisionEvent, TerminalOutcome} from '../audit/schema.js'
import {modelProvider} from '../catalog/model-key.js'
import type {RuntimeConfig} from '../config/schema.js'
import {RoutingError} from '../errors.js'
import {roundTo} from '../round.js'
import {accountsForModel} from '../routing/accounts.js'
import {decideOnFacts, type RequestFacts} from '../routing/decide.js'
import {type ModelInfo, modelInfo, roundUsd, usageCost} from '../routing/model-info.js'
import {requestedModelName} from '../routing/request-options.js'
import {resolveRequestedModel} from '../routing/resolve-model.js'
import type {Affinity, RouterExtension, RoutingDecision, SessionDecision, SessionState} from '../routing/schema.js'
import type {ReplayIssue, ReplayReport} from './schema.js'

/**
 * Token counts as the log recorded them. The prompt-cache counts (`cached_tokens`, `cache_write_tokens`) are there in
 * logs whose `usage` carries them (absent from older logs, and then priced as uncached).
 */
type RecordedUsage = NonNullable<ProxyResponseEvent['usage']>

/** What replay keeps of a `route_decision` (not its prompt, nor its candidates). */
export type RecordedDecision = Omit<RouteDecisionEvent, 'prompt' | 'candidates'>

/** One recorded request: its decision and how it ended. */
export interface RecordedTurn {
  decision: RecordedDecision
  /** How it ended; null when the log has no `proxy_terminal` for it (cut off while it ran). */
  outcome: TerminalOutcome | null
  /** The model that answered it, when it succeeded. */
  answeredModel: string | null
  /** When its answer ended (epoch ms). */
  answeredAt: number | null
  /** The answer's token counts and their recorded cost (undefined: a log older than `cost_usd`). */
  usage: RecordedUsage | null
  costUsd: number | null | undefined
}

/** Collects a log's requests from its events, fed in log order. Events other than those of routed requests are ignored. */
export class TurnCollector {
  private readonly turns = new Map<string, RecordedTurn>()
  /** `proxy_response` events with usage, by request and model, until the terminal says which model answered. */
  private readonly answers = new Map<string, Map<string, ProxyResponseEvent>>()

  add(event: AuditEvent): void {
    if (event.event === 'route_decision') {
      const {prompt: _prompt, candidates: _candidates, ...decision} = event
      this.turns.set(event.request_id, {
        decision,
        outcome: null,
        answeredModel: null,
        answeredAt: null,
        usage: null,
        costUsd: null,
      })
      return
    }
    if (event.event !== 'proxy_response' && event.event !== 'proxy_terminal') return
    const turn = this.turns.get(event.request_id)
    if (turn === undefined) return
    if (event.event === 'proxy_response') {
      if (event.status >= 300 || event.usage === null) return
      let byModel = this.answers.get(event.request_id)
      if (byModel === undefined) this.answers.set(event.request_id, (byModel = new Map()))
      byModel.set(event.model, event)
    } else {
      turn.outcome = event.outcome
      const answer = event.model === null ? undefined : this.answers.get(event.request_id)?.get(event.model)
      this.answers.delete(event.request_id)
      if (event.outcome !== 'success') return
      turn.answeredModel = event.model
      turn.answeredAt = Date.parse(event.ts)
      if (answer !== undefined) {
        turn.usage = answer.usage
        turn.costUsd = answer.cost_usd
      }
    }
  }

  /** The recorded turns, in the order they were decided. */
  recorded(): RecordedTurn[] {
    return [...this.turns.values()]
  }
}

/** Where replayed session states live: the gateway's store (`MemorySessionStore`) fits. */
export interface ReplaySessionStore {
  get(id: string, now: number): SessionState | null
  set(id: string, state: SessionState, now: number): void
}

/** What to replay on. */
export interface ReplayOptions {
  config: RuntimeConfig
  profile: string | null
  ignoreAccounts: boolean
  /** How long a provider's prompt cache stays warm after its last use (the gateway's). */
  cacheTtlMs: (provider: string) => number
  /** A fresh, empty store for the replayed sessions, bounded by the config's `session` settings. */
  sessions: ReplaySessionStore
  /** Echoed in the report. */
  log: string
  configPath: string | null
  malformedLines: number
}

/** A session state that takes effect when the turn's answer came. */
interface PendingState {
  at: number
  id: string
  state: Omit<SessionState, 'turns'>
}

/**
 * The replayed sessions: their states in the gateway's store, each taking effect when its turn's answer came (so that a
 * turn decided before the previous answer does not see it), and what the report counts of them.
 */
class ReplayedSessions {
  private pending: PendingState[] = []
  /** Per session, its last replayed turn: the model that answered it in the log, the one chosen now, and when its answer came. */
  private readonly lastTurns = new Map<string, {recorded: string; replayed: string; answeredAt: number | null}>()

  constructor(
    private readonly options: ReplayOptions,
    private readonly counts: ReplayReport['sessions'],
  ) {}

  /** What the gateway would have known of the session when the turn was decided at `now` (null: nothing). */
  stateFor(session: SessionDecision, now: number): SessionState | null {
    this.applyDue(now)
    // The log found no state (the conversation's first turn, or one the gateway had forgotten): none here either.
    return session.previous_model === null ? null : this.options.sessions.get(session.id, now)
  }

  /**
   * A turn was replayed: counts it, and remembers its state for the session's next turns once its answer came. Returns
   * whether the cache of the model chosen now holds the turn's prefix: the session's turn before went there too, within
   * its provider's cache lifetime.
   */
  replayed(
    turn: RecordedTurn,
    recorded: SessionDecision,
    decision: RoutingDecision,
    from: string,
    now: number,
  ): boolean {
    const to = decision.selected_model
    this.counts.turns++
    count(this.counts.recorded_affinity, recorded.affinity)
    if (decision.session !== null) count(this.counts.replayed_affinity, decision.session.affinity)
    const last = this.lastTurns.get(recorded.id)
    if (last !== undefined && last.recorded !== from) this.counts.recorded_switches++
    if (last !== undefined && last.replayed !== to) this.counts.replayed_switches++
    this.lastTurns.set(recorded.id, {recorded: from, replayed: to, answeredAt: turn.answeredAt})
    this.counts.sessions = this.lastTurns.size
    const provider = modelProvider(to) ?? ''
    if (turn.outcome === 'success' && turn.answeredAt !== null) {
      const account = accountsForModel(this.options.config, to)[0]?.name ?? provider
      this.pending.push({
        at: turn.answeredAt,
        id: recorded.id,
        state: {
          task: decision.task,
          complexity: decision.complexity,
          model: to,
          account,
          provider,
          answered_at: turn.answeredAt,
          prompt_tokens: turn.usage?.prompt_tokens ?? decision.requirements.input_tokens,
        },
      })
    }
    return (
      last?.replayed === to &&
      last.answeredAt !== null &&
      last.answeredAt <= now &&
      now - last.answeredAt < this.options.cacheTtlMs(provider)
    )
  }

  /** Applies the pending states whose answers came by `now`, oldest first. */
  private applyDue(now: number): void {
    const due = this.pending.filter((entry) => entry.at <= now).sort((a, b) => a.at - b.at)
    if (due.length === 0) return
    for (const entry of due) {
      const before = this.options.sessions.get(entry.id, entry.at)
      this.options.sessions.set(entry.id, Object.assign({}, entry.state, {turns: (before?.turns ?? 0) + 1}), entry.at)
    }
    this.pending = this.pending.filter((entry) => entry.at > now)
  }
}

/** Routes the recorded turns again on `options.config` and sums up what changed and what it would cost. */
export function replayTurns(turns: readonly RecordedTurn[], options: ReplayOptions): ReplayReport {
  const report = emptyReport(options)
  const issue = (turn: RecordedTurn, kind: ReplayIssue, detail: string) => {
    report.issues.push({request_id: turn.decision.request_id, issue: kind, detail})
    report.issue_counts[kind] = (report.issue_counts[kind] ?? 0) + 1
  }
  const changes = new Map<string, {from: string; to: string; turns: number}>()
  const models = new Map<string, ReplayReport['models'][number]>()
  const perModel = (model: string) => {
    let entry = models.get(model)
    if (entry === undefined) {
      entry = {
        model,
        recorded_turns: 0,
        recorded_cost_usd: 0,
        replayed_turns: 0,
        replayed_cost_usd: 0,
        difference_usd: 0,
      }
      models.set(model, entry)
    }
    return entry
  }
  const sessions = new ReplayedSessions(options, report.sessions)
  let cachedRecorded: number | null = null
  let cachedReplayed: number | null = null

  const ordered = turns.map((turn) => ({turn, at: Date.parse(turn.decision.ts)})).sort((a, b) => a.at - b.at)
  for (const {turn, at: now} of ordered) {
    report.decisions++
    const recorded = turn.decision
    if (recorded.requirements === undefined) {
      issue(turn, 'no_requirements', 'its route_decision has no requirements')
      continue
    }
    const facts = factsOf(recorded, recorded.requirements)
    if (facts.requestedName !== null) {
      try {
        resolveRequestedModel(options.config, facts.requestedName)
      } catch (error) {
        if (!(error instanceof RoutingError)) throw error
        issue(turn, 'model_not_in_config', `asked for ${facts.requestedName}`)
        facts.requestedName = null
      }
    }
    const recordedSession = recorded.session ?? null
    let decision: RoutingDecision
    try {
      decision = decideOnFacts(facts, options.config, {
        profile: options.profile,
        ignoreAccounts: options.ignoreAccounts,
        ...(recordedSession === null
          ? {}
          : {
              session: {
                key: {
                  id: recordedSession.id,
                  source: recordedSession.source,
                  opening: recordedSession.previous_model === null,
                },
                state: sessions.stateFor(recordedSession, now),
                now,
                cacheTtlMs: options.cacheTtlMs,
              },
            }),
      })
    } catch (error) {
      if (!(error instanceof RoutingError)) throw error
      issue(turn, 'refused', `${error.code}: ${error.message}`)
      continue
    }
    report.replayed++
    const from = turn.answeredModel ?? recorded.selected_model
    const to = decision.selected_model
    if (from === to) report.unchanged++
    else {
      const key = `${from}\u0000${to}`
      const change = changes.get(key) ?? {from, to, turns: 0}
      change.turns++
      changes.set(key, change)
    }
    const warmThere = recordedSession !== null && sessions.replayed(turn, recordedSession, decision, from, now)

    if (turn.usage === null) {
      issue(
        turn,
        'no_usage',
        turn.outcome === 'success'
          ? 'the answer reported no token counts'
          : `no answer (${turn.outcome ?? 'no proxy_terminal in the log'})`,
      )
      continue
    }
    // A turn that stays keeps what its provider had cached; one that moves finds no cache at the new provider, unless
    // its session moved there before.
    const usage: RecordedUsage =
      from === to || warmThere
        ? turn.usage
        : Object.assign({}, turn.usage, {cached_tokens: null, cache_write_tokens: null})
    const recordedCost =
      turn.costUsd === undefined ? priceOf(modelInfo(options.config, from), turn.usage) : turn.costUsd
    const replayedCost = priceOf(modelInfo(options.config, to), usage)
    if (recordedCost === null || replayedCost === null) {
      const unknown = [recordedCost === null ? from : null, replayedCost === null ? to : null].filter(
        (model) => model !== null,
      )
      issue(turn, 'unpriced', `no price known for ${[...new Set(unknown)].join(' and ')}`)
      continue
    }
    report.priced++
    const recordedEntry = perModel(from)
    recordedEntry.recorded_turns++
    recordedEntry.recorded_cost_usd += recordedCost
    const replayedEntry = perModel(to)
    replayedEntry.replayed_turns++
    replayedEntry.replayed_cost_usd += replayedCost
    report.cache.prompt_tokens += turn.usage.prompt_tokens ?? 0
    if (turn.usage.cached_tokens != null) {
      cachedRecorded = (cachedRecorded ?? 0) + turn.usage.cached_tokens
      cachedReplayed = (cachedReplayed ?? 0) + (usage.cached_tokens ?? 0)
    }
  }

  report.changes = [...changes.values()].sort(
    (a, b) => b.turns - a.turns || a.from.localeCompare(b.from) || a.to.localeCompare(b.to),
  )
  report.models = [...models.values()]
    .map((entry) =>
      Object.assign({}, entry, {
        recorded_cost_usd: roundUsd(entry.recorded_cost_usd),
        replayed_cost_usd: roundUsd(entry.replayed_cost_usd),
        difference_usd: roundUsd(entry.replayed_cost_usd - entry.recorded_cost_usd),
      }),
    )
    .sort((a, b) => a.model.localeCompare(b.model))
  const recordedTotal = roundUsd(report.models.reduce((sum, entry) => sum + entry.recorded_cost_usd, 0))
  const replayedTotal = roundUsd(report.models.reduce((sum, entry) => sum + entry.replayed_cost_usd, 0))
  report.total = {
    recorded_cost_usd: recordedTotal,
    replayed_cost_usd: replayedTotal,
    difference_usd: roundUsd(replayedTotal - recordedTotal),
    difference_ratio: recordedTotal > 0 ? roundTo((replayedTotal - recordedTotal) / recordedTotal, 4) : null,
  }
  report.cache.recorded_cached_tokens = cachedRecorded
  report.cache.replayed_cached_tokens = cachedReplayed
  return report
}

/**
 * The facts `decideOnFacts` needs, from a recorded decision: the turn's own task and complexity (before its session's
 * were applied; a forced one stays forced), its requirements and provider tools, the model it named.
 */
function factsOf(
  recorded: RecordedDecision,
  requirements: NonNullable<RecordedDecision['requirements']>,
): RequestFacts {
  const session = recorded.session ?? null
  const task = session?.turn_task ?? recorded.task
  const complexity = session?.turn_complexity ?? recorded.complexity
  const forced: RouterExtension = {}
  if (recorded.signals.some((signal) => signal.name === 'router_task')) forced.task = task
  if (recorded.signals.some((signal) => signal.name === 'router_complexity')) forced.complexity = complexity
  return {
    endpoint: recorded.endpoint,
    fields: forced.task === undefined && forced.complexity === undefined ? {} : {router: forced},
    requestedModel: recorded.requested_model,
    requestedName: requestedModelName({model: recorded.requested_model}),
    classification: {task, complexity, complexity_score: 0, confidence: 1, signals: [], requirements},
    followUp: session?.follow_up ?? false,
    reasoning: false,
    providerTools: recorded.provider_tools ?? [],
  }
}

/** The estimated cost of `usage` on a model: the gateway's own pricing of `proxy_response.cost_usd`. */
function priceOf(info: ModelInfo, usage: RecordedUsage): number | null {
  return usageCost(info, usage).cost_usd
}

function count(counts: Partial<Record<Affinity, number>>, affinity: Affinity): void {
  counts[affinity] = (counts[affinity] ?? 0) + 1
}

function emptyReport(options: ReplayOptions): ReplayReport {
  return {
    log: options.log,
    config: options.configPath,
    profile: options.profile,
    malformed_lines: options.malformedLines,
    decisions: 0,
    replayed: 0,
    priced: 0,
    unchanged: 0,
    changes: [],
    models: [],
    total: {recorded_cost_usd: 0, replayed_cost_usd: 0, difference_usd: 0, difference_ratio: null},
    cache: {prompt_tokens: 0, recorded_cached_tokens: null, replayed_cached_tokens: null},
    sessions: {
      sessions: 0,
      turns: 0,
      recorded_affinity: {},
      replayed_affinity: {},
      recorded_switches: 0,
      replayed_switches: 0,
    },
    issue_counts: {},
    issues: [],
  }
}
