/**
 * Starts a real gateway on 127.0.0.1:0 for tests, from a YAML config text, with the audit log in a temp folder and
 * every published audit event collected in memory. Circuit breakers and the config watch are off unless a test turns
 * them on.
 */
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {AuditEventBus} from '../../src/core/audit/event-bus.js'
import type {AuditEvent} from '../../src/core/audit/schema.js'
import {parseConfig} from '../../src/core/config/load.js'
import type {GatewaySettings} from '../../src/core/settings/schema.js'
import {startGateway, type RunningGateway, type StartGatewayOptions} from '../../src/gateway/server.js'

export interface TestGateway extends RunningGateway {
  events: AuditEvent[]
  /** Events of one request, in order. */
  eventsFor(requestId: string): AuditEvent[]
  /** Resolves when the request's `proxy_terminal` event has been published. */
  terminal(requestId: string): Promise<Extract<AuditEvent, {event: 'proxy_terminal'}>>
  auditPath: string
  /** The temp folder (config file, audit log, runtime overrides). */
  dir: string
  /** The config file (written only with `writeConfig`). */
  configPath: string
}

/** A config with one model, `openai/gpt-5-mini`, served by one simulator account at `simUrl`, for every request. */
export function oneSimModelConfig(simUrl: string): string {
  return `
default_model: openai/gpt-5-mini
models:
  openai/gpt-5-mini: {}
accounts:
  - {name: sim, provider: openai, base_url: ${simUrl}/v1, api_key: sk-sim-000000, models: [openai/gpt-5-mini]}
task_routes:
  general: {default: [openai/gpt-5-mini]}
`
}

export async function startTestGateway(
  yaml: string,
  options: {
    settings?: Partial<GatewaySettings>
    env?: NodeJS.ProcessEnv
    /** Write the config to `configPath` and reload from it (hot reload tests). */
    writeConfig?: boolean
    /** A folder to use instead of a new temp folder (kept on close). */
    dir?: string
    gateway?: Partial<StartGatewayOptions>
  } = {},
): Promise<TestGateway> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'router-gw-')))
  const file = join(dir, 'router.yaml')
  if (options.writeConfig) await writeFile(file, yaml)
  const config = parseConfig(yaml, file, {env: options.env ?? {}})
  // As `router serve` makes it: events are delivered on the next turn of the event loop.
  const bus = new AuditEventBus({deferred: true})
  const events: AuditEvent[] = []
  const waiters = new Map<string, Array<(e: AuditEvent) => void>>()
  bus.subscribe((event) => {
    events.push(event)
    if (event.event === 'proxy_terminal') {
      for (const resolve of waiters.get(event.request_id) ?? []) resolve(event)
      waiters.delete(event.request_id)
    }
  })
  const auditPath = join(dir, 'logs', 'audit.jsonl')
  const starting = startGateway({
    config,
    bus,
    env: options.env ?? {},
    settings: {
      host: '127.0.0.1',
      port: 0,
      audit_log_path: auditPath,
      runtime_overrides_path: join(dir, 'logs', 'overrides.yaml'),
      config_watch: false,
      // Tests that script failure after failure would open breakers and change each other's routing; the breaker
      // tests turn them on.
      circuit_breaker_enabled: false,
      ...options.settings,
    },
    ...(options.writeConfig ? {reloadPath: file} : {}),
    ...options.gateway,
  })
  const gateway = await starting.catch(async (error: unknown) => {
    if (!options.dir) await rm(dir, {recursive: true, force: true})
    throw error
  })
  return {
    ...gateway,
    events,
    auditPath,
    dir,
    configPath: file,
    eventsFor: (id) => events.filter((e) => 'request_id' in e && e.request_id === id),
    terminal: (id) => {
      const done = events.find((e) => e.event === 'proxy_terminal' && e.request_id === id)
      if (done) return Promise.resolve(done as Extract<AuditEvent, {event: 'proxy_terminal'}>)
      return new Promise((resolve) => {
        const list = waiters.get(id) ?? []
        list.push(resolve as (e: AuditEvent) => void)
        waiters.set(id, list)
      })
    },
    async close(closeOptions) {
      await gateway.close(closeOptions)
      if (!options.dir) await rm(dir, {recursive: true, force: true})
    },
  }
}

/** Empties a simulator's queue of scripted behaviours (`script()` appends; leftovers would leak into the next test). */
export async function clearScript(sim: {url: string}): Promise<void> {
  const {request} = await import('undici')
  const response = await request(`${sim.url}/_sim/script`, {method: 'DELETE'})
  await response.body.text()
}
