/**
 * A warm session that may move down (`session.allow_downgrade`) moves only when moving is cheaper over the turns it is
 * expected still to run, by the stated margin; and a warm session's model is weighed even when the turn's tier does not
 * list it (docs/routing.md §8).
 */
import {describe, expect, it} from 'vitest'

import {decideRoute} from '../../../src/core/routing/decide.js'
import type {SessionState} from '../../../src/core/routing/schema.js'
import {sessionKeyOf} from '../../../src/core/routing/session.js'
import {BASE_CONFIG, classification, fixed, makeConfig} from '../../helpers/routing.js'

const now = Date.parse('2026-12-07T12:00:00Z')
const MODELS = BASE_CONFIG.models as Record<string, object>

/** `zen/top` at Opus's prices, `acme/large` at Sonnet's: each reads its cache at a tenth of its input price. */
function config(session: {allow_downgrade?: boolean; downgrade_margin?: number} = {}) {
  return makeConfig({
    models: {
      ...MODELS,
      'acme/large': {
        ...MODELS['acme/large'],
        cost_input_per_1k: 0.003,
        cost_output_per_1k: 0.015,
        cost_cached_input_per_1k: 0.0003,
      },
      'zen/top': {
        ...MODELS['zen/large'],
        tier: 'frontier',
        quality: 0.94,
        cost_input_per_1k: 0.005,
        cost_output_per_1k: 0.025,
        cost_cached_input_per_1k: 0.0005,
      },
    },
    task_routes: {...BASE_CONFIG.task_routes, coding: {medium: ['acme/mid'], high: ['acme/large'], xhigh: ['zen/top']}},
    session: session,
  })
}

/** A session that moved up to `zen/top` for a hard turn, `turns` turns old, 20 000 prompt tokens at its last turn. */
const onTop = (turns: number): SessionState => ({
  task: 'coding',
  complexity: 'xhigh',
  model: 'zen/top',
  account: 'zen-main',
  provider: 'zen',
  answered_at: now - 10_000,
  prompt_tokens: 20_000,
  turns,
})

/** The user's next ask (not a tool result): 21 000 input tokens with Claude Code's 8 192-token cap. */
const ask = {
  model: 'auto',
  max_tokens: 8192,
  messages: [
    {role: 'user', content: 'Redesign the claiming protocol.'},
    {role: 'assistant', content: 'Done: claims are now fenced by a lease.'},
    {role: 'user', content: 'Also update the CHANGELOG.'},
  ],
}

function decide(
  cfg: ReturnType<typeof config>,
  state: SessionState,
  own = classification({task: 'coding', complexity: 'high', requirements: {input_tokens: 21_000, output_tokens: 8192}}),
) {
  return decideRoute({body: ask, endpoint: 'chat.completions'}, cfg, {
    classify: fixed(own),
    session: {
      key: sessionKeyOf('chat.completions', ask, {'x-session-id': 's1'}, undefined)!,
      state,
      now,
      cacheTtlMs: () => 300_000,
    },
  })
}

describe('decideRoute: moving a warm session down', () => {
  // Per turn at high (1 500 output tokens expected): staying on zen/top with 20 000 tokens read from its cache $0.0525;
  // moving to acme/large uncached $0.0855, then $0.0315 a turn once its own cache holds the prefix.
  it('stays when moving pays the uncached prefix for too few turns to earn it back', () => {
    const decision = decide(config({allow_downgrade: true, downgrade_margin: 0.3}), onTop(1))
    expect(decision.selected_model).toBe('zen/top')
    expect(decision.session).toMatchObject({affinity: 'stay', stay_cost_usd: 0.0525, switch_cost_usd: 0.0855})
    const stay = decision.candidates.find((candidate) => candidate.model === 'zen/top')!
    expect(stay.reasons[0]).toBe(
      'not moved down (needs 30 % less) over the next 1 turn: moving $0.086, staying on zen/top $0.052',
    )
  })

  it('moves down when, over the turns the session is expected still to run, moving costs the margin less', () => {
    // 20 turns: staying $1.05, moving $0.0855 + 19 × $0.0315 = $0.684, under 70 % of staying.
    const decision = decide(config({allow_downgrade: true, downgrade_margin: 0.3}), onTop(20))
    expect(decision.selected_model).toBe('acme/large')
    expect(decision.fallback_models).toContain('zen/top')
    expect(decision.session).toMatchObject({
      affinity: 'downgrade',
      previous_model: 'zen/top',
      stay_cost_usd: 0.0525,
      switch_cost_usd: 0.0855,
    })
    expect(decision.candidates[0].reasons[0]).toBe(
      "moved down from the session's model over the next 20 turns: moving $0.684, staying on zen/top $1.050",
    )
    // A wider margin keeps it: $0.684 is not under half of $1.05.
    expect(decide(config({allow_downgrade: true, downgrade_margin: 0.5}), onTop(20)).session).toMatchObject({
      affinity: 'stay',
    })
  })

  it('never moves down without allow_downgrade: the session is the turn’s floor', () => {
    const decision = decide(config(), onTop(20))
    expect(decision).toMatchObject({complexity: 'xhigh', selected_model: 'zen/top'})
    expect(decision.session).toMatchObject({affinity: 'stay', turn_complexity: 'high'})
  })

  it('keeps a warm session on its model for a turn whose route does not list it, instead of routing it on its own', () => {
    // A coding session at high on zen/top (where a fallback had taken it); the next ask reads general/high, whose
    // chain (acme/large, the fallbacks, the default model) does not name zen/top.
    const state: SessionState = {...onTop(5), complexity: 'high'}
    const decision = decide(
      config(),
      state,
      classification({task: 'general', complexity: 'high', requirements: {input_tokens: 21_000}}),
    )
    expect(decision.route).toMatchObject({task: 'general', tier: 'high', models: ['acme/large']})
    expect(decision.selected_model).toBe('zen/top')
    expect(decision.session).toMatchObject({affinity: 'stay'})
  })
})
