/**
 * Schemas of managed ingress keys: the keys file that `router keys create|list|revoke` writes and the gateway reads
 * (`ROUTER_KEYS_FILE`), each key's limits, and the spend and limit figures the admin endpoint
 * (`GET /v1/router/keys`) and `router keys list --json` print. Documented in docs/gateway.md ("Managed keys, budgets
 * and limits"). A key is kept only as its SHA-256 digest: the file never holds a key in clear.
 */
import {z} from 'zod'

/** A key's name: its principal in the audit log, letters, digits, `.`, `_`, `@`, `-`, up to 64 characters. */
export const KeyNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, {
  message: 'use letters, digits, ".", "_", "@" or "-" (up to 64, starting with a letter or digit)',
})

/** What one key may do. Every limit is optional; none set means no limit. */
export const KeyLimitsSchema = z.strictObject({
  /** Estimated spend (sum of `proxy_response.cost_usd`) per UTC day, in USD. */
  budget_usd_day: z.number().positive().optional(),
  /** Estimated spend per UTC calendar month, in USD. */
  budget_usd_month: z.number().positive().optional(),
  /** Requests admitted per minute (fixed one-minute windows). */
  rpm: z.number().int().positive().optional(),
  /** Tokens (prompt + completion, as the upstreams report them) per minute (fixed one-minute windows). */
  tpm: z.number().int().positive().optional(),
  /** Requests of this key in flight at once, across every replica. */
  max_concurrency: z.number().int().positive().optional(),
  /** Model key patterns (`*` wildcards) this key may be routed to, as a request's own `allowed_models`. */
  allowed_models: z.array(z.string().min(1)).min(1).optional(),
})
export type KeyLimits = z.infer<typeof KeyLimitsSchema>

/** One managed key as the keys file keeps it. */
export const StoredKeySchema = z.strictObject({
  name: KeyNameSchema,
  /** SHA-256 of the key, hex. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The key's prefix and last four characters (`olr_…x9Qa`), to recognise it; not enough to use it. */
  hint: z.string(),
  created_at: z.string(),
  /** When it was revoked; a revoked key is refused. */
  revoked_at: z.string().nullable().default(null),
  limits: KeyLimitsSchema.default({}),
})
export type StoredKey = z.infer<typeof StoredKeySchema>

/** The keys file (JSON). */
export const KeysFileSchema = z.strictObject({
  schema_version: z.literal(1),
  keys: z.array(StoredKeySchema).default([]),
})
export type KeysFile = z.infer<typeof KeysFileSchema>

/** The limit a refused request ran into: the `code` of its 429. */
export const LimitCodeSchema = z.enum(['budget_usd_day', 'budget_usd_month', 'rpm', 'tpm', 'max_concurrency'])
export type LimitCode = z.infer<typeof LimitCodeSchema>

/** One key's figures now, fleet-wide when the state is shared (`GET /v1/router/keys`). */
export const KeyUsageSchema = z.strictObject({
  name: z.string(),
  hint: z.string().nullable(),
  revoked: z.boolean(),
  limits: KeyLimitsSchema,
  /** Estimated spend this UTC day and this UTC month, in USD. */
  spend_usd_day: z.number().nonnegative(),
  spend_usd_month: z.number().nonnegative(),
  /** Requests admitted and tokens reported in the current minute. */
  requests_this_minute: z.number().int().nonnegative(),
  tokens_this_minute: z.number().int().nonnegative(),
  in_flight: z.number().int().nonnegative(),
})
export type KeyUsage = z.infer<typeof KeyUsageSchema>

/** `GET /v1/router/keys`. */
export const KeysReportSchema = z.strictObject({
  schema_version: z.literal(1),
  generated_at: z.string(),
  /** Where the figures come from: `memory` (this process), `primary` (the workers' primary), `redis` (the fleet). */
  store: z.enum(['memory', 'primary', 'redis']),
  /** False while the shared store is unreachable: the figures are this replica's own. */
  shared: z.boolean(),
  keys: z.array(KeyUsageSchema),
})
export type KeysReport = z.infer<typeof KeysReportSchema>
