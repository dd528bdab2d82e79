import {readFile, stat, writeFile} from 'node:fs/promises'
import {join} from 'node:path'
import {request} from 'undici'
import {describe, expect, vi} from 'vitest'

import type {AuditEvent} from '../../src/core/audit/schema.js'
import {LiveMetricsSnapshotSchema} from '../../src/core/metrics/schema.js'
import {parseOverrides} from '../../src/core/policy/overrides-file.js'
import {PolicyStatusSchema} from '../../src/core/policy/schema.js'
import type {GatewaySettings} from '../../src/core/settings/schema.js'
import {gatewayTest, type StartGateway, type TestGateway} from '../helpers/gateway.js'

const MINI = 'openai/gpt-5-mini'
const FLASH = 'gemini/gemini-2.5-flash'

// Every test starts its own gateway (`start()`), with the settings under test.
const it = gatewayTest({
  sims: {alpha: {}, beta: {}},
  config: ({alpha, beta}) => `
default_model: ${MINI}
models:
  ${MINI}: {latency_ms: 1000, failure_rate: 0.01}
  ${FLASH}: {latency_ms: 1000, failure_rate: 0.01}
accounts:
  - name: alpha
    provider: openai
    base_url: ${alpha.url}/v1
    api_key: sk-alpha-000000
    models: [${MINI}]
  - name: beta
    provider: openai-compatible
    base_url: ${beta.url}/v1
    models: [${FLASH}]
task_routes:
  general: {default: [${MINI}]}
fallback_models: [${FLASH}]
`,
  resetUpstreams: true,
})

/** A gateway with `settings` (given its folder first, when a function), and live metrics updated only by the test. */
async function start(
  startGateway: StartGateway,
  settings: Partial<GatewaySettings> | ((dir: string) => Promise<Partial<GatewaySettings>>),
  onWarning?: (message: string) => void,
): Promise<TestGateway> {
  return startGateway(async (dir) => ({
    settings: Object.assign(
      {live_metrics_update_interval_seconds: 3600},
      typeof settings === 'function' ? await settings(dir) : settings,
    ),
    gateway: onWarning ? {onWarning} : {},
  }))
}

async function chat(gateway: TestGateway, model = MINI) {
  const response = await request(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({model, messages: [{role: 'user', content: 'hello'}]}),
  })
  await response.body.text()
  return {
    status: response.statusCode,
    model: response.headers['x-router-model'],
    id: response.headers['x-router-request-id'] as string,
  }
}

async function getJson(gateway: TestGateway, path: string): Promise<unknown> {
  const response = await request(`${gateway.url}${path}`)
  expect(response.statusCode).toBe(200)
  return response.body.json()
}

/** The EWMA the gateway should hold, computed here from the audit events with the documented formula. */
function ewma(values: number[], alpha: number): number {
  return values.reduce((acc, value, index) => (index === 0 ? value : alpha * value + (1 - alpha) * acc), 0)
}

describe('live metrics through the gateway', () => {
  it('holds the EWMA of a known sequence of successes and failures', async ({sims, startGateway}) => {
    const gateway = await start(startGateway, {live_metrics_ewma_alpha: 0.5})
    sims.alpha.script([{}, {}, {status: 503}, {}, {status: 500}, {}])
    const results = []
    // An explicit model has no fallback: one attempt per request.
    for (let i = 0; i < 6; i++) results.push(await chat(gateway))
    expect(results.map((r) => r.status)).toEqual([200, 200, 503, 200, 500, 200])

    const snapshot = LiveMetricsSnapshotSchema.parse(await getJson(gateway, '/v1/router/live-metrics'))
    const model = snapshot.models.find((m) => m.model === MINI)!
    expect(model).toMatchObject({
      samples: 6,
      successes: 4,
      failures: 2,
      status: {'2xx': 4, '4xx': 0, '5xx': 2, other: 0, error: 0},
    })
    // Failures 0 0 1 0 1 0 with alpha 0.5: 0, 0, .5, .25, .625, .3125.
    expect(model.failure_ewma).toBe(0.3125)
    const latencies = gateway.events
      .filter(
        (e): e is Extract<AuditEvent, {event: 'proxy_response'}> =>
          e.event === 'proxy_response' && e.model === MINI && e.status === 200,
      )
      .map((e) => e.latency_ms)
    expect(latencies).toHaveLength(4)
    // The snapshot rounds to 0.1 ms.
    expect(model.latency_ewma_ms).toBe(Math.round(ewma(latencies, 0.5) * 10) / 10)
    expect(snapshot.totals).toMatchObject({requests_total: 6, successes_total: 4, in_flight: 0})
    expect(snapshot.alpha).toBe(0.5)
    expect(snapshot.targets.find((t) => t.account === 'alpha')).toMatchObject({samples: 6, failure_ewma: 0.3125})
  })

  it('feeds routing: a primary that keeps failing loses its place to the fallback', async ({sims, startGateway}) => {
    const gateway = await start(startGateway, {})
    sims.alpha.script(Array.from({length: 25}, () => ({status: 503})))
    for (let i = 0; i < 25; i++) await chat(gateway, 'auto')
    const after = await chat(gateway, 'auto')
    expect(after.model).toBe(FLASH)
    const decision = gateway.eventsFor(after.id).find((e) => e.event === 'route_decision')
    expect(decision).toMatchObject({selected_model: FLASH, fallback_models: [MINI]})
  })

  it('is off with LIVE_METRICS_ENABLED=false: no snapshot, the policy reports the configured priors', async ({
    startGateway,
  }) => {
    const gateway = await start(startGateway, {live_metrics_enabled: false})
    await chat(gateway)
    const response = await request(`${gateway.url}/v1/router/live-metrics`)
    expect(response.statusCode).toBe(404)
    expect(((await response.body.json()) as {error: {code: string}}).error.code).toBe('live_metrics_disabled')
    const status = PolicyStatusSchema.parse(await getJson(gateway, '/v1/router/policy'))
    expect(status.enabled).toBe(false)
    expect(status.models.find((m) => m.model === MINI)).toMatchObject({
      source: 'config',
      latency_ms: {configured: 1000, current: 1000},
    })
  })
})

describe('the runtime policy', () => {
  it('moves the priors by at most the ratio per update, without touching the loaded config, and persists them', async ({
    sims,
    startGateway,
  }) => {
    const gateway = await start(startGateway, {
      live_metrics_min_samples: 3,
      runtime_policy_max_adjustment_ratio: 0.15,
      live_metrics_ewma_alpha: 0.5,
    })
    sims.alpha.script([{status: 503}, {}, {status: 503}, {}])
    for (let i = 0; i < 4; i++) await chat(gateway)
    const policy = gateway.state.policy!
    const adjustments = policy.update(gateway.state.config.config)
    gateway.state.routingConfig = policy.view(gateway.state.config.config)
    // Observed: a few ms and a failure EWMA of .375; priors 1000 ms and .01: each moves by its cap.
    expect(adjustments).toEqual([
      {model: MINI, field: 'latency_ms', from: 1000, to: 850, observed: expect.any(Number), limited: true},
      {model: MINI, field: 'failure_rate', from: 0.01, to: 0.0175, observed: 0.375, limited: true},
    ])
    expect(gateway.state.routingConfig.models[MINI]).toMatchObject({latency_ms: 850, failure_rate: 0.0175})
    expect(gateway.state.config.config.models[MINI]).toMatchObject({latency_ms: 1000, failure_rate: 0.01})
    // A second update moves again, by 15% of the new value.
    policy.update(gateway.state.config.config)
    expect(policy.current[MINI].latency_ms).toBe(722.5)

    await policy.persist()
    const file = parseOverrides(await readFile(gateway.state.settings.runtime_overrides_path, 'utf8'))
    expect(file).toMatchObject({kind: 'loaded', priors: {[MINI]: {latency_ms: 722.5, samples: 4}}})
    expect(Object.keys((file as {priors: object}).priors)).toEqual([MINI])

    const status = PolicyStatusSchema.parse(await getJson(gateway, '/v1/router/policy'))
    expect(status.enabled).toBe(true)
    expect(status.status).toMatchObject({
      updates: 2,
      adjustments_total: 4,
      persistence: {path: gateway.state.settings.runtime_overrides_path, last_error: null},
    })
    expect(status.status.persistence.last_written_at).not.toBeNull()
    const mini = status.models.find((m) => m.model === MINI)!
    expect(mini).toMatchObject({
      source: 'runtime',
      samples: 4,
      latency_ms: {configured: 1000, current: 722.5},
      failure_rate: {configured: 0.01, observed: 0.375},
    })
    expect(status.models.find((m) => m.model === FLASH)).toMatchObject({
      source: 'config',
      samples: 0,
      latency_ms: {configured: 1000, current: 1000, observed: null},
    })
  })

  it('leaves models with fewer samples than LIVE_METRICS_MIN_SAMPLES alone', async ({startGateway}) => {
    const gateway = await start(startGateway, {live_metrics_min_samples: 10})
    for (let i = 0; i < 4; i++) await chat(gateway)
    expect(gateway.state.policy!.update(gateway.state.config.config)).toEqual([])
    expect(gateway.state.routingConfig).toBe(gateway.state.config.config)
  })

  it('updates on its timer and applies the new priors to routing', async ({startGateway}) => {
    const gateway = await start(startGateway, {live_metrics_min_samples: 2, live_metrics_update_interval_seconds: 0.1})
    const before = gateway.state.routingConfig
    for (let i = 0; i < 3; i++) await chat(gateway)
    await vi.waitFor(() => expect(gateway.state.routingConfig).not.toBe(before), {timeout: 2000})
    expect(gateway.state.routingConfig.models[MINI].latency_ms).toBe(850)
    await vi.waitFor(
      async () => expect((await stat(gateway.state.settings.runtime_overrides_path)).size).toBeGreaterThan(0),
      {timeout: 2000},
    )
    const status = PolicyStatusSchema.parse(await getJson(gateway, '/v1/router/policy'))
    expect(status.status.updates).toBeGreaterThan(0)
    expect(Date.parse(status.status.next_update_at!)).toBeGreaterThan(Date.parse(status.status.last_update_at!))
  })

  it('reloads persisted priors at start, and routing uses them', async ({startGateway}) => {
    const gateway = await start(startGateway, async (dir) => {
      const path = join(dir, 'priors.yaml')
      await writeFile(
        path,
        `schema_version: 1\nmodels:\n  ${MINI}: {latency_ms: 1234, failure_rate: 0.9, samples: 200}\n  retired/model: {latency_ms: 5, failure_rate: 0}\n`,
      )
      return {runtime_overrides_path: path}
    })
    expect(gateway.state.routingConfig.models[MINI]).toMatchObject({latency_ms: 1234, failure_rate: 0.9})
    // A 90% failure prior on the primary: the fallback is ranked first.
    expect((await chat(gateway, 'auto')).model).toBe(FLASH)
    const status = PolicyStatusSchema.parse(await getJson(gateway, '/v1/router/policy'))
    expect(status.status.load).toEqual({models: 2, warning: null})
    expect(status.models.find((m) => m.model === MINI)).toMatchObject({
      source: 'runtime',
      failure_rate: {configured: 0.01, current: 0.9},
    })
  })

  it('reports a corrupt overrides file, starts anyway on the config priors, and sets the file aside on the next write', async ({
    startGateway,
  }) => {
    const warnings: string[] = []
    const gateway = await start(
      startGateway,
      async (dir) => {
        await writeFile(join(dir, 'overrides.yaml'), 'schema_version: 1\nmodels: [this is: not, {valid')
        return {runtime_overrides_path: join(dir, 'overrides.yaml'), live_metrics_min_samples: 1}
      },
      (message) => warnings.push(message),
    )
    const path = join(gateway.dir, 'overrides.yaml')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(path)
    expect(warnings[0]).toContain('not valid YAML')
    expect(gateway.state.routingConfig.models[MINI].latency_ms).toBe(1000)
    const status = PolicyStatusSchema.parse(await getJson(gateway, '/v1/router/policy'))
    expect(status.status.load.warning).toContain('ignored')

    await chat(gateway)
    gateway.state.policy!.update(gateway.state.config.config)
    await gateway.state.policy!.persist()
    expect(parseOverrides(await readFile(path, 'utf8')).kind).toBe('loaded')
    expect(await readFile(`${path}.corrupt`, 'utf8')).toContain('{valid')
  })

  it('persists the priors on shutdown', async ({startGateway}) => {
    const gateway = await start(startGateway, {live_metrics_min_samples: 1})
    await chat(gateway)
    gateway.state.policy!.update(gateway.state.config.config)
    const path = gateway.state.settings.runtime_overrides_path
    await gateway.close()
    expect(parseOverrides(await readFile(path, 'utf8'))).toMatchObject({
      kind: 'loaded',
      priors: {[MINI]: {latency_ms: 850}},
    })
  })

  it('reports a write that fails in the policy status and keeps serving', async ({startGateway}) => {
    // The file's folder is a regular file: nothing can be written there.
    const warnings: string[] = []
    const gateway = await start(
      startGateway,
      async (dir) => {
        await writeFile(join(dir, 'not-a-folder'), '')
        return {runtime_overrides_path: join(dir, 'not-a-folder', 'overrides.yaml'), live_metrics_min_samples: 1}
      },
      (message) => warnings.push(message),
    )
    await chat(gateway)
    gateway.state.policy!.update(gateway.state.config.config)
    await gateway.state.policy!.persist()
    const status = PolicyStatusSchema.parse(await getJson(gateway, '/v1/router/policy'))
    expect(status.status.persistence.last_error).not.toBeNull()
    expect(warnings.some((w) => w.includes('cannot write'))).toBe(true)
    expect((await chat(gateway)).status).toBe(200)
  })
})
