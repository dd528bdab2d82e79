/**
 * The built-in catalog: providers, models and routing profiles, validated against their schemas once, on first use.
 */
import {defaultModelId, modelProvider} from './model-key.js'
import {MODELS} from './data/models.js'
import {PROFILES} from './data/profiles.js'
import {PROVIDERS} from './data/providers.js'
import {
  BuiltinProfileSchema,
  CatalogModelSchema,
  ProviderSchema,
  type BuiltinProfile,
  type Capability,
  type CatalogModel,
  type Provider,
} from './schema.js'

/** The validated catalog with lookup tables. */
export interface Catalog {
  providers: Provider[]
  models: CatalogModel[]
  profiles: BuiltinProfile[]
  providerByName: ReadonlyMap<string, Provider>
  modelByKey: ReadonlyMap<string, CatalogModel>
  profileByName: ReadonlyMap<string, BuiltinProfile>
}

let cached: Catalog | undefined

/** The catalog, parsed on first call. Throws if the built-in data is inconsistent (a bug, caught by the tests). */
export function getCatalog(): Catalog {
  cached ??= buildCatalog()
  return cached
}

/** A provider by name, or undefined. */
export function getProvider(name: string): Provider | undefined {
  return getCatalog().providerByName.get(name)
}

/** A catalog model by canonical key (`provider/id`), or undefined. Use `resolveModelRef` for aliases. */
export function getCatalogModel(key: string): CatalogModel | undefined {
  return getCatalog().modelByKey.get(key)
}

/** A built-in profile by name, or undefined. */
export function getBuiltinProfile(name: string): BuiltinProfile | undefined {
  return getCatalog().profileByName.get(name)
}

/**
 * How long a cached prompt prefix stays warm at `provider` after its last use, in seconds (the catalog's
 * `cache_ttl_seconds`); null for a provider without a prompt cache to count on, or one the catalog does not know.
 */
export function providerCacheTtlSeconds(provider: string): number | null {
  return getProvider(provider)?.cache_ttl_seconds ?? null
}

/** Five minutes: the common lifetime of a prompt cache, for providers that state none. */
const DEFAULT_CACHE_TTL_MS = 5 * 60 * 1000

/**
 * How long session affinity counts `provider`'s prompt cache as warm after its last use: the catalog's figure, else
 * five minutes (a self-hosted server with prefix caching, a provider the catalog does not know).
 */
export function promptCacheTtlMs(provider: string): number {
  const seconds = providerCacheTtlSeconds(provider)
  return seconds === null ? DEFAULT_CACHE_TTL_MS : seconds * 1000
}

/** Prompt-cache prices of a model, in US dollars per 1000 tokens. */
export interface CachePrices {
  cached_input: number
  cache_write: number
}

/**
 * Prompt-cache prices of the model `key` billed `inputPer1k` for its input: the catalog's prices when that is the
 * catalog's input price; otherwise the input price at the catalog model's own discount, or, for a model the catalog
 * does not know, at its provider's default ratios (no discount for an unknown provider). So a config that changes a
 * model's input price changes its cache prices with it.
 */
export function cachePrices(key: string, inputPer1k: number): CachePrices {
  const model = getCatalogModel(key)
  if (model !== undefined && model.cost_input_per_1k === inputPer1k) {
    return {cached_input: model.cost_cached_input_per_1k, cache_write: model.cost_cache_write_per_1k}
  }
  if (model !== undefined && model.cost_input_per_1k > 0) {
    return {
      cached_input: inputPer1k * (model.cost_cached_input_per_1k / model.cost_input_per_1k),
      cache_write: inputPer1k * (model.cost_cache_write_per_1k / model.cost_input_per_1k),
    }
  }
  const provider = getProvider(modelProvider(key) ?? '')
  return {
    cached_input: inputPer1k * (provider?.cached_input_ratio ?? 1),
    cache_write: inputPer1k * (provider?.cache_write_ratio ?? 1),
  }
}

/** Catalog models of one provider, in catalog order. */
export function modelsOfProvider(provider: string): CatalogModel[] {
  return getCatalog().models.filter((model) => model.provider === provider)
}

function buildCatalog(): Catalog {
  const providers = PROVIDERS.map((entry) => ProviderSchema.parse(entry))
  const providerByName = new Map(providers.map((provider) => [provider.name, provider]))

  const models = MODELS.map((entry) => {
    const provider = providerByName.get(modelProvider(entry.key) ?? '')
    return CatalogModelSchema.parse({
      ...entry,
      provider: modelProvider(entry.key),
      id: entry.id ?? defaultModelId(entry.key),
      cost_cached_input_per_1k:
        entry.cost_cached_input_per_1k ?? entry.cost_input_per_1k * (provider?.cached_input_ratio ?? 1),
      cost_cache_write_per_1k:
        entry.cost_cache_write_per_1k ?? entry.cost_input_per_1k * (provider?.cache_write_ratio ?? 1),
    })
  })
  const modelByKey = new Map<string, CatalogModel>()
  const spellings = new Map<string, string>()
  for (const model of models) {
    if (!providerByName.has(model.provider))
      throw new Error(`catalog: model ${model.key} names unknown provider ${model.provider}`)
    if (modelByKey.has(model.key)) throw new Error(`catalog: duplicate model ${model.key}`)
    modelByKey.set(model.key, model)
    // Within a provider, every spelling (id, alias, key suffix) must name one model.
    for (const spelling of new Set([defaultModelId(model.key), model.id, ...model.aliases])) {
      const owner = spellings.get(`${model.provider}/${spelling}`)
      if (owner && owner !== model.key)
        throw new Error(`catalog: ${model.provider}/${spelling} names ${owner} and ${model.key}`)
      spellings.set(`${model.provider}/${spelling}`, model.key)
    }
  }

  const profiles = PROFILES.map((entry) => BuiltinProfileSchema.parse(entry))
  for (const profile of profiles) {
    const refs = [
      profile.default_model,
      ...profile.fallback_models,
      ...Object.values(profile.task_routes).flatMap((route) => Object.values(route ?? {}).flat()),
    ]
    for (const ref of refs) {
      if (!modelByKey.has(ref)) throw new Error(`catalog: profile ${profile.name} references unknown model ${ref}`)
    }
    for (const [capability, keys] of Object.entries(profile.endpoint_models) as Array<
      [Capability, string[] | undefined]
    >) {
      for (const key of keys ?? []) {
        if (!modelByKey.get(key)?.capabilities.includes(capability)) {
          throw new Error(`catalog: profile ${profile.name} lists ${key} for ${capability}, which it cannot do`)
        }
      }
    }
    for (const [pattern, target] of Object.entries(profile.model_aliases)) {
      if (target !== 'auto' && !modelByKey.has(target))
        throw new Error(`catalog: profile ${profile.name} maps ${pattern} to unknown model ${target}`)
    }
  }
  const profileByName = new Map(profiles.map((profile) => [profile.name, profile]))

  return {providers, models, profiles, providerByName, modelByKey, profileByName}
}
