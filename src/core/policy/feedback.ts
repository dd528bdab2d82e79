/**
 * Judgement from outcomes: the one quality signal a gateway sees for free is a client that asks again (the same
 * conversation and the same last user turn within a short window: the first answer did not do) or that says so
 * (`POST /v1/router/feedback`). Counted per task, complexity and model, a tier whose answers are judged bad too often
 * is raised one step (`low` → `medium` …) for a while: bounded like the priors' adjustments, one step at a time, and
 * never for good.
 *
 * What it cannot tell: a retry may be a network hiccup or a user who wanted a variation, not a bad answer; a user who
 * gives up silently looks like a satisfied one; and a verdict judges the answer, which the prompt's difficulty, not
 * the model, may explain. Hence thresholds on counts, not single events, and an escalation that expires.
 */
import {COMPLEXITIES, type Complexity, type Task} from '../config/schema.js'
import type {TierEscalation} from './schema.js'

/** Answers and verdicts of one (task, complexity, model), as live metrics count them. */
export interface QualityCounts {
  task: Task
  complexity: Complexity
  model: string
  answered: number
  bad: number
  good: number
}

export interface EscalationOptions {
  /** Answers since the last decision a key needs before it is judged. */
  minAnswers: number
  /** Bad verdicts it needs, at least. */
  minBad: number
  /** Share of bad verdicts among the answers from which the tier is raised. */
  badRate: number
  /** How long an escalation lasts. */
  ttlMs: number
  now: number
}

/** The key of a (task, complexity) pair: `coding/low`. */
export function tierKey(task: Task, complexity: Complexity): string {
  return `${task}/${complexity}`
}

/**
 * The escalations in force after one update: expired ones dropped, and a tier raised for every (task, complexity)
 * whose model got at least `minAnswers` answers and `minBad` bad verdicts at `badRate` or more since `baseline` (the
 * counts at the previous decision on that key). Returns them, and the keys decided on now (whose baseline moves).
 */
export function updateEscalations(
  current: Readonly<Record<string, TierEscalation>>,
  counts: readonly QualityCounts[],
  baseline: ReadonlyMap<string, QualityCounts>,
  options: EscalationOptions,
): {escalations: Record<string, TierEscalation>; decided: string[]} {
  const escalations: Record<string, TierEscalation> = {}
  const decided: string[] = []
  for (const [key, escalation] of Object.entries(current)) {
    if (Date.parse(escalation.until) > options.now) escalations[key] = escalation
    else decided.push(key)
  }
  for (const row of counts) {
    const key = tierKey(row.task, row.complexity)
    if (escalations[key] !== undefined) continue
    const before = baseline.get(`${key}/${row.model}`)
    const answered = row.answered - (before?.answered ?? 0)
    const bad = row.bad - (before?.bad ?? 0)
    if (answered < options.minAnswers || bad < options.minBad || bad / answered < options.badRate) continue
    const to = COMPLEXITIES[COMPLEXITIES.indexOf(row.complexity) + 1]
    if (to === undefined) continue
    escalations[key] = {
      task: row.task,
      from: row.complexity,
      to,
      model: row.model,
      answered,
      bad,
      since: new Date(options.now).toISOString(),
      until: new Date(options.now + options.ttlMs).toISOString(),
    }
    decided.push(key)
  }
  return {escalations, decided}
}
