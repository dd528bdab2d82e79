/**
 * Sessions in the live metrics and Prometheus, through a real gateway with simulated providers and the official
 * OpenAI client: the turns of two conversations (`x-session-id`) give the active sessions, the turns kept and moved,
 * what affinity saved (from the decisions' own stay and switch estimates) and the cache hit ratio per model and account.
 */
import OpenAI from 'openai'
import {request} from 'undici'
import {describe, expect} from 'vitest'

import type {RouteDecisionEvent} from '../../src/core/audit/schema.js'
import {LiveMetricsSnapshotSchema} from '../../src/core/metrics/schema.js'
import {gatewayTest, type TestGateway} from '../helpers/gateway.js'

const HARD =
  'Design a distributed, fault-tolerant rate limiter for a multi-region API gateway: compare token bucket and sliding window log approaches, analyze consistency trade-offs under network partitions, and give the Redis Lua scripts with a proof sketch of correctness.'

// A coding agent's instructions: long enough for OpenAI's prompt cache (1 024 tokens and more are cached), and for the
// classifier to judge every turn of the conversation at its highest complexity (its length alone says so).
const SYSTEM = Array.from(
  {length: 200},
  (_, i) => `Rule ${i + 1}: keep the change small, explain it, and run the tests before you answer.`,
).join('\n')

// Claude Sonnet comes first for every turn; GPT-5.2 is the fallback.
const it = gatewayTest({
  sims: {openai: {}, claude: {protocol: 'anthropic'}},
  config: ({openai, claude}) => `
default_model: anthropic/claude-sonnet-4.5
models:
  anthropic/claude-sonnet-4.5: {}
  openai/gpt-5.2: {}
accounts:
  - {name: work, provider: openai, base_url: ${openai.url}/v1, api_key: sk-work-000000, models: [openai/gpt-5.2]}
  - {name: claude, provider: anthropic, base_url: ${claude.url}/v1, api_key: sk-ant-work, models: [anthropic/claude-sonnet-4.5]}
task_routes:
  general: {low: [anthropic/claude-sonnet-4.5, openai/gpt-5.2], high: [anthropic/claude-sonnet-4.5, openai/gpt-5.2]}
  coding: {low: [anthropic/claude-sonnet-4.5, openai/gpt-5.2], high: [anthropic/claude-sonnet-4.5, openai/gpt-5.2]}
  thinking: {low: [anthropic/claude-sonnet-4.5, openai/gpt-5.2], high: [anthropic/claude-sonnet-4.5, openai/gpt-5.2]}
fallback_models: [openai/gpt-5.2]
`,
})

type Turn = OpenAI.ChatCompletionMessageParam

async function turn(gateway: TestGateway, session: string, history: Turn[], content: string, system = SYSTEM) {
  const client = new OpenAI({
    baseURL: `${gateway.url}/v1`,
    apiKey: 'unused',
    maxRetries: 0,
    defaultHeaders: {'x-session-id': session},
  })
  const messages: Turn[] =
    history.length === 0
      ? [
          {role: 'system', content: system},
          {role: 'user', content},
        ]
      : [...history, {role: 'user', content}]
  const res = await client.chat.completions.create({model: 'auto', messages}).withResponse()
  const id = res.response.headers.get('x-router-request-id')!
  await gateway.terminal(id)
  const decision = gateway.eventsFor(id).find((e): e is RouteDecisionEvent => e.event === 'route_decision')!
  return {
    model: res.response.headers.get('x-router-model'),
    decision,
    history: [...messages, {role: 'assistant', content: res.data.choices[0].message.content ?? ''} as Turn],
  }
}

describe('session metrics', () => {
  it('reports active sessions, kept turns and what affinity saved, in the snapshot and in Prometheus', async ({
    gateway,
    sims: {claude},
  }) => {
    // Claude has a bad moment: the first turn of "agent-1" falls back to GPT-5.2, and the session stays there while
    // its cache is warm, although Claude is back and routing alone would pick it.
    claude.script([{status: 529}])
    const first = await turn(gateway, 'agent-1', [], 'Read src/index.ts and list its exports.')
    expect(first.model).toBe('openai/gpt-5.2')
    const second = await turn(gateway, 'agent-1', first.history, 'Now rename the default export.')
    // A "go on" takes the session's task and complexity: it stays too.
    const third = await turn(gateway, 'agent-1', second.history, 'go on')
    for (const kept of [second, third]) {
      expect(kept.model).toBe('openai/gpt-5.2')
      expect(kept.decision.session).toMatchObject({affinity: 'stay', previous_model: 'openai/gpt-5.2'})
    }
    // A second conversation, short, on Claude, whose second turn needs more: it moves up.
    const other = await turn(gateway, 'agent-2', [], 'hi', 'You are a helpful assistant.')
    expect(other.model).toBe('anthropic/claude-sonnet-4.5')
    const harder = await turn(gateway, 'agent-2', other.history, HARD)
    expect(harder.decision.session).toMatchObject({affinity: 'move_up'})

    // What affinity saved: switching to Claude uncached, minus staying on GPT-5.2 with the prefix read from its cache.
    const estimates = [second, third].map((t) => t.decision.session!)
    for (const e of estimates) expect(e.switch_cost_usd!).toBeGreaterThan(e.stay_cost_usd!)
    const nano = (usd: number) => Math.round(usd * 1e9)
    const saved = estimates.reduce((sum, e) => sum + nano(e.switch_cost_usd!) - nano(e.stay_cost_usd!), 0) / 1e9

    const snapshot = LiveMetricsSnapshotSchema.parse(
      await (await request(`${gateway.url}/v1/router/live-metrics`)).body.json(),
    )
    expect(snapshot.sessions).toEqual({
      window_seconds: 300,
      active: 2,
      kept: 2,
      moved: 1,
      decisions: {new: 2, stay: 2, move_up: 1, downgrade: 0, cold: 0, unavailable: 0, off: 0},
      affinity_saved_usd: saved,
      priced_stays: 2,
    })
    // The simulated OpenAI cache served the kept turns' prefix: GPT-5.2's answers have a hit ratio, on its one account.
    const gpt = snapshot.models.find((m) => m.model === 'openai/gpt-5.2')!
    expect(gpt.usage.cache_hit_ratio).toBeGreaterThan(0.5)
    expect(
      snapshot.targets.find((t) => t.model === 'openai/gpt-5.2' && t.account === 'work')!.usage!.cache_hit_ratio,
    ).toBe(gpt.usage.cache_hit_ratio)

    const text = await (await request(`${gateway.url}/metrics`)).body.text()
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1])
    expect(text).toMatch(/^# TYPE router_sessions_active gauge$/m)
    expect(value(/^router_sessions_active (\S+)$/m)).toBe(2)
    expect(value(/^router_session_turns_total\{affinity="stay"\} (\S+)$/m)).toBe(2)
    expect(value(/^router_session_turns_total\{affinity="new"\} (\S+)$/m)).toBe(2)
    expect(value(/^router_session_turns_total\{affinity="move_up"\} (\S+)$/m)).toBe(1)
    expect(value(/^router_affinity_saved_usd (\S+)$/m)).toBeCloseTo(saved, 9)
    expect(value(/^router_model_cache_hit_ratio\{model="openai\/gpt-5\.2"\} (\S+)$/m)).toBe(gpt.usage.cache_hit_ratio)
  })
})
