import {request} from 'undici'
import {afterAll, describe, expect, it} from 'vitest'

import {AuditEventBus} from '../../src/core/audit/event-bus.js'
import {classifierCacheStats, configureClassifierCache} from '../../src/core/routing/classifier.js'
import {FEATURE_CACHE_LIMITS} from '../../src/core/routing/classifier/feature-cache.js'
import {PrometheusMetrics} from '../../src/gateway/prometheus.js'
import {gatewayTest, oneSimModelConfig, type TestGateway} from '../helpers/gateway.js'

const gatewayIt = gatewayTest({sims: {sim: {}}, config: ({sim}) => oneSimModelConfig(sim.url)})

describe('PrometheusMetrics', () => {
  it('spells a figure with no samples yet as NaN, as the text format does (prom-client writes "Nan")', async () => {
    const metrics = new PrometheusMetrics(new AuditEventBus())
    try {
      // Right after start the event-loop delay monitor has no sample: its mean is not a number.
      const text = await metrics.render()
      expect(text).toMatch(/^nodejs_eventloop_lag_mean_seconds NaN$/m)
      expect(text).not.toMatch(/ Nan$/m)
    } finally {
      metrics.close()
    }
  })

  it('counts config reloads from the bus', async () => {
    const bus = new AuditEventBus()
    const metrics = new PrometheusMetrics(bus, {defaultMetrics: false})
    try {
      bus.publish({
        ts: '2026-11-24T06:00:00.000Z',
        event: 'config_reload',
        path: '/etc/router.yaml',
        ok: false,
        message: 'bad',
      })
      const text = await metrics.render()
      expect(text).toMatch(/^router_config_reloads_total\{result="error"\} 1$/m)
    } finally {
      metrics.close()
    }
  })
})

/** Sends a chat request with a system prompt through the gateway and expects an answer. */
async function askWithSystem(gateway: TestGateway, system: string, question: string): Promise<void> {
  const response = await request(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({
      model: 'auto',
      messages: [
        {role: 'system', content: system},
        {role: 'user', content: question},
      ],
    }),
  })
  expect(response.statusCode).toBe(200)
  await response.body.json()
}

describe('/metrics: the classifier cache', () => {
  async function figures(gateway: TestGateway): Promise<Record<string, number>> {
    const text = await (await request(`${gateway.url}/metrics`)).body.text()
    const read = (name: string): number => {
      const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(text)
      expect(match, `${name} is exported`).not.toBeNull()
      return Number(match![1])
    }
    return {
      hits: read('router_classifier_cache_hits_total'),
      misses: read('router_classifier_cache_misses_total'),
      texts: read('router_classifier_cache_texts'),
      chars: read('router_classifier_cache_chars'),
    }
  }

  gatewayIt('counts the system prompts and earlier turns served from the cache', async ({gateway}) => {
    const system = `You answer questions about the bookshop's orders, returns and stock. ${'Be brief and polite; never invent stock levels. '.repeat(8)}`
    const before = await figures(gateway)
    for (let turn = 0; turn < 4; turn++) {
      await askWithSystem(gateway, system, `Question ${turn}: where is my order?`)
    }
    const after = await figures(gateway)
    // Read on the first two requests (kept on the second), served on the last two.
    expect(after.misses - before.misses).toBe(2)
    expect(after.hits - before.hits).toBe(2)
    expect(after.texts).toBeGreaterThanOrEqual(1)
    expect(after.chars).toBeGreaterThanOrEqual(system.length)
  })
})

describe('ROUTER_CLASSIFIER_CACHE_CHARS=0: no cache', () => {
  afterAll(() => {
    // Other gateways in this process get the default bounds back.
    configureClassifierCache(FEATURE_CACHE_LIMITS)
  })

  gatewayIt('keeps no text and counts no look-up', async ({startGateway}) => {
    const gateway = await startGateway({settings: {classifier_cache_chars: 0}})
    const system = `You answer questions about the bookshop's orders. ${'Never invent stock levels. '.repeat(10)}`
    const before = classifierCacheStats()
    for (let turn = 0; turn < 3; turn++) {
      await askWithSystem(gateway, system, `Question ${turn}`)
    }
    const text = await (await request(`${gateway.url}/metrics`)).body.text()
    expect(text).toMatch(/^router_classifier_cache_texts 0$/m)
    expect(text).toMatch(/^router_classifier_cache_chars 0$/m)
    expect(text).toMatch(new RegExp(`^router_classifier_cache_hits_total ${before.hits}$`, 'm'))
    expect(text).toMatch(new RegExp(`^router_classifier_cache_misses_total ${before.misses}$`, 'm'))
  })
})
