/**
 * The JSONL audit log: subscribes to the event bus and appends one line per event, off the request path.
 * Events are serialised and buffered in memory on publish and written in one batch per event-loop turn, so the
 * request path never waits on the disk. The file rotates by size (`path` → `path.1` → … → `path.N`).
 */
import {createWriteStream, type WriteStream} from 'node:fs'
import {mkdir, rename, rm, stat} from 'node:fs/promises'
import {dirname} from 'node:path'

import type {AuditEventBus} from '../core/audit/event-bus.js'
import type {AuditEvent} from '../core/audit/schema.js'

export interface AuditLogOptions {
  path: string
  maxBytes: number
  maxFiles: number
  /** Called when the disk refuses a write; the log keeps trying on the next batch. */
  onError?: (error: Error) => void
}

export class AuditLogWriter {
  private stream: WriteStream | undefined
  private size = 0
  private pending: string[] = []
  private scheduled = false
  private writing: Promise<void> = Promise.resolve()
  private unsubscribe: (() => void) | undefined
  private closed = false

  constructor(private readonly options: AuditLogOptions) {}

  /** Opens the file (creating its directory) and starts following the bus. */
  async start(bus: AuditEventBus): Promise<void> {
    await this.open()
    this.unsubscribe = bus.subscribe((event) => this.write(event))
  }

  /** Queues one event; the line is written with the next batch. */
  write(event: AuditEvent): void {
    if (this.closed) return
    this.pending.push(JSON.stringify(event))
    if (!this.scheduled) {
      this.scheduled = true
      setImmediate(() => {
        this.scheduled = false
        this.writing = this.writing.then(() => this.flushBatch())
      })
    }
  }

  /** Writes everything queued so far and waits until it is on disk (the OS has it). */
  async flush(): Promise<void> {
    this.writing = this.writing.then(() => this.flushBatch())
    await this.writing
  }

  /** Stops following the bus, writes what is queued, closes the file. */
  async close(): Promise<void> {
    this.unsubscribe?.()
    await this.flush()
    this.closed = true
    await this.end()
  }

  private async flushBatch(): Promise<void> {
    if (this.pending.length === 0) return
    const batch = this.pending.join('\n') + '\n'
    this.pending = []
    const bytes = Buffer.byteLength(batch)
    try {
      if (this.size > 0 && this.size + bytes > this.options.maxBytes) await this.rotate()
      if (!this.stream) await this.open()
      await new Promise<void>((resolve, reject) => {
        this.stream!.write(batch, (error) => (error ? reject(error) : resolve()))
      })
      this.size += bytes
    } catch (error) {
      this.options.onError?.(error as Error)
    }
  }

  private async open(): Promise<void> {
    await mkdir(dirname(this.options.path), {recursive: true})
    this.size = await stat(this.options.path).then(
      (s) => s.size,
      () => 0,
    )
    const stream = createWriteStream(this.options.path, {flags: 'a'})
    stream.on('error', (error) => this.options.onError?.(error))
    this.stream = stream
  }

  private async end(): Promise<void> {
    const stream = this.stream
    this.stream = undefined
    if (stream) await new Promise<void>((resolve) => stream.end(resolve))
  }

  private async rotate(): Promise<void> {
    await this.end()
    const {path, maxFiles} = this.options
    await rm(`${path}.${maxFiles}`, {force: true})
    for (let i = maxFiles - 1; i >= 1; i--) {
      await rename(`${path}.${i}`, `${path}.${i + 1}`).catch(() => undefined)
    }
    await rename(path, `${path}.1`).catch(() => undefined)
    await this.open()
  }
}
