/**
 * Mounts the live dashboard on a terminal. `router serve` passes its in-process audit bus; `router metrics tail`
 * passes a file or SSE source. Events go into the store as they come; the screen is redrawn at most ten times a
 * second, whatever the event rate.
 */
import {render} from 'ink'
import {createElement} from 'react'

import type {LiveMetrics, LiveMetricsOptions} from '../core/metrics/live-metrics.js'
import type {LiveMetricsSnapshot} from '../core/metrics/schema.js'
import {Dashboard} from './components/Dashboard.js'
import type {DashboardInfo} from './components/Header.js'
import {DashboardStore} from './dashboard-store.js'
import type {AuditSource, TailSource} from './sources/types.js'

export type {DashboardInfo} from './components/Header.js'

export interface RenderDashboardOptions {
  /** Where events come from: anything with `subscribe` (the `AuditEventBus`, a file or SSE source). */
  source: AuditSource & Partial<Pick<TailSource, 'status' | 'onStatus'>>
  info: DashboardInfo
  stdout?: NodeJS.WriteStream
  stdin?: NodeJS.ReadStream
  /** Live metrics settings (EWMA alpha from `LIVE_METRICS_EWMA_ALPHA`, …). */
  metrics?: LiveMetricsOptions
  /** Live metrics already fed with the source's events (the gateway's): shown instead of a second copy. */
  sharedMetrics?: LiveMetrics
  /** Where the metrics come from instead of the source's events: the latest polled snapshot (the fleet's). */
  polledMetrics?: () => LiveMetricsSnapshot | undefined
  /** Rows kept for the decision log; default 1000. */
  capacity?: number
  /** Minimum time between frames; default 100 ms (at most ten frames a second). */
  frameIntervalMs?: number
  /** Print other console output above the dashboard instead of through it; default true. */
  patchConsole?: boolean
}

export interface DashboardHandle {
  /** Removes the dashboard and stops listening to the source. */
  unmount(): void
  /** Resolves when the user quits (`q`, Ctrl-C) or after `unmount()`. */
  waitUntilExit(): Promise<void>
  /** The store behind the screen (its live metrics, its rows). */
  store: DashboardStore
}

export function renderDashboard(options: RenderDashboardOptions): DashboardHandle {
  const store = new DashboardStore({
    capacity: options.capacity,
    metrics: options.metrics,
    sharedMetrics: options.sharedMetrics,
    polledMetrics: options.polledMetrics,
  })
  const disconnect = store.connect(options.source)
  const instance = render(
    createElement(Dashboard, {
      store,
      info: options.info,
      source: options.source,
      frameIntervalMs: options.frameIntervalMs,
    }),
    Object.assign(
      // Given only when set: an explicit undefined would replace Ink's process.stdout/stdin defaults.
      options.stdout ? {stdout: options.stdout} : {},
      options.stdin ? {stdin: options.stdin} : {},
      {
        exitOnCtrlC: true,
        // Console output from elsewhere in the process is printed above the dashboard instead of garbling it.
        patchConsole: options.patchConsole ?? true,
        maxFps: 10,
      },
    ),
  )
  const exited = instance.waitUntilExit().then(
    () => disconnect(),
    (error: unknown) => {
      disconnect()
      throw error
    },
  )
  return {
    unmount: () => {
      disconnect()
      instance.unmount()
    },
    waitUntilExit: () => exited.then(() => undefined),
    store,
  }
}
