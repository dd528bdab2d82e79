/**
 * What the router knows about a model key: `effectiveModel` (the config's metadata over the catalog's over
 * `DEFAULT_MODEL_METADATA`), plus a capability set for fast checks, where the metadata came from, and which figures
 * someone actually gave (`known`), so that selection acts on facts only and reasons can say what is unknown.
 */
import {effectiveModel, type EffectiveModel} from '../config/models.js'
import type {Capability, ModelMetadata, RuntimeConfig} from '../config/schema.js'
import {roundTo} from '../round.js'
import type {TokenUsage} from './schema.js'

/** Figures that selection reads and that someone may or may not have given. */
export type KnownFigure =
  'quality' | 'tier' | 'price' | 'context_window' | 'max_output_tokens' | 'capabilities' | 'latency' | 'failure_rate'

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
    const origin: ModelInfo['origin'] = described
      ? model.in_catalog
        ? 'config+catalog'
        : 'config'
      : model.in_catalog
        ? 'catalog'
        : 'defaults'
    const known = {} as Record<KnownFigure, boolean>
    for (const [figure, field] of FIGURE_FIELDS) {
      known[figure] = model.in_catalog || (field === null ? described : own?.[field] !== undefined)
    }
    info = Object.assign({}, model, {capability_set: new Set(model.capabilities), origin, known})
    if (perKey.size < CACHE_LIMIT) perKey.set(key, info)
  }
  return info
}

/** An amount in USD rounded to 1e-9, the precision of every cost estimate (so that sums do not collect float noise). */
export function roundUsd(usd: number): number {
  return roundTo(usd, 9)
}

/** What one answer cost and what the prompt cache saved of it, in USD (see `usageCost`). */
export interface UsageCost {
  cost_usd: number | null
  cache_savings_usd: number | null
}

const UNKNOWN_COST: UsageCost = {cost_usd: null, cache_savings_usd: null}

/**
 * Estimated cost in USD of one answer's tokens at the model's prices (its config entry's, else the catalog's): the
 * prompt tokens read from the cache at the cached-input price, those written to it at the cache-write price, the rest
 * at the input price, the completion at the output price. Null when either main count is missing, or when nothing
 * describes the model (its prices would be made-up defaults); a model the config describes without prices counts as
 * free, as a local model is. A missing cache count counts as none.
 *
 * `cache_savings_usd` is the prompt at the full input price minus what the prompt cost: what the cache saved, less
 * what writing to it cost above the input price (so negative for an answer that only wrote to an Anthropic cache).
 * Null when the cost is, or when the upstream reported neither cache count. Both are rounded to 1e-9 USD.
 */
export function usageCost(info: ModelInfo, usage: TokenUsage | null): UsageCost {
  if (usage === null || usage.prompt_tokens === null || usage.completion_tokens === null || info.origin === 'defaults')
    return UNKNOWN_COST
  const prompt = usage.prompt_tokens
  // Counts beyond the prompt (a provider's rounding, a made-up answer) are capped: no token is billed twice.
  const read = Math.min(usage.cached_tokens ?? 0, prompt)
  const written = Math.min(usage.cache_write_tokens ?? 0, prompt - read)
  const promptUsd =
    ((prompt - read - written) * info.cost_input_per_1k +
      read * info.cost_cached_input_per_1k +
      written * info.cost_cache_write_per_1k) /
    1000
  const reported = usage.cached_tokens != null || usage.cache_write_tokens != null
  return {
    cost_usd: roundUsd(promptUsd + (usage.completion_tokens / 1000) * info.cost_output_per_1k),
    cache_savings_usd: reported ? roundUsd((prompt * info.cost_input_per_1k) / 1000 - promptUsd) : null,
  }
}
