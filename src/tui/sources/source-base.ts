/** What every tail source shares: subscribers, status reporting, and delivery that survives a broken subscriber. */
import type {AuditListener} from '../../core/audit/event-bus.js'
import type {AuditEvent} from '../../core/audit/schema.js'
import type {SourceStatus} from './types.js'

export abstract class SourceBase {
  private listeners: AuditListener[] = []
  private statusListeners: Array<(status: SourceStatus) => void> = []
  private current: SourceStatus = {state: 'starting', detail: 'starting'}
  /** Lines or messages that were not valid audit events. */
  malformed = 0
  /** Valid events of a kind this version does not know. */
  unknown = 0
  /** Events delivered. */
  delivered = 0

  subscribe(listener: AuditListener): () => void {
    this.listeners = [...this.listeners, listener]
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener)
    }
  }

  status(): SourceStatus {
    return this.current
  }

  onStatus(listener: (status: SourceStatus) => void): () => void {
    this.statusListeners = [...this.statusListeners, listener]
    return () => {
      this.statusListeners = this.statusListeners.filter((l) => l !== listener)
    }
  }

  protected emit(event: AuditEvent): void {
    this.delivered++
    for (const listener of this.listeners) {
      try {
        listener(event)
      } catch {
        // Like the bus: a broken subscriber is dropped, the others still get every event.
        this.listeners = this.listeners.filter((l) => l !== listener)
      }
    }
  }

  protected setStatus(status: SourceStatus): void {
    this.current = status
    for (const listener of this.statusListeners) listener(status)
  }
}
