/**
 * Starting and stopping a gateway: settings from the environment (flags override), ingress auth (checked before
 * anything starts), the config, the audit log, live metrics and the runtime policy, circuit breakers, idempotency,
 * the event stream and Prometheus, the upstream client, and the Fastify app listening on its socket. Also config hot
 * reload (`reload()`, and a file watch) and graceful shutdown (`close()`).
 */
import type {AddressInfo} from 'node:net'
import type {FastifyInstance} from 'fastify'

import {AuditEventBus} from '../core/audit/event-bus.js'
import {parseIngressKeys, planIngressAuth} from '../core/auth/ingress.js'
import {managedIngressKeys, readKeysFile} from '../core/auth/keys.js'
import {withDefaultAccount} from '../core/config/default-account.js'
import {loadConfig, type LoadedConfig} from '../core/config/load.js'
import {configureClassifierCache} from '../core/routing/classifier.js'
import {decideRoute} from '../core/routing/decide.js'
import {LiveMetrics} from '../core/metrics/live-metrics.js'
import {settingsFromEnv} from '../core/settings/env.js'
import type {GatewaySettings} from '../core/settings/schema.js'
import {buildApp} from './app.js'
import {AuditLogWriter} from './audit-log.js'
import {CircuitBreakers} from './breakers.js'
import {ConfigReloader, type ReloadResult} from './config-reload.js'
import {createCredentialResolver} from './credentials.js'
import {EventStreamHub} from './events-stream.js'
import {IdempotencyCoordinator} from './idempotency.js'
import {IdleCompactor} from './idle-compaction.js'
import {IngressAuthenticator} from './ingress-auth.js'
import {KeyLimiter} from './key-limits.js'
import {liveStatsSource} from './live-stats.js'
import {PrometheusMetrics} from './prometheus.js'
import {CooldownTracker} from './cooldowns.js'
import {QualityFeedback} from './feedback.js'
import {MemorySessionStore, SessionTracker} from './sessions.js'
import {RuntimePolicy} from './runtime-policy.js'
import {mirrorTrackers, openSharedState, publishFleetMetrics} from './shared-state/index.js'
import {applyConfig, type GatewayState} from './state.js'
import {UpstreamClient} from './upstream.js'

export type {ReloadResult} from './config-reload.js'

export interface StartGatewayOptions {
  /** Config file; ignored when `config` is given. */
  configPath?: string
  /** An already loaded config (the demo builds one in memory). */
  config?: LoadedConfig
  env?: NodeJS.ProcessEnv
  /** Values from flags; they win over the environment. */
  settings?: Partial<GatewaySettings>
  /** Share a bus with the caller (the dashboard subscribes before the first request). */
  bus?: AuditEventBus
  /** Called when audit log writes start failing (the gateway keeps serving; the log retries). */
  onAuditError?: (error: Error) => void
  /** Called when audit log writes succeed again; `dropped` events were lost in all. */
  onAuditRecover?: (dropped: number) => void
  /**
   * The file `reload()` reads, and that is watched when `ROUTER_CONFIG_WATCH` is on. Default: `configPath` when the
   * config is loaded from a file; none for a config given in memory (then `reload()` reports that it cannot).
   */
  reloadPath?: string
  /** Called after every reload attempt, successful or not. */
  onReload?: (result: ReloadResult) => void
  /** Problems worth telling the operator while running (an unusable runtime overrides file, a failed write). */
  onWarning?: (message: string) => void
  /** This process is `serve --workers` worker number `worker`: without `ROUTER_STATE_URL` its primary keeps the state. */
  worker?: number
}

export interface CloseOptions {
  /** How long in-flight requests and streams may take to finish; default `ROUTER_SHUTDOWN_GRACE_SECONDS`. */
  graceMs?: number
}

export interface Gateway {
  app: FastifyInstance
  state: GatewayState
  /** Start-up warnings (ingress auth that is not enforced, short keys…). */
  warnings: readonly string[]
  /** Loads the config file again and applies it if valid. */
  reload(): Promise<ReloadResult>
  /**
   * Graceful shutdown: new requests get a 503 and no new connection is accepted; in-flight requests and streams may
   * finish within the grace period, after which the remaining connections are closed. Then the runtime overrides are
   * persisted and the audit log flushed. Calling it again while it runs with `graceMs: 0` cuts the grace short.
   */
  close(options?: CloseOptions): Promise<void>
}

export interface RunningGateway extends Gateway {
  /** `http://host:port` as a client on this machine would reach it. */
  url: string
  host: string
  port: number
  /** Every address the server listens on, as URLs (`http://0.0.0.0:8000`; `localhost` binds 127.0.0.1 and ::1). */
  listening: string[]
  /** Some address it listens on is not loopback: other machines may reach it. */
  exposed: boolean
}

/** Builds the gateway state and the app without listening (for `inject()` tests). */
export async function createGateway(options: StartGatewayOptions): Promise<Gateway> {
  const env = options.env ?? process.env
  const settings = settingsFromEnv(env, options.settings)
  // A misconfigured ingress auth (or keys file) stops the start before anything listens or writes.
  const keysFile = await readKeysFile(settings.keys_file)
  const authPlan = planIngressAuth(settings, managedIngressKeys(keysFile))
  const loaded = options.config ?? (await loadConfig(options.configPath ?? 'router.profile.yaml', {env}))
  // Deferred: subscribers run after the request's bytes are on their way, not in front of them.
  const bus = options.bus ?? new AuditEventBus({deferred: true})

  const metrics = settings.live_metrics_enabled ? new LiveMetrics({alpha: settings.live_metrics_ewma_alpha}) : undefined
  const stopMetrics = metrics ? bus.subscribe((event) => metrics.observe(event)) : undefined
  const audit = settings.audit_log_enabled
    ? new AuditLogWriter({
        path: settings.audit_log_path,
        maxBytes: settings.audit_log_max_bytes,
        maxFiles: settings.audit_log_max_files,
        flushIntervalMs: settings.audit_log_flush_interval_ms,
        batchBytes: settings.audit_log_batch_bytes,
        maxPendingBytes: settings.audit_log_max_pending_bytes,
        onError: options.onAuditError,
        onRecover: options.onAuditRecover,
      })
    : undefined
  // A path that cannot be written stops the start here, before anything listens.
  await audit?.start(bus)
  const prometheus = new PrometheusMetrics(bus, {metrics, auditLog: audit})
  const policy = metrics
    ? new RuntimePolicy({
        metrics,
        path: settings.runtime_overrides_path,
        intervalMs: settings.live_metrics_update_interval_seconds * 1000,
        minSamples: settings.live_metrics_min_samples,
        maxRatio: settings.runtime_policy_max_adjustment_ratio,
        feedback: {
          minAnswers: settings.feedback_escalation_min_answers,
          minBad: settings.feedback_escalation_min_bad,
          badRate: settings.feedback_escalation_bad_rate,
          ttlMs: settings.feedback_escalation_hours * 3600 * 1000,
        },
        onWarning: options.onWarning,
      })
    : undefined
  await policy?.load()

  const upstream = new UpstreamClient({
    connectTimeoutMs: settings.backend_connect_timeout_seconds * 1000,
    headersTimeoutMs: settings.backend_read_timeout_seconds * 1000,
    idleTimeoutMs: settings.backend_idle_timeout_seconds * 1000,
    maxConnections: settings.backend_max_connections,
  })
  // The environment wins over the profile's `state.url`.
  if (settings.state_url === undefined && loaded.state !== undefined) settings.state_url = loaded.state.url
  // Never fails for want of Redis: a store that cannot be reached starts degraded and keeps trying.
  const shared = await openSharedState(settings, {
    worker: options.worker !== undefined,
    onStatus: (status, message) => {
      bus.publish({
        ts: new Date().toISOString(),
        event: 'state_store',
        store: settings.state_url ? 'redis' : 'primary',
        status,
        message,
      })
      options.onWarning?.(`shared state: ${message}`)
    },
  })
  const idempotency = settings.idempotency_enabled
    ? new IdempotencyCoordinator(shared.idempotency, settings.idempotency_wait_timeout_seconds * 1000)
    : undefined
  const events = new EventStreamHub(bus, {
    keepaliveMs: settings.events_keepalive_seconds * 1000,
    maxBufferBytes: settings.events_max_buffer_bytes,
  })
  // Why an account has no usable credential (missing variable, failed refresh), for the skip events.
  const credentialProblems = new Map<string, string>()
  const credentials = createCredentialResolver({
    env,
    onEvent: (event) => {
      if (event.kind === 'refreshed') credentialProblems.delete(event.account)
      else credentialProblems.set(event.account, event.message)
    },
  })
  const withAccount: LoadedConfig = Object.assign({}, loaded, {
    config: withDefaultAccount(loaded.config, {baseUrl: settings.backend_base_url, apiKey: settings.backend_api_key}),
  })
  const state: GatewayState = {
    config: withAccount,
    routingConfig: withAccount.config,
    settings,
    bus,
    upstream,
    cooldowns: new CooldownTracker(),
    bufferedAnswers: {bytes: 0},
    credentials,
    credentialProblems,
    policy,
    feedback: new QualityFeedback(bus, {
      retryWindowMs: settings.feedback_retry_window_seconds * 1000,
      maxEntries: 10_000,
    }),
    metrics,
    prometheus,
    events,
    idempotency,
    auditLog: audit,
    shared,
    worker: options.worker,
    draining: false,
    active: {count: 0, started: 0, onIdle: null},
    startedAt: Date.now(),
  }
  applyConfig(state, withAccount)
  const sessionSettings = () => state.config.config.session
  state.sessions = new SessionTracker(
    new MemorySessionStore(() => ({
      maxEntries: sessionSettings().max_sessions,
      ttlMs: sessionSettings().ttl_seconds * 1000,
    })),
    bus,
    sessionSettings,
  )
  if (metrics) state.stats = liveStatsSource(metrics, () => state.routingConfig)
  if (authPlan.required) state.auth = await IngressAuthenticator.create(authPlan)
  const envKeys = parseIngressKeys(settings.ingress_api_keys).keys
  const limits = new KeyLimiter(shared, bus, {
    path: settings.keys_file,
    onChange: (keys) => state.auth?.setKeys([...envKeys, ...keys]),
    onWarning: options.onWarning,
  })
  limits.use(keysFile)
  limits.watch()
  state.limits = limits
  if (settings.circuit_breaker_enabled) {
    state.breakers = new CircuitBreakers(
      {
        failureThreshold: settings.circuit_breaker_failure_threshold,
        recoveryMs: settings.circuit_breaker_recovery_timeout_seconds * 1000,
        halfOpenMaxProbes: settings.circuit_breaker_half_open_max_requests,
      },
      bus,
    )
  }
  await mirrorTrackers(
    shared,
    state.cooldowns,
    state.breakers instanceof CircuitBreakers ? state.breakers : undefined,
    state.sessions,
  )
  const stopFleetMetrics = metrics
    ? publishFleetMetrics(shared, metrics, settings.fleet_metrics_interval_seconds * 1000)
    : undefined
  configureClassifierCache({entries: settings.classifier_cache_texts, chars: settings.classifier_cache_chars})
  const app = await buildApp(state)
  warmUp(state)
  const compactor =
    settings.memory_compact_idle_seconds > 0
      ? new IdleCompactor({
          idleMs: settings.memory_compact_idle_seconds * 1000,
          minGrowthBytes: settings.memory_compact_min_growth_bytes,
          requests: () => state.active.started,
          busy: () => state.active.count > 0,
          onCompact: (result) => prometheus.memoryCompacted(result.durationMs),
          onError: (error) => options.onWarning?.(`memory compaction after quiet periods is off: ${error.message}`),
        })
      : undefined
  policy?.start(
    () => state.config.config,
    (view) => {
      state.routingConfig = view
    },
  )

  const reloadPath = options.reloadPath ?? (options.config ? undefined : (options.configPath ?? 'router.profile.yaml'))
  const reloader = reloadPath
    ? new ConfigReloader(state, {path: reloadPath, env, onResult: options.onReload})
    : undefined
  if (reloader && settings.config_watch) reloader.watch()

  let closing: Promise<void> | undefined
  let force: (() => void) | undefined
  return {
    app,
    state,
    warnings: authPlan.warnings,
    async reload() {
      if (reloader) return reloader.reload()
      const result = {
        ok: false,
        path: loaded.path,
        message: 'this config was not loaded from a file; nothing to reload',
      }
      options.onReload?.(result)
      return result
    },
    close(closeOptions = {}) {
      if (closing) {
        if (closeOptions.graceMs === 0) force?.()
        return closing
      }
      closing = (async () => {
        state.draining = true
        compactor?.stop()
        stopFleetMetrics?.()
        reloader?.stop()
        policy?.stop()
        // Event streams never end by themselves: close them first so that they do not hold the drain.
        events.close()
        await drain(app, state, closeOptions.graceMs ?? settings.shutdown_grace_seconds * 1000, (cut) => {
          force = cut
        })
        // The last requests' events reach the metrics, the overrides and the audit log before they close.
        bus.flush()
        await policy?.persist()
        await upstream.close()
        idempotency?.close()
        limits.close()
        await shared.close()
        stopMetrics?.()
        prometheus.close()
        await audit?.close()
      })()
      return closing
    },
  }
}

/** Starts a gateway listening on `settings.host:settings.port` (port 0 picks a free one). */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const gateway = await createGateway(options)
  const {host, port} = gateway.state.settings
  try {
    await gateway.app.listen({host, port})
  } catch (error) {
    await gateway.close({graceMs: 0})
    throw error
  }
  const addresses = gateway.app.addresses().filter((a): a is AddressInfo => typeof a === 'object')
  const boundPort = addresses[0]?.port ?? port
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
  return Object.assign({}, gateway, {
    url: httpUrl(reachable, boundPort),
    host,
    port: boundPort,
    listening: addresses.map((a) => httpUrl(a.address, a.port)),
    exposed: addresses.some((a) => !isLoopback(a.address)),
  })
}

function httpUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`
}

/** 127.0.0.0/8, ::1, and IPv4 loopback written as an IPv6 address. */
function isLoopback(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address
  return v4.startsWith('127.') || address === '::1'
}

/**
 * Stops accepting connections and waits, up to `graceMs`, for the requests in flight; connections are closed as soon
 * as they go idle. After the grace period the rest are cut (their requests end as client aborts, audited). Resolves
 * once the server is closed and every proxied request has published its last event.
 */
async function drain(
  app: FastifyInstance,
  state: GatewayState,
  graceMs: number,
  setForce: (cut: () => void) => void,
): Promise<void> {
  const server = app.server
  const closed = app.close()
  const reap = setInterval(() => server.closeIdleConnections(), 25)
  let cut!: () => void
  const cutShort = new Promise<void>((resolve) => {
    cut = resolve
  })
  setForce(cut)
  const timer = setTimeout(cut, graceMs)
  await Promise.race([closed, cutShort])
  clearTimeout(timer)
  clearInterval(reap)
  server.closeAllConnections()
  await closed
  // Requests cut above finish their bookkeeping (abort → terminal event) asynchronously.
  if (state.active.count > 0) {
    await new Promise<void>((resolve) => {
      const give = setTimeout(resolve, 2000)
      state.active.onIdle = () => {
        clearTimeout(give)
        resolve()
      }
    })
  }
  // One more turn: a rejected request's error handler publishes its terminal event after the handler settled.
  await new Promise((resolve) => setImmediate(resolve))
}

/**
 * Runs a few routing decisions before the first request: the catalog, the classifier's tables and V8's compiled
 * code are ready then, so the first users do not pay tens of milliseconds for it.
 */
function warmUp(state: GatewayState): void {
  const body = {
    model: 'auto',
    messages: [{role: 'user', content: 'Write a Python function that adds two numbers, then explain it.'}],
  }
  for (let i = 0; i < 20; i++) {
    try {
      decideRoute({body, endpoint: 'chat.completions'}, state.routingConfig, {profile: state.config.profile})
    } catch {
      // A config that cannot route this sample still serves other requests; the real request will say why.
      return
    }
  }
}
