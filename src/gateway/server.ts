/**
 * Starting and stopping a gateway: settings from the environment (flags override), the config, the audit log, the
 * upstream client, and the Fastify app listening on its socket.
 */
import type {FastifyInstance} from 'fastify'

import {AuditEventBus} from '../core/audit/event-bus.js'
import {withDefaultAccount} from '../core/config/default-account.js'
import {loadConfig, type LoadedConfig} from '../core/config/load.js'
import {settingsFromEnv} from '../core/settings/env.js'
import type {GatewaySettings} from '../core/settings/schema.js'
import {buildApp} from './app.js'
import {AuditLogWriter} from './audit-log.js'
import {createCredentialResolver} from './credentials.js'
import {CooldownTracker} from './retry-after.js'
import type {GatewayState} from './state.js'
import {UpstreamClient} from './upstream.js'

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
  /** Called when the audit log cannot write (the gateway keeps serving). */
  onAuditError?: (error: Error) => void
}

export interface RunningGateway {
  app: FastifyInstance
  state: GatewayState
  /** `http://host:port` as a client on this machine would reach it. */
  url: string
  host: string
  port: number
  /** Stops accepting, lets in-flight requests finish, flushes the audit log. */
  close(): Promise<void>
}

/** Builds the gateway state and the app without listening (for `inject()` tests). */
export async function createGateway(options: StartGatewayOptions): Promise<{app: FastifyInstance; state: GatewayState; close(): Promise<void>}> {
  const env = options.env ?? process.env
  const settings = settingsFromEnv(env, options.settings)
  const loaded = options.config ?? (await loadConfig(options.configPath ?? 'router.profile.yaml', {env}))
  const bus = options.bus ?? new AuditEventBus()
  const audit = settings.audit_log_enabled
    ? new AuditLogWriter({
        path: settings.audit_log_path,
        maxBytes: settings.audit_log_max_bytes,
        maxFiles: settings.audit_log_max_files,
        onError: options.onAuditError,
      })
    : undefined
  await audit?.start(bus)
  const upstream = new UpstreamClient({
    connectTimeoutMs: settings.backend_connect_timeout_seconds * 1000,
    headersTimeoutMs: settings.backend_read_timeout_seconds * 1000,
    idleTimeoutMs: settings.backend_idle_timeout_seconds * 1000,
    maxConnections: settings.backend_max_connections,
  })
  const state: GatewayState = {
    config: {...loaded, config: withDefaultAccount(loaded.config, {baseUrl: settings.backend_base_url, apiKey: settings.backend_api_key})},
    settings,
    bus,
    upstream,
    cooldowns: new CooldownTracker(),
    credentials: createCredentialResolver({env}),
    startedAt: Date.now(),
  }
  const app = await buildApp(state)
  let closed = false
  return {
    app,
    state,
    async close() {
      if (closed) return
      closed = true
      await app.close()
      await upstream.close()
      await audit?.close()
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
    await gateway.close()
    throw error
  }
  const address = gateway.app.server.address()
  const boundPort = typeof address === 'object' && address ? address.port : port
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
  return {
    ...gateway,
    url: `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${boundPort}`,
    host,
    port: boundPort,
  }
}
