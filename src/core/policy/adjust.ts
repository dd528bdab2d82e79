/**
 * The runtime policy: routing priors (a model's `latency_ms` and `failure_rate`) that follow what live metrics
 * observe, slowly enough not to flap.
 *
 * At each update, every model with at least `minSamples` samples has each prior moved toward its live EWMA by at most
 * `maxRatio` of the prior's current value (with a floor, so that a prior of 0 can move: 100 ms for latency, 0.05 for
 * failure rate). A failing model's failure prior of 0.05 thus reaches 0.5 in about 16 updates (8 minutes at the
 * default 30 s), and a latency prior can at most double in 5. Failure rates stay within 0–1.
 */
import type {RuntimeConfig} from '../config/schema.js'
import {roundTo} from '../round.js'
import type {ModelPrior, PriorAdjustment} from './schema.js'

/** What a step is a share of, at least: a prior of 0 can still move. */
export const PRIOR_FLOORS = {latency_ms: 100, failure_rate: 0.05} as const

/** Live figures of one model. */
export interface ObservedFigures {
  latency_ms: number | null
  failure_rate: number | null
  samples: number
}

export interface PolicyOptions {
  minSamples: number
  maxRatio: number
  /** ISO time stamped on adjusted priors. */
  now: string
}

/** One bounded step of `current` toward `observed`. */
export function stepToward(
  current: number,
  observed: number,
  maxRatio: number,
  floor: number,
): {value: number; limited: boolean} {
  const limit = maxRatio * Math.max(Math.abs(current), floor)
  const delta = observed - current
  if (Math.abs(delta) <= limit) return {value: observed, limited: false}
  return {value: current + Math.sign(delta) * limit, limited: true}
}

/**
 * The next priors: `current` (every model that has one) moved toward `observed`. Models below `minSamples`, or without
 * an observation for a field, keep their prior. Returns the new priors (a new object; `current` is not changed) and
 * what moved.
 */
export function adjustPriors(
  current: Readonly<Record<string, ModelPrior>>,
  observed: ReadonlyMap<string, ObservedFigures>,
  options: PolicyOptions,
): {priors: Record<string, ModelPrior>; adjustments: PriorAdjustment[]} {
  const priors: Record<string, ModelPrior> = {}
  const adjustments: PriorAdjustment[] = []
  for (const [model, prior] of Object.entries(current)) {
    const seen = observed.get(model)
    if (!seen || seen.samples < options.minSamples) {
      priors[model] = prior
      continue
    }
    const next: ModelPrior = {...prior}
    let moved = false
    for (const field of ['latency_ms', 'failure_rate'] as const) {
      const target = seen[field]
      if (target === null || !Number.isFinite(target)) continue
      const step = stepToward(
        prior[field],
        field === 'failure_rate' ? clamp01(target) : Math.max(0, target),
        options.maxRatio,
        PRIOR_FLOORS[field],
      )
      const value = field === 'failure_rate' ? clamp01(roundTo(step.value, 4)) : roundTo(step.value, 3)
      if (value === prior[field]) continue
      next[field] = value
      moved = true
      adjustments.push({
        model,
        field,
        from: prior[field],
        to: value,
        observed: roundTo(target, field === 'failure_rate' ? 4 : 3),
        limited: step.limited,
      })
    }
    if (moved) {
      next.samples = seen.samples
      next.updated_at = options.now
    }
    priors[model] = moved ? next : prior
  }
  return {priors, adjustments}
}

/**
 * The config routing uses: `config` with each configured model's `latency_ms` and `failure_rate` replaced by its
 * runtime prior. Returns `config` itself when no prior applies; never changes `config`.
 */
export function applyPriors(config: RuntimeConfig, priors: Readonly<Record<string, ModelPrior>>): RuntimeConfig {
  let models: RuntimeConfig['models'] | undefined
  for (const [model, prior] of Object.entries(priors)) {
    const declared = config.models[model]
    if (declared === undefined) continue
    if (declared.latency_ms === prior.latency_ms && declared.failure_rate === prior.failure_rate) continue
    models ??= {...config.models}
    models[model] = Object.assign({}, declared, {latency_ms: prior.latency_ms, failure_rate: prior.failure_rate})
  }
  return models === undefined ? config : Object.assign({}, config, {models})
}

function clamp01(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value
}
