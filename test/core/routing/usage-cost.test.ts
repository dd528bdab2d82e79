import {describe, expect, it} from 'vitest'

import {parseAuditEventJson} from '../../../src/core/audit/parse-event.js'
import {getCatalogModel, providerCacheTtlSeconds} from '../../../src/core/catalog/index.js'
import {parseConfig} from '../../../src/core/config/load.js'
import {modelInfo, usageCost} from '../../../src/core/routing/model-info.js'

const {config} = parseConfig(
  `
default_model: openai/priced
models:
  openai/priced: {cost_input_per_1k: 0.003, cost_output_per_1k: 0.015}
  openai/own-cache-prices: {cost_input_per_1k: 0.002, cost_output_per_1k: 0.008, cost_cached_input_per_1k: 0.0005, cost_cache_write_per_1k: 0.0025}
  anthropic/house-claude: {cost_input_per_1k: 0.002, cost_output_per_1k: 0.01}
  vllm/house-model: {cost_input_per_1k: 0.001, cost_output_per_1k: 0.002}
  anthropic/claude-sonnet-4.5: {cost_input_per_1k: 0.001}
  anthropic/claude-haiku-4.5: {}
  ollama/local-model: {context_window: 32000}
  openai/gpt-5-mini: {}
  openai/never-heard-of: {}
task_routes:
  general: {default: [openai/priced]}
`,
  'usage-cost.yaml',
)

const cost = (key: string, usage: Parameters<typeof usageCost>[1]) => usageCost(modelInfo(config, key), usage)

describe('usageCost', () => {
  it('prices the prompt and the completion tokens at the configured rates, with no savings figure without cache counts', () => {
    // 1 200 × 0.003 / 1000 + 350 × 0.015 / 1000 = 0.0036 + 0.00525
    expect(cost('openai/priced', {prompt_tokens: 1200, completion_tokens: 350})).toEqual({
      cost_usd: 0.00885,
      cache_savings_usd: null,
    })
    expect(cost('openai/priced', {prompt_tokens: 0, completion_tokens: 0})).toEqual({
      cost_usd: 0,
      cache_savings_usd: null,
    })
  })

  it('prices cached prompt tokens at the cached-input price and says what the cache saved (OpenAI counts)', () => {
    // Not in the catalog: OpenAI's default ratio, a tenth of the input price (0.0003). 1024 uncached × 0.003 + 1024
    // cached × 0.0003 = 0.0033792 for the prompt, 100 × 0.015 / 1000 = 0.0015 for the completion; the whole prompt
    // at the input price would have been 0.006144.
    expect(
      cost('openai/priced', {
        prompt_tokens: 2048,
        completion_tokens: 100,
        cached_tokens: 1024,
        cache_write_tokens: null,
      }),
    ).toEqual({
      cost_usd: 0.0048792,
      cache_savings_usd: 0.0027648,
    })
    // Reported, but nothing cached: nothing saved (0, not null).
    expect(
      cost('openai/priced', {prompt_tokens: 2048, completion_tokens: 100, cached_tokens: 0, cache_write_tokens: null})
        .cache_savings_usd,
    ).toBe(0)
  })

  it("prices Anthropic's cache writes above the input price and reads at a tenth, so a write-only turn saves less than nothing", () => {
    // Catalog: Claude Haiku 4.5 at $1/M input, writes $1.25/M, reads $0.10/M, output $5/M.
    const haiku = modelInfo(config, 'anthropic/claude-haiku-4.5')
    expect([haiku.cost_input_per_1k, haiku.cost_cache_write_per_1k, haiku.cost_cached_input_per_1k]).toEqual([
      0.001, 0.00125, 0.0001,
    ])
    // First turn: 2 500 of 3 000 prompt tokens written: 500 × 0.001 + 2500 × 0.00125 = 0.003625, + 200 × 0.005.
    expect(
      cost('anthropic/claude-haiku-4.5', {
        prompt_tokens: 3000,
        completion_tokens: 200,
        cached_tokens: 0,
        cache_write_tokens: 2500,
      }),
    ).toEqual({
      cost_usd: 0.004625,
      cache_savings_usd: -0.000625,
    })
    // Second turn: the 2 500 read back: 600 × 0.001 + 2500 × 0.0001 = 0.00085, against 0.0031 at the input price.
    expect(
      cost('anthropic/claude-haiku-4.5', {
        prompt_tokens: 3100,
        completion_tokens: 200,
        cached_tokens: 2500,
        cache_write_tokens: 0,
      }),
    ).toEqual({
      cost_usd: 0.00185,
      cache_savings_usd: 0.00225,
    })
  })

  it('uses the cache prices a config entry states', () => {
    // 1000 × 0.002 + 1000 × 0.0005 + 1000 × 0.0025 = 0.005 for the prompt; 0 completion.
    expect(
      cost('openai/own-cache-prices', {
        prompt_tokens: 3000,
        completion_tokens: 0,
        cached_tokens: 1000,
        cache_write_tokens: 1000,
      }),
    ).toEqual({
      cost_usd: 0.005,
      cache_savings_usd: 0.001,
    })
  })

  it("keeps a catalog model's cache discount when the config changes its input price, and gives other models their provider's", () => {
    // Sonnet 4.5 at a third of its list input price: reads and writes follow (0.1× and 1.25× of 0.001).
    expect(modelInfo(config, 'anthropic/claude-sonnet-4.5')).toMatchObject({
      cost_input_per_1k: 0.001,
      cost_output_per_1k: 0.015,
    })
    expect(modelInfo(config, 'anthropic/claude-sonnet-4.5').cost_cached_input_per_1k).toBeCloseTo(0.0001, 12)
    expect(modelInfo(config, 'anthropic/claude-sonnet-4.5').cost_cache_write_per_1k).toBeCloseTo(0.00125, 12)
    // A model the catalog does not know: its provider's default ratios; an unknown provider's: no discount.
    expect(modelInfo(config, 'anthropic/house-claude')).toMatchObject({
      cost_cached_input_per_1k: 0.0002,
      cost_cache_write_per_1k: 0.0025,
    })
    expect(modelInfo(config, 'vllm/house-model')).toMatchObject({
      cost_cached_input_per_1k: 0.001,
      cost_cache_write_per_1k: 0.001,
    })
    // A catalog model the config leaves alone: the catalog's own figures.
    const mini = getCatalogModel('openai/gpt-5-mini')!
    expect(modelInfo(config, 'openai/gpt-5-mini')).toMatchObject({
      cost_cached_input_per_1k: mini.cost_cached_input_per_1k,
      cost_cache_write_per_1k: mini.cost_input_per_1k,
    })
  })

  it('never bills a token twice when the cache counts exceed the prompt', () => {
    // 1000 prompt tokens, 800 read and "600" written: 800 read + 200 written, nothing at the input price.
    expect(
      cost('openai/own-cache-prices', {
        prompt_tokens: 1000,
        completion_tokens: 0,
        cached_tokens: 800,
        cache_write_tokens: 600,
      }),
    ).toEqual({
      cost_usd: 0.0009,
      cache_savings_usd: 0.0011,
    })
  })

  it('uses the catalog price of a catalog model the config does not price', () => {
    const info = modelInfo(config, 'openai/gpt-5-mini')
    expect(info.cost_input_per_1k).toBeGreaterThan(0)
    const expected = (1000 / 1000) * info.cost_input_per_1k + (1000 / 1000) * info.cost_output_per_1k
    expect(cost('openai/gpt-5-mini', {prompt_tokens: 1000, completion_tokens: 1000}).cost_usd).toBeCloseTo(expected, 9)
  })

  it('counts a model the config describes without prices as free, and has no price for one nothing describes', () => {
    expect(cost('ollama/local-model', {prompt_tokens: 500, completion_tokens: 100, cached_tokens: 200})).toEqual({
      cost_usd: 0,
      cache_savings_usd: 0,
    })
    expect(modelInfo(config, 'openai/never-heard-of').origin).toBe('defaults')
    expect(cost('openai/never-heard-of', {prompt_tokens: 500, completion_tokens: 100, cached_tokens: 200})).toEqual({
      cost_usd: null,
      cache_savings_usd: null,
    })
  })

  it('has no cost when a main count is missing', () => {
    expect(cost('openai/priced', null)).toEqual({cost_usd: null, cache_savings_usd: null})
    expect(cost('openai/priced', {prompt_tokens: 10, completion_tokens: null, cached_tokens: 5}).cost_usd).toBeNull()
    expect(cost('openai/priced', {prompt_tokens: null, completion_tokens: 10}).cost_usd).toBeNull()
  })
})

describe('the catalog prompt-cache data', () => {
  it('gives every provider with a prompt cache its time to live, and none to those without', () => {
    for (const provider of ['openai', 'openai-codex', 'anthropic', 'gemini', 'openrouter'])
      expect(providerCacheTtlSeconds(provider)).toBe(300)
    for (const provider of ['ollama', 'nvidia', 'github', 'openai-compatible', 'no-such-provider'])
      expect(providerCacheTtlSeconds(provider)).toBeNull()
  })

  it('prices cache reads below the input price, and only Anthropic writes above it', () => {
    expect(getCatalogModel('openai/gpt-5.2')!.cost_cached_input_per_1k).toBe(0.000175)
    expect(getCatalogModel('openai/gpt-4.1')!.cost_cached_input_per_1k).toBe(0.0005)
    expect(getCatalogModel('gemini/gemini-2.5-flash')!.cost_cached_input_per_1k).toBe(0.00003)
    expect(getCatalogModel('anthropic/claude-opus-4.5')).toMatchObject({
      cost_cached_input_per_1k: 0.0005,
      cost_cache_write_per_1k: 0.00625,
    })
    // An embedding model has no prompt cache: no discount.
    expect(getCatalogModel('openai/text-embedding-3-small')!.cost_cached_input_per_1k).toBe(0.00002)
  })
})

describe('proxy_response usage and costs in the audit schema', () => {
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
  const parse = (event: Record<string, unknown>) => parseAuditEventJson(JSON.stringify(event))

  it('accepts the cost, null, and its absence (logs written before it existed)', () => {
    expect(parse({...response, cost_usd: 0.00885})).toMatchObject({kind: 'event', event: {cost_usd: 0.00885}})
    expect(parse({...response, cost_usd: null}).kind).toBe('event')
    expect(parse(response).kind).toBe('event')
  })

  it('accepts the cache counts and the savings (negative too), and their absence in older logs', () => {
    const usage = {prompt_tokens: 2048, completion_tokens: 10, cached_tokens: 1024, cache_write_tokens: null}
    expect(parse({...response, usage, cost_usd: 0.004, cache_savings_usd: -0.0001})).toMatchObject({
      kind: 'event',
      event: {usage, cache_savings_usd: -0.0001},
    })
    expect(parse({...response, cache_savings_usd: null}).kind).toBe('event')
  })

  it('rejects a negative cost or token count', () => {
    expect(parse({...response, cost_usd: -1}).kind).toBe('malformed')
    expect(parse({...response, usage: {prompt_tokens: 10, completion_tokens: 1, cached_tokens: -1}}).kind).toBe(
      'malformed',
    )
  })
})
