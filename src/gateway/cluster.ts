/**
 * `router serve --workers N`: node:cluster workers share one port; the primary owns what must exist once, the audit
 * log (and so the dashboard and the request log) and, without Redis, the shared state (`shared-state/ipc.ts`).
 * Workers send their audit events to the primary in one message per batch of the bus.
 */
import type {Worker} from 'node:cluster'

import type {AuditEventBus} from '../core/audit/event-bus.js'
import type {AuditEvent} from '../core/audit/schema.js'

/** Messages a worker sends its primary about its life (besides the state's). */
export type WorkerMessage =
  {olr: 'audit'; events: AuditEvent[]} | {olr: 'listening'; url: string} | {olr: 'notice'; line: string}

/** Message the primary sends a worker to shut down gracefully. */
export const SHUTDOWN = {olr: 'shutdown'} as const

/** In a worker: sends every audit event of `bus` to the primary, one message per batch. Returns the unsubscribe. */
export function forwardAudit(bus: AuditEventBus): () => void {
  let batch: AuditEvent[] = []
  const flush = (): void => {
    const events = batch
    batch = []
    if (events.length > 0 && process.connected) process.send!({olr: 'audit', events} satisfies WorkerMessage)
  }
  return bus.subscribe((event) => {
    if (batch.length === 0) setImmediate(flush)
    batch.push(event)
  })
}

/** In the primary: what a worker's message carries, dispatched. */
export function onWorkerMessage(
  worker: Worker,
  handlers: {
    audit: (event: AuditEvent) => void
    listening: (worker: Worker, url: string) => void
    notice: (line: string) => void
  },
): void {
  worker.on('message', (message: WorkerMessage) => {
    if (typeof message !== 'object' || message === null || !('olr' in message)) return
    if (message.olr === 'audit') for (const event of message.events) handlers.audit(event)
    else if (message.olr === 'listening') handlers.listening(worker, message.url)
    else if (message.olr === 'notice') handlers.notice(message.line)
  })
}
