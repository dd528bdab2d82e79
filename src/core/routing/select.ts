/**
 * Candidate selection: from a chain of model keys (the route, the profile's fallbacks, the default model, or the
 * client's own models), drop those that cannot serve the request (hard constraints, each with a code and a reason)
 * and rank the rest by an explainable utility score.
 *
 * Score = quality + cost + latency + failure + order (the last four are ≤ 0 penalties or ≥ 0 bonuses):
 * - quality: for this task and tier. `quality` × the model's quality (0–1, plus `task_affinity` when the task is in
 *   the model's affinities), minus `shortfall` per unit it falls below what the complexity needs
 *   (`quality_needed`: a small model is penalised on an xhigh request), minus `tier_over` per size class above what
 *   the complexity needs (a frontier model is wasted on a low request);
 * - cost: minus `cost` per decade of estimated request cost above the cheapest candidate (input tokens plus requested
 *   or assumed output tokens, at the model's prices), at most `cost_max_decades` decades, so that a free model
 *   cannot make up for any quality shortfall;
 * - latency: minus `latency` per decade of latency above the fastest candidate;
 * - failure: minus `failure` × failure rate;
 * - order: `order_step` per place ahead in the chain. It is what keeps the profile's order: a later candidate only
 *   overtakes an earlier one with strong evidence (with the default weights and one place between them: about 8×
 *   cheaper for a quality that meets the need, the earlier candidate failing 30 points more often, e.g. a 50% live
 *   failure rate, or the earlier candidate falling well short of the quality the complexity needs).
 * Latency and failure rate come from live stats when the model has at least `live_min_samples` samples, else from
 * the catalog priors. `SELECTION_WEIGHTS` holds every number; nothing else in the ranking is a literal.
 *
 * Only facts exclude, and only given figures reorder: a figure that neither the config nor the catalog gives
 * (`ModelInfo.known`) never excludes a candidate (it is let through, ranked below those known to fit, its `unknown`
 * saying which figure) and is neutral in the score (see `score`).
 *
 * `provider.order` puts preferred providers first; `provider.sort` ranks by price or latency instead of the score
 * (`throughput`: no throughput data exists, so the lowest latency stands in for it). An explicit chain (`source:
 * request`) keeps the client's order. `provider.allow_fallbacks: false` keeps only the top candidate.
 */
import {DEFAULT_MODEL_METADATA} from '../config/models.js'
import type {Account, Capability, Complexity, ModelTier, RuntimeConfig, Task} from '../config/schema.js'
import {RoutingError} from '../errors.js'
import {roundTo} from '../round.js'
import {accountsForModel} from './accounts.js'
import {CLIENT_PATHS, providerServes, someAccountServes} from './endpoints.js'
import {type ModelInfo, modelInfo, roundUsd} from './model-info.js'
import {describeProviderTools, type ToolSupport, toolRunners, toolSupport} from './provider-tools.js'
import {listModels} from './resolve-model.js'
import {wildcard} from './wildcard.js'
import type {Candidate, Endpoint, ProviderPreferences, Requirements, ScoreComponents} from './schema.js'

/** Live latency and failure figures for a model (EWMA), as the gateway's metrics keep them. */
export interface LiveStats {
  latency_ms: number
  failure_rate: number
  samples: number
}

/** Where selection reads live stats from; `get` returns undefined for a model without traffic. */
export interface LiveStatsSource {
  get(model: string): LiveStats | undefined
}

/** Every weight and threshold of the ranking (see the module comment for the formula). */
export const SELECTION_WEIGHTS = {
  /** Multiplier of the model's quality (0–1). */
  quality: 0.5,
  /** Quality bonus when the request's task is in the model's `task_affinity`. */
  task_affinity: 0.08,
  /** Quality a model needs for each complexity (catalog scale: small models ~0.6, frontier ~0.93). */
  quality_needed: {low: 0.55, medium: 0.7, high: 0.82, xhigh: 0.9} as Record<Complexity, number>,
  /** Penalty per unit of quality below `quality_needed` (0.1 short costs 0.4). */
  shortfall: 4,
  /** Penalty per size class above what the complexity needs (frontier model on a low request). */
  tier_over: 0.03,
  /** Penalty per decade (10×) of estimated request cost above the cheapest candidate. */
  cost: 0.35,
  /** The cost penalty stops growing after this many decades. */
  cost_max_decades: 2,
  /** Costs are compared as (cost + floor): below a hundredth of a cent per request, price differences do not matter. */
  cost_floor_usd: 0.0001,
  /** Penalty per decade of latency above the fastest candidate. */
  latency: 0.1,
  /** Latencies are compared as at least this many milliseconds. */
  latency_floor_ms: 200,
  /** Penalty per unit of failure rate (a 50% failure rate costs 0.5). */
  failure: 1,
  /** Bonus per place ahead in the chain: keeps the profile's order unless the evidence is strong. */
  order_step: 0.3,
  /** Live stats replace the catalog priors once a model has this many samples. */
  live_min_samples: 20,
  /** Output tokens expected per complexity (a request's smaller max_tokens caps them). */
  assumed_output_tokens: {low: 300, medium: 700, high: 1500, xhigh: 3000} as Record<Complexity, number>,
  /** Reasons mention a failure rate above this. */
  failure_notice: 0.2,
  /** Reasons mention a cost ratio at or above this. */
  cost_notice: 2,
  /** Quality differences below this count as "similar quality" in reasons. */
  similar_quality: 0.05,
} as const

/** Size class of each model tier and the class each complexity needs. */
const TIER_LEVEL: Record<ModelTier, number> = {small: 0, medium: 1, large: 2, frontier: 3}
const COMPLEXITY_LEVEL: Record<Complexity, number> = {low: 0, medium: 1, high: 2, xhigh: 3}

/** Exclusion codes: what each means in a sentence (used in reasons and in error messages) and the fix. */
export const EXCLUSIONS = {
  not_allowed: {text: 'not in allowed_models', hint: 'Widen `allowed_models`, or drop it to let the router choose.'},
  provider_not_allowed: {text: 'provider not in provider.only', hint: 'Add the provider to `provider.only`.'},
  provider_ignored: {text: 'provider in provider.ignore', hint: 'Remove the provider from `provider.ignore`.'},
  not_a_chat_model: {
    text: 'not a chat model',
    hint: 'Send chat, responses and completions requests to a chat model.',
  },
  no_vision: {
    text: 'no vision (the request has images)',
    hint: 'Send images to a vision model: name one in `model`, or add one to task_routes.image or fallback_models.',
  },
  no_tools: {
    text: 'no tool calling (the request sets tools)',
    hint: 'Name a model that supports tools, or add one to the route or fallback_models.',
  },
  no_json_mode: {
    text: 'no JSON mode (the request sets response_format)',
    hint: 'Name a model with JSON mode, or drop `response_format`.',
  },
  no_embeddings: {
    text: 'not an embeddings model',
    hint: 'Name an embeddings model in `model` (e.g. openai/text-embedding-3-small) or add one to the profile.',
  },
  no_image_generation: {
    text: 'cannot generate images',
    hint: 'Name an image generation model in `model` (e.g. openai/gpt-image-1) or add one to the profile.',
  },
  no_reasoning: {
    text: 'no reasoning support (provider.require_parameters and the request sets reasoning)',
    hint: 'Drop `provider.require_parameters` or the reasoning parameters, or name a reasoning model.',
  },
  no_streaming: {
    text: 'no streaming (provider.require_parameters and the request streams)',
    hint: 'Drop `provider.require_parameters` or `stream`, or name a model that streams.',
  },
  unsupported_endpoint: {
    text: 'its provider does not serve this endpoint',
    hint: 'Send the request to /v1/chat/completions (every provider serves it), or route this endpoint to a model whose provider serves it (OpenAI and OpenAI-compatible servers serve every endpoint).',
  },
  hosted_tool: {
    text: "its provider cannot run the request's provider-specific tools",
    hint: 'Route the request to a model of a provider that runs the tool (add an account: `router provider login PROVIDER`), or drop the tool from `tools`; function tools work with every provider.',
  },
  over_max_price: {text: 'price above provider.max_price', hint: 'Raise `provider.max_price` or drop it.'},
  context_too_small: {
    text: 'context window too small for the request',
    hint: 'Shorten the request, or route long requests to a model with a larger context window.',
  },
  max_output_too_small: {
    text: 'max output below the requested output tokens',
    hint: 'Lower `max_tokens` (or `max_completion_tokens`/`max_output_tokens`).',
  },
  no_account: {
    text: 'no enabled account serves it',
    hint: "Add an account for the model's provider (`router provider login PROVIDER`), enable a disabled one, or list the model in an account's `models`.",
  },
  fallbacks_disabled: {text: 'not tried: provider.allow_fallbacks is false', hint: ''},
} as const satisfies Record<string, {text: string; hint: string}>
export type ExclusionCode = keyof typeof EXCLUSIONS

/** One entry of the chain to select from. */
export interface ChainEntry {
  model: string
  source: Candidate['source']
}

/** What selection needs to know about the request. */
export interface SelectionInput {
  config: RuntimeConfig
  chain: readonly ChainEntry[]
  endpoint: Endpoint
  task: Task
  complexity: Complexity
  requirements: Requirements
  /** Whether the request sets reasoning parameters (`reasoning_effort`, `reasoning`). */
  reasoning: boolean
  /** The request's tool types that only some providers run (`providerToolTypes`). */
  providerTools?: readonly string[]
  preferences?: ProviderPreferences
  allowedModels?: readonly string[]
  stats?: LiveStatsSource
  /** Keep the chain's order (the client named the models). */
  explicit: boolean
  /** Skip the `no_account` constraint (dry runs against a profile with no accounts). */
  ignoreAccounts?: boolean
}

/** The ranked chain: every candidate (kept and excluded), the winner, and the rest of the chain in try order. */
export interface Selection {
  candidates: Candidate[]
  selected: string
  fallbacks: string[]
}

/** Capabilities the request cannot do without, the exclusion code for lacking each, and why it is needed. */
const REQUIRED_CAPABILITIES: ReadonlyArray<[keyof Requirements, Capability, ExclusionCode, string]> = [
  ['vision', 'vision', 'no_vision', 'the request has images'],
  ['tools', 'tools', 'no_tools', 'the request sets tools'],
  ['json_mode', 'json_mode', 'no_json_mode', 'the request sets response_format'],
  ['embeddings', 'embeddings', 'no_embeddings', 'an embeddings request'],
  ['image_generation', 'image_generation', 'no_image_generation', 'an image generation request'],
]

/**
 * Sizes a model that nobody describes is taken to hold without question (`DEFAULT_MODEL_METADATA`): a request within
 * them passes an unknown context window or output limit silently; a larger one is let through, marked unknown and
 * ranked below the models known to hold it.
 */
const ASSUMED_CONTEXT = DEFAULT_MODEL_METADATA.context_window
const ASSUMED_MAX_OUTPUT = DEFAULT_MODEL_METADATA.max_output_tokens

const NONE: readonly string[] = Object.freeze([])

/** Endpoints served by chat-style models. */
const CHAT_ENDPOINTS: ReadonlySet<Endpoint> = new Set(['chat.completions', 'responses', 'completions', 'messages'])

interface Working {
  entry: ChainEntry
  info: ModelInfo
  provider: string | null
  codes: ExclusionCode[]
  reasons: string[]
  /** Figures a constraint needed but nobody gave: the candidate was let through and ranks below the others. */
  unverified: readonly string[]
  /** Index among kept candidates, in chain order. */
  place: number
  cost: number
  latency: number
  latencyLive: boolean
  latencyKnown: boolean
  failure: number
  failureLive: boolean
  failureKnown: boolean
  failureSamples: number
  /** Quality with the task affinity bonus, and how far it falls below what the complexity needs. */
  quality: number
  shortfall: number
  components: ScoreComponents | null
  score: number
  /** Sort keys of `rank`: the provider.order group (doubled, plus one when `unverified`), then price or latency. */
  group: number
  sortKey: number
  rank: number | null
}

/** Applies the hard constraints and ranks what remains; throws `no_candidates` or `no_account` when nothing does. */
export function selectCandidates(input: SelectionInput): Selection {
  const work = input.chain.map((entry) => constrain(input, entry))
  const kept = work.filter((w) => w.codes.length === 0)
  if (kept.length === 0) throw nothingLeft(input, work)

  kept.forEach((w, place) => (w.place = place))
  score(input, kept)
  const ranked = rank(input, kept)
  explain(input, ranked)

  if (input.preferences?.allow_fallbacks === false) {
    for (const w of ranked.slice(1)) {
      w.codes.push('fallbacks_disabled')
      w.reasons.unshift(EXCLUSIONS.fallbacks_disabled.text)
      w.rank = null
    }
  }
  const tried = input.preferences?.allow_fallbacks === false ? ranked.slice(0, 1) : ranked
  return {
    candidates: work.map(toCandidate),
    selected: tried[0].entry.model,
    fallbacks: tried.slice(1).map((w) => w.entry.model),
  }
}

function constrain(input: SelectionInput, entry: ChainEntry): Working {
  const {config, requirements, preferences} = input
  const info = modelInfo(config, entry.model)
  const accounts = accountsForModel(config, entry.model)
  const provider = info.provider || accounts[0]?.provider || null
  const w: Working = {
    entry,
    info,
    provider,
    codes: [],
    reasons: [],
    unverified: NONE,
    place: -1,
    cost: 0,
    latency: 0,
    latencyLive: false,
    latencyKnown: false,
    failure: 0,
    failureLive: false,
    failureKnown: false,
    failureSamples: 0,
    quality: 0,
    shortfall: 0,
    components: null,
    score: 0,
    group: 0,
    sortKey: 0,
    rank: null,
  }
  const exclude = (code: ExclusionCode, reason: string = EXCLUSIONS[code].text) => {
    w.codes.push(code)
    w.reasons.push(reason)
  }

  if (input.allowedModels && !matchesAny(input.allowedModels, entry.model, info.id)) {
    exclude('not_allowed', `not in allowed_models (${input.allowedModels.join(', ')})`)
  }
  if (preferences?.only && !includesName(preferences.only, provider)) {
    exclude(
      'provider_not_allowed',
      `provider ${provider ?? 'unknown'} not in provider.only (${preferences.only.join(', ')})`,
    )
  }
  if (preferences?.ignore && includesName(preferences.ignore, provider)) {
    exclude('provider_ignored', `provider ${provider} is in provider.ignore`)
  }

  const capabilities = info.capability_set
  const knowsCapabilities = info.known.capabilities
  if (
    knowsCapabilities &&
    CHAT_ENDPOINTS.has(input.endpoint) &&
    !capabilities.has('streaming') &&
    !capabilities.has('tools') &&
    (capabilities.has('embeddings') || capabilities.has('image_generation'))
  ) {
    exclude(
      'not_a_chat_model',
      capabilities.has('embeddings') ? 'embeddings model, not a chat model' : 'image model, not a chat model',
    )
  }
  for (const [need, capability, code, why] of REQUIRED_CAPABILITIES) {
    if (!requirements[need]) continue
    if (!knowsCapabilities) unverified(w, capability, `${CAPABILITY_NAMES[capability]} unknown (${why})`)
    else if (!capabilities.has(capability)) exclude(code)
  }
  // The accounts decide (an `openai/…` model may be served by an API account and a ChatGPT one); with none, the
  // model's provider stands in.
  if (
    accounts.length > 0
      ? !someAccountServes(accounts, input.endpoint)
      : provider !== null && !providerServes(provider, input.endpoint)
  ) {
    exclude('unsupported_endpoint', `${servingProviders(accounts, provider)} not serve ${CLIENT_PATHS[input.endpoint]}`)
  }
  const tools = input.providerTools ?? []
  if (tools.length > 0) {
    const support = bestToolSupport(accounts, provider, input.endpoint)
    if (support === 'cannot') {
      exclude(
        'hosted_tool',
        `${describeProviderTools(tools, input.endpoint)}: only ${toolRunners(input.endpoint)} accounts run ${tools.length === 1 ? 'it' : 'them'}`,
      )
    } else if (support === 'unknown') {
      unverified(
        w,
        'provider_tools',
        `whether ${provider ?? 'its provider'} runs ${describeProviderTools(tools, input.endpoint)} is unknown`,
      )
    }
  }
  if (preferences?.require_parameters) {
    if (input.reasoning) {
      if (!knowsCapabilities) unverified(w, 'reasoning', 'reasoning support unknown (provider.require_parameters)')
      else if (!capabilities.has('reasoning')) exclude('no_reasoning')
    }
    if (requirements.streaming) {
      if (!knowsCapabilities) unverified(w, 'streaming', 'streaming support unknown (provider.require_parameters)')
      else if (!capabilities.has('streaming')) exclude('no_streaming')
    }
  }

  const maxPrice = preferences?.max_price
  if (maxPrice && !info.known.price) unverified(w, 'price', 'price unknown (provider.max_price)')
  else if (maxPrice) {
    const prompt = info.cost_input_per_1k * 1000
    const completion = info.cost_output_per_1k * 1000
    if (maxPrice.prompt !== undefined && prompt > maxPrice.prompt) {
      exclude(
        'over_max_price',
        `input price $${roundTo(prompt, 3)}/M above provider.max_price.prompt $${maxPrice.prompt}/M`,
      )
    } else if (maxPrice.completion !== undefined && completion > maxPrice.completion) {
      exclude(
        'over_max_price',
        `output price $${roundTo(completion, 3)}/M above provider.max_price.completion $${maxPrice.completion}/M`,
      )
    }
  }

  const output = requirements.output_tokens ?? 0
  const needed = requirements.input_tokens + output
  if (!info.known.context_window) {
    if (needed > ASSUMED_CONTEXT)
      unverified(w, 'context_window', `context window unknown (the request needs ~${tokens(needed)} tokens)`)
  } else if (needed > info.context_window) {
    exclude('context_too_small', `needs ~${tokens(needed)} tokens, context window ${tokens(info.context_window)}`)
  }
  if (requirements.output_tokens !== null) {
    if (!info.known.max_output_tokens) {
      if (requirements.output_tokens > ASSUMED_MAX_OUTPUT) {
        unverified(
          w,
          'max_output_tokens',
          `max output unknown (the request asks for ${tokens(requirements.output_tokens)} tokens)`,
        )
      }
    } else if (requirements.output_tokens > info.max_output_tokens) {
      exclude(
        'max_output_too_small',
        `asks for ${tokens(requirements.output_tokens)} output tokens, model max ${tokens(info.max_output_tokens)}`,
      )
    }
  }
  if (!input.ignoreAccounts && accounts.length === 0) exclude('no_account')
  return w
}

/** How a capability is named in reasons. */
const CAPABILITY_NAMES: Record<Capability, string> = {
  vision: 'vision support',
  tools: 'tool support',
  reasoning: 'reasoning support',
  json_mode: 'JSON mode support',
  streaming: 'streaming support',
  embeddings: 'embeddings support',
  image_generation: 'image generation support',
}

/** The best tool support among the candidate's accounts (any one that runs the tools will be tried); else its provider's. */
/** A figure nobody gave never excludes: the candidate is let through, ranked below those known to fit. */
function unverified(w: Working, figure: string, reason: string): void {
  w.unverified = [...w.unverified, figure]
  w.reasons.push(reason)
}

function bestToolSupport(accounts: readonly Account[], provider: string | null, endpoint: Endpoint): ToolSupport {
  if (accounts.length === 0) return provider === null ? 'unknown' : toolSupport(provider, endpoint)
  let best: ToolSupport = 'cannot'
  for (const account of accounts) {
    const support = toolSupport(account.provider, endpoint)
    if (support === 'runs') return 'runs'
    if (support === 'unknown') best = 'unknown'
  }
  return best
}

/** `openai does` / `anthropic and gemini do`: the providers of `accounts` (else `provider`), for a sentence. */
function servingProviders(accounts: readonly Account[], provider: string | null): string {
  const names =
    accounts.length > 0 ? [...new Set(accounts.map((account) => account.provider))] : [provider ?? 'unknown']
  return `${names.join(' and ')} ${names.length === 1 ? 'does' : 'do'}`
}

/**
 * Scores the kept candidates. A figure nobody gave (see `ModelInfo.known`) is neutral, so that the score reorders a
 * route only on figures someone gave: an unknown quality counts as exactly what the complexity needs (no bonus, no
 * shortfall), an unknown tier costs nothing, and an unknown price, latency or failure rate adds nothing. The cheapest
 * candidate whose price and quality are both known sets the cost scale: being cheap is evidence only for a model
 * known to be good enough, and no candidate gains from being cheaper than that.
 */
function score(input: SelectionInput, kept: Working[]): void {
  const weights = SELECTION_WEIGHTS
  const {requirements, complexity, task, stats} = input
  // A request's max_tokens is a cap, not a forecast: agents send 8 192 or more on every turn and get a few hundred. The
  // answer is expected at the complexity's assumed length, or at the cap when that is smaller.
  const outputTokens = requirements.embeddings
    ? 0
    : Math.min(requirements.output_tokens ?? Infinity, weights.assumed_output_tokens[complexity])
  let minCost = Infinity
  let minLatency = Infinity
  for (const w of kept) {
    const {info} = w
    w.cost =
      (requirements.input_tokens / 1000) * info.cost_input_per_1k + (outputTokens / 1000) * info.cost_output_per_1k
    if (info.known.price && info.known.quality && w.cost < minCost) minCost = w.cost
    const live = stats?.get(w.entry.model)
    if (live && live.samples >= weights.live_min_samples) {
      w.latency = live.latency_ms
      w.latencyLive = true
      w.failure = live.failure_rate
      w.failureLive = true
      w.failureSamples = live.samples
    } else {
      w.latency = info.latency_ms
      w.failure = info.failure_rate
    }
    w.latencyKnown = w.latencyLive || info.known.latency
    w.failureKnown = w.failureLive || info.known.failure_rate
    if (w.latencyKnown && w.latency < minLatency) minLatency = w.latency
  }

  const need = COMPLEXITY_LEVEL[complexity]
  const needed = weights.quality_needed[complexity]
  const last = kept.length - 1
  const floor = weights.cost_floor_usd
  const latencyFloor = weights.latency_floor_ms
  for (const w of kept) {
    const {info} = w
    const quality = info.known.quality
      ? info.quality + (info.task_affinity.includes(task) ? weights.task_affinity : 0)
      : needed
    w.quality = quality
    // Rounded so that float noise (0.82 + 0.08 vs 0.9) is not a shortfall.
    w.shortfall = Math.max(0, roundTo(needed - quality, 3))
    const overkill = info.known.tier ? Math.max(0, TIER_LEVEL[info.tier] - need) : 0
    // Decades (powers of ten) above the reference; never below it: no candidate gains from being cheaper or faster.
    const decades =
      info.known.price && minCost !== Infinity
        ? Math.min(weights.cost_max_decades, Math.max(0, Math.log10((w.cost + floor) / (minCost + floor))))
        : 0
    const latencyDecades =
      w.latencyKnown && minLatency !== Infinity
        ? Math.max(0, Math.log10(Math.max(w.latency, latencyFloor) / Math.max(minLatency, latencyFloor)))
        : 0
    const components: ScoreComponents = {
      quality: roundTo(weights.quality * quality - weights.shortfall * w.shortfall - weights.tier_over * overkill, 3),
      cost: roundTo(-weights.cost * decades, 3),
      latency: roundTo(-weights.latency * latencyDecades, 3),
      failure: w.failureKnown ? roundTo(-weights.failure * w.failure, 3) : 0,
      order: roundTo(weights.order_step * (last - w.place), 3),
    }
    w.components = components
    w.score = roundTo(
      components.quality + components.cost + components.latency + components.failure + components.order,
      3,
    )
  }
}

function rank(input: SelectionInput, kept: Working[]): Working[] {
  const preferences = input.preferences
  const ranked = [...kept]
  if (!input.explicit) {
    const preferred = preferences?.order?.map((name) => name.toLowerCase())
    const group = (w: Working) => {
      if (!preferred) return 0
      const at = w.provider === null ? -1 : preferred.indexOf(w.provider.toLowerCase())
      return at === -1 ? preferred.length : at
    }
    const sort = preferences?.sort
    for (const w of ranked) {
      // Candidates let through on a figure nobody gave come after those known to fit.
      w.group = group(w) * 2 + (w.unverified.length > 0 ? 1 : 0)
      // An unknown price or latency sorts last.
      w.sortKey =
        sort === 'price' ? (w.info.known.price ? w.cost : Infinity) : sort ? (w.latencyKnown ? w.latency : Infinity) : 0
    }
    ranked.sort((a, b) => a.group - b.group || compare(a.sortKey, b.sortKey) || b.score - a.score || a.place - b.place)
  }
  ranked.forEach((w, i) => (w.rank = i + 1))
  return ranked
}

/** `a - b` for sort keys that may both be Infinity. */
function compare(a: number, b: number): number {
  return a === b ? 0 : a - b
}

/** Writes each kept candidate's reasons: why it sits where it does, then the notable facts behind its score. */
function explain(input: SelectionInput, ranked: Working[]): void {
  const weights = SELECTION_WEIGHTS
  const preferences = input.preferences
  let cheapest = Infinity
  for (const w of ranked) if (w.info.known.price && w.cost < cheapest) cheapest = w.cost
  for (const w of ranked) {
    const reasons = w.reasons
    if (input.explicit) {
      reasons.push(w.place === 0 ? 'requested by the client' : `requested by the client (#${w.place + 1} in models)`)
    } else {
      // With provider.order, the provider decides first: evidence between candidates would not explain the rank.
      if (preferences?.order) {
        reasons.push(
          includesName(preferences.order, w.provider)
            ? `preferred provider ${w.provider} (provider.order)`
            : `provider ${w.provider ?? 'unknown'} not in provider.order`,
        )
      }
      if (preferences?.sort) reasons.push(sortReason(preferences.sort, w))
      else if (!preferences?.order) reasons.push(placeReason(w, ranked))
    }
    const info = w.info
    if (w.failureKnown && w.failure > weights.failure_notice) {
      reasons.push(
        `failure rate ${percent(w.failure)} (${w.failureLive ? `live, ${w.failureSamples} samples` : 'prior'}) > ${percent(weights.failure_notice)}`,
      )
    }
    if (info.known.price && cheapest > 0 && cheapest !== Infinity && w.cost > cheapest * weights.cost_notice) {
      reasons.push(`est. cost ${costRatio(w.cost, cheapest)} the cheapest candidate`)
    }
    const a = article(input.complexity)
    if (w.shortfall > 0) {
      reasons.push(
        `quality ${w.quality.toFixed(2)} below the ${weights.quality_needed[input.complexity]} ${a} ${input.complexity} request needs`,
      )
    }
    if (info.known.tier && TIER_LEVEL[info.tier] - COMPLEXITY_LEVEL[input.complexity] >= 2) {
      reasons.push(`${info.tier} model is more than ${a} ${input.complexity} request needs`)
    }
    if (info.known.quality && info.task_affinity.includes(input.task)) reasons.push(`strong at ${input.task}`)
    const unscored = unscoredFigures(w)
    if (unscored.length > 0) reasons.push(`${figureList(unscored)} unknown: neutral in the score`)
  }
}

/** The score's figures that nobody gave for a kept candidate: `quality`, `price`, `latency`, `failure_rate`. */
function unscoredFigures(w: Working): readonly string[] {
  const known = w.info.known
  if (known.quality && known.price && w.latencyKnown && w.failureKnown) return NONE
  const figures: string[] = []
  if (!known.quality) figures.push('quality')
  if (!known.price) figures.push('price')
  if (!w.latencyKnown) figures.push('latency')
  if (!w.failureKnown) figures.push('failure_rate')
  return figures
}
/** How reasons name the figures of `Candidate.unknown` that are not capabilities. */
const FIGURE_NAMES: Readonly<Record<string, string>> = {
  failure_rate: 'failure rate',
  context_window: 'context window',
  max_output_tokens: 'max output',
  provider_tools: 'tool support',
}

function figureList(figures: readonly string[]): string {
  return figures.map((figure) => FIGURE_NAMES[figure] ?? CAPABILITY_NAMES[figure as Capability] ?? figure).join(', ')
}

function sortReason(sort: NonNullable<ProviderPreferences['sort']>, w: Working): string {
  if (sort === 'price')
    return w.info.known.price ? `sorted by price: est. $${usd(w.cost)}` : 'sorted by price: price unknown, sorts last'
  if (!w.latencyKnown) return `sorted by ${sort === 'latency' ? 'latency' : 'throughput'}: latency unknown, sorts last`
  const latency = `${seconds(w.latency)}${w.latencyLive ? ' (live)' : ''}`
  return sort === 'latency'
    ? `sorted by latency: ${latency}`
    : `sorted by throughput (lowest latency stands in): ${latency}`
}

/** Why a candidate's rank differs from (or keeps) its place in the chain, naming the evidence. */
function placeReason(w: Working, ranked: Working[]): string {
  const rank = (w.rank ?? 0) - 1
  if (rank === w.place) return w.place === 0 ? 'kept route order' : `kept route order (#${w.place + 1})`
  if (rank < w.place) {
    // Moved up: name the earliest candidate it overtook and what made the difference.
    const overtaken = ranked.filter((other) => other.place < w.place && (other.rank ?? 0) > (w.rank ?? 0))
    const other = overtaken.reduce((a, b) => (b.place < a.place ? b : a))
    return `ranked above ${other.entry.model} (#${other.place + 1} in route): ${
      doubtOver(other, w) ? `its ${figureList(other.unverified)} unknown` : evidence(w, other)
    }`
  }
  const overtakers = ranked.filter((other) => other.place > w.place && (other.rank ?? 0) < (w.rank ?? 0))
  const other = overtakers.reduce((a, b) => ((b.rank ?? 0) < (a.rank ?? 0) ? b : a))
  return doubtOver(w, other)
    ? `moved below the models known to serve this request: ${figureList(w.unverified)} unknown`
    : `moved below ${other.entry.model}: ${evidence(other, w)}`
}

/** Whether `doubted` ranks below `other` because a constraint could not check it and checked `other`. */
function doubtOver(doubted: Working, other: Working): boolean {
  return doubted.unverified.length > 0 && other.unverified.length === 0
}

/** The component that most favours `winner` over `loser`, in words. */
function evidence(winner: Working, loser: Working): string {
  const a = winner.components!
  const b = loser.components!
  const gains: Array<[keyof ScoreComponents, number]> = [
    ['failure', a.failure - b.failure],
    ['cost', a.cost - b.cost],
    ['quality', a.quality - b.quality],
    ['latency', a.latency - b.latency],
  ]
  const [component] = gains.reduce((best, next) => (next[1] > best[1] ? next : best))
  const weights = SELECTION_WEIGHTS
  const similar = Math.abs(winner.quality - loser.quality) < weights.similar_quality
  switch (component) {
    case 'failure':
      return `failure rate ${percent(loser.failure)}${loser.failureLive ? ' (live)' : ''} vs ${percent(winner.failure)}`
    case 'cost':
      if (!winner.info.known.price) return `est. $${usd(loser.cost)} vs an unknown price`
      return winner.cost > 0
        ? `${costRatio(loser.cost, winner.cost)} cheaper${similar ? ' for similar quality' : ''}`
        : `free (vs est. $${usd(loser.cost)})`
    case 'quality':
      return `better fit: quality ${winner.quality.toFixed(2)} vs ${loser.quality.toFixed(2)}`
    case 'latency':
      return `faster (${seconds(winner.latency)} vs ${seconds(loser.latency)})`
    default:
      return 'higher score'
  }
}

function nothingLeft(input: SelectionInput, work: Working[]): RoutingError {
  const onlyAccount = work.filter((w) => w.codes.length === 1 && w.codes[0] === 'no_account')
  if (onlyAccount.length > 0) {
    const models = onlyAccount.map((w) => w.entry.model)
    return new RoutingError(
      'no_account',
      `No enabled account serves ${models.length === 1 ? models[0] : `any of ${listModels(models, 6)}`}.`,
      {hint: EXCLUSIONS.no_account.hint},
    )
  }
  const groups = new Map<ExclusionCode, Working[]>()
  for (const w of work) {
    const code = w.codes[0]
    const list = groups.get(code)
    if (list) list.push(w)
    else groups.set(code, [w])
  }
  const [first] = groups.keys()
  // A group whose models share their reason says it (it names the tool, the limit…); else the code's sentence.
  const groupText = (code: ExclusionCode, members: Working[]) => {
    const reason = members[0].reasons[0]
    return members.every((w) => w.reasons[0] === reason) ? reason : EXCLUSIONS[code].text
  }
  const message =
    work.length === 1
      ? `${input.explicit ? `Model ${work[0].entry.model}` : `The only candidate, ${work[0].entry.model},`} cannot serve this request: ${work[0].reasons.join('; ')}.`
      : `${input.explicit ? 'None of the requested models' : 'No model'} can serve this request: ${[...groups]
          .map(
            ([code, members]) =>
              `${listModels(
                members.map((w) => w.entry.model),
                6,
              )}: ${groupText(code, members)}`,
          )
          .join('; ')}.`
  return new RoutingError('no_candidates', message, {
    hint: EXCLUSIONS[first].hint,
    param: PARAM_OF[first] ?? (input.explicit ? 'model' : undefined),
  })
}

/** The request field to blame when every candidate fell to one of these constraints. */
const PARAM_OF: Partial<Record<ExclusionCode, string>> = {
  not_allowed: 'allowed_models',
  provider_not_allowed: 'provider',
  provider_ignored: 'provider',
  hosted_tool: 'tools',
}

/** Every figure the decision needed but nobody gave: the constraints' (`unverified`), then the score's. */
function unknownFigures(w: Working): string[] {
  const scored = w.components === null ? NONE : unscoredFigures(w)
  return w.unverified.length === 0 && scored.length === 0 ? [] : [...w.unverified, ...scored]
}

function toCandidate(w: Working): Candidate {
  const excluded = w.codes.length > 0
  return {
    model: w.entry.model,
    provider: w.provider,
    source: w.entry.source,
    rank: excluded ? null : w.rank,
    score: w.components ? w.score : null,
    components: w.components,
    est_cost_usd: w.components && w.info.known.price ? roundUsd(w.cost) : null,
    excluded,
    exclusion: excluded ? w.codes[0] : null,
    reasons: w.reasons,
    unknown: unknownFigures(w),
  }
}

/** Whether `key` (or its bare `id`, for patterns without a provider) matches one of the `*` patterns. */
export function matchesAny(patterns: readonly string[], key: string, id: string): boolean {
  for (const pattern of patterns) {
    const target = pattern.includes('/') ? key : id
    if (wildcard(pattern, target) || (target !== key && wildcard(pattern, key))) return true
  }
  return false
}

function includesName(names: readonly string[], name: string | null): boolean {
  if (name === null) return false
  const lower = name.toLowerCase()
  return names.some((candidate) => candidate.toLowerCase() === lower)
}

/** `an xhigh`, `a high`. */
function article(complexity: Complexity): string {
  return complexity === 'xhigh' ? 'an' : 'a'
}

function percent(rate: number): string {
  return `${Math.round(rate * 100)}%`
}

function tokens(count: number): string {
  return count >= 10_000 ? `${Math.round(count / 1000)}k` : String(count)
}

/** A USD amount for a reason: three decimals from a cent up, two significant digits below. */
export function usd(value: number): string {
  return value >= 0.01 ? value.toFixed(3) : value.toPrecision(2)
}

/** `3.1×` (`lower` is never 0 here: a free model's evidence is worded apart). */
function costRatio(higher: number, lower: number): string {
  return `${(higher / lower).toFixed(1)}×`
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`
}
