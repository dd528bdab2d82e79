/**
 * The JSONL audit log: subscribes to the event bus and appends one line per event, off the request path.
 * Each event is serialised on publish straight into a reusable 64 KB chunk (UTF-8), so no string outlives the
 * request, and chunks are written in batches at most `flushIntervalMs` after the first event of a batch (sooner when
 * a batch grows large). The request path never waits on the disk, and the cost of a file write (a hand-off to
 * libuv's thread pool, tens of microseconds of CPU) is shared by many events instead of paid once per request.
 * The file rotates by size (`path` → `path.1` → … → `path.N`).
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
  /** Longest time an event waits in memory before its batch is written (default 10 ms). */
  flushIntervalMs?: number
}

/** Default `flushIntervalMs`: events reach the file within about this long. */
const FLUSH_INTERVAL_MS = 10
/** Size of the chunks lines are encoded into. */
const CHUNK_BYTES = 64 * 1024
/** A batch this large is written at once rather than waiting for the interval. */
const FLUSH_BYTES = 256 * 1024
const NEWLINE = 0x0a

export class AuditLogWriter {
  private stream: WriteStream | undefined
  private size = 0
  /** The chunk being filled, how much of it is used, and the full chunks of the current batch. */
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES)
  private used = 0
  private sealed: Buffer[] = []
  private sealedBytes = 0
  private timer: NodeJS.Timeout | undefined
  private immediate = false
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
    const line = JSON.stringify(event)
    // UTF-8 takes at most 3 bytes per UTF-16 unit; a line that might not fit starts a new chunk.
    const worst = line.length * 3 + 1
    if (this.used + worst > this.chunk.length) {
      this.seal()
      if (worst > this.chunk.length) this.chunk = Buffer.allocUnsafe(worst)
    }
    this.used += this.chunk.write(line, this.used)
    this.chunk[this.used++] = NEWLINE
    if (this.sealedBytes + this.used >= FLUSH_BYTES) {
      if (!this.immediate) {
        this.immediate = true
        setImmediate(() => this.startBatch())
      }
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.startBatch(), this.options.flushIntervalMs ?? FLUSH_INTERVAL_MS)
      // A pending batch never keeps the process alive: `close()` writes it.
      this.timer.unref()
    }
  }

  /** Writes everything queued so far and waits until it is on disk (the OS has it). */
  async flush(): Promise<void> {
    this.startBatch()
    await this.writing
  }

  /** Stops following the bus, writes what is queued, closes the file. */
  async close(): Promise<void> {
    this.unsubscribe?.()
    await this.flush()
    this.closed = true
    await this.end()
  }

  /** Moves the used part of the current chunk to the batch and starts a fresh chunk. */
  private seal(): void {
    if (this.used === 0) return
    this.sealed.push(this.chunk.subarray(0, this.used))
    this.sealedBytes += this.used
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES)
    this.used = 0
  }

  /** Takes what is queued as one batch, written after the batches before it. */
  private startBatch(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.immediate = false
    this.seal()
    if (this.sealed.length === 0) return
    const batch = this.sealed
    const bytes = this.sealedBytes
    this.sealed = []
    this.sealedBytes = 0
    this.writing = this.writing.then(() => this.writeBatch(batch, bytes))
  }

  private async writeBatch(batch: Buffer[], bytes: number): Promise<void> {
    try {
      if (this.size > 0 && this.size + bytes > this.options.maxBytes) await this.rotate()
      if (!this.stream) await this.open()
      const stream = this.stream!
      await new Promise<void>((resolve, reject) => {
        // Corked, several chunks go down in one writev.
        stream.cork()
        for (let i = 0; i < batch.length; i++) {
          stream.write(batch[i], i === batch.length - 1 ? (error) => (error ? reject(error) : resolve()) : undefined)
        }
        stream.uncork()
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
