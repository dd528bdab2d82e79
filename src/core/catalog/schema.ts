/**
 * Schemas of the built-in catalog: providers, models and routing profiles. The catalog is data
 * (`core/catalog/data/*.ts`), validated against these schemas by a test.
 */
import {z} from 'zod'

import {
  AuthModeSchema,
  CapabilitySchema,
  EndpointModelsSchema,
  ModelAliasesSchema,
  ModelTierSchema,
  TaskRouteSchema,
  TaskSchema,
} from '../config/schema.js'

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
})
export type Provider = z.infer<typeof ProviderSchema>

/** One model in the catalog, keyed by `provider/id`; every field is filled. */
export const CatalogModelSchema = z.strictObject({
  key: z.string().regex(/^[a-z0-9-]+\/.+$/),
  provider: z.string().min(1),
  id: z.string().min(1),
  aliases: z.array(z.string().min(1)),
  description: z.string(),
  cost_input_per_1k: z.number().nonnegative(),
  cost_output_per_1k: z.number().nonnegative(),
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
 * A built-in routing profile: a route table over catalog model references, plus fallbacks, the models that serve the
 * embeddings and image endpoints (one per provider, the compiler keeps those the accounts serve), and the client model
 * names it maps (`model_aliases`, see `ModelAliasesSchema`).
 */
export const BuiltinProfileSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string(),
  default_model: z.string().min(1),
  task_routes: z.partialRecord(TaskSchema, TaskRouteSchema),
  fallback_models: z.array(z.string().min(1)),
  endpoint_models: EndpointModelsSchema,
  model_aliases: ModelAliasesSchema,
})
export type BuiltinProfile = z.infer<typeof BuiltinProfileSchema>
