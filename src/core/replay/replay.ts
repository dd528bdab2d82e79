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
import {accountsForModel} from '../routing/accounts.js'
import {decideOnFacts, type RequestFacts} from '../routing/decide.js'
import {type ModelInfo, modelInfo, roundUsd, usageCostUsd} from '../routing/model-info.js'
import {requestedModelName} from '../routing/request-options.js'
import {resolveRequestedModel} from '../routing/resolve-model.js'
import type {Affinity, RouterExtension, SessionState} from '../routing/schema.js'
import type {ReplayIssue, ReplayReport} from './schema.js'

/**
 * Token counts as the log recorded them. The prompt-cache counts (`cached_tokens`, `cache_write_tokens`) are there in
 * logs whose `usage` carries them, and priced by `usageCostUsd` where it knows cache prices.
 */
type RecordedUsage = NonNullable<ProxyResponseEvent['usage']> & {cached_tokens?: number | null; cache_write_tokens?: number | null}

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
      this.turns.set(event.request_id, {decision, outcome: null, answeredModel: null, answeredAt: null, usage: null, costUsd: null})
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
      entry = {model, recorded_turns: 0, recorded_cost_usd: 0, replayed_turns: 0, replayed_cost_usd: 0, difference_usd: 0}
      models.set(model, entry)
    }
    return entry
  }
  const sessionIds = new Set<string>()
  /** Per session, its last replayed turn: the model that answered it in the log, the one chosen now, and when its answer came. */
  const lastTurns = new Map<string, {recorded: string; replayed: string; answeredAt: number | null}>()
  let pending: PendingState[] = []
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
    pending = applyDue(pending, now, options.sessions)

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
    const state = recordedSession === null || recordedSession.previous_model === null ? null : options.sessions.get(recordedSession.id, now)
    let decision
    try {
      decision = decideOnFacts(facts, options.config, {
        profile: options.profile,
        ignoreAccounts: options.ignoreAccounts,
        ...(recordedSession === null
          ? {}
          : {
              session: {
                key: {id: recordedSession.id, source: recordedSession.source, opening: recordedSession.previous_model === null},
                state,
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

    // The prompt cache of the model chosen now holds this turn's prefix when the session's turn before went there too,
    // not long before: then the turn's recorded cache reads stand, wherever it was answered in the log.
    let warmThere = false
    if (recordedSession !== null && decision.session !== null) {
      sessionIds.add(recordedSession.id)
      report.sessions.turns++
      count(report.sessions.recorded_affinity, recordedSession.affinity)
      count(report.sessions.replayed_affinity, decision.session.affinity)
      const last = lastTurns.get(recordedSession.id)
      if (last !== undefined && last.recorded !== from) report.sessions.recorded_switches++
      if (last !== undefined && last.replayed !== to) report.sessions.replayed_switches++
      warmThere = last?.replayed === to && last.answeredAt !== null && last.answeredAt <= now && now - last.answeredAt < options.cacheTtlMs(modelProvider(to) ?? '')
      lastTurns.set(recordedSession.id, {recorded: from, replayed: to, answeredAt: turn.answeredAt})
      if (turn.outcome === 'success' && turn.answeredAt !== null) {
        pending.push({
          at: turn.answeredAt,
          id: recordedSession.id,
          state: {
            task: decision.task,
            complexity: decision.complexity,
            model: to,
            account: accountsForModel(options.config, to)[0]?.name ?? modelProvider(to) ?? '',
            provider: modelProvider(to) ?? '',
            answered_at: turn.answeredAt,
            prompt_tokens: turn.usage?.prompt_tokens ?? recorded.requirements.input_tokens,
          },
        })
      }
    }

    if (turn.usage === null) {
      issue(turn, 'no_usage', turn.outcome === 'success' ? 'the answer reported no token counts' : `no answer (${turn.outcome ?? 'no proxy_terminal in the log'})`)
      continue
    }
    // A turn that stays keeps what its provider had cached; one that moves finds no cache at the new provider, unless
    // its session moved there before.
    const usage: RecordedUsage = from === to || warmThere ? turn.usage : {...turn.usage, cached_tokens: null, cache_write_tokens: null}
    const recordedCost = turn.costUsd === undefined ? priceOf(modelInfo(options.config, from), turn.usage) : turn.costUsd
    const replayedCost = priceOf(modelInfo(options.config, to), usage)
    if (recordedCost === null || replayedCost === null) {
      const unknown = [recordedCost === null ? from : null, replayedCost === null ? to : null].filter((model) => model !== null)
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

  report.sessions.sessions = sessionIds.size
  report.changes = [...changes.values()].sort((a, b) => b.turns - a.turns || a.from.localeCompare(b.from) || a.to.localeCompare(b.to))
  report.models = [...models.values()]
    .map((entry) => ({
      ...entry,
      recorded_cost_usd: roundUsd(entry.recorded_cost_usd),
      replayed_cost_usd: roundUsd(entry.replayed_cost_usd),
      difference_usd: roundUsd(entry.replayed_cost_usd - entry.recorded_cost_usd),
    }))
    .sort((a, b) => a.model.localeCompare(b.model))
  const recordedTotal = roundUsd(report.models.reduce((sum, entry) => sum + entry.recorded_cost_usd, 0))
  const replayedTotal = roundUsd(report.models.reduce((sum, entry) => sum + entry.replayed_cost_usd, 0))
  report.total = {
    recorded_cost_usd: recordedTotal,
    replayed_cost_usd: replayedTotal,
    difference_usd: roundUsd(replayedTotal - recordedTotal),
    difference_ratio: recordedTotal > 0 ? Math.round(((replayedTotal - recordedTotal) / recordedTotal) * 10_000) / 10_000 : null,
  }
  report.cache.recorded_cached_tokens = cachedRecorded
  report.cache.replayed_cached_tokens = cachedReplayed
  return report
}

/**
 * The facts `decideOnFacts` needs, from a recorded decision: the turn's own task and complexity (before its session's
 * were applied; a forced one stays forced), its requirements and provider tools, the model it named.
 */
function factsOf(recorded: RecordedDecision, requirements: NonNullable<RecordedDecision['requirements']>): RequestFacts {
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

/** Applies the pending session states whose answers came by `now`, oldest first; returns those still pending. */
function applyDue(pending: PendingState[], now: number, store: ReplaySessionStore): PendingState[] {
  const due = pending.filter((entry) => entry.at <= now).sort((a, b) => a.at - b.at)
  for (const entry of due) {
    const before = store.get(entry.id, entry.at)
    store.set(entry.id, {...entry.state, turns: (before?.turns ?? 0) + 1}, entry.at)
  }
  return due.length === 0 ? pending : pending.filter((entry) => entry.at > now)
}

/** The estimated cost of `usage` on a model: the gateway's own pricing of `proxy_response.cost_usd`. */
function priceOf(info: ModelInfo, usage: RecordedUsage): number | null {
  return usageCostUsd(info, usage)
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
    sessions: {sessions: 0, turns: 0, recorded_affinity: {}, replayed_affinity: {}, recorded_switches: 0, replayed_switches: 0},
    issue_counts: {},
    issues: [],
  }
}
