/**
 * Schema of `router route replay --json`: the recorded decisions of an audit log routed again on another config, the
 * route changes and what they would have cost. Documented in docs/routing.md ("`router route replay`"); adding a field
 * is compatible, renaming or removing one is a breaking change.
 */
import {z} from 'zod'

import {AffinitySchema} from '../routing/schema.js'

const count = z.number().int().nonnegative()
const usd = z.number().nonnegative()

/**
 * Why a recorded turn was not replayed, or was replayed with a caveat:
 * - `no_requirements`: its `route_decision` has no `requirements` (a log written before it did): skipped;
 * - `refused`: the config refuses it (no candidate, no account, …; `detail` has the code): not replayed;
 * - `model_not_in_config`: the client named a model the config cannot resolve: selection decided instead;
 * - `no_usage`: the log has no token counts for its answer (it failed, or a stream gave none): routed, not priced;
 * - `unpriced`: a price is unknown (a model nobody describes), on either side: routed, not priced.
 */
export const ReplayIssueSchema = z.enum(['no_requirements', 'refused', 'model_not_in_config', 'no_usage', 'unpriced'])
export type ReplayIssue = z.infer<typeof ReplayIssueSchema>

/** Affinity verdicts counted by kind (only the kinds that occurred). */
const AffinityCountsSchema = z.partialRecord(AffinitySchema, count)

/** What a replay found. */
export const ReplayReportSchema = z.strictObject({
  /** The audit log replayed (as given on the command line). */
  log: z.string(),
  /** The config replayed against: its file, or null for the built-in profile that stands in when there is none. */
  config: z.string().nullable(),
  /** Its profile (`custom` for a raw config). */
  profile: z.string().nullable(),
  /** Lines of the log that were not audit events (not JSON, or not valid), skipped. */
  malformed_lines: count,
  /** `route_decision` events read: the recorded turns. */
  decisions: count,
  /** Turns routed again (the decisions minus `no_requirements` and `refused`). */
  replayed: count,
  /**
   * Replayed turns priced on both sides: recorded token counts, a recorded cost (or a known price of the recorded model)
   * and a known price of the replayed model. Every cost and token figure below is over these turns.
   */
  priced: count,
  /** Replayed turns that went to the model that answered them in the log. */
  unchanged: count,
  /** Replayed turns that went elsewhere: the model that answered in the log (or was selected, when none did) → the model chosen now. */
  changes: z.array(z.strictObject({from: z.string(), to: z.string(), turns: count})),
  /** Per model: the priced turns it answered in the log and what they cost, and those it gets now and what they would cost. */
  models: z.array(
    z.strictObject({
      model: z.string(),
      recorded_turns: count,
      recorded_cost_usd: usd,
      replayed_turns: count,
      replayed_cost_usd: usd,
      /** Replayed minus recorded. */
      difference_usd: z.number(),
    }),
  ),
  total: z.strictObject({
    recorded_cost_usd: usd,
    replayed_cost_usd: usd,
    difference_usd: z.number(),
    /** The difference as a share of the recorded cost (−0.4: 40 % cheaper); null when the recorded cost is 0. */
    difference_ratio: z.number().nullable(),
  }),
  /**
   * Prompt tokens of the priced turns, and how many of them were read from a provider's cache: as recorded, and in the
   * replay. A turn that stays on its recorded model keeps its cached tokens, and so does one whose session's turn before
   * went to the same model within its provider's cache lifetime; any other turn that moves counts them as uncached (the
   * new model's provider has not cached that conversation). The cached counts are null when the log has none (written
   * before `usage` carried them).
   */
  cache: z.strictObject({
    prompt_tokens: count,
    recorded_cached_tokens: count.nullable(),
    replayed_cached_tokens: count.nullable(),
  }),
  /** Replayed turns that belong to a session (conversation), and what affinity did for them. */
  sessions: z.strictObject({
    sessions: count,
    turns: count,
    /** Affinity verdicts in the log and in the replay. */
    recorded_affinity: AffinityCountsSchema,
    replayed_affinity: AffinityCountsSchema,
    /** Turns of a session that went to another model than the session's turn before it, in the log and in the replay. */
    recorded_switches: count,
    replayed_switches: count,
  }),
  /** Turns per issue (see `ReplayIssueSchema`; only the issues that occurred). */
  issue_counts: z.partialRecord(ReplayIssueSchema, count),
  /** Every turn with an issue, in log order. */
  issues: z.array(z.strictObject({request_id: z.string(), issue: ReplayIssueSchema, detail: z.string()})),
})
export type ReplayReport = z.infer<typeof ReplayReportSchema>
