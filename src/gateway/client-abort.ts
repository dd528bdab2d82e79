/**
 * Cancellation of one client request. undici accepts any EventEmitter with an `aborted` flag as a request signal,
 * and this costs a fraction of an `AbortController` (whose EventTarget machinery showed up in the gateway's CPU
 * profile at ~9 µs per request).
 */
import {EventEmitter} from 'node:events'

export class ClientAbort extends EventEmitter {
  aborted = false

  /** Marks the client as gone; listeners (undici, a drain wait) cancel what they are doing. */
  abort(): void {
    if (this.aborted) return
    this.aborted = true
    this.emit('abort')
  }
}
