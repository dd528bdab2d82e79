import {describe, expect, it} from 'vitest'

import {parseAuditEventJson} from '../../../src/core/audit/parse-event.js'
import {parseConfig} from '../../../src/core/config/load.js'
import {modelInfo, usageCostUsd} from '../../../src/core/routing/model-info.js'

const {config} = parseConfig(
  `
default_model: openai/priced
models:
  openai/priced: {cost_input_per_1k: 0.003, cost_output_per_1k: 0.015}
  ollama/local-model: {context_window: 32000}
  openai/gpt-5-mini: {}
  openai/never-heard-of: {}
task_routes:
  general: {default: [openai/priced]}
`,
  'usage-cost.yaml',
)

describe('usageCostUsd', () => {
  it('prices the prompt and the completion tokens at the configured rates', () => {
    // 1 200 × 0.003 / 1000 + 350 × 0.015 / 1000 = 0.0036 + 0.00525
    expect(usageCostUsd(modelInfo(config, 'openai/priced'), {prompt_tokens: 1200, completion_tokens: 350})).toBe(0.00885)
    expect(usageCostUsd(modelInfo(config, 'openai/priced'), {prompt_tokens: 0, completion_tokens: 0})).toBe(0)
  })

  it('uses the catalog price of a catalog model the config does not price', () => {
    const info = modelInfo(config, 'openai/gpt-5-mini')
    expect(info.cost_input_per_1k).toBeGreaterThan(0)
    const expected = (1000 / 1000) * info.cost_input_per_1k + (1000 / 1000) * info.cost_output_per_1k
    expect(usageCostUsd(info, {prompt_tokens: 1000, completion_tokens: 1000})).toBeCloseTo(expected, 9)
  })

  it('counts a model the config describes without prices as free, and has no price for one nothing describes', () => {
    expect(usageCostUsd(modelInfo(config, 'ollama/local-model'), {prompt_tokens: 500, completion_tokens: 100})).toBe(0)
    expect(modelInfo(config, 'openai/never-heard-of').origin).toBe('defaults')
    expect(usageCostUsd(modelInfo(config, 'openai/never-heard-of'), {prompt_tokens: 500, completion_tokens: 100})).toBeNull()
  })

  it('has no cost when a count is missing', () => {
    const info = modelInfo(config, 'openai/priced')
    expect(usageCostUsd(info, null)).toBeNull()
    expect(usageCostUsd(info, {prompt_tokens: 10, completion_tokens: null})).toBeNull()
    expect(usageCostUsd(info, {prompt_tokens: null, completion_tokens: 10})).toBeNull()
  })
})

describe('proxy_response.cost_usd in the audit schema', () => {
  const response = {
    ts: '2026-11-24T10:00:00.000Z',
    request_id: 'req_1',
    event: 'proxy_response',
    model: 'openai/priced',
    account: 'a',
    provider: 'openai',
    attempt: 1,
    status: 200,
    stream: false,
    connect_ms: 1,
    latency_ms: 2,
    bytes: 300,
    usage: {prompt_tokens: 1200, completion_tokens: 350},
  }

  it('accepts the field, null, and its absence (logs written before it existed)', () => {
    expect(parseAuditEventJson(JSON.stringify({...response, cost_usd: 0.00885}))).toMatchObject({kind: 'event', event: {cost_usd: 0.00885}})
    expect(parseAuditEventJson(JSON.stringify({...response, cost_usd: null})).kind).toBe('event')
    expect(parseAuditEventJson(JSON.stringify(response)).kind).toBe('event')
  })

  it('rejects a negative cost', () => {
    expect(parseAuditEventJson(JSON.stringify({...response, cost_usd: -1})).kind).toBe('malformed')
  })
})
