/**
 * Schemas of the runtime policy: the overrides file the gateway persists (`ROUTER_RUNTIME_OVERRIDES_PATH`) and the
 * `GET /v1/router/policy` payload. Documented in docs/gateway.md ("Live metrics and the runtime policy").
 */
import {z} from 'zod'

import {ComplexitySchema, TaskSchema} from '../config/schema.js'

/** The runtime-adjusted priors of one model. */
export const ModelPriorSchema = z.strictObject({
  latency_ms: z.number().nonnegative(),
  failure_rate: z.number().min(0).max(1),
  /** Samples the model had when these values were last adjusted. */
  samples: z.number().int().nonnegative().default(0),
  updated_at: z.string().nullable().default(null),
})
export type ModelPrior = z.infer<typeof ModelPriorSchema>

/**
 * A tier raised by quality feedback: requests classified `task`/`complexity` (the key, `coding/low`) are routed as
 * `to` until `until`, because the answers at the classified tier were judged bad too often.
 */
export const TierEscalationSchema = z.strictObject({
  task: TaskSchema,
  from: ComplexitySchema,
  to: ComplexitySchema,
  /** The evidence: answers and bad verdicts of the model that served the tier, since the previous decision. */
  model: z.string(),
  answered: z.number().int().nonnegative(),
  bad: z.number().int().nonnegative(),
  since: z.string(),
  until: z.string(),
})
export type TierEscalation = z.infer<typeof TierEscalationSchema>

/** The overrides file. Unknown models (no longer configured) are kept, and apply again if the model comes back. */
export const RuntimeOverridesFileSchema = z.strictObject({
  schema_version: z.literal(1),
  updated_at: z.string().nullable().default(null),
  models: z.record(z.string().min(1), ModelPriorSchema).default({}),
  /** Tiers raised by quality feedback, keyed `task/complexity` (absent from files written before it existed). */
  escalations: z.record(z.string().min(1), TierEscalationSchema).default({}),
})
export type RuntimeOverridesFile = z.infer<typeof RuntimeOverridesFileSchema>

/** One prior moved by one update. */
export const PriorAdjustmentSchema = z.strictObject({
  model: z.string(),
  field: z.enum(['latency_ms', 'failure_rate']),
  from: z.number(),
  to: z.number(),
  /** The live EWMA the prior moved toward. */
  observed: z.number(),
  /** The step was cut to `max_adjustment_ratio`. */
  limited: z.boolean(),
})
export type PriorAdjustment = z.infer<typeof PriorAdjustmentSchema>

const PriorPairSchema = z.strictObject({
  /** From the config, else the catalog, else the documented defaults. */
  configured: z.number(),
  /** What routing uses now (the runtime value when there is one). */
  current: z.number(),
  /** The live EWMA, when the model has samples. */
  observed: z.number().nullable(),
})

/** `GET /v1/router/policy`. */
export const PolicyStatusSchema = z.strictObject({
  schema_version: z.literal(1),
  enabled: z.boolean(),
  settings: z.strictObject({
    update_interval_seconds: z.number().positive(),
    min_samples: z.number().int().positive(),
    max_adjustment_ratio: z.number().positive(),
  }),
  status: z.strictObject({
    started_at: z.string(),
    last_update_at: z.string().nullable(),
    next_update_at: z.string().nullable(),
    /** Updates run so far, and priors they moved. */
    updates: z.number().int().nonnegative(),
    adjustments_total: z.number().int().nonnegative(),
    last_adjustments: z.array(PriorAdjustmentSchema),
    persistence: z.strictObject({
      path: z.string(),
      last_written_at: z.string().nullable(),
      last_error: z.string().nullable(),
    }),
    load: z.strictObject({
      /** Models whose priors came from the file at start. */
      models: z.number().int().nonnegative(),
      /** Why the file was ignored (unreadable, not YAML, wrong shape), if it was. */
      warning: z.string().nullable(),
    }),
  }),
  /** Tiers raised by quality feedback, in force now (see `TierEscalationSchema`). */
  escalations: z.array(TierEscalationSchema).default([]),
  /** Every configured model, sorted by key. */
  models: z.array(
    z.strictObject({
      model: z.string(),
      source: z.enum(['config', 'runtime']),
      samples: z.number().int().nonnegative(),
      latency_ms: PriorPairSchema,
      failure_rate: PriorPairSchema,
      updated_at: z.string().nullable(),
    }),
  ),
})
export type PolicyStatus = z.infer<typeof PolicyStatusSchema>
