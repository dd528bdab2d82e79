import {describe, expect, it} from 'vitest'

import {parseConfig} from '../../../src/core/config/load.js'
import {adjustPriors, applyPriors, stepToward, type ObservedFigures} from '../../../src/core/policy/adjust.js'
import type {ModelPrior} from '../../../src/core/policy/schema.js'

const prior = (latency_ms: number, failure_rate: number): ModelPrior => ({
  latency_ms,
  failure_rate,
  samples: 0,
  updated_at: null,
})
const options = {minSamples: 30, maxRatio: 0.15, now: '2026-01-01T00:00:00.000Z'}

describe('stepToward', () => {
  it('reaches a close observation at once and caps a far one at ratio × prior', () => {
    expect(stepToward(1000, 1100, 0.15, 100)).toEqual({value: 1100, limited: false})
    expect(stepToward(1000, 3000, 0.15, 100)).toEqual({value: 1150, limited: true})
    expect(stepToward(1000, 100, 0.15, 100)).toEqual({value: 850, limited: true})
  })

  it('lets a prior of zero move, by ratio × floor', () => {
    expect(stepToward(0, 0.5, 0.15, 0.05).value).toBeCloseTo(0.0075)
  })
})

describe('adjustPriors', () => {
  it('moves each prior by at most the ratio per update and converges over updates', () => {
    let priors: Record<string, ModelPrior> = {'a/m': prior(1000, 0.02)}
    const observed = new Map<string, ObservedFigures>([['a/m', {latency_ms: 4000, failure_rate: 0.4, samples: 100}]])
    const latencies: number[] = []
    for (let i = 0; i < 12; i++) {
      const result = adjustPriors(priors, observed, options)
      const before = priors['a/m']
      const after = result.priors['a/m']
      // Never more than 15% of the prior (or of the floor) per update.
      expect(after.latency_ms - before.latency_ms).toBeLessThanOrEqual(0.15 * before.latency_ms + 1e-3)
      expect(after.failure_rate - before.failure_rate).toBeLessThanOrEqual(
        0.15 * Math.max(before.failure_rate, 0.05) + 1e-4,
      )
      latencies.push(after.latency_ms)
      priors = result.priors
    }
    expect(latencies[0]).toBe(1150)
    expect(latencies[1]).toBe(1322.5)
    expect(latencies.at(-1)).toBe(4000)
    expect(priors['a/m']).toMatchObject({samples: 100, updated_at: options.now})
  })

  it('leaves models below the sample threshold, without observations or already there alone', () => {
    const current = {'a/few': prior(500, 0.1), 'a/none': prior(500, 0.1), 'a/same': prior(500, 0.1)}
    const observed = new Map<string, ObservedFigures>([
      ['a/few', {latency_ms: 5000, failure_rate: 1, samples: 29}],
      ['a/same', {latency_ms: 500, failure_rate: 0.1, samples: 500}],
    ])
    const result = adjustPriors(current, observed, options)
    expect(result.adjustments).toEqual([])
    expect(result.priors['a/few']).toBe(current['a/few'])
    expect(result.priors['a/same']).toBe(current['a/same'])
  })

  it('keeps the latency prior when no attempt succeeded, and failure rates within 0–1', () => {
    const result = adjustPriors(
      {'a/m': prior(800, 0.95)},
      new Map([['a/m', {latency_ms: null, failure_rate: 1, samples: 40}]]),
      options,
    )
    expect(result.priors['a/m'].latency_ms).toBe(800)
    expect(result.priors['a/m'].failure_rate).toBe(1)
    expect(result.adjustments).toEqual([
      {model: 'a/m', field: 'failure_rate', from: 0.95, to: 1, observed: 1, limited: false},
    ])
  })

  it('does not change the priors it was given', () => {
    const current = {'a/m': prior(1000, 0.02)}
    const copy = structuredClone(current)
    adjustPriors(current, new Map([['a/m', {latency_ms: 9000, failure_rate: 0.9, samples: 99}]]), options)
    expect(current).toEqual(copy)
  })
})

describe('applyPriors', () => {
  const loaded = parseConfig(
    `
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: {latency_ms: 900, failure_rate: 0.01}
  gemini/gemini-2.5-flash: {}
`,
    'router.yaml',
    {env: {}},
  )

  it('returns a new config with the priors of configured models, without touching the loaded one', () => {
    const before = structuredClone(loaded.config)
    const view = applyPriors(loaded.config, {'openai/gpt-5-mini': prior(1200, 0.2), 'not/configured': prior(1, 1)})
    expect(view).not.toBe(loaded.config)
    expect(view.models['openai/gpt-5-mini']).toMatchObject({latency_ms: 1200, failure_rate: 0.2})
    expect(view.models['not/configured']).toBeUndefined()
    expect(view.models['gemini/gemini-2.5-flash']).toBe(loaded.config.models['gemini/gemini-2.5-flash'])
    expect(view.accounts).toBe(loaded.config.accounts)
    expect(loaded.config).toEqual(before)
  })

  it('returns the config itself when no prior applies', () => {
    expect(applyPriors(loaded.config, {})).toBe(loaded.config)
    expect(applyPriors(loaded.config, {'openai/gpt-5-mini': prior(900, 0.01)})).toBe(loaded.config)
  })
})
