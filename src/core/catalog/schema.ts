/**
 * Schemas of the built-in catalog: providers, models and routing profiles. The catalog is data
 * (`core/catalog/data/*.ts`), validated against these schemas by a test. The vocabulary they use (tasks,
 * capabilities, tiers, auth modes, task routes) is defined here, and config documents use it too.
 */
import {z} from 'zod'

/** The kinds of work the classifier tells apart. */
export const TaskSchema = z.enum(['general', 'coding', 'thinking', 'instruction_following', 'image'])
export type Task = z.infer<typeof TaskSchema>
export const TASKS = TaskSchema.options

/** What a model can do; routing filters on these. */
export const CapabilitySchema = z.enum([
  'vision',
  'tools',
  'reasoning',
  'json_mode',
  'streaming',
  'embeddings',
  'image_generation',
])
export type Capability = z.infer<typeof CapabilitySchema>

/** Rough size class of a model, from a small cheap model to a frontier one. */
export const ModelTierSchema = z.enum(['small', 'medium', 'large', 'frontier'])
export type ModelTier = z.infer<typeof ModelTierSchema>

/** How an account authenticates upstream. */
export const AuthModeSchema = z.enum(['api_key', 'oauth', 'passthrough'])
export type AuthMode = z.infer<typeof AuthModeSchema>

/** A model list in a route: one key or a list of keys. Always a list once parsed. */
export const ModelRefListSchema = z
  .union([z.string().min(1), z.array(z.string().min(1))])
  .transform((value) => (typeof value === 'string' ? [value] : value))

/** Models for one task, per tier. Missing tiers fall back (see `core/config/routes.ts`). */
export const TaskRouteSchema = z.strictObject({
  low: ModelRefListSchema.optional(),
  medium: ModelRefListSchema.optional(),
  high: ModelRefListSchema.optional(),
  xhigh: ModelRefListSchema.optional(),
  default: ModelRefListSchema.optional(),
})
export type TaskRoute = z.infer<typeof TaskRouteSchema>

/**
 * Models for the endpoints that task routes do not serve, keyed by the capability the endpoint needs: `embeddings`
 * (`/v1/embeddings`) and `image_generation` (`/v1/images/generations`). `model: auto` on such an endpoint tries these
 * first, in order, then every other configured model with the capability.
 */
export const EndpointModelsSchema = z.strictObject({
  embeddings: ModelRefListSchema.optional(),
  image_generation: ModelRefListSchema.optional(),
})
export type EndpointModels = z.infer<typeof EndpointModelsSchema>

/**
 * Client model names the config does not know, mapped to a model or to `auto`: `{"claude-*": auto}`. Keys are
 * patterns in which `*` matches any run of characters (case is ignored); the first pattern that matches, in the order
 * written, wins. A name that names a configured model is served by that model and never looked up here.
 */
export const ModelAliasesSchema = z.record(z.string().min(1), z.string().min(1))
export type ModelAliases = z.infer<typeof ModelAliasesSchema>

/** Which wire protocol a provider speaks; the gateway keeps one adapter per protocol. */
export const AdapterKindSchema = z.enum(['openai', 'openai-codex', 'anthropic', 'gemini', 'github'])
export type AdapterKind = z.infer<typeof AdapterKindSchema>

/** One provider: where it lives and how to authenticate. */
export const ProviderSchema = z.strictObject({
  name: z.string().min(1),
  display_name: z.string().min(1),
  description: z.string(),
  /** Base URL, with its version segment where the provider has one (joined by `joinUpstreamUrl`). */
  base_url: z.string().url(),
  adapter: AdapterKindSchema,
  /** Auth modes the provider accepts; the first is the default for new accounts. */
  auth_modes: z.array(AuthModeSchema).min(1),
  /** Whether a credential is needed at all (`ollama` needs none). */
  requires_key: z.boolean(),
  /** Conventional environment variable for the key, suggested by `provider login`. */
  api_key_env: z.string().optional(),
  /** Path of the models endpoint, relative to `base_url`, used by `provider login --verify`. */
  models_path: z.string().default('/models'),
  /** Absolute models endpoint, for a provider whose model list is not under `base_url` (GitHub Models' catalog). */
  models_url: z.string().url().optional(),
  docs_url: z.string().url().optional(),
  /**
   * How long a cached prompt prefix stays warm at the provider after its last use, in seconds (session affinity keeps
   * a conversation on its model while it is); null when the provider has no prompt cache the router can count on.
   */
  cache_ttl_seconds: z.number().int().positive().nullable().default(null),
  /**
   * Default prices of the prompt cache as shares of a model's input price, for the models that do not state their own
   * (`cost_cached_input_per_1k`, `cost_cache_write_per_1k`): reads (`0.1`: a tenth of the input price) and writes (`1`:
   * no charge beyond the input price). 1 and 1 by default: no discount assumed.
   */
  cached_input_ratio: z.number().min(0).max(1).default(1),
  cache_write_ratio: z.number().nonnegative().default(1),
})
export type Provider = z.infer<typeof ProviderSchema>
/** A provider entry as written in the catalog data (fields with defaults may be left out). */
export type ProviderInput = z.input<typeof ProviderSchema>

/** One model in the catalog, keyed by `provider/id`; every field is filled. */
export const CatalogModelSchema = z.strictObject({
  key: z.string().regex(/^[a-z0-9-]+\/.+$/),
  provider: z.string().min(1),
  id: z.string().min(1),
  aliases: z.array(z.string().min(1)),
  description: z.string(),
  cost_input_per_1k: z.number().nonnegative(),
  cost_output_per_1k: z.number().nonnegative(),
  /**
   * Prompt tokens read from the provider's prompt cache, and written to it, in US dollars per 1000. A model entry may
   * leave them out: they are then its input price times its provider's `cached_input_ratio` and `cache_write_ratio`.
   */
  cost_cached_input_per_1k: z.number().nonnegative(),
  cost_cache_write_per_1k: z.number().nonnegative(),
  context_window: z.number().int().positive(),
  max_output_tokens: z.number().int().positive(),
  capabilities: z.array(CapabilitySchema),
  tier: ModelTierSchema,
  quality: z.number().min(0).max(1),
  task_affinity: z.array(TaskSchema),
  latency_ms: z.number().nonnegative(),
  failure_rate: z.number().min(0).max(1),
})
export type CatalogModel = z.infer<typeof CatalogModelSchema>

/**
 * A built-in profile's session policy: whether a warm session may move down to a cheaper model, and by what margin
 * (the config's `session.allow_downgrade` and `session.downgrade_margin`; a profile document's `session` overrides it).
 */
export const ProfileSessionPolicySchema = z.strictObject({
  allow_downgrade: z.boolean(),
  downgrade_margin: z.number().min(0).max(1),
})

/**
 * A built-in routing profile: a route table over catalog model references, plus fallbacks, the models that serve the
 * embeddings and image endpoints (one per provider, the compiler keeps those the accounts serve), the client model
 * names it maps (`model_aliases`, see `ModelAliasesSchema`), and its session policy (the config's defaults without one).
 */
export const BuiltinProfileSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string(),
  default_model: z.string().min(1),
  task_routes: z.partialRecord(TaskSchema, TaskRouteSchema),
  fallback_models: z.array(z.string().min(1)),
  endpoint_models: EndpointModelsSchema,
  model_aliases: ModelAliasesSchema,
  session: ProfileSessionPolicySchema.optional(),
})
export type BuiltinProfile = z.infer<typeof BuiltinProfileSchema>
