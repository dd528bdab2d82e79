/**
 * `router serve`: load the config (or start the demo), start the gateway, then show the dashboard in a terminal or
 * print one line per request, until Ctrl-C, `q` or SIGTERM; then shut down gracefully (a second Ctrl-C cuts the grace
 * period short). SIGHUP reloads the config file (the gateway also watches it).
 */
import {AuditEventBus} from '../core/audit/event-bus.js'
import {loadConfig, type LoadedConfig} from '../core/config/load.js'
import {RouterError} from '../core/errors.js'
import {startGateway, type RunningGateway} from '../gateway/server.js'
import {createPlainLogger, type PlainLogFormat} from '../tui/plain-log.js'
import {configPath} from './config-flag.js'
import type {Demo} from './demo.js'
import {formatProblem} from './present-error.js'
import {terminalNotices} from './notices.js'

export interface ServeOptions {
  configFlag?: string
  host?: string
  port?: number
  demo: boolean
  demoTraffic: boolean
  tui: boolean
  logFormat: PlainLogFormat
  /** Worker processes on one port (`--workers`); 1 serves in this process. */
  workers?: number
  env?: NodeJS.ProcessEnv
}

/** Runs the gateway until the user stops it. */
export async function runServe(options: ServeOptions): Promise<void> {
  if ((options.workers ?? 1) > 1) {
    const {runPrimary, runWorker} = await import('./serve-workers.js')
    const cluster = (await import('node:cluster')).default
    return cluster.isPrimary ? runPrimary({...options, workers: options.workers!}) : runWorker(options)
  }
  const env = options.env ?? process.env
  // The demo (simulators) and the dashboard (Ink, React, a layout engine: ~20 MB) load only when used.
  const demo: Demo | undefined = options.demo ? await (await import('./demo.js')).startDemo() : undefined
  let gateway: RunningGateway | undefined
  try {
    const config: LoadedConfig = demo?.config ?? (await loadConfig(configPath(options.configFlag, env), {env}))
    for (const warning of config.warnings) process.stderr.write(formatProblem({...warning, severity: 'warning'}) + '\n')
    const bus = new AuditEventBus({deferred: true})
    // While the dashboard owns the terminal, messages wait for it to close.
    const notices = terminalNotices()
    const notice = notices.notice
    gateway = await startGateway({
      config,
      bus,
      env,
      settings: {
        ...demo?.settings,
        ...(options.host === undefined ? {} : {host: options.host}),
        ...(options.port === undefined ? {} : {port: options.port}),
      },
      // The demo's config lives in memory: there is no file to reload.
      ...(demo ? {} : {reloadPath: config.path}),
      onAuditError: (error) =>
        notice(
          `router: warning: audit log: cannot write ${gateway?.state.settings.audit_log_path}: ${error.message}; retrying, events kept in memory meanwhile (GET /health shows the state)`,
        ),
      onAuditRecover: (dropped) =>
        notice(
          `router: audit log: writing again${dropped > 0 ? `; ${dropped} event${dropped === 1 ? '' : 's'} lost while it failed` : ', nothing lost'}`,
        ),
      onReload: (result) => notice(`router: ${result.message}`),
      onWarning: (message) => notice(`router: warning: ${message}`),
    }).catch((error: unknown) => {
      throw listenError(error, options.host ?? env.HOST ?? '127.0.0.1', options.port ?? env.PORT ?? 8000)
    })
    for (const warning of gateway.warnings) process.stderr.write(`router: warning: ${warning}\n`)
    if (gateway.exposed && !gateway.state.auth) {
      process.stderr.write(
        `router: warning: listening on ${gateway.listening.join(' and ')} with ingress auth off: anyone who can reach this port uses your provider accounts. Set INGRESS_AUTH_REQUIRED=true with INGRESS_API_KEYS (or OAuth), or listen on this machine only (--host 127.0.0.1).\n`,
      )
    }
    const running = gateway
    const onHangup = (): void => void running.reload()
    process.on('SIGHUP', onHangup)
    const {settings} = gateway.state
    const stopTraffic = demo && options.demoTraffic ? demo.startTraffic(gateway.url) : undefined
    const useTui = options.tui && process.stdout.isTTY === true && process.stdin.isTTY === true
    let stopLog: (() => void) | undefined
    if (useTui) {
      const {renderDashboard} = await import('../tui/render-dashboard.js')
      const dashboard = renderDashboard({
        source: bus,
        info: {
          title: demo ? 'Open-LLM Router (demo)' : 'Open-LLM Router',
          address: gateway.listening.join(', '),
          configPath: demo ? 'built-in demo profile' : config.path,
          profile: config.profile,
          startedAt: Date.now(),
        },
        metrics: {alpha: settings.live_metrics_ewma_alpha},
        // The gateway's own live metrics, fed by the same bus: one computation for the routing policy and the screen.
        sharedMetrics: gateway.state.metrics,
      })
      notices.hold()
      await Promise.race([dashboard.waitUntilExit(), stopSignal()])
      dashboard.unmount()
      notices.release()
    } else {
      process.stderr.write(
        banner(gateway, config, demo === undefined ? null : {traffic: stopTraffic !== undefined}) + '\n',
      )
      const output = batchedWriter(process.stdout)
      const unsubscribe = createPlainLogger(bus, output.write, options.logFormat)
      // Requests that finish during the graceful shutdown are logged too.
      stopLog = () => {
        unsubscribe()
        output.flush()
      }
      await stopSignal()
    }
    stopTraffic?.()
    process.off('SIGHUP', onHangup)
    // Requests that finish during the grace period are logged before the last word.
    await shutdown(gateway, stopLog)
  } finally {
    await gateway?.close({graceMs: 0})
    await demo?.close()
  }
}

/**
 * Collects request lines and writes them in one call every 10 ms: a write to a pipe or file is a synchronous
 * system call in Node, and one per request showed up in the gateway's CPU profile (and would stall it behind a slow
 * reader).
 */
export function batchedWriter(stream: NodeJS.WriteStream): {write: (line: string) => void; flush: () => void} {
  let pending: string[] = []
  let timer: NodeJS.Timeout | undefined
  const flush = (): void => {
    timer = undefined
    if (pending.length === 0) return
    const text = pending.join('')
    pending = []
    stream.write(text)
  }
  return {
    write: (line) => {
      pending.push(line)
      timer ??= setTimeout(flush, 10)
    },
    flush: () => {
      if (timer) clearTimeout(timer)
      flush()
    },
  }
}

/** Graceful shutdown with a message; a second SIGINT or SIGTERM cuts the grace period short. */
async function shutdown(gateway: RunningGateway, beforeStopped?: () => void): Promise<void> {
  const grace = gateway.state.settings.shutdown_grace_seconds
  const active = gateway.state.active.count
  process.stderr.write(
    `router: shutting down: ${active === 0 ? 'no request in flight' : `waiting up to ${grace}s for ${active} request${active === 1 ? '' : 's'} in flight`} (Ctrl-C again to stop now)…\n`,
  )
  const again = (): void => {
    process.stderr.write('router: stopping now\n')
    void gateway.close({graceMs: 0})
  }
  process.once('SIGINT', again)
  process.once('SIGTERM', again)
  try {
    await gateway.close()
  } finally {
    process.off('SIGINT', again)
    process.off('SIGTERM', again)
  }
  beforeStopped?.()
  process.stderr.write('router: stopped\n')
}

/** The start-up lines; `demo` says whether the demo sends sample traffic (null: not a demo). */
function banner(gateway: RunningGateway, config: LoadedConfig, demo: {traffic: boolean} | null): string {
  const {settings} = gateway.state
  const models = Object.keys(config.config.models).length
  const accounts = gateway.state.config.config.accounts.length
  const audit = settings.audit_log_enabled ? `audit log ${settings.audit_log_path}` : 'audit log off'
  const auth = gateway.state.auth
  const keys = settings.ingress_api_keys.length
  const ingress = !auth
    ? 'ingress auth off'
    : `ingress auth on (${[keys > 0 ? `${keys} API key${keys === 1 ? '' : 's'}` : '', settings.oauth_enabled ? `OAuth ${settings.oauth_jwt_secret ? 'HS256 secret' : 'JWKS'}` : ''].filter(Boolean).join(' + ')})`
  const reload = demo ? '' : settings.config_watch ? '; reloads on change or SIGHUP' : '; reloads on SIGHUP'
  return [
    `router: listening on ${gateway.listening.join(' and ')}${gateway.exposed ? '' : ' (this machine only)'}${demo ? ` (demo: simulated providers${demo.traffic ? ', sample traffic' : ', no sample traffic'})` : ''}`,
    `router: config ${demo ? 'built-in demo profile' : config.path} (${config.profile ? `profile ${config.profile}` : 'raw config'}, ${models} models, ${accounts} accounts)${reload}; ${audit}`,
    `router: ${ingress}; metrics ${gateway.url}/metrics, live ${gateway.url}/v1/router/live-metrics, events ${gateway.url}/v1/router/events`,
  ].join('\n')
}

/** Resolves on the first SIGINT or SIGTERM. */
export function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done)
      process.off('SIGTERM', done)
      resolve()
    }
    process.once('SIGINT', done)
    process.once('SIGTERM', done)
  })
}

/** A clear message for the usual reasons a server cannot listen. */
export function listenError(error: unknown, host: string, port: number | string): unknown {
  const code = (error as {code?: string})?.code
  if (code === 'EADDRINUSE') {
    return new RouterError('address_in_use', `Port ${port} on ${host} is already in use.`, {
      hint: 'stop the other server, or pick another port with --port (or PORT); --port 0 picks a free one',
      exitCode: 2,
    })
  }
  if (code === 'EACCES') {
    return new RouterError('address_denied', `Not allowed to listen on ${host}:${port}.`, {
      hint: 'ports below 1024 need privileges: use --port 8000 or another port above 1023',
      exitCode: 2,
    })
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new RouterError('address_invalid', `Cannot listen on ${host}: no such address on this machine.`, {
      hint: 'use --host 127.0.0.1 (this machine only) or --host 0.0.0.0 (all interfaces)',
      exitCode: 2,
    })
  }
  return error
}
