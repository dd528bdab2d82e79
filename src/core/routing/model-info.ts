/**
 * What the router knows about a model key: `effectiveModel` (the config's metadata over the catalog's over
 * `DEFAULT_MODEL_METADATA`), plus a capability set for fast checks, where the metadata came from, and which figures
 * someone actually gave (`known`), so that selection acts on facts only and reasons can say what is unknown.
 */
import {effectiveModel, type EffectiveModel} from '../config/models.js'
import type {Capability, ModelMetadata, RuntimeConfig} from '../config/schema.js'

/** Figures that selection reads and that someone may or may not have given. */
export type KnownFigure = 'quality' | 'tier' | 'price' | 'context_window' | 'max_output_tokens' | 'capabilities' | 'latency' | 'failure_rate'

/** Everything selection needs about one model key. */
export interface ModelInfo extends EffectiveModel {
  capability_set: ReadonlySet<Capability>
  /** Who described the model: its config entry, the catalog, both, or nobody (every figure is a default). */
  origin: 'config' | 'catalog' | 'config+catalog' | 'defaults'
  /**
   * Which figures the config or the catalog gave; the others are `DEFAULT_MODEL_METADATA`'s stand-ins, on which
   * selection never excludes a model nor reorders a route. Prices count as given once the config describes the model
   * at all (a described model without prices is free, as a local model is).
   */
  known: Readonly<Record<KnownFigure, boolean>>
}

/** The config field behind each figure (`price` stands for both prices and follows the rule above). */
const FIGURE_FIELDS: ReadonlyArray<[KnownFigure, keyof ModelMetadata | null]> = [
  ['quality', 'quality'],
  ['tier', 'tier'],
  ['price', null],
  ['context_window', 'context_window'],
  ['max_output_tokens', 'max_output_tokens'],
  ['capabilities', 'capabilities'],
  ['latency', 'latency_ms'],
  ['failure_rate', 'failure_rate'],
]

/** Fields a config entry has without anyone describing the model (see `modelInfo`). */
const UNDESCRIPTIVE_FIELDS: ReadonlySet<string> = new Set(['id', 'latency_ms', 'failure_rate'])

// Per-config cache, by identity (configs are immutable once loaded); capped against made-up keys.
const CACHE_LIMIT = 4096
const cache = new WeakMap<RuntimeConfig, Map<string, ModelInfo>>()

/** Metadata for `key` under `config`. Cached per config; do not mutate. */
export function modelInfo(config: RuntimeConfig, key: string): ModelInfo {
  let perKey = cache.get(config)
  if (!perKey) {
    perKey = new Map()
    cache.set(config, perKey)
  }
  let info = perKey.get(key)
  if (!info) {
    const model = effectiveModel(config, key)
    const own = config.models[key]
    // The config schema fills `id` on every configured model, and the runtime policy writes the latency and failure
    // priors of every model it has seen: only the other fields say whether someone described it.
    const described = own !== undefined && Object.keys(own).some((field) => !UNDESCRIPTIVE_FIELDS.has(field))
    const origin = described ? (model.in_catalog ? 'config+catalog' : 'config') : model.in_catalog ? 'catalog' : 'defaults'
    const known = {} as Record<KnownFigure, boolean>
    for (const [figure, field] of FIGURE_FIELDS) {
      known[figure] = model.in_catalog || (field === null ? described : own?.[field] !== undefined)
    }
    info = {...model, capability_set: new Set(model.capabilities), origin, known}
    if (perKey.size < CACHE_LIMIT) perKey.set(key, info)
  }
  return info
}

/** An amount in USD rounded to 1e-9, the precision of every cost estimate (so that sums do not collect float noise). */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e9) / 1e9
}

/** Token counts an upstream reported for one answer (either may be missing). */
export interface TokenUsage {
  prompt_tokens: number | null
  completion_tokens: number | null
}

/**
 * Estimated cost in USD of one answer's tokens at the model's prices (its config entry's, else the catalog's). Null
 * when either count is missing, or when nothing describes the model (its prices would be made-up defaults). A model
 * the config describes without prices counts as free, as a local model is. Rounded to 1e-9 USD.
 */
export function usageCostUsd(info: ModelInfo, usage: TokenUsage | null): number | null {
  if (usage === null || usage.prompt_tokens === null || usage.completion_tokens === null || info.origin === 'defaults') return null
  return roundUsd((usage.prompt_tokens / 1000) * info.cost_input_per_1k + (usage.completion_tokens / 1000) * info.cost_output_per_1k)
}
