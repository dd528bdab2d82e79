/**
 * `router metrics tail`: follow an audit log or a running gateway and show the dashboard (in a terminal), the rolling
 * metrics snapshot as JSON lines (`--json`), one plain line per request (`--no-tui`, or when stdout is not a
 * terminal), or a summary of the whole file (`--once`).
 */
import {LiveMetrics} from '../core/metrics/live-metrics.js'
import type {LiveMetricsSnapshot} from '../core/metrics/schema.js'
import {AuditSummarizer} from '../core/metrics/summary.js'
import {RouterError, UsageError} from '../core/errors.js'
import {settingsFromEnv} from '../core/settings/env.js'
import {createPlainLogger, type PlainLogFormat} from '../tui/plain-log.js'
import {FileAuditSource} from '../tui/sources/file-source.js'
import {SseAuditSource} from '../tui/sources/sse-source.js'
import {formatSummary} from '../tui/summary-text.js'

export interface MetricsTailOptions {
  file?: string
  url?: string
  apiKey?: string
  since?: string
  json: boolean
  /** Seconds between snapshots with `--json`. */
  interval: number
  once: boolean
  tui: boolean
  logFormat: PlainLogFormat
  alpha?: number
  /**
   * With `url`: the fleet's merged snapshot (`GET /v1/router/live-metrics?scope=fleet`) every interval, as JSON lines
   * (`json`) or as the dashboard's figures (its decision log still follows `url`'s events).
   */
  fleet?: boolean
  env?: NodeJS.ProcessEnv
}

const UNITS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}

/** A flag value that must be a positive number (`--interval`, `--alpha`). */
export function positiveNumber(text: string, flag: string): number {
  const value = Number(text)
  if (!Number.isFinite(value) || value <= 0)
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not a positive number.`, {
      hint: `e.g. ${flag} ${flag === '--alpha' ? '0.2' : '2'}`,
    })
  return value
}

/**
 * `--since`: `start`, `end`, a duration back from now (`90s`, `10m`, `2h`, `1d`) or a date/time (ISO 8601).
 * Returns the start position or the time (ms since the epoch) from which events are kept.
 */
export function parseSince(value: string, now: number = Date.now()): 'start' | 'end' | number {
  const text = value.trim().toLowerCase()
  if (text === 'start' || text === 'beginning') return 'start'
  if (text === 'end' || text === 'now') return 'end'
  const duration = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text)
  if (duration) return now - Number(duration[1]) * UNITS[duration[2]]
  if (/^\d{4}-\d{2}-\d{2}/.test(value.trim())) {
    const time = Date.parse(value.trim())
    if (Number.isFinite(time)) return time
  }
  throw new UsageError(`--since ${JSON.stringify(value)} is not a position or a time.`, {
    hint: 'Use start, end, a duration such as 30s, 10m, 2h or 1d, or an ISO time such as 2026-03-02T09:00:00Z.',
  })
}

/** Runs the command until the user stops it (or the source fails for good). */
export async function runMetricsTail(options: MetricsTailOptions): Promise<void> {
  const env = options.env ?? process.env
  const settings = settingsFromEnv({
    ROUTER_AUDIT_LOG_PATH: env.ROUTER_AUDIT_LOG_PATH,
    LIVE_METRICS_EWMA_ALPHA: env.LIVE_METRICS_EWMA_ALPHA,
  })
  const alpha = options.alpha ?? settings.live_metrics_ewma_alpha
  if (!(alpha > 0 && alpha <= 1))
    throw new UsageError(`--alpha ${alpha} is out of range.`, {
      hint: 'The EWMA factor is a number in (0, 1], e.g. 0.2.',
    })
  if (options.url && options.file)
    throw new UsageError('--url and --file cannot be used together.', {
      hint: 'Follow either a gateway (--url) or an audit log (--file).',
    })
  if (options.url && options.once)
    throw new UsageError('--once summarises a file; it cannot be used with --url.', {
      hint: 'Drop --url (and pass --file), or drop --once to follow the gateway.',
    })
  if (options.url && options.since !== undefined)
    throw new UsageError('--since applies to files; a gateway stream starts now.', {
      hint: 'Drop --since, or read the audit log with --file.',
    })
  if (!(options.interval > 0))
    throw new UsageError('--interval must be a positive number of seconds.', {hint: 'e.g. --interval 2'})
  const useTui = options.tui && !options.json && process.stdout.isTTY === true
  if (options.fleet) {
    if (!options.url)
      throw new UsageError('--fleet needs --url: the fleet view comes from a running gateway.', {
        hint: 'e.g. --url http://127.0.0.1:8000 --fleet',
      })
    if (options.json) {
      await tailFleet(options.url, options.apiKey, options.interval)
      return
    }
    if (!useTui)
      throw new UsageError(
        "--fleet shows the fleet's metrics in the dashboard (a terminal) or as JSON lines (--json); the per-request lines are one replica's.",
        {hint: 'Add --json, or run it in a terminal without --no-tui; drop --fleet for the per-request lines.'},
      )
  }
  const file = options.file ?? settings.audit_log_path
  const since = parseSince(options.since ?? 'start')

  if (options.once) {
    process.stdout.write(await summarizeFile(file, since, options.json))
    return
  }

  const source = options.url
    ? new SseAuditSource({url: options.url, apiKey: options.apiKey})
    : new FileAuditSource({path: file, since})
  const failed = options.url ? (source as SseAuditSource).closed : new Promise<never>(() => {})

  if (useTui) {
    // Ink and React load only for the dashboard: the other modes start faster without them.
    const {renderDashboard} = await import('../tui/render-dashboard.js')
    // With --fleet the decision log still follows the asked replica's events; the figures are the fleet's, polled.
    let fleetSnapshot: LiveMetricsSnapshot | undefined
    const stopPolling = new AbortController()
    const dashboard = renderDashboard({
      source,
      info: {
        title: 'Open-LLM Router',
        ...(options.url ? {url: options.url, fleet: options.fleet} : {file}),
        startedAt: Date.now(),
      },
      metrics: {alpha},
      polledMetrics: options.fleet ? () => fleetSnapshot : undefined,
    })
    const polling =
      options.fleet && options.url
        ? pollFleet(options.url, options.apiKey, options.interval, stopPolling.signal, (snapshot) => {
            fleetSnapshot = snapshot
          })
        : new Promise<never>(() => {})
    try {
      await source.start()
      await Promise.race([dashboard.waitUntilExit(), failed, polling])
    } finally {
      stopPolling.abort()
      dashboard.unmount()
      await source.stop()
    }
    return
  }

  const stopped = untilSignal()
  let stopOutput: () => void
  let startOutput = () => {}
  if (options.json) {
    const metrics = new LiveMetrics({alpha})
    const unsubscribe = source.subscribe((event) => metrics.observe(event))
    let timer: NodeJS.Timeout | undefined
    // Snapshots start once what the file already holds is read: the first one is not an empty one.
    startOutput = () => {
      timer = setInterval(() => writeLine(JSON.stringify(metrics.snapshot())), options.interval * 1000)
    }
    stopOutput = () => {
      clearInterval(timer)
      unsubscribe()
    }
  } else {
    stopOutput = createPlainLogger(source, writeLine, options.logFormat)
  }
  if (source instanceof FileAuditSource) {
    source.onStatus((status) => {
      if (status.state === 'waiting') process.stderr.write(`${status.detail}…\n`)
    })
  } else {
    let reported = ''
    source.onStatus((status) => {
      if (
        (status.state === 'reconnecting' || status.state === 'live') &&
        status.detail !== reported &&
        !status.detail.startsWith('reconnecting to')
      ) {
        reported = status.detail
        process.stderr.write(`${status.detail}\n`)
      }
    })
  }
  try {
    await source.start()
    startOutput()
    await Promise.race([stopped.promise, failed, stdoutClosed()])
  } finally {
    stopped.dispose()
    stopOutput()
    await source.stop()
  }
}

/** `--fleet --json`: the fleet's snapshot every `interval` seconds, one JSON line each, until a signal. */
async function tailFleet(url: string, apiKey: string | undefined, interval: number): Promise<void> {
  const stopped = untilSignal()
  const stop = new AbortController()
  void Promise.race([stopped.promise, stdoutClosed()]).then(() => stop.abort())
  try {
    await pollFleet(
      url,
      apiKey,
      interval,
      stop.signal,
      (snapshot) => writeLine(JSON.stringify(snapshot)),
      (message) => process.stderr.write(`${message}\n`),
    )
  } finally {
    stopped.dispose()
  }
}

/**
 * Asks the gateway for the fleet's snapshot (`GET /v1/router/live-metrics?scope=fleet`) now and every `interval`
 * seconds until `signal` aborts, handing each to `onSnapshot`. A gateway that cannot be reached for a moment (a restart)
 * is told to `onUnreachable` (if given) and asked again at the next interval; any other failure (a refusal, not a
 * gateway) rejects.
 */
async function pollFleet(
  url: string,
  apiKey: string | undefined,
  interval: number,
  signal: AbortSignal,
  onSnapshot: (snapshot: LiveMetricsSnapshot) => void,
  onUnreachable?: (message: string) => void,
): Promise<void> {
  const {snapshotFromGateway} = await import('./explain-cooldowns.js')
  const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), {once: true}))
  while (!signal.aborted) {
    try {
      const snapshot = await snapshotFromGateway(url, apiKey, true)
      if (!signal.aborted) onSnapshot(snapshot)
    } catch (error) {
      if (signal.aborted) return
      if (!(error instanceof RouterError) || error.code !== 'gateway_unreachable') throw error
      onUnreachable?.(`${error.message} Trying again in ${interval} s.`)
    }
    let timer: NodeJS.Timeout | undefined
    await Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, interval * 1000))), aborted])
    clearTimeout(timer)
  }
}

/** Reads the whole file and returns the summary as text or pretty JSON. */
export async function summarizeFile(file: string, since: 'start' | 'end' | number, json: boolean): Promise<string> {
  if (since === 'end')
    throw new UsageError('--once with --since end would summarise nothing.', {
      hint: 'Use --since start (the default) or a time such as --since 1h.',
    })
  const source = new FileAuditSource({path: file, since, follow: false})
  const summarizer = new AuditSummarizer()
  source.subscribe((event) => summarizer.observe(event))
  await source.start()
  summarizer.addMalformed(source.malformed)
  summarizer.addUnknown(source.unknown)
  const summary = summarizer.result(file)
  return json ? JSON.stringify(summary, null, 2) + '\n' : formatSummary(summary) + '\n'
}

function writeLine(line: string): void {
  process.stdout.write(line.endsWith('\n') ? line : line + '\n')
}

/** Resolves on SIGINT or SIGTERM (the listeners are removed by `dispose`). */
function untilSignal(): {promise: Promise<void>; dispose: () => void} {
  let dispose = () => {}
  const promise = new Promise<void>((resolve) => {
    const onSignal = () => resolve()
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
    dispose = () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    }
  })
  return {promise, dispose}
}

/** Resolves when stdout is closed by its reader (`| head`): there is nobody left to print for. */
function stdoutClosed(): Promise<void> {
  return new Promise((resolve) => {
    process.stdout.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') resolve()
    })
  })
}
