/**
 * Starts a real gateway on 127.0.0.1:0 for tests, from a YAML config text, with the audit log in a temp folder and
 * every published audit event collected in memory.
 */
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {AuditEventBus} from '../../src/core/audit/event-bus.js'
import type {AuditEvent} from '../../src/core/audit/schema.js'
import {parseConfig} from '../../src/core/config/load.js'
import type {GatewaySettings} from '../../src/core/settings/schema.js'
import {startGateway, type RunningGateway} from '../../src/gateway/server.js'

export interface TestGateway extends RunningGateway {
  events: AuditEvent[]
  /** Events of one request, in order. */
  eventsFor(requestId: string): AuditEvent[]
  /** Resolves when the request's `proxy_terminal` event has been published. */
  terminal(requestId: string): Promise<Extract<AuditEvent, {event: 'proxy_terminal'}>>
  auditPath: string
}

export async function startTestGateway(
  yaml: string,
  options: {settings?: Partial<GatewaySettings>; env?: NodeJS.ProcessEnv} = {},
): Promise<TestGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'router-gw-'))
  const file = join(dir, 'router.yaml')
  const config = parseConfig(yaml, file, {env: options.env ?? {}})
  const bus = new AuditEventBus()
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
  const gateway = await startGateway({
    config,
    bus,
    env: options.env ?? {},
    settings: {host: '127.0.0.1', port: 0, audit_log_path: auditPath, ...options.settings},
  })
  return {
    ...gateway,
    events,
    auditPath,
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
    async close() {
      await gateway.close()
      await rm(dir, {recursive: true, force: true})
    },
  }
}
