/**
 * Quality feedback through a real gateway and the official client: a retried request counts against the answer it
 * repeats, a client's explicit verdict is taken, and enough bad verdicts raise the tier for a while.
 */
import OpenAI from 'openai'
import {request} from 'undici'
import {describe, expect, vi} from 'vitest'

import type {QualityFeedbackEvent} from '../../src/core/audit/schema.js'
import {gatewayTest} from '../helpers/gateway.js'

const it = gatewayTest({
  sims: {sim: {}},
  config: ({sim}) => `
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-nano: {}
  openai/gpt-5-mini: {}
accounts:
  - {name: sim, provider: openai, base_url: ${sim.url}/v1, api_key: sk-sim-000000, models: [openai/gpt-5-nano, openai/gpt-5-mini]}
task_routes:
  general: {low: [openai/gpt-5-nano], medium: [openai/gpt-5-mini], default: [openai/gpt-5-mini]}
  thinking: {low: [openai/gpt-5-nano], medium: [openai/gpt-5-mini]}
`,
  options: {
    settings: {
      feedback_retry_window_seconds: 60,
      feedback_escalation_min_answers: 4,
      feedback_escalation_min_bad: 2,
      feedback_escalation_bad_rate: 0.5,
      feedback_escalation_hours: 1,
      // Updates are run by the test.
      live_metrics_update_interval_seconds: 3600,
    },
  },
})
  .extend(
    'client',
    {scope: 'file'},
    ({gateway}) => new OpenAI({baseURL: `${gateway.url}/v1`, apiKey: 'unused', maxRetries: 0}),
  )
  .extend(
    'feedbackEvents',
    {scope: 'file'},
    ({gateway}) =>
      () =>
        gateway.events.filter((e): e is QualityFeedbackEvent => e.event === 'quality_feedback'),
  )
  .extend('ask', {scope: 'file'}, ({gateway, client}) => {
    return async (
      content: string,
      history: OpenAI.ChatCompletionMessageParam[] = [],
      extra: Record<string, unknown> = {},
    ) => {
      const res = await client.chat.completions
        .create({model: 'auto', messages: [...history, {role: 'user', content}], ...extra})
        .withResponse()
      const id = res.response.headers.get('x-router-request-id')!
      await gateway.terminal(id)
      return {
        id,
        model: res.response.headers.get('x-router-model'),
        complexity: res.response.headers.get('x-router-complexity'),
      }
    }
  })
  .extend('judge', {scope: 'file'}, ({gateway}) => {
    return async (body: unknown) => {
      const response = await request(`${gateway.url}/v1/router/feedback`, {
        method: 'POST',
        headers: {'content-type': 'application/json'},
        body: JSON.stringify(body),
      })
      return {status: response.statusCode, json: (await response.body.json()) as Record<string, any>}
    }
  })

describe('retries', () => {
  it('counts a client asking the same thing again as a bad verdict on the first answer, once', async ({
    ask,
    feedbackEvents,
  }) => {
    const first = await ask('What is the capital of France?')
    const again = await ask('What is the capital of France?')
    await vi.waitFor(() => expect(feedbackEvents().filter((e) => e.request_id === first.id)).toHaveLength(1))
    expect(feedbackEvents().find((e) => e.request_id === first.id)).toMatchObject({
      source: 'retry',
      verdict: 'bad',
      task: 'general',
      model: first.model,
      by_request_id: again.id,
    })
    // A third ask judges the second answer, never the first twice.
    const third = await ask('What is the capital of France?')
    await vi.waitFor(() =>
      expect(feedbackEvents().find((e) => e.request_id === again.id)?.by_request_id).toBe(third.id),
    )
    expect(feedbackEvents().filter((e) => e.request_id === first.id)).toHaveLength(1)
  })

  it('does not count the next turn of a conversation as a retry', async ({ask, feedbackEvents}) => {
    const before = feedbackEvents().length
    await ask('Name a prime number.')
    await ask('And another one?', [
      {role: 'user', content: 'Name a prime number.'},
      {role: 'assistant', content: '7'},
    ])
    await ask('Name a prime number.', [{role: 'system', content: 'Answer in French.'}])
    expect(feedbackEvents()).toHaveLength(before)
  })
})

describe('POST /v1/router/feedback', () => {
  it('takes a verdict on an answered request and shows it in live metrics', async ({
    gateway,
    ask,
    judge,
    feedbackEvents,
  }) => {
    const answered = await ask('Write a haiku about rain.')
    const res = await judge({request_id: answered.id, verdict: 'good', comment: 'lovely'})
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({request_id: answered.id, verdict: 'good', model: answered.model})
    await vi.waitFor(() =>
      expect(feedbackEvents().find((e) => e.request_id === answered.id)).toMatchObject({
        source: 'client',
        verdict: 'good',
        comment: 'lovely',
      }),
    )
    const row = gateway.state
      .metrics!.snapshot()
      .quality.find((q) => q.model === answered.model && q.complexity === answered.complexity)
    expect(row?.good).toBeGreaterThanOrEqual(1)
  })

  it('answers in OpenAI shape when the request is unknown, already judged or the body is wrong', async ({
    ask,
    judge,
  }) => {
    const unknown = await judge({request_id: 'req_00000000000000000000', verdict: 'bad'})
    expect(unknown.status).toBe(404)
    expect(unknown.json.error).toMatchObject({code: 'request_not_found', param: 'request_id'})
    const answered = await ask('Tell me a fun fact about owls.')
    expect((await judge({request_id: answered.id, verdict: 'bad'})).status).toBe(200)
    const twice = await judge({request_id: answered.id, verdict: 'good'})
    expect(twice.status).toBe(409)
    expect(twice.json.error.code).toBe('already_judged')
    const wrong = await judge({request_id: answered.id, verdict: 'meh'})
    expect(wrong.status).toBe(400)
    expect(wrong.json.error).toMatchObject({code: 'invalid_value', param: 'verdict'})
  })
})

describe('escalation', () => {
  it('raises a tier whose answers are judged bad too often, says so in the decision, and persists it', async ({
    gateway,
    client,
    ask,
    judge,
    feedbackEvents,
  }) => {
    const config = gateway.state.config.config
    // A task of its own, so that the other tests' answers do not count here.
    const thinking = {router: {task: 'thinking'}}
    const low: string[] = []
    for (let i = 0; i < 4; i++) {
      const answered = await ask(`Say hello number ${i}.`, [], thinking)
      expect(answered.complexity).toBe('low')
      expect(answered.model).toBe('openai/gpt-5-nano')
      low.push(answered.id)
    }
    for (const id of low.slice(0, 2)) expect((await judge({request_id: id, verdict: 'bad'})).status).toBe(200)
    await vi.waitFor(() => expect(feedbackEvents().filter((e) => low.includes(e.request_id))).toHaveLength(2))
    gateway.state.policy!.update(config)
    expect(gateway.state.policy!.escalations?.['thinking/low']).toMatchObject({
      from: 'low',
      to: 'medium',
      model: 'openai/gpt-5-nano',
      answered: 4,
      bad: 2,
    })

    const res = await client.chat.completions
      .create({model: 'auto', messages: [{role: 'user', content: 'Say hello again.'}], ...thinking} as never)
      .withResponse()
    expect(res.response.headers.get('x-router-model')).toBe('openai/gpt-5-mini')
    expect(res.response.headers.get('x-router-complexity')).toBe('medium')
    const id = res.response.headers.get('x-router-request-id')!
    const decision = gateway.eventsFor(id).find((e) => e.event === 'route_decision')
    expect(decision?.event === 'route_decision' && decision.signals[0]).toMatchObject({
      name: 'feedback_escalation',
      detail: expect.stringMatching(
        /raised low → medium by quality feedback: 2 of 4 answers of openai\/gpt-5-nano judged bad/,
      ),
    })

    const policy = (await (await request(`${gateway.url}/v1/router/policy`)).body.json()) as {escalations: unknown[]}
    expect(policy.escalations).toEqual([expect.objectContaining({task: 'thinking', from: 'low', to: 'medium'})])
    await gateway.state.policy!.persist()
    const {readOverrides} = await import('../../src/core/policy/overrides-file.js')
    const file = await readOverrides(gateway.state.settings.runtime_overrides_path)
    expect(file).toMatchObject({kind: 'loaded', escalations: {'thinking/low': {to: 'medium'}}})
  })
})
