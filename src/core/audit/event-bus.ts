/**
 * The in-process audit event bus: the gateway publishes, the audit log writer, live metrics and the dashboard
 * subscribe. A subscriber that throws is removed, never the publisher.
 *
 * Delivery is synchronous by default. A bus made with `{deferred: true}` (the gateway's) queues events on publish and
 * delivers them, in order, in one batch on the next turn of the event loop (`setImmediate`, after the I/O of the
 * current turn): the work of the subscribers (serialising the audit line, the live metrics, the request log) then
 * happens after the request's bytes have gone to the upstream or the client instead of before, so it adds no latency.
 * `flush()` delivers what is queued at once (shutdown calls it before closing the subscribers).
 */
import type {AuditEvent} from './schema.js'

/** A subscriber; called for every event, in subscription order. Keep it cheap. */
export type AuditListener = (event: AuditEvent) => void

export interface AuditEventBusOptions {
  /** Deliver on the next turn of the event loop instead of during `publish` (default false). */
  deferred?: boolean
}

export class AuditEventBus {
  private listeners: AuditListener[] = []
  private readonly deferred: boolean
  private queue: AuditEvent[] = []
  private scheduled = false

  constructor(options: AuditEventBusOptions = {}) {
    this.deferred = options.deferred ?? false
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: AuditListener): () => void {
    this.listeners = [...this.listeners, listener]
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener)
    }
  }

  /**
   * Publishes one event. The bus keeps a reference to it until it is delivered: publish events that are not changed
   * afterwards.
   */
  publish(event: AuditEvent): void {
    if (!this.deferred) {
      this.deliver(event)
      return
    }
    // Nobody listens: nothing to keep.
    if (this.listeners.length === 0) return
    this.queue.push(event)
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(this.drain)
    }
  }

  /** Delivers every queued event now (a no-op for a synchronous bus). */
  flush(): void {
    this.drain()
  }

  /** Events published and not yet delivered. */
  get pending(): number {
    return this.queue.length
  }

  get size(): number {
    return this.listeners.length
  }

  private readonly drain = (): void => {
    this.scheduled = false
    // An event published by a subscriber during delivery is delivered by this same loop, after the batch.
    while (this.queue.length > 0) {
      const batch = this.queue
      this.queue = []
      for (let i = 0; i < batch.length; i++) this.deliver(batch[i])
    }
  }

  private deliver(event: AuditEvent): void {
    const listeners = this.listeners
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i](event)
      } catch {
        // A broken subscriber (a closed SSE client, a crashed dashboard) must never break the request path.
        const broken = listeners[i]
        this.listeners = this.listeners.filter((l) => l !== broken)
      }
    }
  }
}
