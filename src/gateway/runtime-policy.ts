/**
 * The runtime policy updater: every `LIVE_METRICS_UPDATE_INTERVAL_SECONDS` (an unref'd timer), move the configured
 * models' latency and failure priors toward the live EWMAs (`core/policy/adjust.ts`), give routing a new view of the
 * config with those priors (the loaded config object is never changed), and persist them to
 * `ROUTER_RUNTIME_OVERRIDES_PATH` (atomically). At start the file is read back; a file that cannot be used is
 * reported (the `onWarning` callback, and `load.warning` in `/v1/router/policy`), kept aside as `<path>.corrupt` on
 * the first write, and otherwise ignored.
 */
import {rename} from 'node:fs/promises'

import {effectiveModel} from '../core/config/models.js'
import type {RuntimeConfig} from '../core/config/schema.js'
import type {LiveMetrics} from '../core/metrics/live-metrics.js'
import {adjustPriors, applyPriors, type ObservedFigures} from '../core/policy/adjust.js'
import {readOverrides, writeOverrides} from '../core/policy/overrides-file.js'
import {tierKey, updateEscalations, type EscalationOptions, type QualityCounts} from '../core/policy/feedback.js'
import type {ModelPrior, PolicyStatus, PriorAdjustment, TierEscalation} from '../core/policy/schema.js'
import {roundTo} from '../core/round.js'

export interface RuntimePolicyOptions {
  metrics: LiveMetrics
  path: string
  intervalMs: number
  minSamples: number
  maxRatio: number
  /** When quality feedback raises a tier (see `core/policy/feedback.ts`); absent: never. */
  feedback?: Omit<EscalationOptions, 'now'>
  /** Problems worth telling the operator (a corrupt file, a failed write). */
  onWarning?: (message: string) => void
  now?: () => number
}

/** The priors that follow live metrics, and their persistence. */
export class RuntimePolicy {
  private priors: Record<string, ModelPrior> = {}
  private tiers: Record<string, TierEscalation> = {}
  private anyTier = false
  /** Quality counts per `task/complexity/model` when its key was last decided on: escalations judge what came since. */
  private readonly baseline = new Map<string, QualityCounts>()
  private cached: {base: RuntimeConfig; priors: Record<string, ModelPrior>; view: RuntimeConfig} | null = null
  private timer: NodeJS.Timeout | undefined
  private readonly now: () => number
  private readonly startedAt: number
  private lastUpdateAt: number | null = null
  private nextUpdateAt: number | null = null
  private updates = 0
  private adjustmentsTotal = 0
  private lastAdjustments: PriorAdjustment[] = []
  private lastWrittenAt: number | null = null
  private lastError: string | null = null
  private loadedModels = 0
  private loadWarning: string | null = null
  private corrupt = false
  private dirty = false
  private writing: Promise<void> = Promise.resolve()

  constructor(private readonly options: RuntimePolicyOptions) {
    this.now = options.now ?? Date.now
    this.startedAt = this.now()
  }

  /** Reads the overrides file (missing: nothing to do; unusable: reported and ignored). */
  async load(): Promise<void> {
    const read = await readOverrides(this.options.path)
    if (read.kind === 'loaded') {
      this.priors = read.priors
      this.tiers = read.escalations ?? {}
      this.anyTier = Object.keys(this.tiers).length > 0
      this.loadedModels = Object.keys(read.priors).length
    } else if (read.kind === 'invalid') {
      this.corrupt = true
      this.loadWarning = `${this.options.path}: ${read.message}; ignored (the priors start from the config)`
      this.options.onWarning?.(`runtime overrides ${this.loadWarning}`)
    }
  }

  /** The config routing should use for `config`: the same object when no prior applies. Cached per config. */
  view(config: RuntimeConfig): RuntimeConfig {
    const cached = this.cached
    if (cached !== null && cached.base === config && cached.priors === this.priors) return cached.view
    const view = applyPriors(config, this.priors)
    this.cached = {base: config, priors: this.priors, view}
    return view
  }

  /** Starts the periodic updates; `apply` receives the new routing view after each update that moved a prior. */
  start(current: () => RuntimeConfig, apply: (view: RuntimeConfig) => void): void {
    this.stop()
    this.nextUpdateAt = this.now() + this.options.intervalMs
    this.timer = setInterval(() => {
      this.nextUpdateAt = this.now() + this.options.intervalMs
      const adjustments = this.update(current())
      if (adjustments.length > 0) apply(this.view(current()))
    }, this.options.intervalMs)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    this.nextUpdateAt = null
  }

  /**
   * One update against `config` (the loaded config): moves the priors of its models that have enough samples, and
   * schedules a write when something moved. Returns what moved.
   */
  update(config: RuntimeConfig): PriorAdjustment[] {
    const now = this.now()
    const current: Record<string, ModelPrior> = {}
    const observed = new Map<string, ObservedFigures>()
    for (const model of Object.keys(config.models)) {
      current[model] = this.priors[model] ?? configuredPrior(config, model)
      const figures = this.options.metrics.modelFigures(model)
      if (figures)
        observed.set(model, {
          latency_ms: figures.latencyEwma,
          failure_rate: figures.failureEwma,
          samples: figures.samples,
        })
    }
    const {priors, adjustments} = adjustPriors(current, observed, {
      minSamples: this.options.minSamples,
      maxRatio: this.options.maxRatio,
      now: new Date(now).toISOString(),
    })
    this.updates++
    this.lastUpdateAt = now
    this.lastAdjustments = adjustments
    this.adjustmentsTotal += adjustments.length
    const tiersMoved = this.updateTiers(now)
    if (adjustments.length > 0) {
      const next = {...this.priors}
      for (const {model} of adjustments) next[model] = priors[model]
      this.priors = next
    }
    if (adjustments.length > 0 || tiersMoved) {
      this.dirty = true
      void this.persist()
    }
    return adjustments
  }

  /**
   * Tiers raised by quality feedback, in force now, keyed `task/complexity`: what routing passes to `decideRoute`.
   * Undefined when none is, so that a decision builds no key to look up.
   */
  get escalations(): Readonly<Record<string, TierEscalation>> | undefined {
    return this.anyTier ? this.tiers : undefined
  }

  /** Raises or lowers tiers from the quality counts (see `updateEscalations`); true when something changed. */
  private updateTiers(now: number): boolean {
    const feedback = this.options.feedback
    if (feedback === undefined) return false
    const counts = this.options.metrics.qualityCounts()
    const {escalations, decided} = updateEscalations(
      this.tiers,
      counts,
      this.baseline,
      Object.assign({}, feedback, {now}),
    )
    if (decided.length === 0) return false
    for (const row of counts) {
      const key = tierKey(row.task, row.complexity)
      if (decided.includes(key)) this.baseline.set(`${key}/${row.model}`, row)
    }
    this.tiers = escalations
    this.anyTier = Object.keys(escalations).length > 0
    return true
  }

  /** Writes the priors if they changed since the last write (writes never overlap). */
  persist(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (!this.dirty) return
      this.dirty = false
      const priors = this.priors
      try {
        if (this.corrupt) {
          this.corrupt = false
          await rename(this.options.path, `${this.options.path}.corrupt`).catch(() => undefined)
        }
        await writeOverrides(this.options.path, priors, new Date(this.now()).toISOString(), this.tiers)
        this.lastWrittenAt = this.now()
        this.lastError = null
      } catch (error) {
        this.dirty = true
        this.lastError = (error as Error).message
        this.options.onWarning?.(`runtime overrides: cannot write ${this.options.path}: ${this.lastError}`)
      }
    })
    return this.writing
  }

  /** The `GET /v1/router/policy` payload for `config` (the loaded config). */
  status(config: RuntimeConfig): PolicyStatus {
    const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())
    const models = Object.keys(config.models)
      .sort()
      .map((model) => {
        const configured = configuredPrior(config, model)
        const runtime = this.priors[model]
        const figures = this.options.metrics.modelFigures(model)
        return {
          model,
          source: runtime ? ('runtime' as const) : ('config' as const),
          samples: figures?.samples ?? 0,
          latency_ms: {
            configured: configured.latency_ms,
            current: (runtime ?? configured).latency_ms,
            observed: roundTo(figures?.latencyEwma ?? null, 3),
          },
          failure_rate: {
            configured: configured.failure_rate,
            current: (runtime ?? configured).failure_rate,
            observed: roundTo(figures?.failureEwma ?? null, 4),
          },
          updated_at: runtime?.updated_at ?? null,
        }
      })
    return {
      schema_version: 1,
      enabled: true,
      settings: {
        update_interval_seconds: this.options.intervalMs / 1000,
        min_samples: this.options.minSamples,
        max_adjustment_ratio: this.options.maxRatio,
      },
      status: {
        started_at: new Date(this.startedAt).toISOString(),
        last_update_at: iso(this.lastUpdateAt),
        next_update_at: iso(this.nextUpdateAt),
        updates: this.updates,
        adjustments_total: this.adjustmentsTotal,
        last_adjustments: this.lastAdjustments,
        persistence: {path: this.options.path, last_written_at: iso(this.lastWrittenAt), last_error: this.lastError},
        load: {models: this.loadedModels, warning: this.loadWarning},
      },
      escalations: Object.values(this.tiers),
      models,
    }
  }

  /** The runtime priors (models adjusted at least once, or read from the file). */
  get current(): Readonly<Record<string, ModelPrior>> {
    return this.priors
  }
}

/** The prior a model starts from: the config's, else the catalog's, else the documented defaults. */
function configuredPrior(config: RuntimeConfig, model: string): ModelPrior {
  const effective = effectiveModel(config, model)
  return {latency_ms: effective.latency_ms, failure_rate: effective.failure_rate, samples: 0, updated_at: null}
}
