/**
 * `replayTurns` on hand-built logs: what a replay does with each kind of recorded turn (sessions, cache counts, turns
 * it cannot replay or price). The command on a real gateway's log is tested in test/commands/route/replay.test.ts.
 */
import {describe, expect, it} from 'vitest'

import type {AuditEvent, RouteDecisionEvent} from '../../../src/core/audit/schema.js'
import type {RawConfigInput, RuntimeConfig} from '../../../src/core/config/schema.js'
import {replayTurns, TurnCollector} from '../../../src/core/replay/replay.js'
import {ReplayReportSchema, type ReplayReport} from '../../../src/core/replay/schema.js'
import {modelInfo, usageCost} from '../../../src/core/routing/model-info.js'
import type {Requirements, SessionDecision} from '../../../src/core/routing/schema.js'
import {MemorySessionStore} from '../../../src/gateway/sessions.js'
import {decision, iso, provider, T0} from '../../helpers/audit-events.js'
import {makeConfig, REQUIREMENTS} from '../../helpers/routing.js'

const MINUTE = 60_000
const CACHE_TTL_MS = 5 * MINUTE

interface Turn {
  id: string
  at: number
  task?: RouteDecisionEvent['task']
  complexity?: RouteDecisionEvent['complexity']
  requested?: string
  /** The model selected then, and the one that answered (null: the request failed). */
  selected: string
  answered?: string | null
  requirements?: Partial<Requirements> | null
  session?: Partial<SessionDecision> & {id: string}
  usage?: {prompt_tokens: number; completion_tokens: number; cached_tokens?: number} | null
  /** Recorded cost (default: the usage at the recording config's prices). */
  cost?: number | null
  /** Time from the decision to the end of the answer. */
  answerMs?: number
}

const RECORDING = makeConfig()

/** The events the gateway writes for one turn: its decision, the answer's `proxy_response` and the terminal. */
function turnEvents(turn: Turn): AuditEvent[] {
  const answered = turn.answered === undefined ? turn.selected : turn.answered
  const requirements = turn.requirements === null ? undefined : {...REQUIREMENTS, ...turn.requirements}
  const complexity = turn.complexity ?? 'medium'
  const session: SessionDecision | undefined =
    turn.session === undefined
      ? undefined
      : {
          source: 'header',
          affinity: 'new',
          previous_model: null,
          previous_account: null,
          turn_complexity: complexity,
          follow_up: false,
          warm_until: null,
          stay_cost_usd: null,
          switch_cost_usd: null,
          ...turn.session,
        }
  const events: AuditEvent[] = [
    decision(turn.id, turn.at, {
      task: turn.task ?? 'coding',
      complexity,
      requested_model: turn.requested ?? 'auto',
      source: turn.requested === undefined ? 'auto' : 'request',
      selected_model: turn.selected,
      ...(requirements === undefined ? {} : {requirements}),
      ...(session === undefined ? {} : {session}),
    }),
  ]
  const end = turn.at + (turn.answerMs ?? 2000)
  const target = (model: string) => ({model, account: `${provider(model)}-main`, provider: provider(model)})
  const usage = turn.usage === undefined ? {prompt_tokens: 4000, completion_tokens: 300} : turn.usage
  if (answered !== null) {
    events.push({
      ts: iso(end),
      request_id: turn.id,
      event: 'proxy_response',
      ...target(answered),
      attempt: 1,
      status: 200,
      stream: false,
      connect_ms: 300,
      latency_ms: turn.answerMs ?? 2000,
      bytes: 900,
      usage: usage as NonNullable<Extract<AuditEvent, {event: 'proxy_response'}>['usage']>,
      cost_usd: turn.cost !== undefined ? turn.cost : usageCost(modelInfo(RECORDING, answered), usage).cost_usd,
    })
  }
  const failed = answered === null
  events.push({
    ts: iso(end + 1),
    request_id: turn.id,
    event: 'proxy_terminal',
    endpoint: 'chat.completions',
    outcome: failed ? 'exhausted' : 'success',
    status: failed ? 503 : 200,
    task: turn.task ?? 'coding',
    complexity,
    ...target(failed ? turn.selected : answered),
    stream: false,
    latency_ms: turn.answerMs ?? 2000,
    attempts: [],
    error_type: failed ? 'upstream_status' : null,
    error_code: null,
  })
  return events
}

function replay(turns: Turn[], config: RuntimeConfig = RECORDING): ReplayReport {
  const collector = new TurnCollector()
  for (const turn of turns) for (const event of turnEvents(turn)) collector.add(event)
  const report = replayTurns(collector.recorded(), {
    config,
    profile: 'custom',
    ignoreAccounts: false,
    cacheTtlMs: () => CACHE_TTL_MS,
    sessions: new MemorySessionStore(() => ({
      maxEntries: config.session.max_sessions,
      ttlMs: config.session.ttl_seconds * 1000,
    })),
    log: 'audit.jsonl',
    configPath: 'other.yaml',
    malformedLines: 0,
  })
  return ReplayReportSchema.parse(report)
}

function configWith(overrides: Partial<RawConfigInput>): RuntimeConfig {
  return makeConfig(overrides)
}

/** A coding session: a hard first turn on acme/large, then a tool result judged low on its own (kept up by affinity). */
function hardSessionThenToolResult(gapMs = 10_000): Turn[] {
  return [
    {id: 'r1', at: T0, complexity: 'high', selected: 'acme/large', session: {id: 'header:s1'}},
    {
      id: 'r2',
      at: T0 + 2000 + gapMs,
      complexity: 'high',
      selected: 'acme/large',
      session: {
        id: 'header:s1',
        affinity: 'stay',
        previous_model: 'acme/large',
        turn_complexity: 'low',
        follow_up: true,
      },
    },
  ]
}

describe('replayTurns', () => {
  it('on the config that recorded the log, routes every turn as recorded and prices it as the log did', () => {
    const turns: Turn[] = [
      {id: 'r1', at: T0, task: 'general', complexity: 'low', selected: 'acme/small'},
      {id: 'r2', at: T0 + 5000, complexity: 'high', selected: 'acme/large'},
    ]
    const report = replay(turns)
    expect(report).toMatchObject({decisions: 2, replayed: 2, priced: 2, unchanged: 2, changes: [], issues: []})
    expect(report.total.difference_usd).toBe(0)
    expect(report.total.recorded_cost_usd).toBeGreaterThan(0)
  })

  it('prices each turn with its recorded token counts on the model chosen now, per model and in total', () => {
    const cheap = configWith({task_routes: {coding: {default: ['acme/mid']}, general: {default: ['acme/mid']}}})
    const report = replay(
      [
        {
          id: 'r1',
          at: T0,
          complexity: 'high',
          selected: 'zen/large',
          usage: {prompt_tokens: 10_000, completion_tokens: 1000},
        },
      ],
      cheap,
    )
    const usage = {prompt_tokens: 10_000, completion_tokens: 1000}
    const recorded = usageCost(modelInfo(RECORDING, 'zen/large'), usage).cost_usd!
    const replayed = usageCost(modelInfo(cheap, 'acme/mid'), usage).cost_usd!
    expect(report.changes).toEqual([{from: 'zen/large', to: 'acme/mid', turns: 1}])
    expect(report.models).toEqual([
      {
        model: 'acme/mid',
        recorded_turns: 0,
        recorded_cost_usd: 0,
        replayed_turns: 1,
        replayed_cost_usd: replayed,
        difference_usd: replayed,
      },
      {
        model: 'zen/large',
        recorded_turns: 1,
        recorded_cost_usd: recorded,
        replayed_turns: 0,
        replayed_cost_usd: 0,
        difference_usd: -recorded,
      },
    ])
    expect(report.total.difference_usd).toBeCloseTo(replayed - recorded, 9)
    expect(report.total.difference_ratio).toBeCloseTo((replayed - recorded) / recorded, 3)
  })

  it('keeps the cached tokens of a turn that stays on its recorded model, and counts those of a turn that moves as uncached', () => {
    const other = configWith({task_routes: {general: {default: ['acme/small']}, coding: {default: ['acme/large']}}})
    const usage = {prompt_tokens: 20_000, completion_tokens: 200, cached_tokens: 16_000}
    const report = replay(
      [
        {id: 'stays', at: T0, complexity: 'high', selected: 'acme/large', usage},
        {id: 'moves', at: T0 + 5000, task: 'general', complexity: 'medium', selected: 'acme/mid', usage},
      ],
      other,
    )
    expect(report.changes).toEqual([{from: 'acme/mid', to: 'acme/small', turns: 1}])
    expect(report.cache).toEqual({
      prompt_tokens: 40_000,
      recorded_cached_tokens: 32_000,
      replayed_cached_tokens: 16_000,
    })
    // Where model prices know the cache, the staying turn is priced with its cached tokens and the moving one without.
    const stays = report.models.find((m) => m.model === 'acme/large')!
    const moves = report.models.find((m) => m.model === 'acme/small')!
    expect(stays.replayed_cost_usd).toBe(usageCost(modelInfo(other, 'acme/large'), usage).cost_usd)
    expect(moves.replayed_cost_usd).toBe(
      usageCost(modelInfo(other, 'acme/small'), {prompt_tokens: 20_000, completion_tokens: 200}).cost_usd,
    )
  })

  it('leaves the cache counts null for a log whose usage has none', () => {
    expect(replay([{id: 'r1', at: T0, selected: 'acme/mid'}]).cache).toEqual({
      prompt_tokens: 4000,
      recorded_cached_tokens: null,
      replayed_cached_tokens: null,
    })
  })

  it('skips and counts the decisions logged before route_decision carried requirements', () => {
    const report = replay([
      {id: 'old', at: T0, selected: 'acme/mid', requirements: null},
      {id: 'new', at: T0 + 1000, selected: 'acme/mid'},
    ])
    expect(report).toMatchObject({decisions: 2, replayed: 1, priced: 1, issue_counts: {no_requirements: 1}})
    expect(report.issues).toEqual([
      {request_id: 'old', issue: 'no_requirements', detail: 'its route_decision has no requirements'},
    ])
  })

  it('lets selection decide for a model the client named that the config does not have, and says so', () => {
    const other = configWith({
      models: {'acme/mid': {cost_input_per_1k: 0.0004, cost_output_per_1k: 0.0016, quality: 0.75, tier: 'medium'}},
      fallback_models: [],
      default_model: 'acme/mid',
      task_routes: {},
    })
    const report = replay([{id: 'r1', at: T0, requested: 'zen/large', selected: 'zen/large'}], other)
    expect(report.changes).toEqual([{from: 'zen/large', to: 'acme/mid', turns: 1}])
    expect(report.issues).toEqual([{request_id: 'r1', issue: 'model_not_in_config', detail: 'asked for zen/large'}])
    expect(report.priced).toBe(1)
  })

  it('keeps a model the client named when the config has it, whatever its routes say', () => {
    const other = configWith({task_routes: {coding: {default: ['acme/small']}}})
    expect(replay([{id: 'r1', at: T0, requested: 'zen/large', selected: 'zen/large'}], other)).toMatchObject({
      unchanged: 1,
      issues: [],
    })
  })

  it('does not replay a turn the config refuses, and gives its code', () => {
    const report = replay([
      {id: 'huge', at: T0, selected: 'acme/large', requirements: {input_tokens: 5_000_000}},
      {id: 'r2', at: T0 + 1000, selected: 'acme/mid'},
    ])
    expect(report).toMatchObject({decisions: 2, replayed: 1, issue_counts: {refused: 1}})
    expect(report.issues[0]).toMatchObject({
      request_id: 'huge',
      issue: 'refused',
      detail: expect.stringMatching(/^no_candidates: /),
    })
  })

  it('routes but does not price a failed turn, nor one on a model whose price nobody gave', () => {
    const other = configWith({
      models: {...RECORDING.models, 'acme/house': {}},
      task_routes: {general: {default: ['acme/house']}, coding: {default: ['acme/mid']}},
    })
    const report = replay(
      [
        {id: 'failed', at: T0, selected: 'acme/mid', answered: null},
        {id: 'house', at: T0 + 1000, task: 'general', selected: 'acme/mid'},
        {id: 'fine', at: T0 + 2000, selected: 'acme/mid'},
      ],
      other,
    )
    expect(report).toMatchObject({decisions: 3, replayed: 3, priced: 1, issue_counts: {no_usage: 1, unpriced: 1}})
    expect(report.issues).toEqual([
      {request_id: 'failed', issue: 'no_usage', detail: 'no answer (exhausted)'},
      {request_id: 'house', issue: 'unpriced', detail: 'no price known for acme/house'},
    ])
    expect(report.changes).toEqual([{from: 'acme/mid', to: 'acme/house', turns: 1}])
  })

  it('does not price a turn whose answer reported no token counts', () => {
    const report = replay([{id: 'r1', at: T0, selected: 'acme/mid', usage: null}])
    expect(report.issues).toEqual([
      {request_id: 'r1', issue: 'no_usage', detail: 'the answer reported no token counts'},
    ])
  })
})

describe('replayTurns: sessions', () => {
  it('keeps a session on its model while the cache is warm, as the gateway did', () => {
    const report = replay(hardSessionThenToolResult())
    expect(report).toMatchObject({unchanged: 2, changes: []})
    expect(report.sessions).toEqual({
      sessions: 1,
      turns: 2,
      recorded_affinity: {new: 1, stay: 1},
      replayed_affinity: {new: 1, stay: 1},
      recorded_switches: 0,
      replayed_switches: 0,
    })
  })

  it('with affinity off, judges the tool result on its own and moves it to a cheaper model', () => {
    const report = replay(hardSessionThenToolResult(), configWith({session: {affinity: false}}))
    expect(report.changes).toEqual([{from: 'acme/large', to: 'acme/mid', turns: 1}])
    expect(report.sessions).toMatchObject({replayed_affinity: {off: 2}, replayed_switches: 1, recorded_switches: 0})
  })

  it('routes a turn on its own once the cache has gone cold', () => {
    const report = replay(hardSessionThenToolResult(6 * MINUTE))
    expect(report.sessions.replayed_affinity).toEqual({new: 1, cold: 1})
  })

  it("forgets a session after the config's ttl_seconds without a turn", () => {
    const report = replay(hardSessionThenToolResult(2 * MINUTE), configWith({session: {ttl_seconds: 60}}))
    expect(report.sessions.replayed_affinity).toEqual({new: 2})
  })

  it('holds the model chosen now as the session state, not the one recorded', () => {
    const zenFirst = configWith({
      task_routes: {coding: {medium: ['acme/mid'], high: ['zen/large', 'acme/large'], default: ['acme/mid']}},
    })
    const report = replay(hardSessionThenToolResult(), zenFirst)
    expect(report.changes).toEqual([{from: 'acme/large', to: 'zen/large', turns: 2}])
    expect(report.sessions.replayed_affinity).toEqual({new: 1, stay: 1})
  })

  it("counts a moved session's cache at its new model from its second turn there, while it is warm", () => {
    const zenFirst = configWith({
      task_routes: {coding: {medium: ['acme/mid'], high: ['zen/large', 'acme/large'], default: ['acme/mid']}},
    })
    const cached = (turns: Turn[]) =>
      turns.map((turn) => ({...turn, usage: {prompt_tokens: 4000, completion_tokens: 300, cached_tokens: 3000}}))
    expect(replay(cached(hardSessionThenToolResult()), zenFirst).cache).toEqual({
      prompt_tokens: 8000,
      recorded_cached_tokens: 6000,
      replayed_cached_tokens: 3000,
    })
    // Once the new model's cache has gone cold, the next turn there is uncached too.
    expect(replay(cached(hardSessionThenToolResult(6 * MINUTE)), zenFirst).cache.replayed_cached_tokens).toBe(0)
  })

  it('does not let a turn see an answer that came after it was decided', () => {
    const [first, second] = hardSessionThenToolResult()
    // The second turn is decided while the first is still being answered (parallel requests of one agent).
    const report = replay([
      {...first, answerMs: 30_000},
      {...second, at: T0 + 10_000},
    ])
    expect(report.sessions.replayed_affinity).toEqual({new: 2})
  })

  it('judges a follow-up by its own task when affinity is off', () => {
    const [first, second] = hardSessionThenToolResult()
    const general = {
      ...second,
      session: {...second.session!, turn_task: 'general' as const, turn_complexity: 'high' as const},
    }
    const report = replay(
      [first, general],
      configWith({session: {affinity: false}, task_routes: {...RECORDING.task_routes, general: {high: ['zen/large']}}}),
    )
    expect(report.changes).toEqual([{from: 'acme/large', to: 'zen/large', turns: 1}])
  })

  it('starts afresh where the log found no session state (a conversation opening again)', () => {
    const [first, second] = hardSessionThenToolResult()
    const reopened = {
      ...second,
      session: {...second.session!, affinity: 'new' as const, previous_model: null, follow_up: false},
    }
    expect(replay([first, reopened]).sessions.replayed_affinity).toEqual({new: 2})
  })
})
