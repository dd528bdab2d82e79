/**
 * Model metadata as the router uses it: what the document says, over what the catalog knows, over documented
 * defaults. (Which account serves which model is `core/config/account-serves.ts`.)
 */
import {cachePrices, getCatalogModel} from '../catalog/index.js'
import {defaultModelId, modelProvider} from '../catalog/model-key.js'
import type {CatalogModel} from '../catalog/schema.js'
import type {ModelMetadata, RuntimeConfig} from './schema.js'

/**
 * Values for fields that neither the document nor the catalog gives (a model served by a local or custom server):
 * free, a mid-sized chat model with a modest context, average speed and reliability. Documented in
 * docs/configuration.md; declare the real values under `models:` to route such a model well.
 */
export const DEFAULT_MODEL_METADATA = {
  description: '',
  cost_input_per_1k: 0,
  cost_output_per_1k: 0,
  context_window: 32_768,
  max_output_tokens: 4_096,
  capabilities: ['tools', 'streaming'],
  tier: 'medium',
  quality: 0.5,
  task_affinity: [],
  latency_ms: 2_000,
  failure_rate: 0.05,
} as const satisfies Omit<
  CatalogModel,
  'key' | 'provider' | 'id' | 'aliases' | 'cost_cached_input_per_1k' | 'cost_cache_write_per_1k'
>

/** A model's complete metadata, as the routing engine scores it. */
export interface EffectiveModel extends CatalogModel {
  /** Whether the catalog knows the model (otherwise defaults filled the gaps). */
  in_catalog: boolean
}

/**
 * The complete metadata of `key`: `config.models[key]` wins, then the catalog, then `DEFAULT_MODEL_METADATA`.
 * `provider` is the key's provider part (empty for a key without one). Prompt-cache prices the config does not give
 * follow the model's input price (`cachePrices`).
 */
export function effectiveModel(config: Pick<RuntimeConfig, 'models'>, key: string): EffectiveModel {
  const declared: ModelMetadata = config.models[key] ?? {}
  const known = getCatalogModel(key)
  const defined = Object.fromEntries(
    Object.entries(declared).filter(([, value]) => value !== undefined),
  ) as ModelMetadata
  const input = defined.cost_input_per_1k ?? known?.cost_input_per_1k ?? DEFAULT_MODEL_METADATA.cost_input_per_1k
  const cache = cachePrices(key, input)
  return {
    ...DEFAULT_MODEL_METADATA,
    capabilities: [...DEFAULT_MODEL_METADATA.capabilities],
    task_affinity: [],
    aliases: [],
    ...known,
    ...defined,
    cost_cached_input_per_1k: defined.cost_cached_input_per_1k ?? cache.cached_input,
    cost_cache_write_per_1k: defined.cost_cache_write_per_1k ?? cache.cache_write,
    key,
    provider: modelProvider(key) ?? '',
    id: declared.id ?? known?.id ?? defaultModelId(key),
    in_catalog: known !== undefined,
  }
}
