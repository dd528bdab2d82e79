import {describe, expect, it} from 'vitest'

import {
  getBuiltinProfile,
  getCatalog,
  getCatalogModel,
  getProvider,
  modelsOfProvider,
} from '../../../src/core/catalog/index.js'
import {modelProvider} from '../../../src/core/catalog/model-key.js'
import {TASKS, TierKeySchema} from '../../../src/core/config/schema.js'

describe('the built-in catalog', () => {
  const catalog = getCatalog()

  it('has every provider the router supports, with base URLs and auth modes', () => {
    const names = catalog.providers.map((provider) => provider.name)
    expect(names).toEqual(
      expect.arrayContaining([
        'openai',
        'openai-codex',
        'gemini',
        'anthropic',
        'openrouter',
        'nvidia',
        'github',
        'ollama',
        'openai-compatible',
      ]),
    )
    expect(getProvider('openai-codex')?.base_url).toBe('https://chatgpt.com/backend-api')
    expect(getProvider('ollama')?.requires_key).toBe(false)
  })

  it('covers the models people route between, keyed provider/id', () => {
    for (const key of [
      'openai/gpt-5',
      'openai/gpt-5-mini',
      'openai/gpt-5-nano',
      'openai/gpt-5.2',
      'openai/gpt-4.1',
      'openai/text-embedding-3-small',
      'openai/gpt-image-1',
      'openai-codex/gpt-5.2',
      'openai-codex/gpt-5.2-codex',
      'openai-codex/gpt-5.3',
      'openai-codex/gpt-5.3-codex-spark',
      'openai-codex/gpt-5.1-codex-mini',
      'gemini/gemini-2.5-flash-lite',
      'gemini/gemini-2.5-flash',
      'gemini/gemini-2.5-pro',
      'anthropic/claude-sonnet-4.5',
      'anthropic/claude-haiku-4.5',
      'anthropic/claude-opus-4.5',
      'nvidia/meta/llama-3.3-70b-instruct',
      'github/openai/gpt-4.1',
      'ollama/llama3.2',
      'ollama/qwen2.5-coder:7b',
      'ollama/nomic-embed-text',
    ]) {
      expect(getCatalogModel(key), key).toBeDefined()
    }
    for (const model of catalog.models) expect(modelProvider(model.key)).toBe(model.provider)
  })

  it('has realistic prices: cheap models cost less than frontier ones, local models nothing', () => {
    const price = (key: string) => getCatalogModel(key)!.cost_output_per_1k
    expect(price('openai/gpt-5-nano')).toBeLessThan(price('openai/gpt-5-mini'))
    expect(price('openai/gpt-5-mini')).toBeLessThan(price('openai/gpt-5.2'))
    expect(price('anthropic/claude-haiku-4.5')).toBeLessThan(price('anthropic/claude-sonnet-4.5'))
    expect(price('anthropic/claude-sonnet-4.5')).toBeLessThan(price('anthropic/claude-opus-4.5'))
    expect(getCatalogModel('openai/gpt-5')!.cost_input_per_1k).toBe(0.00125)
    for (const model of modelsOfProvider('ollama')) expect(model.cost_input_per_1k + model.cost_output_per_1k).toBe(0)
  })

  it('sends Anthropic models upstream by their API id, with short aliases', () => {
    const sonnet = getCatalogModel('anthropic/claude-sonnet-4.5')!
    expect(sonnet.id).toBe('claude-sonnet-4-5')
    expect(sonnet.aliases).toEqual(expect.arrayContaining(['claude-sonnet-4-5', 'sonnet']))
  })

  it('describes five built-in profiles, each routing all five tasks at every tier', () => {
    expect(catalog.profiles.map((profile) => profile.name)).toEqual(['auto', 'balanced', 'cost', 'latency', 'quality'])
    for (const profile of catalog.profiles) {
      expect(profile.description.length).toBeGreaterThan(40)
      for (const task of TASKS) {
        for (const tier of TierKeySchema.options) {
          const list = profile.task_routes[task]?.[tier]
          expect(list, `${profile.name} ${task}.${tier}`).toBeDefined()
          const providers = new Set(list!.map((key) => modelProvider(key)))
          expect(providers.size, `${profile.name} ${task}.${tier} spans providers`).toBeGreaterThanOrEqual(5)
        }
      }
      expect(new Set(profile.fallback_models.map((key) => modelProvider(key))).size).toBeGreaterThanOrEqual(5)
    }
  })

  it('routes image requests only to models that read images, and never to embedding models', () => {
    for (const profile of catalog.profiles) {
      for (const task of TASKS) {
        for (const list of Object.values(profile.task_routes[task] ?? {})) {
          for (const key of list ?? []) {
            const model = getCatalogModel(key)!
            expect(model.capabilities, key).not.toContain('embeddings')
            if (task === 'image') expect(model.capabilities, `${profile.name} image: ${key}`).toContain('vision')
          }
        }
      }
    }
  })

  it('makes the cost profile cheaper than the quality profile at every tier of general', () => {
    const avg = (keys: string[]) =>
      keys.reduce((sum, key) => sum + getCatalogModel(key)!.cost_output_per_1k, 0) / keys.length
    const cost = getBuiltinProfile('cost')!.task_routes.general!
    const quality = getBuiltinProfile('quality')!.task_routes.general!
    for (const tier of ['low', 'medium', 'high', 'xhigh'] as const) {
      expect(avg(cost[tier]!), tier).toBeLessThan(avg(quality[tier]!))
    }
  })
})
