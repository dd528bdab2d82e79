/**
 * The in-process audit event bus: the gateway publishes, the audit log writer, live metrics and the dashboard
 * subscribe. Synchronous and allocation-free on publish; a subscriber that throws is removed, never the publisher.
 */
import type {AuditEvent} from './schema.js'

/** A subscriber; called synchronously for every event, in subscription order. Keep it cheap. */
export type AuditListener = (event: AuditEvent) => void

export class AuditEventBus {
  private listeners: AuditListener[] = []

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: AuditListener): () => void {
    this.listeners = [...this.listeners, listener]
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener)
    }
  }

  publish(event: AuditEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch {
        // A broken subscriber (a closed SSE client, a crashed dashboard) must never break the request path.
        this.listeners = this.listeners.filter((l) => l !== listener)
      }
    }
  }

  get size(): number {
    return this.listeners.length
  }
}
