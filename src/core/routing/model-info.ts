/**
 * What the router knows about a model key: the config's metadata, completed by the built-in catalog where the config
 * leaves a field out (a raw config may route to `openai-codex/gpt-5.2` without describing it). A field nobody knows
 * stays `null`, and selection treats it as unknown rather than as a bad value: a model with unknown capabilities is
 * not excluded for lacking them, a model with unknown prices is not penalised for cost.
 */
import type {Capability, ModelMetadata, ModelTier, RuntimeConfig, Task} from '../config/schema.js'
import {defaultModelId, modelProvider} from '../config/model-key.js'
import {catalogModelMetadata} from './catalog-lookup.js'

/** Everything selection needs about one model key, with `null` for what nobody knows. */
export interface ModelInfo {
  key: string
  /** The key's provider part, or null for a key without one. */
  provider: string | null
  /** Upstream model id. */
  id: string
  aliases: readonly string[]
  quality: number | null
  tier: ModelTier | null
  task_affinity: readonly Task[]
  cost_input_per_1k: number | null
  cost_output_per_1k: number | null
  context_window: number | null
  max_output_tokens: number | null
  /** Null when no capability list is known at all. */
  capabilities: ReadonlySet<Capability> | null
  latency_ms: number | null
  failure_rate: number | null
  /** Where the metadata came from. */
  origin: 'config' | 'catalog' | 'config+catalog' | 'none'
}

// Per-config cache, by identity (configs are immutable once loaded); capped against made-up keys.
const CACHE_LIMIT = 4096
const cache = new WeakMap<RuntimeConfig, Map<string, ModelInfo>>()

/** Metadata for `key` under `config` (config fields first, then the catalog's). Cached; do not mutate. */
export function modelInfo(config: RuntimeConfig, key: string): ModelInfo {
  let perKey = cache.get(config)
  if (!perKey) {
    perKey = new Map()
    cache.set(config, perKey)
  }
  let info = perKey.get(key)
  if (!info) {
    info = buildInfo(key, config.models[key], catalogModelMetadata(key))
    if (perKey.size < CACHE_LIMIT) perKey.set(key, info)
  }
  return info
}

function buildInfo(key: string, own: ModelMetadata | undefined, catalog: ModelMetadata | undefined): ModelInfo {
  // The config schema fills `id` on every configured model, so only the other fields say whether it describes it.
  const describes = own !== undefined && Object.keys(own).some((field) => field !== 'id')
  const origin = describes ? (catalog ? 'config+catalog' : 'config') : catalog ? 'catalog' : 'none'
  const pick = <F extends keyof ModelMetadata>(field: F): ModelMetadata[F] | undefined => own?.[field] ?? catalog?.[field]
  const capabilities = pick('capabilities')
  return {
    key,
    provider: modelProvider(key) ?? null,
    id: own?.id ?? catalog?.id ?? defaultModelId(key),
    aliases: [...new Set([...(own?.aliases ?? []), ...(catalog?.aliases ?? [])])],
    quality: pick('quality') ?? null,
    tier: pick('tier') ?? null,
    task_affinity: pick('task_affinity') ?? [],
    cost_input_per_1k: pick('cost_input_per_1k') ?? null,
    cost_output_per_1k: pick('cost_output_per_1k') ?? null,
    context_window: pick('context_window') ?? null,
    max_output_tokens: pick('max_output_tokens') ?? null,
    capabilities: capabilities ? new Set(capabilities) : null,
    latency_ms: pick('latency_ms') ?? null,
    failure_rate: pick('failure_rate') ?? null,
    origin,
  }
}
