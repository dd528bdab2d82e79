/**
 * `router serve --workers N`: a primary and N node:cluster workers on one port (docs/gateway.md, "Several processes
 * and replicas"). The primary validates the config once, writes the one audit log (workers send it their events),
 * shows the dashboard or the request log, keeps the shared state when there is no `ROUTER_STATE_URL`, starts a
 * worker again when one dies, and on Ctrl-C or SIGTERM asks every worker to shut down gracefully. A worker is a
 * whole gateway without an audit log of its own.
 */
import cluster, {type Worker} from 'node:cluster'

import {AuditEventBus} from '../core/audit/event-bus.js'
import {loadConfig} from '../core/config/load.js'
import {RouterError, UsageError} from '../core/errors.js'
import {settingsFromEnv} from '../core/settings/env.js'
import {AuditLogWriter} from '../gateway/audit-log.js'
import {forwardAudit, onWorkerMessage, SHUTDOWN, type WorkerMessage} from '../gateway/cluster.js'
import {startGateway} from '../gateway/server.js'
import {PrimaryStateServer} from '../gateway/shared-state/ipc.js'
import {MemorySharedState} from '../gateway/shared-state/memory.js'
import {redactRedisUrl} from '../gateway/shared-state/redis.js'
import {createPlainLogger} from '../tui/plain-log.js'
import {configPath} from './config-flag.js'
import {formatProblem} from './present-error.js'
import {batchedWriter, listenError, stopSignal, type ServeOptions} from './serve.js'
import {terminalNotices} from './notices.js'

/** The primary: forks the workers and stays until the user stops it. */
export async function runPrimary(options: ServeOptions & {workers: number}): Promise<void> {
  if (options.demo)
    throw new UsageError('--workers cannot run the demo', {
      hint: 'drop --workers to try --demo, or serve a profile with --config',
    })
  const env = options.env ?? process.env
  const config = await loadConfig(configPath(options.configFlag, env), {env})
  for (const warning of config.warnings) process.stderr.write(formatProblem({...warning, severity: 'warning'}) + '\n')
  const settings = settingsFromEnv(env, {
    ...(options.host === undefined ? {} : {host: options.host}),
    ...(options.port === undefined ? {} : {port: options.port}),
  })
  if (settings.state_url === undefined && config.state !== undefined) settings.state_url = config.state.url
  const bus = new AuditEventBus({deferred: true})
  const notices = terminalNotices()
  const notice = notices.notice
  const audit = settings.audit_log_enabled
    ? new AuditLogWriter({
        path: settings.audit_log_path,
        maxBytes: settings.audit_log_max_bytes,
        maxFiles: settings.audit_log_max_files,
        onError: (error) => notice(`router: audit log: ${error.message}`),
      })
    : undefined
  await audit?.start(bus)
  const memory =
    settings.state_url === undefined
      ? new MemorySharedState({
          ttlMs: settings.idempotency_ttl_seconds * 1000,
          maxEntries: settings.idempotency_max_entries,
          maxBytes: settings.idempotency_max_bytes,
        })
      : undefined
  const stateServer = memory
    ? new PrimaryStateServer(
        memory,
        settings.circuit_breaker_recovery_timeout_seconds * 1000,
        config.config.session.max_sessions,
      )
    : undefined

  let stopping = false
  const listening = new Map<Worker, string>()
  const ready = new Promise<string>((resolve, reject) => {
    const fork = (): void => {
      const worker = cluster.fork()
      stateServer?.add(worker)
      let lastNotice = ''
      onWorkerMessage(worker, {
        audit: (event) => bus.publish(event),
        listening: (w, url) => {
          listening.set(w, url)
          if (listening.size === options.workers) resolve(url)
        },
        notice: (line) => {
          lastNotice = line
          notice(line)
        },
      })
      worker.on('exit', (code, signal) => {
        const wasListening = listening.delete(worker)
        if (stopping) return
        if (!wasListening) {
          reject(
            new RouterError(
              'worker_failed',
              `a worker stopped before it listened (${signal ?? `exit code ${code}`}): ${lastNotice.replace(/^router: /, '') || 'no message'}`,
              {exitCode: 2},
            ),
          )
          return
        }
        notice(`router: worker ${worker.id} stopped (${signal ?? `exit code ${code}`}); starting another`)
        fork()
      })
    }
    for (let i = 0; i < options.workers; i++) fork()
  })
  const stopWorkers = async (graceMs: number): Promise<void> => {
    stopping = true
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined)
    const exits = workers.map(
      (w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once('exit', () => resolve()))),
    )
    for (const w of workers) if (w.isConnected()) w.send(SHUTDOWN)
    const kill = setTimeout(() => workers.forEach((w) => w.process.kill('SIGKILL')), graceMs + 5000)
    await Promise.all(exits)
    clearTimeout(kill)
  }

  try {
    const url = await ready
    const store =
      settings.state_url === undefined
        ? 'shared state in the primary'
        : `shared state in ${redactRedisUrl(settings.state_url)}`
    const useTui = options.tui && process.stdout.isTTY === true && process.stdin.isTTY === true
    if (useTui) {
      const {renderDashboard} = await import('../tui/render-dashboard.js')
      const dashboard = renderDashboard({
        source: bus,
        info: {
          title: `Open-LLM Router (${options.workers} workers)`,
          address: url,
          configPath: config.path,
          profile: config.profile,
          startedAt: Date.now(),
        },
        metrics: {alpha: settings.live_metrics_ewma_alpha},
      })
      notices.hold()
      await Promise.race([dashboard.waitUntilExit(), stopSignal()])
      dashboard.unmount()
      notices.release()
      process.stderr.write(`router: shutting down ${options.workers} workers…\n`)
      await stopWorkers(settings.shutdown_grace_seconds * 1000)
    } else {
      process.stderr.write(`router: listening on ${url} (${options.workers} workers, ${store})\n`)
      process.stderr.write(
        `router: config ${config.path}; ${settings.audit_log_enabled ? `audit log ${settings.audit_log_path}` : 'audit log off'}\n`,
      )
      const output = batchedWriter(process.stdout)
      const unsubscribe = createPlainLogger(bus, output.write, options.logFormat)
      await stopSignal()
      process.stderr.write(`router: shutting down ${options.workers} workers (Ctrl-C again to stop now)…\n`)
      const again = (): void => void stopWorkers(0)
      process.once('SIGINT', again)
      process.once('SIGTERM', again)
      await stopWorkers(settings.shutdown_grace_seconds * 1000)
      process.off('SIGINT', again)
      process.off('SIGTERM', again)
      bus.flush()
      unsubscribe()
      output.flush()
    }
    process.stderr.write('router: stopped\n')
  } catch (error) {
    await stopWorkers(0)
    throw error instanceof RouterError ? error : listenError(error, settings.host, settings.port)
  } finally {
    bus.flush()
    await audit?.close()
    await memory?.close()
  }
}

/** A worker: a whole gateway, with its audit events sent to the primary, until the primary says stop. */
export async function runWorker(options: ServeOptions): Promise<void> {
  const env = options.env ?? process.env
  const id = cluster.worker!.id
  const send = (message: WorkerMessage): void => {
    if (process.connected) process.send!(message)
  }
  const notice = (line: string): void => send({olr: 'notice', line})
  // Ctrl-C reaches the whole process group: the primary decides when workers stop.
  process.on('SIGINT', () => {})
  try {
    const config = await loadConfig(configPath(options.configFlag, env), {env})
    const bus = new AuditEventBus({deferred: true})
    forwardAudit(bus)
    const gateway = await startGateway({
      config,
      bus,
      env,
      settings: {
        ...(options.host === undefined ? {} : {host: options.host}),
        ...(options.port === undefined ? {} : {port: options.port}),
        audit_log_enabled: false,
      },
      reloadPath: config.path,
      worker: id,
      onReload: (result) => notice(`router: worker ${id}: ${result.message}`),
      onWarning: (message) => notice(`router: worker ${id}: warning: ${message}`),
    })
    send({olr: 'listening', url: gateway.url})
    await new Promise<void>((resolve) => {
      process.on('message', (message: unknown) => {
        if ((message as {olr?: string})?.olr === SHUTDOWN.olr) resolve()
      })
      process.once('disconnect', () => resolve())
      process.once('SIGTERM', () => resolve())
    })
    await gateway.close()
    // The last events go out with the bus's next batch.
    await new Promise((resolve) => setImmediate(resolve))
    await new Promise((resolve) => setImmediate(resolve))
  } catch (error) {
    const shown = listenError(error, options.host ?? env.HOST ?? '0.0.0.0', options.port ?? env.PORT ?? 8000)
    notice(`router: ${shown instanceof Error ? shown.message : String(shown)}`)
    process.exitCode = 2
  }
  cluster.worker!.disconnect()
}
