import {describe, expect, it} from 'vitest'

import type {RuntimeConfig} from '../../../src/core/config/schema.js'
import type {Requirements} from '../../../src/core/routing/schema.js'
import {
  type ChainEntry,
  type LiveStats,
  type SelectionInput,
  SELECTION_WEIGHTS,
  selectCandidates,
} from '../../../src/core/routing/select.js'
import {BASE_CONFIG, makeConfig, REQUIREMENTS, routingError} from '../../helpers/routing.js'

function route(...models: string[]): ChainEntry[] {
  return models.map((model) => ({model, source: 'route'}))
}

function select(
  chain: ChainEntry[],
  overrides: Partial<Omit<SelectionInput, 'requirements'>> & {requirements?: Partial<Requirements>} = {},
) {
  const {requirements, ...rest} = overrides
  return selectCandidates({
    config: makeConfig(),
    chain,
    endpoint: 'chat.completions',
    task: 'general',
    complexity: 'medium',
    reasoning: false,
    explicit: false,
    ...rest,
    requirements: {...REQUIREMENTS, ...requirements},
  })
}

function stats(table: Record<string, LiveStats>) {
  return {get: (model: string) => table[model]}
}

/** Two models that differ only by price (and name). */
function twins(expensiveFactor: number): RuntimeConfig {
  const base = {
    tier: 'medium' as const,
    quality: 0.75,
    context_window: 100_000,
    capabilities: ['tools' as const, 'streaming' as const],
    latency_ms: 1000,
    failure_rate: 0.01,
  }
  return makeConfig({
    models: {
      'acme/first': {...base, cost_input_per_1k: 0.001 * expensiveFactor, cost_output_per_1k: 0.004 * expensiveFactor},
      'acme/second': {...base, cost_input_per_1k: 0.001, cost_output_per_1k: 0.004},
    },
  })
}

describe('selectCandidates: ranking', () => {
  it('gives each kept candidate the estimated request cost its cost component compares, and none to an excluded one', () => {
    const result = select(route('acme/first', 'acme/second'), {
      config: twins(10),
      requirements: {input_tokens: 2000, output_tokens: 500},
    })
    const cost = (model: string) => result.candidates.find((c) => c.model === model)!.est_cost_usd
    // 2 000 × $0.001 + 500 × $0.004 per 1 000 tokens, and ten times that.
    expect(cost('acme/second')).toBe(0.004)
    expect(cost('acme/first')).toBe(0.04)
    // Without max_tokens, the output assumed for the complexity (700 for medium) counts.
    const assumed = select(route('acme/second'), {
      config: twins(1),
      requirements: {input_tokens: 1000, output_tokens: null},
    })
    expect(assumed.candidates[0].est_cost_usd).toBe(
      (1000 / 1000) * 0.001 + (SELECTION_WEIGHTS.assumed_output_tokens.medium / 1000) * 0.004,
    )
    // A cap above that is a cap, not a forecast: Claude Code's 8 192 on a medium turn is priced at the 700 expected.
    const capped = select(route('acme/second'), {
      config: twins(1),
      requirements: {input_tokens: 1000, output_tokens: 8192},
    })
    expect(capped.candidates[0].est_cost_usd).toBe(assumed.candidates[0].est_cost_usd)
    const excluded = select(route('acme/first', 'acme/second'), {config: twins(1), allowedModels: ['acme/second']})
    expect(excluded.candidates.find((c) => c.model === 'acme/first')).toMatchObject({
      excluded: true,
      est_cost_usd: null,
    })
  })

  it('keeps the route order by default, even when a later model scores higher on quality', () => {
    const result = select(route('acme/large', 'zen/large'), {task: 'coding', complexity: 'high'})
    expect(result.selected).toBe('acme/large')
    expect(result.fallbacks).toEqual(['zen/large'])
    const [first, second] = result.candidates
    expect(first.rank).toBe(1)
    expect(first.reasons[0]).toBe('kept route order')
    expect(second.rank).toBe(2)
    expect(second.reasons[0]).toBe('kept route order (#2)')
  })

  it('keeps a cheaper model first in its route when its quality meets the need (the profile chose it)', () => {
    const result = select(route('acme/mid', 'acme/large'), {complexity: 'medium'})
    expect(result.selected).toBe('acme/mid')
  })

  it('overturns the route order when the first model falls well short of the quality the complexity needs', () => {
    const result = select(route('acme/small', 'acme/large'), {complexity: 'high'})
    expect(result.selected).toBe('acme/large')
    const [small, large] = result.candidates
    expect(small.reasons).toContain('quality 0.60 below the 0.82 a high request needs')
    expect(large.reasons[0]).toBe('ranked above acme/small (#1 in route): better fit: quality 0.86 vs 0.60')
  })

  it('keeps the route order when the first model costs 3× more for the same quality', () => {
    const result = select(route('acme/first', 'acme/second'), {config: twins(3)})
    expect(result.selected).toBe('acme/first')
  })

  it('overturns the route order when the first model costs 10× more for the same quality, and says why', () => {
    const result = select(route('acme/first', 'acme/second'), {config: twins(10)})
    expect(result.selected).toBe('acme/second')
    const second = result.candidates.find((c) => c.model === 'acme/second')!
    expect(second.rank).toBe(1)
    expect(second.reasons[0]).toMatch(/^ranked above acme\/first \(#1 in route\): 10\.0× cheaper for similar quality$/)
    const first = result.candidates.find((c) => c.model === 'acme/first')!
    expect(first.reasons[0]).toMatch(/^moved below acme\/second: 10\.0× cheaper/)
    expect(first.reasons).toContain('est. cost 10.0× the cheapest candidate')
    expect(first.components!.cost).toBeLessThan(second.components!.cost)
  })

  it('overturns the route order when the first model fails half the time (live stats)', () => {
    const live = stats({'acme/large': {latency_ms: 3500, failure_rate: 0.5, samples: 200}})
    const result = select(route('acme/large', 'zen/large'), {task: 'coding', complexity: 'high', stats: live})
    expect(result.selected).toBe('zen/large')
    const zen = result.candidates.find((c) => c.model === 'zen/large')!
    expect(zen.reasons[0]).toBe('ranked above acme/large (#1 in route): failure rate 50% (live) vs 1%')
    const acme = result.candidates.find((c) => c.model === 'acme/large')!
    expect(acme.components!.failure).toBe(-0.5)
    expect(acme.reasons).toContain('failure rate 50% (live, 200 samples) > 20%')
  })

  it('ignores live stats with too few samples and uses the catalog priors', () => {
    const live = stats({
      'acme/large': {latency_ms: 3500, failure_rate: 0.9, samples: SELECTION_WEIGHTS.live_min_samples - 1},
    })
    const result = select(route('acme/large', 'zen/large'), {task: 'coding', complexity: 'high', stats: live})
    expect(result.selected).toBe('acme/large')
    expect(result.candidates[0].components!.failure).toBe(-0.01)
  })

  it('uses live latency in the latency component', () => {
    const live = stats({'zen/large': {latency_ms: 35_000, failure_rate: 0.01, samples: 50}})
    const result = select(route('acme/large', 'zen/large'), {task: 'coding', complexity: 'high', stats: live})
    const zen = result.candidates.find((c) => c.model === 'zen/large')!
    expect(zen.components!.latency).toBeCloseTo(-SELECTION_WEIGHTS.latency, 3)
  })

  it('penalises a small model on an xhigh request and a frontier-sized model on a low one', () => {
    const xhigh = select(route('acme/small', 'acme/large'), {complexity: 'xhigh'})
    const small = xhigh.candidates[0]
    const large = xhigh.candidates[1]
    expect(small.components!.quality).toBeLessThan(large.components!.quality)
    expect(small.reasons).toContain('quality 0.60 below the 0.9 an xhigh request needs')

    const low = select(route('acme/large', 'acme/small'), {complexity: 'low'})
    expect(low.candidates[0].reasons).toContain('large model is more than a low request needs')
  })

  it('gives a quality bonus for the task affinity', () => {
    const coding = select(route('acme/large'), {task: 'coding', complexity: 'high'}).candidates[0]
    const general = select(route('acme/large'), {task: 'general', complexity: 'high'}).candidates[0]
    expect(coding.components!.quality - general.components!.quality).toBeCloseTo(
      SELECTION_WEIGHTS.quality * SELECTION_WEIGHTS.task_affinity,
      3,
    )
    expect(coding.reasons).toContain('strong at coding')
  })

  it('gives every kept candidate a score that is the sum of its components', () => {
    const result = select(route('acme/mid', 'acme/small', 'acme/large'))
    for (const candidate of result.candidates) {
      const c = candidate.components!
      expect(candidate.score).toBeCloseTo(c.quality + c.cost + c.latency + c.failure + c.order, 2)
    }
    expect(result.candidates.map((c) => c.components!.order)).toEqual([0.6, 0.3, 0])
  })

  it('scores a model nobody describes as neutral on every figure, and marks the figures unknown', () => {
    const config = makeConfig({models: {...(BASE_CONFIG.models as object), 'acme/mystery': null}})
    const result = select(route('acme/mystery', 'acme/small'), {config})
    const mystery = result.candidates[0]
    expect(mystery.excluded).toBe(false)
    const w = SELECTION_WEIGHTS
    // Unknown quality counts as exactly what the complexity needs: no shortfall, no bonus.
    expect(mystery.components).toMatchObject({
      quality: w.quality * w.quality_needed.medium,
      cost: 0,
      latency: 0,
      failure: 0,
    })
    expect(mystery.est_cost_usd).toBeNull()
    expect(mystery.unknown).toEqual(['quality', 'price', 'latency', 'failure_rate'])
    expect(mystery.reasons).toContain('quality, price, latency, failure rate unknown: neutral in the score')
    expect(result.candidates[1].unknown).toEqual([])
  })

  it("keeps the route's order between models whose quality nobody gave, however their prices differ", () => {
    // The raw config: two priced models, no quality; the route names the big one, the default is the small.
    const config = makeConfig({
      default_model: 'acme/small-model',
      models: {
        'acme/big-model': {cost_input_per_1k: 0.005, cost_output_per_1k: 0.02},
        'acme/small-model': {cost_input_per_1k: 0.0001, cost_output_per_1k: 0.0004},
      },
    })
    const result = select(
      [
        {model: 'acme/big-model', source: 'route'},
        {model: 'acme/small-model', source: 'default'},
      ],
      {
        config,
        task: 'coding',
        complexity: 'xhigh',
      },
    )
    expect(result.selected).toBe('acme/big-model')
    expect(result.candidates.map((c) => c.components!.cost)).toEqual([0, 0])
    expect(result.candidates[1].reasons[0]).toBe('kept route order (#2)')
  })

  it('lets a cheaper model overtake only when its quality is known to meet the need', () => {
    // acme/mid (catalog-like figures, quality 0.75 meets medium) is 30× cheaper than the undescribed-quality model.
    const config = makeConfig({
      models: {...(BASE_CONFIG.models as object), 'acme/pricey': {cost_input_per_1k: 0.012, cost_output_per_1k: 0.048}},
    })
    const up = select(route('acme/pricey', 'acme/mid'), {config})
    expect(up.selected).toBe('acme/mid')
    expect(up.candidates[1].reasons[0]).toMatch(/^ranked above acme\/pricey \(#1 in route\): .* cheaper/)
    // The other way round the unknown-quality model gains nothing from being cheap.
    const cheap = makeConfig({
      models: {
        ...(BASE_CONFIG.models as object),
        'acme/bargain': {cost_input_per_1k: 0.00001, cost_output_per_1k: 0.00004},
      },
    })
    const kept = select(route('acme/mid', 'acme/bargain'), {config: cheap})
    expect(kept.selected).toBe('acme/mid')
    expect(kept.candidates[1].components!.cost).toBe(0)
  })
})

describe('selectCandidates: provider preferences', () => {
  it('sort=price ranks by estimated cost', () => {
    const result = select(route('acme/large', 'zen/large', 'acme/mid'), {preferences: {sort: 'price'}})
    expect([result.selected, ...result.fallbacks]).toEqual(['acme/mid', 'acme/large', 'zen/large'])
    expect(result.candidates.find((c) => c.model === 'acme/mid')!.reasons[0]).toMatch(/^sorted by price: est\. \$/)
  })

  it('sort=latency ranks by latency, live where known', () => {
    const result = select(route('acme/large', 'zen/large', 'acme/mid'), {preferences: {sort: 'latency'}})
    expect([result.selected, ...result.fallbacks]).toEqual(['acme/mid', 'zen/large', 'acme/large'])
    const live = stats({'acme/large': {latency_ms: 300, failure_rate: 0, samples: 40}})
    const withLive = select(route('acme/large', 'zen/large', 'acme/mid'), {preferences: {sort: 'latency'}, stats: live})
    expect(withLive.selected).toBe('acme/large')
    expect(withLive.candidates[0].reasons[0]).toBe('sorted by latency: 300 ms (live)')
  })

  it('sort=throughput uses the lowest latency as a stand-in and says so', () => {
    const result = select(route('acme/large', 'acme/small'), {preferences: {sort: 'throughput'}})
    expect(result.selected).toBe('acme/small')
    expect(result.candidates[1].reasons[0]).toBe('sorted by throughput (lowest latency stands in): 800 ms')
  })

  it('order puts preferred providers first, in the given order', () => {
    const result = select(route('acme/large', 'zen/large'), {preferences: {order: ['zen']}})
    expect(result.selected).toBe('zen/large')
    expect(result.candidates[1].reasons[0]).toBe('preferred provider zen (provider.order)')
    expect(result.candidates[0].reasons[0]).toBe('provider acme not in provider.order')
  })

  it('only keeps the named providers', () => {
    const result = select(route('acme/large', 'zen/large'), {preferences: {only: ['Zen']}})
    expect(result.selected).toBe('zen/large')
    const acme = result.candidates[0]
    expect(acme).toMatchObject({excluded: true, exclusion: 'provider_not_allowed', rank: null, score: null})
    expect(acme.reasons).toEqual(['provider acme not in provider.only (Zen)'])
  })

  it('ignore drops the named providers', () => {
    const result = select(route('acme/large', 'zen/large'), {preferences: {ignore: ['acme']}})
    expect(result.selected).toBe('zen/large')
    expect(result.candidates[0].exclusion).toBe('provider_ignored')
  })

  it('allow_fallbacks=false keeps only the top candidate', () => {
    const result = select(route('acme/large', 'zen/large'), {preferences: {allow_fallbacks: false}})
    expect(result.selected).toBe('acme/large')
    expect(result.fallbacks).toEqual([])
    expect(result.candidates[1]).toMatchObject({excluded: true, exclusion: 'fallbacks_disabled', rank: null})
    expect(result.candidates[1].score).not.toBeNull()
  })

  it('require_parameters drops models without reasoning when the request sets reasoning, and without streaming', () => {
    const reasoning = select(route('acme/mid', 'acme/large'), {
      reasoning: true,
      preferences: {require_parameters: true},
    })
    expect(reasoning.selected).toBe('acme/large')
    expect(reasoning.candidates[0].exclusion).toBe('no_reasoning')
    // Without require_parameters the reasoning parameter does not exclude anything.
    expect(select(route('acme/mid', 'acme/large'), {reasoning: true}).selected).toBe('acme/mid')

    const config = makeConfig({
      models: {...(BASE_CONFIG.models as object), 'acme/batch': {capabilities: ['tools'], quality: 0.7}},
    })
    const streaming = select(route('acme/batch', 'acme/mid'), {
      config,
      requirements: {streaming: true},
      preferences: {require_parameters: true},
    })
    expect(streaming.candidates[0].exclusion).toBe('no_streaming')
    expect(streaming.selected).toBe('acme/mid')
  })

  it('max_price drops models priced above the ceiling (per million tokens)', () => {
    const result = select(route('zen/large', 'acme/large'), {preferences: {max_price: {prompt: 2}}})
    expect(result.selected).toBe('acme/large')
    expect(result.candidates[0].reasons).toEqual(['input price $3/M above provider.max_price.prompt $2/M'])
  })
})

describe('selectCandidates: hard constraints', () => {
  it('allowed_models takes * wildcards over keys, and bare patterns over ids', () => {
    expect(select(route('acme/large', 'zen/large'), {allowedModels: ['zen/*']}).selected).toBe('zen/large')
    expect(select(route('acme/large', 'acme/small'), {allowedModels: ['*small*']}).selected).toBe('acme/small')
    expect(select(route('acme/large', 'acme/mid'), {allowedModels: ['mid']}).selected).toBe('acme/mid')
    const result = select(route('acme/large', 'acme/mid'), {allowedModels: ['acme/m*d']})
    expect(result.candidates[0]).toMatchObject({
      exclusion: 'not_allowed',
      reasons: ['not in allowed_models (acme/m*d)'],
    })
  })

  it('excludes models without vision for a request with images', () => {
    const result = select(route('acme/small', 'acme/mid'), {requirements: {vision: true}})
    expect(result.selected).toBe('acme/mid')
    expect(result.candidates[0]).toMatchObject({
      exclusion: 'no_vision',
      reasons: ['no vision (the request has images)'],
    })
  })

  it('excludes models without tools or JSON mode when the request needs them', () => {
    const config = makeConfig({
      models: {...(BASE_CONFIG.models as object), 'acme/plain': {capabilities: ['streaming'], quality: 0.7}},
    })
    expect(select(route('acme/plain', 'acme/mid'), {config, requirements: {tools: true}}).candidates[0].exclusion).toBe(
      'no_tools',
    )
    expect(
      select(route('acme/plain', 'acme/mid'), {config, requirements: {json_mode: true}}).candidates[0].exclusion,
    ).toBe('no_json_mode')
  })

  it('lets a model whose capabilities nobody gave through, ranked below the models known to have them', () => {
    const config = makeConfig({models: {...(BASE_CONFIG.models as object), 'acme/mystery': {}}})
    expect(select(route('acme/mystery'), {config, requirements: {tools: true}}).selected).toBe('acme/mystery')
    const vision = select(route('acme/mystery', 'acme/mid'), {config, requirements: {vision: true}})
    expect(vision.selected).toBe('acme/mid')
    expect(vision.fallbacks).toEqual(['acme/mystery'])
    expect(vision.candidates[0]).toMatchObject({
      excluded: false,
      rank: 2,
      unknown: ['vision', 'quality', 'price', 'latency', 'failure_rate'],
    })
    expect(vision.candidates[0].reasons.slice(0, 2)).toEqual([
      'vision support unknown (the request has images)',
      'moved below the models known to serve this request: vision support unknown',
    ])
    expect(vision.candidates[1].reasons[0]).toBe('ranked above acme/mystery (#1 in route): its vision support unknown')
    // Capabilities someone gave are facts: a declared list without vision excludes.
    const declared = makeConfig({models: {...(BASE_CONFIG.models as object), 'acme/plain': {capabilities: ['tools']}}})
    expect(
      select(route('acme/plain', 'acme/mid'), {config: declared, requirements: {vision: true}}).candidates[0].exclusion,
    ).toBe('no_vision')
  })

  it('never excludes on an unknown context window or output limit; beyond the assumed sizes it ranks the model below', () => {
    const config = makeConfig({models: {...(BASE_CONFIG.models as object), 'acme/selfhosted': {}}})
    // A 51k-token Claude Code turn: fine for acme/mid (200k), unknown for the self-hosted model.
    const long = select(route('acme/selfhosted', 'acme/mid'), {config, requirements: {input_tokens: 51_000}})
    expect(long.selected).toBe('acme/mid')
    expect(long.candidates[0]).toMatchObject({excluded: false, unknown: expect.arrayContaining(['context_window'])})
    expect(long.candidates[0].reasons[0]).toBe('context window unknown (the request needs ~51k tokens)')
    // Alone, it serves the request.
    expect(
      select(route('acme/selfhosted'), {config, requirements: {input_tokens: 51_000, output_tokens: 8000}}).selected,
    ).toBe('acme/selfhosted')
    // Within the assumed sizes nothing is said, and the route order stands.
    const short = select(route('acme/selfhosted', 'acme/mid'), {config})
    expect(short.selected).toBe('acme/selfhosted')
    expect(short.candidates[0].unknown).not.toContain('context_window')
  })

  it('needs an embeddings model for embeddings, and never sends chat to an embeddings model', () => {
    const embeddings = select(route('acme/mid', 'zen/embed'), {
      endpoint: 'embeddings',
      requirements: {embeddings: true},
    })
    expect(embeddings.selected).toBe('zen/embed')
    expect(embeddings.candidates[0].exclusion).toBe('no_embeddings')
    const chat = select(route('zen/embed', 'acme/mid'))
    expect(chat.candidates[0]).toMatchObject({
      exclusion: 'not_a_chat_model',
      reasons: ['embeddings model, not a chat model'],
    })
  })

  it('needs image generation for the images endpoint', () => {
    const error = routingError(() =>
      select(route('acme/mid'), {endpoint: 'images.generations', requirements: {image_generation: true}}),
    )
    expect(error.code).toBe('no_candidates')
    expect(error.message).toBe('The only candidate, acme/mid, cannot serve this request: cannot generate images.')
  })

  it('excludes models whose context window cannot hold the input plus the requested output', () => {
    const result = select(route('acme/small', 'acme/mid'), {
      requirements: {input_tokens: 120_000, output_tokens: 10_000},
    })
    expect(result.selected).toBe('acme/mid')
    expect(result.candidates[0]).toMatchObject({
      exclusion: 'context_too_small',
      reasons: ['needs ~130k tokens, context window 128k'],
    })
  })

  it('excludes models whose max output is below the requested output tokens', () => {
    const result = select(route('acme/small', 'acme/mid'), {requirements: {output_tokens: 20_000}})
    expect(result.selected).toBe('acme/mid')
    expect(result.candidates[0].reasons).toEqual(['asks for 20k output tokens, model max 16k'])
  })

  it('excludes models that no enabled account serves', () => {
    const config = makeConfig({
      accounts: [
        {name: 'acme-main', provider: 'acme', base_url: 'http://127.0.0.1:9/v1'},
        {name: 'zen-main', provider: 'zen', base_url: 'http://127.0.0.1:9/v1', enabled: false},
      ],
    })
    const result = select(route('zen/large', 'acme/large'), {config})
    expect(result.selected).toBe('acme/large')
    expect(result.candidates[0]).toMatchObject({exclusion: 'no_account', reasons: ['no enabled account serves it']})
  })

  it("excludes models whose accounts' providers do not serve the endpoint, and keeps one that any account serves", () => {
    const config = makeConfig({
      accounts: [
        {name: 'claude', provider: 'anthropic', base_url: 'http://127.0.0.1:9/v1'},
        {name: 'gem', provider: 'gemini', base_url: 'http://127.0.0.1:9/v1'},
        {name: 'chatgpt', provider: 'openai-codex', base_url: 'http://127.0.0.1:9/v1', models: ['openai/gpt-5']},
        {name: 'platform', provider: 'openai', base_url: 'http://127.0.0.1:9/v1', models: ['openai/gpt-5']},
      ],
    })
    const chain = route('anthropic/claude-haiku-4.5', 'gemini/gemini-2.5-flash', 'openai/gpt-5')
    // Legacy completions: only OpenAI's API (not the ChatGPT backend, Anthropic or Gemini); gpt-5 has an API account.
    const completions = select(chain, {config, endpoint: 'completions'})
    expect(completions.selected).toBe('openai/gpt-5')
    expect(completions.fallbacks).toEqual([])
    expect(completions.candidates.slice(0, 2)).toMatchObject([
      {exclusion: 'unsupported_endpoint', reasons: ['anthropic does not serve /v1/completions']},
      {exclusion: 'unsupported_endpoint', reasons: ['gemini does not serve /v1/completions']},
    ])
    // Chat completions and Responses (through chat completions where the protocol has none): every provider.
    for (const endpoint of ['chat.completions', 'responses'] as const) {
      expect(select(chain, {config, endpoint}).candidates.every((c) => !c.excluded)).toBe(true)
    }
    // A model whose only account is the ChatGPT backend cannot take legacy completions.
    const codexOnly = makeConfig({
      accounts: [
        {name: 'chatgpt', provider: 'openai-codex', base_url: 'http://127.0.0.1:9/v1', models: ['openai/gpt-5']},
        {name: 'gem', provider: 'gemini', base_url: 'http://127.0.0.1:9/v1'},
      ],
    })
    const error = routingError(() =>
      select(route('openai/gpt-5', 'gemini/gemini-2.5-flash'), {config: codexOnly, endpoint: 'completions'}),
    )
    expect(error.message).toBe(
      'No model can serve this request: openai/gpt-5, gemini/gemini-2.5-flash: its provider does not serve this endpoint.',
    )
    expect(error.hint).toMatch(/\/v1\/chat\/completions/)
  })

  it("takes the model's provider for the endpoint check when there are no accounts (dry runs)", () => {
    const config = makeConfig({accounts: []})
    const result = select(route('anthropic/claude-haiku-4.5', 'acme/mid'), {
      config,
      endpoint: 'completions',
      ignoreAccounts: true,
    })
    expect(result.selected).toBe('acme/mid')
    expect(result.candidates[0]).toMatchObject({
      exclusion: 'unsupported_endpoint',
      reasons: ['anthropic does not serve /v1/completions'],
    })
  })

  it('records every failed constraint and reports the first as the exclusion', () => {
    const result = select(route('acme/small', 'acme/mid'), {
      requirements: {vision: true},
      allowedModels: ['acme/mid'],
    })
    expect(result.candidates[0].exclusion).toBe('not_allowed')
    expect(result.candidates[0].reasons).toEqual([
      'not in allowed_models (acme/mid)',
      'no vision (the request has images)',
    ])
  })
})

describe('selectCandidates: errors', () => {
  it('names every constraint responsible when nothing is left', () => {
    const error = routingError(() =>
      select(route('acme/small', 'zen/large', 'zen/embed'), {
        requirements: {vision: true},
        preferences: {ignore: ['zen']},
      }),
    )
    expect(error.code).toBe('no_candidates')
    expect(error.message).toBe(
      'No model can serve this request: acme/small: no vision (the request has images); ' +
        'zen/large, zen/embed: provider zen is in provider.ignore.',
    )
    expect(error.hint).toMatch(/vision model/)
  })

  it('is no_account when the chain has candidates but no enabled account serves them', () => {
    const config = makeConfig({accounts: []})
    const error = routingError(() => select(route('acme/mid', 'zen/large'), {config}))
    expect(error.code).toBe('no_account')
    expect(error.message).toBe('No enabled account serves any of acme/mid, zen/large.')
    expect(error.hint).toMatch(/router provider login/)
  })

  it('skips the account check for dry runs', () => {
    const config = makeConfig({accounts: []})
    expect(select(route('acme/mid'), {config, ignoreAccounts: true}).selected).toBe('acme/mid')
  })

  it('says which requested model cannot serve the request', () => {
    const error = routingError(() =>
      select([{model: 'acme/small', source: 'request'}], {explicit: true, requirements: {vision: true}}),
    )
    expect(error.code).toBe('no_candidates')
    expect(error.message).toBe('Model acme/small cannot serve this request: no vision (the request has images).')
    expect(error.param).toBe('model')
    expect(error.hint).toMatch(/vision model/)
  })

  it('says which provider does not serve the endpoint of a requested model, and where to send the request', () => {
    const config = makeConfig({accounts: [{name: 'claude', provider: 'anthropic', base_url: 'http://127.0.0.1:9/v1'}]})
    const error = routingError(() =>
      select([{model: 'anthropic/claude-haiku-4.5', source: 'request'}], {
        config,
        endpoint: 'completions',
        explicit: true,
      }),
    )
    expect(error.code).toBe('no_candidates')
    expect(error.message).toBe(
      'Model anthropic/claude-haiku-4.5 cannot serve this request: anthropic does not serve /v1/completions.',
    )
    expect(error.hint).toMatch(/\/v1\/chat\/completions/)
  })
})
