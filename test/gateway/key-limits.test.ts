/**
 * Managed keys on one gateway (the in-process store): each limit refuses with a 429 that names it, allowed_models
 * restricts routing, a key revoked in the file stops working, and spend shows on the admin endpoint.
 */
import {join} from 'node:path'

import {describe, expect, vi} from 'vitest'

import {createKey, revokeKey} from '../../src/core/auth/keys.js'
import type {KeyLimits} from '../../src/core/auth/schema.js'
import {gatewayTest} from '../helpers/gateway.js'

const keys: Record<string, string> = {}
const OPERATOR_KEY = 'operator-key-8d41c0b7e2a95f16'

const LIMITS: Record<string, KeyLimits> = {
  free: {},
  rpm: {rpm: 2},
  tpm: {tpm: 30},
  concurrency: {max_concurrency: 1},
  budget: {budget_usd_day: 0.0004},
  nano: {allowed_models: ['openai/gpt-5-nano']},
  narrow: {rpm: 1, allowed_models: ['openai/gpt-5-nano']},
  gone: {},
}

/** What `chatAs()` gives back. */
interface KeyReply {
  status: number
  headers: Headers
  json: any
}

const priced = '{cost_input_per_1k: 0.01, cost_output_per_1k: 0.01}'
const it = gatewayTest({
  sims: {sim: {name: 'alpha'}},
  config: ({sim}) => `
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: ${priced}
  openai/gpt-5-nano: ${priced}
accounts:
  - {name: alpha, provider: openai, base_url: ${sim.url}/v1, api_key: sk-upstream-000000}
task_routes:
  general: {default: [openai/gpt-5-mini, openai/gpt-5-nano]}
`,
  // The keys file, in the gateway's folder, is written before the gateway starts.
  options: async (_, dir) => {
    const file = join(dir, 'keys.json')
    for (const [name, limits] of Object.entries(LIMITS)) keys[name] = (await createKey(file, name, limits)).key
    return {settings: {ingress_auth_required: true, keys_file: file, ingress_api_keys: [`operator:${OPERATOR_KEY}`]}}
  },
  resetUpstreams: true,
}).extend('chatAs', {scope: 'file'}, ({gateway}) => {
  /** A chat request with the managed key `key`. */
  return async (key: string, body: Record<string, unknown> = {}): Promise<KeyReply> => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {authorization: `Bearer ${key}`, 'content-type': 'application/json'},
      body: JSON.stringify({model: 'auto', messages: [{role: 'user', content: 'hi'}], ...body}),
    })
    return {status: response.status, headers: response.headers, json: await response.json()}
  }
})

/** Per-minute limits count in calendar minutes: start a test of them early enough in one to end in it. */
async function earlyInAMinute(): Promise<void> {
  await vi.waitFor(() => expect(new Date().getUTCSeconds()).toBeLessThan(45), {timeout: 20_000, interval: 200})
}

/** `GET /v1/router/keys` as the operator. */
async function keysReport(url: string): Promise<any> {
  return (await fetch(`${url}/v1/router/keys`, {headers: {authorization: `Bearer ${OPERATOR_KEY}`}})).json()
}

/** One key's entry of the report. */
async function keyReport(url: string, name: string): Promise<any> {
  return (await keysReport(url)).keys.find((k: {name: string}) => k.name === name)
}

describe('managed keys', () => {
  it('refuses the request over the requests-per-minute limit with a 429 that names it, Retry-After, and an audit event', async ({
    gateway,
    chatAs,
    sims: {sim},
  }) => {
    await earlyInAMinute()
    expect((await chatAs(keys.rpm)).status).toBe(200)
    expect((await chatAs(keys.rpm)).status).toBe(200)
    const refused = await chatAs(keys.rpm)
    expect(refused.status).toBe(429)
    expect(refused.json.error).toMatchObject({type: 'rate_limit_error', code: 'rpm_exceeded', param: null})
    expect(refused.json.error.message).toContain('rpm: 2')
    const retryAfter = Number(refused.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(sim.requests).toHaveLength(2)
    const id = refused.headers.get('x-router-request-id')!
    expect(await gateway.terminal(id)).toMatchObject({
      principal: 'rpm',
      outcome: 'rejected',
      status: 429,
      error_code: 'rpm_exceeded',
    })
  })

  it("refuses once the minute's tokens would go over the tokens-per-minute limit, and does not count the refused request", async ({
    gateway,
    chatAs,
    sims: {sim},
  }) => {
    await earlyInAMinute()
    // The simulator's answer to "hi" uses about 21 tokens: the first request fits, the second would not.
    expect((await chatAs(keys.tpm)).status).toBe(200)
    await vi.waitFor(async () => expect((await keyReport(gateway.url, 'tpm')).tokens_this_minute).toBeGreaterThan(0))
    const refused = await chatAs(keys.tpm)
    expect(refused.status).toBe(429)
    expect(refused.json.error.code).toBe('tpm_exceeded')
    expect(sim.requests).toHaveLength(1)
    // The store counted the refused request before its prompt estimate was known, and was given the count back.
    expect(await keyReport(gateway.url, 'tpm')).toMatchObject({requests_this_minute: 1, in_flight: 0})
  })

  it("does not count a request that routing refuses against the key's rpm", async ({chatAs, sims: {sim}}) => {
    await earlyInAMinute()
    expect((await chatAs(keys.narrow, {model: 'openai/gpt-5-mini'})).status).toBe(403)
    expect((await chatAs(keys.narrow)).status).toBe(200)
    const refused = await chatAs(keys.narrow)
    expect(refused.json.error.code).toBe('rpm_exceeded')
    expect(sim.requests).toHaveLength(1)
  })

  it('refuses a second request in flight over max_concurrency, and admits again once the first ends', async ({
    chatAs,
    sims: {sim},
  }) => {
    await sim.script([{latencyMs: 800}])
    const first = chatAs(keys.concurrency)
    await vi.waitFor(() => expect(sim.requests).toHaveLength(1))
    const second = await chatAs(keys.concurrency)
    expect(second.status).toBe(429)
    expect(second.json.error.code).toBe('max_concurrency_exceeded')
    expect(second.headers.get('retry-after')).toBe('1')
    expect((await first).status).toBe(200)
    expect((await chatAs(keys.concurrency)).status).toBe(200)
  })

  it('counts what answers cost against the daily budget and refuses with insufficient_quota once it is spent', async ({
    gateway,
    chatAs,
  }) => {
    let answered = 0
    let refused: KeyReply | undefined
    for (let i = 0; i < 20 && refused === undefined; i++) {
      const response = await chatAs(keys.budget)
      if (response.status === 429) refused = response
      else answered++
    }
    // About $0.0002 an answer: the budget of $0.0004 allows two (the second starts under it).
    expect(answered).toBe(2)
    const costs = gateway.events.flatMap((e) =>
      e.event === 'proxy_response' && e.principal === 'budget' && e.cost_usd != null ? [e.cost_usd] : [],
    )
    expect(costs).toHaveLength(2)
    const spent = costs[0] + costs[1]
    expect(spent).toBeGreaterThan(0.0004)
    expect(refused?.json.error).toMatchObject({type: 'insufficient_quota', code: 'budget_usd_day_exceeded'})
    const report = await keysReport(gateway.url)
    expect(report).toMatchObject({schema_version: 1, store: 'memory', shared: true})
    const budget = report.keys.find((k: {name: string}) => k.name === 'budget')
    expect(budget).toMatchObject({
      hint: expect.stringMatching(/^olr_…/),
      revoked: false,
      limits: {budget_usd_day: 0.0004},
    })
    // What the key spent is what its answers cost, as the audit priced them.
    expect(budget.spend_usd_day).toBeCloseTo(spent, 9)
    expect(budget.spend_usd_month).toBeCloseTo(spent, 9)
  })

  it('shows a managed key its own figures only on the admin endpoint', async ({gateway}) => {
    const report = (await (
      await fetch(`${gateway.url}/v1/router/keys`, {headers: {authorization: `Bearer ${keys.free}`}})
    ).json()) as any
    expect(report.keys.map((k: {name: string}) => k.name)).toEqual(['free'])
  })

  it('routes a key with allowed_models only to those models, and refuses a request for another with a 403', async ({
    chatAs,
    sims: {sim},
  }) => {
    const routed = await chatAs(keys.nano)
    expect(routed.status).toBe(200)
    expect(routed.headers.get('x-router-model')).toBe('openai/gpt-5-nano')
    const refused = await chatAs(keys.nano, {model: 'openai/gpt-5-mini'})
    expect(refused.status).toBe(403)
    expect(refused.json.error).toMatchObject({code: 'model_not_allowed', param: 'model'})
    expect(refused.json.error.message).toContain('openai/gpt-5-nano')
    expect(sim.requests.map((r) => (r.body as {model: string}).model)).toEqual(['gpt-5-nano'])
    // The key's list is the gateway's business: it never goes upstream.
    expect(sim.requests[0].bodyText).not.toContain('allowed_models')
  })

  it("keeps a key's allowed_models when the request sends its own: they narrow the key's list, never widen it", async ({
    chatAs,
    sims: {sim},
  }) => {
    const wider = await chatAs(keys.nano, {model: 'openai/gpt-5-mini', allowed_models: ['*']})
    expect(wider.status).toBe(403)
    expect(wider.json.error.code).toBe('model_not_allowed')
    const narrowed = await chatAs(keys.nano, {allowed_models: ['openai/*']})
    expect(narrowed.status).toBe(200)
    expect(narrowed.headers.get('x-router-model')).toBe('openai/gpt-5-nano')
    expect(sim.requests.map((r) => (r.body as {model: string}).model)).toEqual(['gpt-5-nano'])
  })

  it('refuses a key revoked in the keys file without a restart', async ({gateway, chatAs}) => {
    expect((await chatAs(keys.gone)).status).toBe(200)
    await revokeKey(join(gateway.dir, 'keys.json'), 'gone')
    await vi.waitFor(async () => expect((await chatAs(keys.gone)).status).toBe(401), {timeout: 10_000, interval: 250})
    expect((await chatAs(keys.free)).status).toBe(200)
  })
})
