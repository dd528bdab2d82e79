/**
 * Configuration schemas: the single source of truth for the raw runtime config (`router.yaml`) and the short
 * profile (`router.profile.yaml`). Types are inferred from them; nothing else describes these documents.
 */
import {z} from 'zod'

import {defaultModelId} from '../catalog/model-key.js'
import {
  AuthModeSchema,
  CapabilitySchema,
  EndpointModelsSchema,
  ModelAliasesSchema,
  ModelTierSchema,
  TaskRouteSchema,
  TaskSchema,
} from '../catalog/schema.js'

// The vocabulary the config shares with the catalog is defined there (the config builds on the catalog); what the
// config's readers use most is offered here too.
export {
  TASKS,
  TaskSchema,
  EndpointModelsSchema,
  ModelAliasesSchema,
  type Capability,
  type EndpointModels,
  type ModelAliases,
  type ModelTier,
  type Task,
} from '../catalog/schema.js'

/** How capable a model a request needs. */
export const ComplexitySchema = z.enum(['low', 'medium', 'high', 'xhigh'])
export type Complexity = z.infer<typeof ComplexitySchema>
export const COMPLEXITIES = ComplexitySchema.options

/** Keys of a task route: the four complexities plus `default`. */
export const TierKeySchema = z.enum(['low', 'medium', 'high', 'xhigh', 'default'])
export type TierKey = z.infer<typeof TierKeySchema>

/**
 * Metadata of one model. Every field is optional in a document; the compiler fills what the catalog knows.
 * Costs are US dollars per 1000 tokens; `latency_ms` and `failure_rate` are priors that live metrics adjust.
 */
export const ModelMetadataSchema = z.strictObject({
  id: z.string().min(1).optional(),
  aliases: z.array(z.string().min(1)).optional(),
  description: z.string().optional(),
  cost_input_per_1k: z.number().nonnegative().optional(),
  cost_output_per_1k: z.number().nonnegative().optional(),
  /**
   * Prompt tokens read from the provider's prompt cache, and written to it, in US dollars per 1000. When left out:
   * the catalog's prices if the input price is the catalog's, else the input price at the catalog model's discount,
   * else at the provider's default ratios (`core/catalog` `cachePrices`).
   */
  cost_cached_input_per_1k: z.number().nonnegative().optional(),
  cost_cache_write_per_1k: z.number().nonnegative().optional(),
  context_window: z.number().int().positive().optional(),
  max_output_tokens: z.number().int().positive().optional(),
  capabilities: z.array(CapabilitySchema).optional(),
  tier: ModelTierSchema.optional(),
  /** General capability on a 0–1 scale; the utility score's quality term. */
  quality: z.number().min(0).max(1).optional(),
  /** Tasks the model is especially good at (a quality bonus for those tasks). */
  task_affinity: z.array(TaskSchema).optional(),
  latency_ms: z.number().nonnegative().optional(),
  failure_rate: z.number().min(0).max(1).optional(),
})
export type ModelMetadata = z.infer<typeof ModelMetadataSchema>

/** Fields shared by raw-config accounts and profile accounts (names as the Python original used them). */
const accountFields = {
  name: z.string().min(1),
  provider: z.string().min(1),
  enabled: z.boolean().default(true),
  auth_mode: AuthModeSchema.default('api_key'),
  api_key: z.string().min(1).optional(),
  api_key_env: z.string().min(1).optional(),
  /** Entry in the credentials file (`router provider login` writes it); defaults to the account name. */
  credential_ref: z.string().min(1).optional(),
  oauth_access_token: z.string().min(1).optional(),
  oauth_access_token_env: z.string().min(1).optional(),
  oauth_refresh_token: z.string().min(1).optional(),
  oauth_refresh_token_env: z.string().min(1).optional(),
  oauth_expires_at: z.number().int().optional(),
  oauth_expires_at_env: z.string().min(1).optional(),
  oauth_token_url: z.string().url().optional(),
  oauth_client_id: z.string().min(1).optional(),
  oauth_client_id_env: z.string().min(1).optional(),
  oauth_client_secret: z.string().min(1).optional(),
  oauth_client_secret_env: z.string().min(1).optional(),
  oauth_account_id: z.string().min(1).optional(),
  oauth_account_id_env: z.string().min(1).optional(),
  organization: z.string().min(1).optional(),
  project: z.string().min(1).optional(),
  /** Extra request headers sent to this account's upstream. */
  headers: z.record(z.string(), z.string()).optional(),
  /** Models this account serves (`provider/id` keys); empty means any model. */
  models: z.array(z.string().min(1)).default([]),
}

/** An upstream account in the raw runtime config. */
export const AccountSchema = z.strictObject({
  ...accountFields,
  base_url: z.string().url(),
})
export type Account = z.infer<typeof AccountSchema>

/** An account in a profile: like a raw account, but `base_url` comes from the catalog unless given. */
export const ProfileAccountSchema = z.strictObject({
  ...accountFields,
  base_url: z.string().url().optional(),
})
export type ProfileAccount = z.infer<typeof ProfileAccountSchema>

/** `models:` as a mapping keyed by `provider/modelId`, or a plain list of keys. */
export const ModelsMapSchema = z
  .union([z.array(z.string().min(1)), z.record(z.string().min(1), ModelMetadataSchema.nullable())])
  .transform((value): Record<string, ModelMetadata> => {
    const entries: Array<[string, ModelMetadata | null]> = Array.isArray(value)
      ? value.map((key) => [key, null])
      : Object.entries(value)
    return Object.fromEntries(entries.map(([key, meta]) => [key, {...meta, id: meta?.id ?? defaultModelId(key)}]))
  })

/**
 * Conversations (sessions): a session stays on the model and account that served it while that provider's prompt
 * cache is warm, moves up when a turn needs more and stays up, and is never moved down while warm unless
 * `allow_downgrade` says so (see docs/routing.md, "Sessions").
 */
export const SessionSettingsSchema = z.strictObject({
  affinity: z.boolean().default(true),
  /** A session not seen for this long is forgotten. */
  ttl_seconds: z.number().positive().default(3600),
  /** Sessions remembered at most; the least recently used is forgotten first. */
  max_sessions: z.number().int().positive().default(10_000),
  /** Whether a warm session may move to a model of a lower tier when a turn needs less. */
  allow_downgrade: z.boolean().default(false),
  /** With `allow_downgrade`: moving must cost at most (1 − margin) × staying, the cache's discount lost included. */
  downgrade_margin: z.number().min(0).max(1).default(0.3),
})
export type SessionSettings = z.infer<typeof SessionSettingsSchema>

/**
 * A profile document's `session`: only what it sets (no defaults), so that the rest comes from the built-in profile's
 * session policy, then from `SessionSettingsSchema`'s defaults.
 */
export const SessionOverridesSchema = z.strictObject({
  affinity: SessionSettingsSchema.shape.affinity.unwrap().optional(),
  ttl_seconds: SessionSettingsSchema.shape.ttl_seconds.unwrap().optional(),
  max_sessions: SessionSettingsSchema.shape.max_sessions.unwrap().optional(),
  allow_downgrade: SessionSettingsSchema.shape.allow_downgrade.unwrap().optional(),
  downgrade_margin: SessionSettingsSchema.shape.downgrade_margin.unwrap().optional(),
})

/** Default retry statuses: rate limits and the usual transient server errors. */
export const DEFAULT_RETRY_STATUSES = [429, 500, 502, 503, 504]

/** The raw runtime config, as `profile compile` writes it and the gateway runs it. */
export const RawConfigSchema = z.strictObject({
  default_model: z.string().min(1),
  models: ModelsMapSchema.default({}),
  accounts: z.array(AccountSchema).default([]),
  task_routes: z.partialRecord(TaskSchema, TaskRouteSchema).default({}),
  fallback_models: z.array(z.string().min(1)).default([]),
  endpoint_models: EndpointModelsSchema.default({}),
  model_aliases: ModelAliasesSchema.default({}),
  retry_statuses: z.array(z.number().int().min(100).max(599)).default(DEFAULT_RETRY_STATUSES),
  session: SessionSettingsSchema.default(SessionSettingsSchema.parse({})),
})
/** What a raw config document may contain (before defaults). */
export type RawConfigInput = z.input<typeof RawConfigSchema>
/** A validated, normalised runtime config: every model has an `id`, every route value is a list. */
export type RuntimeConfig = z.infer<typeof RawConfigSchema>

/** Guardrail thresholds: models that exceed any of them are pruned by the compiler. */
export const GuardrailThresholdsSchema = z.strictObject({
  max_cost_input_per_1k: z.number().nonnegative().optional(),
  max_cost_output_per_1k: z.number().nonnegative().optional(),
  max_latency_ms: z.number().positive().optional(),
  max_failure_rate: z.number().min(0).max(1).optional(),
})
export type GuardrailThresholds = z.infer<typeof GuardrailThresholdsSchema>

/** Global guardrails plus per-task ones (a per-task value replaces the global one for that task). */
export const GuardrailsSchema = GuardrailThresholdsSchema.extend({
  per_task: z.partialRecord(TaskSchema, GuardrailThresholdsSchema).default({}),
}).strict()
export type Guardrails = z.infer<typeof GuardrailsSchema>

/** Which built-in profile to start from, globally and per task. */
export const ProfileSelectionSchema = z.strictObject({
  default: z.string().min(1).default('auto'),
  per_task: z.partialRecord(TaskSchema, z.string().min(1)).default({}),
})

/** Where replicas share state; `ROUTER_STATE_URL` wins over it (see docs/gateway.md). */
export const StateSettingsSchema = z.strictObject({
  /** `redis://…` or `rediss://…`; keep a password in `ROUTER_STATE_URL` rather than in the profile. */
  url: z.string().regex(/^rediss?:\/\//, {message: 'expected a redis:// or rediss:// URL'}),
})
export type StateSettings = z.infer<typeof StateSettingsSchema>

/** The short profile document (`router.profile.yaml`); `profile compile` turns it into a `RuntimeConfig`. */
export const ProfileDocumentSchema = z.strictObject({
  schema_version: z.literal(1).default(1),
  profile: ProfileSelectionSchema.default({default: 'auto', per_task: {}}),
  guardrails: GuardrailsSchema.default({per_task: {}}),
  accounts: z.array(ProfileAccountSchema).default([]),
  /** Session affinity (see `SessionSettingsSchema`); on unless turned off. What it leaves out, the profile decides. */
  session: SessionOverridesSchema.default({}),
  raw_overrides: z.record(z.string(), z.unknown()).default({}),
  state: StateSettingsSchema.optional(),
})
export type ProfileDocument = z.infer<typeof ProfileDocumentSchema>
export type ProfileDocumentInput = z.input<typeof ProfileDocumentSchema>
