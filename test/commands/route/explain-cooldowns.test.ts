/**
 * `router route explain --log FILE` / `--url URL`: the cool-downs a real gateway set after its upstreams answered 429,
 * read back from its audit log or its live metrics, and where it would start now. The upstreams are `router sim`
 * servers answering as OpenAI does: 429 `rate_limit_exceeded` with `retry-after-ms` / `Retry-After`, and 429
 * `insufficient_quota` for an account out of credit (https://platform.openai.com/docs/guides/error-codes).
 */
import {readFile, writeFile} from 'node:fs/promises'
import {join} from 'node:path'

import {request} from 'undici'
import {describe, expect, vi} from 'vitest'

import type {AuditEvent} from '../../../src/core/audit/schema.js'
import {RoutingDecisionSchema} from '../../../src/core/routing/schema.js'
import {gatewayTest, type TestGateway} from '../../helpers/gateway.js'
import {runCli} from '../../helpers/run-cli.js'

const KEY = 'sk-router-explain-cooldowns-0123456789'
/** The CLI's time zone: not UTC, so that a time printed in UTC would not pass for local time. */
const TZ = 'Asia/Kolkata'
const CODING = 'Refactor this function to use a lock-free queue'
const GENERAL = 'What is the capital of France?'

/** The `proxy_rate_limited` events of the provoking requests: gpt-5-mini (1 s), gpt-5.2 (240 s), gamma's quota
 * (the 600 s cap: OpenAI's `insufficient_quota` gives no reset time). */
let shortLimit: Extract<AuditEvent, {event: 'proxy_rate_limited'}>
let longLimit: Extract<AuditEvent, {event: 'proxy_rate_limited'}>
let quota: Extract<AuditEvent, {event: 'proxy_rate_limited'}>

const it = gatewayTest({
  sims: {alpha: {}, beta: {}, gamma: {}},
  config: ({alpha, beta, gamma}) => `
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: {}
  openai/gpt-5.2: {}
  openai/gpt-5-nano: {}
  openai/gpt-4.1: {}
  anthropic/claude-sonnet-4.5: {}
accounts:
  - {name: alpha, provider: openai, base_url: ${alpha.url}/v1, api_key: sk-alpha-000000, models: [openai/gpt-5.2, openai/gpt-5-mini]}
  - {name: beta, provider: anthropic, base_url: ${beta.url}/v1, api_key: sk-ant-beta-000000, models: [anthropic/claude-sonnet-4.5]}
  - {name: gamma, provider: openai, base_url: ${gamma.url}/v1, api_key: sk-gamma-000000, models: [openai/gpt-5-nano, openai/gpt-4.1]}
task_routes:
  general: {default: [openai/gpt-5-mini, anthropic/claude-sonnet-4.5]}
  coding: {default: [openai/gpt-5.2, anthropic/claude-sonnet-4.5]}
`,
  options: {writeConfig: true, settings: {ingress_auth_required: true, ingress_api_keys: [`ops:${KEY}`]}},
})

async function post(gateway: TestGateway, body: unknown): Promise<{status: number; requestId: string}> {
  const response = await request(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {'content-type': 'application/json', authorization: `Bearer ${KEY}`},
    body: JSON.stringify(body),
  })
  await response.body.text()
  return {status: response.statusCode, requestId: response.headers['x-router-request-id'] as string}
}

/** The request's `proxy_rate_limited` event, once the gateway has written it to its audit log. */
async function rateLimitedInLog(
  gateway: TestGateway,
  requestId: string,
): Promise<Extract<AuditEvent, {event: 'proxy_rate_limited'}>> {
  return vi.waitFor(
    async () => {
      const lines = (await readFile(gateway.auditPath, 'utf8')).split('\n').filter(Boolean)
      const event = lines
        .map((line) => JSON.parse(line) as AuditEvent)
        .find((e) => e.event === 'proxy_rate_limited' && e.request_id === requestId)
      if (event?.event !== 'proxy_rate_limited')
        throw new Error(`no proxy_rate_limited for ${requestId} in the log yet`)
      return event
    },
    {timeout: 5000},
  )
}

function explain(gateway: TestGateway, ...args: string[]) {
  return runCli(['route', 'explain', ...args, '--config', gateway.configPath], {env: {TZ}})
}

/** The report's lines with each "in 42 s" / "in 4 min" as "in …", for exact comparisons on a machine of any speed. */
function coolingLines(stdout: string): string[] {
  const lines = stdout.split('\n')
  const first = lines.findIndex((line) => line.startsWith('Cooling '))
  const end = lines.findIndex((line, i) => i > first && !line.startsWith(' '.repeat(12)))
  return lines.slice(first, end).map((line) => line.replace(/\(in \d+ (s|min), /, '(in …, '))
}

/** `11:32:10` in the CLI's time zone. */
function localTime(iso: string): string {
  return new Date(iso).toLocaleTimeString('en-GB', {timeZone: TZ, hour12: false})
}

it.beforeAll(async ({gateway, sims: {alpha, gamma}}) => {
  // gpt-5-mini on alpha: 429 with a 1 s Retry-After; gpt-5.2 on alpha: 240 s. Both fall back to beta.
  alpha.script([
    {status: 429, retryAfter: 1},
    {status: 429, retryAfter: 240},
  ])
  const general = await post(gateway, {
    model: 'auto',
    messages: [{role: 'user', content: GENERAL}],
    router: {task: 'general', complexity: 'low'},
  })
  const coding = await post(gateway, {
    model: 'auto',
    messages: [{role: 'user', content: CODING}],
    router: {task: 'coding', complexity: 'high'},
  })
  // gamma is out of credit: the whole account cools down, gpt-4.1 on it too although it never answered 429.
  gamma.script([{kind: 'quota'}])
  const nano = await post(gateway, {model: 'openai/gpt-5-nano', messages: [{role: 'user', content: 'hi'}]})
  expect([general.status, coding.status, nano.status]).toEqual([200, 200, 429])
  shortLimit = await rateLimitedInLog(gateway, general.requestId)
  longLimit = await rateLimitedInLog(gateway, coding.requestId)
  quota = await rateLimitedInLog(gateway, nano.requestId)
}, 30_000)

describe('route explain --log', () => {
  it('shows the model cooling down after a 429 with Retry-After, until when in local time, and where the gateway would start', async ({
    gateway,
  }) => {
    expect(longLimit).toMatchObject({
      account: 'alpha',
      model: 'openai/gpt-5.2',
      scope: 'model',
      retry_after_ms: 240_000,
    })
    // gpt-5-mini's 1 s cool-down (a fallback of this chain) has to be over for the line to name gpt-5.2 alone.
    await vi.waitFor(
      () => {
        if (Date.now() <= Date.parse(shortLimit.cooldown_until)) throw new Error('gpt-5-mini is still cooling down')
      },
      {timeout: 5000, interval: 100},
    )
    const run = await explain(gateway, CODING, '--log', gateway.auditPath)
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Selected {4}openai\/gpt-5\.2$/m)
    expect(coolingLines(run.stdout)).toEqual([
      `Cooling     openai/gpt-5.2 via alpha until ${localTime(longLimit.cooldown_until)} (in …, rate limit on this model) → the gateway would start at anthropic/claude-sonnet-4.5 via beta`,
    ])
    // 240 s at the 429: "in 4 min" (or fewer, or seconds on a slow machine), never more.
    expect(run.stdout).toMatch(/\(in ([1-4] min|\d\d? s), rate limit/)
  })

  it('leaves out a cool-down that has ended: the gateway would start at the selected model again', async ({
    gateway,
  }) => {
    expect(shortLimit).toMatchObject({account: 'alpha', model: 'openai/gpt-5-mini', scope: 'model'})
    await vi.waitFor(
      () => {
        if (Date.now() <= Date.parse(shortLimit.cooldown_until)) throw new Error('gpt-5-mini is still cooling down')
      },
      {timeout: 5000, interval: 100},
    )
    const text = await explain(gateway, GENERAL, '--log', gateway.auditPath)
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^Selected {4}openai\/gpt-5-mini$/m)
    expect(text.stdout).toContain(`Cooling     none in this chain (${gateway.auditPath})`)
    const json = await explain(gateway, GENERAL, '--log', gateway.auditPath, '--json')
    expect(JSON.parse(json.stdout)).toMatchObject({
      cooldowns: [],
      gateway_would_start_at: {model: 'openai/gpt-5-mini', account: 'alpha'},
    })
  })

  it('shows an account-wide cool-down on every model of the account, and the 429 when nothing in the chain is free', async ({
    gateway,
  }) => {
    expect(quota).toMatchObject({account: 'gamma', model: 'openai/gpt-5-nano', scope: 'account'})
    const run = await explain(gateway, 'hi', '--model', 'openai/gpt-4.1', '--log', gateway.auditPath)
    expect(run.code).toBe(0)
    const until = localTime(quota.cooldown_until)
    expect(coolingLines(run.stdout)).toEqual([
      `Cooling     openai/gpt-4.1 via gamma until ${until} (in …, the whole account (insufficient_quota), then one probe request) → every target is cooling down: the gateway would answer 429 until ${until}`,
    ])
  })

  it('lists every cooling target of the chain on its own line, then where the gateway would start', async ({
    gateway,
  }) => {
    // Another config on the same accounts: what would the gateway do now if its coding route were this one?
    const other = join(gateway.dir, 'wider-route.yaml')
    await writeFile(
      other,
      (await readFile(gateway.configPath, 'utf8')).replace(
        'coding: {default: [openai/gpt-5.2,',
        'coding: {default: [openai/gpt-5.2, openai/gpt-4.1,',
      ),
    )
    const run = await runCli(['route', 'explain', CODING, '--config', other, '--log', gateway.auditPath], {env: {TZ}})
    expect(run.code).toBe(0)
    expect(coolingLines(run.stdout)).toEqual([
      `Cooling     openai/gpt-5.2 via alpha until ${localTime(longLimit.cooldown_until)} (in …, rate limit on this model)`,
      `            openai/gpt-4.1 via gamma until ${localTime(quota.cooldown_until)} (in …, the whole account (insufficient_quota), then one probe request)`,
      '            → the gateway would start at anthropic/claude-sonnet-4.5 via beta',
    ])
  })

  it('--json adds the cool-downs and the target the gateway would start at to the decision', async ({gateway}) => {
    const run = await explain(gateway, CODING, '--log', gateway.auditPath, '--json')
    expect(run.code).toBe(0)
    const output = JSON.parse(run.stdout)
    expect(output.cooldowns).toEqual([
      {
        model: 'openai/gpt-5.2',
        account: 'alpha',
        provider: 'openai',
        scope: 'model',
        reason: 'rate limit on this model',
        since: longLimit.ts,
        until: longLimit.cooldown_until,
      },
    ])
    expect(output.gateway_would_start_at).toEqual({model: 'anthropic/claude-sonnet-4.5', account: 'beta'})
    const {cooldowns: _c, gateway_would_start_at: _s, ...decision} = output
    expect(RoutingDecisionSchema.safeParse(decision).success).toBe(true)
  })

  it('without --log or --url reads nothing: no cool-downs in the report or the JSON', async ({gateway}) => {
    const [plain, withLog, json] = await Promise.all([
      explain(gateway, CODING),
      explain(gateway, CODING, '--log', gateway.auditPath),
      explain(gateway, CODING, '--json'),
    ])
    expect(plain.stdout).not.toContain('Cooling')
    const withoutTiming = (text: string) => text.replace(/^Decided in .*$/m, '')
    expect(
      withoutTiming(withLog.stdout)
        .split('\n')
        .filter((line) => !line.startsWith('Cooling '))
        .join('\n'),
    ).toBe(withoutTiming(plain.stdout))
    expect(JSON.parse(json.stdout)).not.toHaveProperty('cooldowns')
    expect(JSON.parse(json.stdout)).not.toHaveProperty('gateway_would_start_at')
  })

  it('with no config file, takes the accounts that served a model from the log', async ({gateway}) => {
    // gateway.dir holds router.yaml, not ./router.profile.yaml: the built-in profile stands in, without accounts.
    const run = await runCli(['route', 'explain', 'hi', '--model', 'openai/gpt-5.2', '--log', gateway.auditPath], {
      cwd: gateway.dir,
      env: {TZ},
    })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('Note: no config file')
    expect(run.stdout).toContain(
      `Cooling     openai/gpt-5.2 via alpha until ${localTime(longLimit.cooldown_until)} (in `,
    )
    expect(run.stdout).toContain('→ every target is cooling down: the gateway would answer 429 until')
  })

  it('a missing log is a usage error that names the flag', async ({gateway}) => {
    const run = await explain(gateway, CODING, '--log', `${gateway.dir}/nope.jsonl`)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`--log ${gateway.dir}/nope.jsonl: no such file`)
    expect(run.stdout).toBe('')
  })
})

describe('route explain --url', () => {
  it("reads the cool-downs from a running gateway's live metrics, with the ingress key", async ({gateway}) => {
    const run = await runCli(
      ['route', 'explain', CODING, '--config', gateway.configPath, '--url', gateway.url, '--json'],
      {env: {TZ, ROUTER_API_KEY: KEY}},
    )
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const output = JSON.parse(run.stdout)
    expect(output.cooldowns).toEqual([
      expect.objectContaining({
        model: 'openai/gpt-5.2',
        account: 'alpha',
        scope: 'model',
        until: longLimit.cooldown_until,
      }),
    ])
    expect(output.gateway_would_start_at).toEqual({model: 'anthropic/claude-sonnet-4.5', account: 'beta'})
    const text = await explain(gateway, CODING, '--url', gateway.url, '--api-key', KEY)
    expect(text.stdout).toContain(
      `Cooling     openai/gpt-5.2 via alpha until ${localTime(longLimit.cooldown_until)} (in `,
    )
  })

  it('a gateway that refuses the key is an error that says which key to give, and prints no decision', async ({
    gateway,
  }) => {
    const run = await explain(gateway, CODING, '--url', gateway.url)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('refused the request (401)')
    expect(run.stderr).toContain('pass --api-key or set ROUTER_API_KEY')
    expect(run.stdout).toBe('')
  })
})
