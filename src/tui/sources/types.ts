/** What the dashboard and the plain log read from: the in-process bus, an audit log file, or a gateway's SSE stream. */
import type {AuditListener} from '../../core/audit/event-bus.js'

/** Anything that delivers audit events to subscribers (`AuditEventBus` is one). */
export interface AuditSource {
  subscribe(listener: AuditListener): () => void
}

/** Where a remote or file source stands, for the dashboard's header. */
export interface SourceStatus {
  state: 'starting' | 'waiting' | 'live' | 'reconnecting' | 'stopped' | 'failed'
  /** Short human text: `waiting for logs/router_decisions.jsonl`, `reconnecting in 2s (ECONNREFUSED)`. */
  detail: string
}

/** A source that reports its status and counts what it could not read. */
export interface TailSource extends AuditSource {
  start(): Promise<void>
  stop(): Promise<void>
  status(): SourceStatus
  onStatus(listener: (status: SourceStatus) => void): () => void
  /** Lines or messages that were not valid audit events, and valid events of unknown kinds. */
  readonly malformed: number
  readonly unknown: number
}
