/**
 * `router serve`: load the config (or start the demo), start the gateway, then show the dashboard in a terminal or
 * print one line per request, until Ctrl-C, `q` or SIGTERM; then shut down gracefully.
 */
import {AuditEventBus} from '../core/audit/event-bus.js'
import {loadConfig, resolveConfigPath, type LoadedConfig} from '../core/config/load.js'
import {RouterError} from '../core/errors.js'
import {startGateway, type RunningGateway} from '../gateway/server.js'
import {createPlainLogger, type PlainLogFormat} from '../tui/plain-log.js'
import {renderDashboard} from '../tui/render-dashboard.js'
import {startDemo, type Demo} from './demo.js'
import {formatProblem} from './present-error.js'

export interface ServeOptions {
  configFlag?: string
  host?: string
  port?: number
  demo: boolean
  demoTraffic: boolean
  tui: boolean
  logFormat: PlainLogFormat
  env?: NodeJS.ProcessEnv
}

/** Runs the gateway until the user stops it. */
export async function runServe(options: ServeOptions): Promise<void> {
  const env = options.env ?? process.env
  const demo: Demo | undefined = options.demo ? await startDemo() : undefined
  let gateway: RunningGateway | undefined
  try {
    const config: LoadedConfig = demo?.config ?? (await loadConfig(resolveConfigPath(options.configFlag, env), {env}))
    for (const warning of config.warnings) process.stderr.write(formatProblem({...warning, severity: 'warning'}) + '\n')
    const bus = new AuditEventBus()
    gateway = await startGateway({
      config,
      bus,
      env,
      settings: {
        ...(options.host === undefined ? {} : {host: options.host}),
        ...(options.port === undefined ? {} : {port: options.port}),
      },
      onAuditError: (error) => process.stderr.write(`audit log: ${error.message}\n`),
    }).catch((error: unknown) => {
      throw listenError(error, options.host ?? env.HOST ?? '0.0.0.0', options.port ?? env.PORT ?? 8000)
    })
    const {settings} = gateway.state
    const stopTraffic = demo && options.demoTraffic ? demo.startTraffic(gateway.url) : undefined
    const useTui = options.tui && process.stdout.isTTY === true && process.stdin.isTTY === true
    if (useTui) {
      const dashboard = renderDashboard({
        source: bus,
        info: {
          title: demo ? 'Open-LLM Router (demo)' : 'Open-LLM Router',
          address: gateway.url,
          configPath: config.path,
          profile: config.profile,
          startedAt: Date.now(),
        },
        metrics: {alpha: settings.live_metrics_ewma_alpha},
      })
      await Promise.race([dashboard.waitUntilExit(), stopSignal()])
      dashboard.unmount()
    } else {
      process.stderr.write(banner(gateway, config, demo !== undefined) + '\n')
      const stopLog = createPlainLogger(bus, (line) => process.stdout.write(line), options.logFormat)
      await stopSignal()
      stopLog()
      process.stderr.write('router: shutting down (in-flight requests may finish)…\n')
    }
    stopTraffic?.()
  } finally {
    await gateway?.close()
    await demo?.close()
  }
}

function banner(gateway: RunningGateway, config: LoadedConfig, demo: boolean): string {
  const {settings} = gateway.state
  const models = Object.keys(config.config.models).length
  const accounts = gateway.state.config.config.accounts.length
  const audit = settings.audit_log_enabled ? `audit log ${settings.audit_log_path}` : 'audit log off'
  return [
    `router: listening on ${gateway.url}${demo ? ' (demo: simulated providers, sample traffic)' : ''}`,
    `router: config ${demo ? 'built-in demo profile' : config.path} (${config.profile ? `profile ${config.profile}` : 'raw config'}, ${models} models, ${accounts} accounts); ${audit}`,
  ].join('\n')
}

/** Resolves on the first SIGINT or SIGTERM. */
function stopSignal(): Promise<void> {
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
function listenError(error: unknown, host: string, port: number | string): unknown {
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
