/**
 * The live EWMA figures routing reads (`LiveStatsSource`), straight from the gateway's `LiveMetrics`: no snapshot,
 * no allocation per call. Selection uses them instead of the priors once a model has enough samples.
 */
import type {RuntimeConfig} from '../core/config/schema.js'
import type {LiveMetrics} from '../core/metrics/live-metrics.js'
import {modelInfo} from '../core/routing/model-info.js'
import type {LiveStats, LiveStatsSource} from '../core/routing/select.js'

/**
 * A `LiveStatsSource` over `metrics`. A model whose attempts all failed has no latency EWMA: its prior (from
 * `config()`, the routing config) stands in, so that only its failure rate counts against it. The returned object is
 * reused: read it at once (selection does).
 */
export function liveStatsSource(metrics: LiveMetrics, config: () => RuntimeConfig): LiveStatsSource {
  const scratch: LiveStats = {latency_ms: 0, failure_rate: 0, samples: 0}
  return {
    get(model: string): LiveStats | undefined {
      const figures = metrics.modelFigures(model)
      if (figures === undefined || figures.samples === 0) return undefined
      scratch.samples = figures.samples
      scratch.failure_rate = figures.failureEwma ?? 0
      scratch.latency_ms = figures.latencyEwma ?? modelInfo(config(), model).latency_ms
      return scratch
    },
  }
}
