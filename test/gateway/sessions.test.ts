/**
 * Session affinity through a real gateway, with the official clients and simulated providers: a conversation stays on
 * the model and account that answered it while the cache is warm, moves up when a turn needs more and stays up,
 * follows a fallback, goes its own way once the cache is cold, and a target it moves to never gets the reasoning state
 * another target made.
 */
import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import Anthropic from '@anthropic-ai/sdk'
import OpenAI from 'openai'
import {describe, expect, vi} from 'vitest'

import type {RouteDecisionEvent} from '../../src/core/audit/schema.js'
import {gatewayTest, type TestGateway} from '../helpers/gateway.js'
import {runCli} from '../helpers/run-cli.js'

const HARD =
  'Design a distributed, fault-tolerant rate limiter for a multi-region API gateway: compare token bucket and sliding window log approaches, analyze consistency trade-offs under network partitions, and give the Redis Lua scripts with a proof sketch of correctness.'
const EASY = 'Thanks! And what is the capital of France?'

type Upstreams = Record<'alpha' | 'beta' | 'claudeOne' | 'claudeTwo', {url: string}>

function config({alpha, beta, claudeOne, claudeTwo}: Upstreams, session = ''): string {
  return `
default_model: openai/gpt-5-nano
models:
  openai/gpt-5-nano: {}
  openai/gpt-5.2: {}
  anthropic/claude-sonnet-4.5: {}
accounts:
  - {name: alpha, provider: openai, base_url: ${alpha.url}/v1, api_key: sk-alpha-000000, models: [openai/gpt-5-nano, openai/gpt-5.2]}
  - {name: beta, provider: openai, base_url: ${beta.url}/v1, api_key: sk-beta-000000, models: [openai/gpt-5.2]}
  - {name: claude-one, provider: anthropic, base_url: ${claudeOne.url}/v1, api_key: sk-ant-one, models: [anthropic/claude-sonnet-4.5]}
  - {name: claude-two, provider: anthropic, base_url: ${claudeTwo.url}/v1, api_key: sk-ant-two, models: [anthropic/claude-sonnet-4.5]}
task_routes:
  general: {low: [openai/gpt-5-nano], high: [openai/gpt-5.2]}
  coding: {low: [openai/gpt-5-nano], high: [openai/gpt-5.2]}
  thinking: {low: [openai/gpt-5-nano], high: [openai/gpt-5.2]}
fallback_models: [openai/gpt-5.2]
${session}`
}

const it = gatewayTest({
  sims: {
    alpha: {},
    beta: {},
    claudeOne: {name: 'claude-one', protocol: 'anthropic'},
    claudeTwo: {name: 'claude-two', protocol: 'anthropic'},
  },
  config: (sims) => config(sims),
  resetUpstreams: true,
})

type Turn = OpenAI.ChatCompletionMessageParam

/** Sends the conversation so far plus `content`; returns the answer's routing and the conversation with it. */
async function turn(
  target: TestGateway,
  history: Turn[],
  content: string,
  headers: Record<string, string> = {},
  extra: Record<string, unknown> = {},
) {
  const client = new OpenAI({baseURL: `${target.url}/v1`, apiKey: 'unused', maxRetries: 0, defaultHeaders: headers})
  const messages: Turn[] = [...history, {role: 'user', content}]
  const res = await client.chat.completions
    .create(Object.assign({model: 'auto', messages}, extra) as OpenAI.ChatCompletionCreateParamsNonStreaming)
    .withResponse()
  const id = res.response.headers.get('x-router-request-id')!
  await target.terminal(id)
  const decision = target.eventsFor(id).find((e): e is RouteDecisionEvent => e.event === 'route_decision')!
  return {
    model: res.response.headers.get('x-router-model'),
    account: res.response.headers.get('x-router-account'),
    decision,
    history: [...messages, {role: 'assistant', content: res.data.choices[0].message.content ?? ''} as Turn],
  }
}

describe('affinity', () => {
  it('keeps a conversation on the model and account that answered it while the cache is warm', async ({
    gateway,
    startGateway,
    sims,
  }) => {
    // The small model has a bad moment: the first turn falls back to the big model.
    sims.alpha.script([{status: 503}])
    const first = await turn(gateway, [], 'hi')
    expect(first.model).toBe('openai/gpt-5.2')
    expect(first.account).toBe('alpha')
    expect(first.decision.session).toMatchObject({source: 'prefix', affinity: 'new', previous_model: null})

    // Per-turn routing would go back to the small model; the session stays where its cache is.
    const second = await turn(gateway, first.history, EASY)
    expect(second.decision.session).toMatchObject({
      id: first.decision.session!.id,
      affinity: 'stay',
      previous_model: 'openai/gpt-5.2',
      previous_account: 'alpha',
      turn_complexity: 'low',
      warm_until: expect.any(String),
    })
    expect(second.decision.selected_model).toBe('openai/gpt-5.2')
    expect(second.decision.fallback_models[0]).toBe('openai/gpt-5-nano')
    expect(second.model).toBe('openai/gpt-5.2')
    expect(second.account).toBe('alpha')

    // The same conversation with affinity off is routed turn by turn.
    const perTurn = await startGateway({config: config(sims, 'session: {affinity: false}')})
    sims.alpha.script([{status: 503}])
    const a = await turn(perTurn, [], 'hi')
    expect(a.model).toBe('openai/gpt-5.2')
    const b = await turn(perTurn, a.history, EASY)
    expect(b.model).toBe('openai/gpt-5-nano')
    expect(b.decision.session).toMatchObject({affinity: 'off'})
  })

  it('moves up when a turn needs more, and stays up', async ({gateway}) => {
    const first = await turn(gateway, [], 'hi', {'x-session-id': 'move-up-1'})
    expect(first.model).toBe('openai/gpt-5-nano')
    expect(first.decision.session).toMatchObject({source: 'header'})
    const second = await turn(gateway, first.history, HARD, {'x-session-id': 'move-up-1'})
    expect(second.model).toBe('openai/gpt-5.2')
    expect(second.decision.session).toMatchObject({affinity: 'move_up', previous_model: 'openai/gpt-5-nano'})
    const third = await turn(gateway, second.history, EASY, {'x-session-id': 'move-up-1'})
    expect(third.model).toBe('openai/gpt-5.2')
    expect(third.decision.session).toMatchObject({affinity: 'stay'})
  })

  it('with allow_downgrade, moves down once the hard part is over and moving is cheaper over the turns to come', async ({
    gateway,
    startGateway,
    sims,
  }) => {
    const downgrading = await startGateway({config: config(sims, 'session: {allow_downgrade: true}')})
    const headers = {'x-session-id': 'down-1'}
    const first = await turn(downgrading, [], 'hi', headers)
    expect(first.model).toBe('openai/gpt-5-nano')
    // The hard part (forced, so that the classifier's reading of it does not colour the turns after it).
    const second = await turn(downgrading, first.history, 'Look at it again.', headers, {router: {complexity: 'xhigh'}})
    expect(second.model).toBe('openai/gpt-5.2')
    expect(second.decision.session).toMatchObject({affinity: 'move_up'})
    // An easy ask: gpt-5-nano uncached costs far less than gpt-5.2 with its cache, over the two turns expected.
    const third = await turn(downgrading, second.history, 'hi again', headers)
    expect(third.decision.session).toMatchObject({
      affinity: 'downgrade',
      previous_model: 'openai/gpt-5.2',
      turn_complexity: 'low',
    })
    expect(third.decision.session!.switch_cost_usd!).toBeLessThan(0.7 * third.decision.session!.stay_cost_usd!)
    expect(third.model).toBe('openai/gpt-5-nano')
    // Without allow_downgrade the same conversation stays up.
    const a = await turn(gateway, [], 'hi', {'x-session-id': 'down-2'})
    const b = await turn(
      gateway,
      a.history,
      'Look at it again.',
      {'x-session-id': 'down-2'},
      {router: {complexity: 'xhigh'}},
    )
    const c = await turn(gateway, b.history, 'hi again', {'x-session-id': 'down-2'})
    expect([b.model, c.model]).toEqual(['openai/gpt-5.2', 'openai/gpt-5.2'])
    expect(c.decision.session).toMatchObject({affinity: 'stay', turn_complexity: 'low'})
  })

  it('judges a tool result as its session, not on its own', async ({gateway}) => {
    const client = new OpenAI({
      baseURL: `${gateway.url}/v1`,
      apiKey: 'unused',
      maxRetries: 0,
      defaultHeaders: {'x-session-id': 'tools-1'},
    })
    const tools = [
      {
        type: 'function' as const,
        function: {name: 'read_file', parameters: {type: 'object', properties: {path: {type: 'string'}}}},
      },
    ]
    const ask = async (messages: Turn[]) => {
      const res = await client.chat.completions.create({model: 'auto', messages, tools}).withResponse()
      const id = res.response.headers.get('x-router-request-id')!
      await gateway.terminal(id)
      return gateway.eventsFor(id).find((e): e is RouteDecisionEvent => e.event === 'route_decision')!
    }
    const first = await ask([{role: 'user', content: HARD}])
    const decision = await ask([
      {role: 'user', content: HARD},
      {
        role: 'assistant',
        content: null,
        tool_calls: [{id: 'call_1', type: 'function', function: {name: 'read_file', arguments: '{"path":"a.txt"}'}}],
      },
      {role: 'tool', tool_call_id: 'call_1', content: 'ok'},
    ])
    expect(decision.session).toMatchObject({follow_up: true, affinity: 'stay', previous_model: first.selected_model})
    expect(decision.task).toBe(first.task)
    expect(decision.complexity).toBe(first.complexity)
    expect(decision.selected_model).toBe('openai/gpt-5.2')
  })

  it('after a fallback, stays on the target that answered', async ({gateway, sims: {alpha}}) => {
    const first = await turn(gateway, [], HARD, {'x-session-id': 'fallback-1'})
    expect(first.account).toBe('alpha')
    alpha.script([{status: 503}])
    const second = await turn(
      gateway,
      first.history,
      'Now make it handle clock skew between regions, with a full design.',
      {'x-session-id': 'fallback-1'},
    )
    expect(second.account).toBe('beta')
    expect(second.model).toBe('openai/gpt-5.2')
    const tried = alpha.requests.length
    const third = await turn(gateway, second.history, EASY, {'x-session-id': 'fallback-1'})
    expect(third.account).toBe('beta')
    expect(third.decision.session).toMatchObject({affinity: 'stay', previous_account: 'beta'})
    // Its model's other account, first in the config, is not even tried.
    expect(alpha.requests).toHaveLength(tried)
  })

  it('goes its own way once the cache has gone cold', async ({gateway, sims: {alpha}}) => {
    alpha.script([{status: 503}])
    const first = await turn(gateway, [], 'hi', {'x-session-id': 'cold-1'})
    expect(first.model).toBe('openai/gpt-5.2')
    const remembered = gateway.state.sessions!.lookup({
      id: first.decision.session!.id,
      source: 'header',
      opening: false,
    })!
    // Six minutes later: OpenAI's prompt cache is gone.
    remembered.answered_at -= 6 * 60 * 1000
    const second = await turn(gateway, first.history, EASY, {'x-session-id': 'cold-1'})
    expect(second.decision.session).toMatchObject({affinity: 'cold'})
    expect(second.model).toBe('openai/gpt-5-nano')
  })
})

describe('reasoning state on a switch', () => {
  it('strips thinking blocks from the request of a target the session moves to, and keeps them where it stays', async ({
    gateway,
    sims: {claudeOne, claudeTwo},
  }) => {
    const client = new Anthropic({baseURL: gateway.url, apiKey: 'unused', maxRetries: 0})
    const ask = (messages: Anthropic.MessageParam[]) =>
      client.messages
        .create(
          {
            model: 'anthropic/claude-sonnet-4.5',
            max_tokens: 2000,
            thinking: {type: 'enabled', budget_tokens: 1024},
            messages,
          },
          {headers: {'x-session-id': 'thinking-1'}},
        )
        .withResponse()
    const first = await ask([{role: 'user', content: HARD}])
    expect(first.response.headers.get('x-router-account')).toBe('claude-one')
    expect(first.data.content[0].type).toBe('thinking')
    const history: Anthropic.MessageParam[] = [
      {role: 'user', content: HARD},
      {role: 'assistant', content: first.data.content as Anthropic.ContentBlockParam[]},
    ]
    // Staying: the thinking block goes back as it came, signature and all.
    const second = await ask([...history, {role: 'user', content: 'Go on with the Lua part.'}])
    expect(second.response.headers.get('x-router-account')).toBe('claude-one')
    const kept = claudeOne.requests.at(-1)!.body as {messages: Array<{content: Array<{type: string}>}>}
    expect(kept.messages[1].content.some((block) => block.type === 'thinking')).toBe(true)

    // Moving: claude-one is overloaded, claude-two gets the conversation without claude-one's thinking.
    claudeOne.script([{status: 529}])
    const third = await ask([...history, {role: 'user', content: 'And the partition analysis?'}])
    expect(third.response.headers.get('x-router-account')).toBe('claude-two')
    const moved = claudeTwo.requests.at(-1)!.body as {messages: Array<{content: Array<{type: string}>}>}
    expect(moved.messages[1].content.some((block) => block.type === 'thinking')).toBe(false)
    const tried = claudeOne.requests.at(-1)!.body as {messages: Array<{content: Array<{type: string}>}>}
    expect(tried.messages[1].content.some((block) => block.type === 'thinking')).toBe(true)
  })
})

describe('route explain --session', () => {
  it("explains a request as the next turn of a session from the gateway's audit log", async ({gateway, sims}) => {
    sims.alpha.script([{status: 503}])
    const first = await turn(gateway, [], 'hi', {'x-session-id': 'explain-1'})
    expect(first.model).toBe('openai/gpt-5.2')
    const id = first.decision.session!.id
    const configPath = join(gateway.dir, 'explain.yaml')
    await writeFile(configPath, config(sims))
    // The audit log is written in batches: wait until the turn's terminal is in it.
    await vi.waitFor(async () =>
      expect(await readFile(gateway.auditPath, 'utf8')).toContain(
        `"request_id":"${first.decision.request_id}","event":"proxy_terminal"`,
      ),
    )

    const json = await runCli([
      'route',
      'explain',
      EASY,
      '--config',
      configPath,
      '--session',
      id,
      '--log',
      gateway.auditPath,
      '--json',
    ])
    expect(json.code).toBe(0)
    const decision = JSON.parse(json.stdout)
    expect(decision.selected_model).toBe('openai/gpt-5.2')
    expect(decision.session).toMatchObject({
      id,
      source: 'header',
      affinity: 'stay',
      previous_model: 'openai/gpt-5.2',
      previous_account: 'alpha',
    })

    const text = await runCli([
      'route',
      'explain',
      EASY,
      '--config',
      configPath,
      '--session',
      id,
      '--log',
      gateway.auditPath,
    ])
    expect(text.stdout).toMatch(
      new RegExp(
        `^Session +${id} \\(header\\) · stays on openai/gpt-5\\.2 via alpha \\(cache warm until \\d\\d:\\d\\d:\\d\\d\\)`,
        'm',
      ),
    )

    const unknown = await runCli([
      'route',
      'explain',
      EASY,
      '--config',
      configPath,
      '--session',
      'header:nope',
      '--log',
      gateway.auditPath,
    ])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain('no answered turn of session header:nope')
  })
})
