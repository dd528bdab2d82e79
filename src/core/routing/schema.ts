/**
 * Schemas of the routing engine's output. `RoutingDecision` is what `route explain --json` prints, what the gateway
 * acts on, and (in compact form) what the `route_decision` audit event carries.
 */
import {z} from 'zod'

import {ComplexitySchema, TaskSchema, TierKeySchema} from '../config/schema.js'

/**
 * Endpoints the router understands: OpenAI's, and Anthropic's Messages API (`messages`, `POST /v1/messages`);
 * anything else under `/v1/` is `passthrough`.
 */
export const EndpointSchema = z.enum([
  'chat.completions',
  'responses',
  'completions',
  'embeddings',
  'images.generations',
  'messages',
  'passthrough',
])
export type Endpoint = z.infer<typeof EndpointSchema>

/** One piece of evidence the classifier weighed. */
export const SignalSchema = z.strictObject({
  /** Stable identifier, e.g. `code_fence`, `math_word_problem`, `reasoning_effort`. */
  name: z.string(),
  /** What the signal pushes: a task, or the complexity score. */
  target: z.union([TaskSchema, z.literal('complexity')]),
  /** Contribution to that target's score (may be negative). */
  weight: z.number(),
  /** Short human text: what was seen (`"```python" fence, 14 lines`). Never more than a few words of the prompt. */
  detail: z.string().optional(),
})
export type Signal = z.infer<typeof SignalSchema>

/** What the request needs from a model, derived from its shape (not its text). */
export const RequirementsSchema = z.strictObject({
  vision: z.boolean(),
  tools: z.boolean(),
  json_mode: z.boolean(),
  streaming: z.boolean(),
  embeddings: z.boolean(),
  image_generation: z.boolean(),
  /** Estimated prompt tokens (characters / 4, rounded up, plus per-message overhead). */
  input_tokens: z.number().int().nonnegative(),
  /** Requested output tokens (`max_tokens`, `max_completion_tokens`, `max_output_tokens`), if any. */
  output_tokens: z.number().int().nonnegative().nullable(),
})
export type Requirements = z.infer<typeof RequirementsSchema>

/** The classifier's verdict on one request. */
export const ClassificationSchema = z.strictObject({
  task: TaskSchema,
  complexity: ComplexitySchema,
  /** Score behind the complexity tier (0 and up; the tier thresholds are documented next to the classifier). */
  complexity_score: z.number(),
  /** 0–1: how clearly the winning task beat the runner-up. */
  confidence: z.number().min(0).max(1),
  signals: z.array(SignalSchema),
  requirements: RequirementsSchema,
})
export type Classification = z.infer<typeof ClassificationSchema>

/** Parts of a candidate's utility score, so that a rank can be explained. */
export const ScoreComponentsSchema = z.strictObject({
  quality: z.number(),
  cost: z.number(),
  latency: z.number(),
  failure: z.number(),
  /** Bonus for the position in the profile's route (keeps the profile's order unless evidence is strong). */
  order: z.number(),
})
export type ScoreComponents = z.infer<typeof ScoreComponentsSchema>

/** A model considered for the request, kept or excluded, with why. */
export const CandidateSchema = z.strictObject({
  model: z.string(),
  provider: z.string().nullable(),
  /** Where it came from: the task route, the profile's fallbacks, or the request itself. */
  source: z.enum(['route', 'fallback', 'default', 'request']),
  /** 1-based rank among kept candidates; null when excluded. */
  rank: z.number().int().positive().nullable(),
  score: z.number().nullable(),
  components: ScoreComponentsSchema.nullable(),
  /**
   * Estimated cost of this request on this model in USD, which the `cost` component compares: the estimated input
   * tokens plus the requested (or, by complexity, assumed) output tokens at the model's prices. Null when excluded
   * or when nobody gave its price.
   */
  est_cost_usd: z.number().nonnegative().nullable(),
  excluded: z.boolean(),
  /** Machine code of the exclusion, e.g. `no_vision`, `context_too_small`, `not_allowed`, `no_account`. */
  exclusion: z.string().nullable(),
  /** Human reasons, for the rank or the exclusion. */
  reasons: z.array(z.string()),
  /**
   * Figures the decision needed but nobody gave (neither the config nor the catalog), which therefore neither
   * excluded the candidate nor moved it: a constraint's (`context_window`, `max_output_tokens`, a capability such as
   * `tools` or `embeddings`, `price`, `provider_tools`), which ranks it below the candidates known to fit, and the
   * score's (`quality`, `price`, `latency`, `failure_rate`), which count as neutral.
   */
  unknown: z.array(z.string()),
})
export type Candidate = z.infer<typeof CandidateSchema>

/** A `model_aliases` entry applied to the client's model name: the pattern that matched and its target. */
export const ModelAliasUseSchema = z.strictObject({
  pattern: z.string(),
  /** A model key, or `auto`. */
  target: z.string(),
})
export type ModelAliasUse = z.infer<typeof ModelAliasUseSchema>

/** What told the gateway which conversation a request belongs to (see `sessionKeyOf`). */
export const SessionSourceSchema = z.enum(['header', 'claude_code', 'codex', 'prompt_cache_key', 'user', 'prefix'])
export type SessionSource = z.infer<typeof SessionSourceSchema>

/**
 * What session affinity did for a turn: `new` (the first turn seen), `stay` (kept on the session's model and account,
 * its cache warm), `move_up` (the turn needed more than the session's model: it moves up and stays up), `downgrade`
 * (allowed by the config, and cheaper by its margin with the cache's discount lost), `cold` (the cache has gone cold:
 * routed on its own), `unavailable` (the session's model cannot take this turn), `off` (affinity is turned off).
 */
export const AffinitySchema = z.enum(['new', 'stay', 'move_up', 'downgrade', 'cold', 'unavailable', 'off'])
export type Affinity = z.infer<typeof AffinitySchema>

/** What the gateway remembers of a conversation between its turns. */
export const SessionStateSchema = z.strictObject({
  /** The task and complexity the session is judged at: the highest seen (a turn never lowers it). */
  task: TaskSchema,
  complexity: ComplexitySchema,
  /** The model, account and provider that answered its last turn. */
  model: z.string(),
  account: z.string(),
  provider: z.string(),
  /** When that answer came (epoch ms): the provider's cache stays warm for its TTL after it. */
  answered_at: z.number(),
  /** Prompt tokens of the last turn: what the next turn resends, and what a warm cache holds. */
  prompt_tokens: z.number().int().nonnegative().nullable(),
  turns: z.number().int().nonnegative(),
})
export type SessionState = z.infer<typeof SessionStateSchema>

/** The session part of a decision. */
export const SessionDecisionSchema = z.strictObject({
  id: z.string(),
  source: SessionSourceSchema,
  affinity: AffinitySchema,
  /** The model that answered the session's last turn, if one did. */
  previous_model: z.string().nullable(),
  previous_account: z.string().nullable(),
  /**
   * The task of this turn on its own (a follow-up's decision takes the session's task). Absent from logs written before
   * it existed.
   */
  turn_task: TaskSchema.optional(),
  /** The complexity of this turn on its own (the decision's `complexity` is the session's). */
  turn_complexity: ComplexitySchema,
  /** A tool result or a "continue": the turn takes the session's task and complexity. */
  follow_up: z.boolean(),
  /** Until when the previous model's cache is warm (ISO), if there is one. */
  warm_until: z.string().nullable(),
  /**
   * This turn's estimated cost on the session's model with the prefix it resends read from the cache, and on the model
   * routing would pick otherwise, uncached. Null when a price is unknown or there is nothing to compare.
   */
  stay_cost_usd: z.number().nonnegative().nullable(),
  switch_cost_usd: z.number().nonnegative().nullable(),
})
export type SessionDecision = z.infer<typeof SessionDecisionSchema>

/** The routing engine's answer for one request, with its reasons. */
export const RoutingDecisionSchema = z.strictObject({
  /** `auto` when the router chose; `request` when the client named a model. */
  source: z.enum(['auto', 'request']),
  /** The `model` the client sent, as it sent it (`auto` included); null when it sent none. */
  requested_model: z.string().nullable(),
  /**
   * The `model_aliases` entry that mapped `requested_model`, a name the config does not know, to a model or to `auto`;
   * null when none did.
   */
  model_alias: ModelAliasUseSchema.nullable(),
  endpoint: EndpointSchema,
  task: TaskSchema,
  complexity: ComplexitySchema,
  complexity_score: z.number(),
  confidence: z.number(),
  selected_model: z.string(),
  /** The rest of the chain, in the order the gateway will try it. */
  fallback_models: z.array(z.string()),
  candidates: z.array(CandidateSchema),
  signals: z.array(SignalSchema),
  requirements: RequirementsSchema,
  /**
   * The request's tool types that only some providers run (OpenAI's hosted and built-in tools such as `web_search` or
   * `namespace`, Anthropic's server tools such as `web_search_20250305`): candidates whose provider cannot run them are
   * excluded (`hosted_tool`). Empty for most requests.
   */
  provider_tools: z.array(z.string()),
  /** Built-in profile (or `custom`) that the route came from, when known. */
  profile: z.string().nullable(),
  /** The route that was used: the task and tier after fallbacks, and its models. */
  route: z.strictObject({
    task: TaskSchema,
    tier: TierKeySchema,
    models: z.array(z.string()),
  }),
  /** The conversation this request belongs to, and what affinity did; null when none was recognised. */
  session: SessionDecisionSchema.nullable(),
  /** Time spent deciding, in milliseconds. */
  decision_ms: z.number().nonnegative(),
})
export type RoutingDecision = z.infer<typeof RoutingDecisionSchema>

/**
 * OpenRouter-style provider preferences (`provider: {…}` in a request body). The router consumes them; they are never
 * forwarded. Fields OpenRouter knows that the router does not use (`data_collection`, `quantizations`, …) are accepted
 * and ignored, so clients written for OpenRouter keep working.
 */
export const ProviderPreferencesSchema = z.object({
  /** Only these providers (names as in the catalog, e.g. `openai`, `anthropic`). */
  only: z.array(z.string().min(1)).optional(),
  /** Never these providers. */
  ignore: z.array(z.string().min(1)).optional(),
  /** Preferred providers, tried first in this order. */
  order: z.array(z.string().min(1)).optional(),
  /** Rank by this instead of the utility score. */
  sort: z.enum(['price', 'latency', 'throughput']).optional(),
  /** `false`: try the first candidate only. */
  allow_fallbacks: z.boolean().optional(),
  /** `true`: skip models that lack support for any parameter the request uses (streaming, reasoning too). */
  require_parameters: z.boolean().optional(),
  /** Price ceilings in US dollars per million tokens, as OpenRouter takes them. */
  max_price: z
    .object({prompt: z.number().nonnegative().optional(), completion: z.number().nonnegative().optional()})
    .optional(),
})
export type ProviderPreferences = z.infer<typeof ProviderPreferencesSchema>

/** The router's own request extension (`router: {…}`): force a task or a complexity, bypassing the classifier. */
export const RouterExtensionSchema = z.strictObject({
  task: TaskSchema.optional(),
  complexity: ComplexitySchema.optional(),
})
export type RouterExtension = z.infer<typeof RouterExtensionSchema>

/** Router-only fields of a request body, validated together (see `ROUTER_REQUEST_FIELDS`). */
export const RoutingRequestFieldsSchema = z.object({
  provider: ProviderPreferencesSchema.optional(),
  /** Model key patterns the request may be routed to; `*` matches any run of characters (`openai-codex/*`). */
  allowed_models: z.array(z.string().min(1)).optional(),
  /** OpenRouter-style explicit chain: models tried in order. */
  models: z.array(z.string().min(1)).optional(),
  router: RouterExtensionSchema.optional(),
})
export type RoutingRequestFields = z.infer<typeof RoutingRequestFieldsSchema>

/**
 * Token counts an upstream reported for one answer, in one normalisation for every protocol. `prompt_tokens` is every
 * prompt token, the cached ones included (OpenAI's meaning; for Anthropic `input_tokens` + `cache_read_input_tokens`
 * + `cache_creation_input_tokens`); `cached_tokens` of them were read from the provider's prompt cache and
 * `cache_write_tokens` written to it. Null where the upstream gave no count; the cache counts are absent from audit logs
 * written before they existed (read as null).
 */
export const TokenUsageSchema = z.strictObject({
  prompt_tokens: z.number().int().nullable(),
  completion_tokens: z.number().int().nullable(),
  cached_tokens: z.number().int().nonnegative().nullable().optional(),
  cache_write_tokens: z.number().int().nonnegative().nullable().optional(),
})
export type TokenUsage = z.infer<typeof TokenUsageSchema>
