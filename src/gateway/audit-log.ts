/**
 * The JSONL audit log: subscribes to the event bus and appends one line per event, off the request path.
 * Each event is serialised on publish straight into a reusable 64 KB chunk (UTF-8), so no string outlives the
 * request, and chunks are written in batches at most `flushIntervalMs` after the first event of a batch (sooner when
 * a batch reaches `batchBytes`). The request path never waits on the disk, and the cost of a file write (a hand-off
 * to libuv's thread pool, tens of microseconds of CPU) is shared by many events instead of paid once per request.
 * The file rotates by size (`path` → `path.1` → … → `path.N`).
 *
 * A write the disk refuses (a full disk, an I/O error, a file size limit) loses nothing it can keep: the lines stay
 * queued (up to `maxPendingBytes`; lines beyond that are dropped and counted), whatever part of them reached the file
 * is cut off again so that no torn line stays, and the file is reopened and the write retried, after 100 ms, then
 * twice as long each time up to 5 s, until it succeeds. `status()` says how it goes (for `/health` and Prometheus).
 * A file whose last line has no newline (a crash in the middle of a write) gets one before the next line, so that
 * every line written after it is valid JSON.
 */
import {mkdir, open, rename, rm, type FileHandle} from 'node:fs/promises'
import {dirname} from 'node:path'

import type {AuditEventBus} from '../core/audit/event-bus.js'
import type {AuditEvent} from '../core/audit/schema.js'
import {RouterError} from '../core/errors.js'

export interface AuditLogOptions {
  path: string
  maxBytes: number
  maxFiles: number
  /** Longest time an event waits in memory before its batch is written (default 10 ms; 0: the next turn of the loop). */
  flushIntervalMs?: number
  /** A batch this large is written at once rather than waiting for the interval (default 256 KiB). */
  batchBytes?: number
  /** Most bytes of lines held while the disk refuses them (default 8 MiB). */
  maxPendingBytes?: number
  /** Delay before the first retry of a refused write, and the longest delay (default 100 ms and 5 s). */
  retryMs?: {first: number; max: number}
  /** Writes started failing (called once per failing period; `status()` has the details). */
  onError?: (error: Error) => void
  /** Writes succeed again after a failing period; `dropped` lines were lost in all since the start. */
  onRecover?: (dropped: number) => void
}

/** How the audit log is doing, as `/health` shows it (`audit_log`). */
export interface AuditLogStatus {
  path: string
  /** `failing` from a refused write until a write succeeds again. */
  state: 'ok' | 'failing'
  /** When writes started failing (ISO 8601); null while they succeed. */
  failing_since: string | null
  /** The last write error's message, kept after recovery; null if there was none. */
  last_error: string | null
  /** Write attempts the disk refused, since the start. */
  write_errors: number
  /** Lines lost since the start: held past `maxPendingBytes`, or still unwritten when the gateway stopped. */
  dropped_events: number
  /** Bytes of lines waiting to be written. */
  pending_bytes: number
}

/** Size of the chunks lines are encoded into. */
const CHUNK_BYTES = 64 * 1024
const NEWLINE = 0x0a
const NEWLINE_BUFFER = Buffer.from('\n')

/** Lines taken together for one write. */
interface Batch {
  buffers: Buffer[]
  bytes: number
  lines: number
}

export class AuditLogWriter {
  private handle: FileHandle | undefined
  /** The open file is a regular file (not /dev/stdout, a FIFO or a device): only those rotate and get repaired. */
  private regular = false
  private size = 0
  /** The file's last byte is not a newline: one goes first with the next write. */
  private repairTail = false
  /** The chunk being filled, how much of it is used and how many lines it holds, and the full chunks before it. */
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES)
  private used = 0
  private chunkLines = 0
  private sealed: Batch = {buffers: [], bytes: 0, lines: 0}
  /** Batches waiting for the disk, oldest first. */
  private queue: Batch[] = []
  private queuedBytes = 0
  /** Bytes of the write in progress (taken off the queue, put back if it fails). */
  private writingBytes = 0
  private timer: NodeJS.Timeout | undefined
  private immediate = false
  private writing: Promise<void> | undefined
  private retryTimer: NodeJS.Timeout | undefined
  private retryDelay: number
  private failingSince: number | null = null
  private lastError: string | null = null
  private writeErrors = 0
  private dropped = 0
  private unsubscribe: (() => void) | undefined
  private closed = false
  private readonly flushIntervalMs: number
  private readonly batchBytes: number
  private readonly maxPendingBytes: number
  private readonly retryMs: {first: number; max: number}

  constructor(private readonly options: AuditLogOptions) {
    this.flushIntervalMs = options.flushIntervalMs ?? 10
    this.batchBytes = options.batchBytes ?? 256 * 1024
    this.maxPendingBytes = options.maxPendingBytes ?? 8 * 1024 * 1024
    this.retryMs = options.retryMs ?? {first: 100, max: 5000}
    this.retryDelay = this.retryMs.first
  }

  /**
   * Opens the file (creating its folder) and starts following the bus. A path that cannot be written is a
   * `RouterError` (`audit_log_unwritable`) naming it and the fix.
   */
  async start(bus: AuditEventBus): Promise<void> {
    try {
      await this.open()
    } catch (error) {
      throw unwritable(this.options.path, error as NodeJS.ErrnoException)
    }
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
    this.chunkLines++
    if (this.flushIntervalMs === 0 || this.sealed.bytes + this.used >= this.batchBytes) {
      if (!this.immediate) {
        this.immediate = true
        setImmediate(() => this.startBatch())
      }
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.startBatch(), this.flushIntervalMs)
      // A pending batch never keeps the process alive: `close()` writes it.
      this.timer.unref()
    }
  }

  /** Writes everything queued so far and waits until the OS has it, or until a write fails (the lines stay queued). */
  async flush(): Promise<void> {
    this.startBatch()
    await this.writing
  }

  /**
   * Stops following the bus, writes what is queued (one last try if writes are failing; what still cannot be written
   * is counted as dropped), closes the file.
   */
  async close(): Promise<void> {
    this.unsubscribe?.()
    this.startBatch()
    this.closed = true
    clearTimeout(this.retryTimer)
    this.retryTimer = undefined
    await this.writing
    if (this.queue.length > 0) await this.writeQueued()
    for (const batch of this.queue) this.dropped += batch.lines
    this.queue = []
    this.queuedBytes = 0
    const handle = this.handle
    this.handle = undefined
    await handle?.close().catch(() => undefined)
  }

  status(): AuditLogStatus {
    return {
      path: this.options.path,
      state: this.failingSince === null ? 'ok' : 'failing',
      failing_since: this.failingSince === null ? null : new Date(this.failingSince).toISOString(),
      last_error: this.lastError,
      write_errors: this.writeErrors,
      dropped_events: this.dropped,
      pending_bytes: this.queuedBytes + this.writingBytes + this.sealed.bytes + this.used,
    }
  }

  /** Moves the used part of the current chunk to the batch and starts a fresh chunk. */
  private seal(): void {
    if (this.used === 0) return
    this.sealed.buffers.push(this.chunk.subarray(0, this.used))
    this.sealed.bytes += this.used
    this.sealed.lines += this.chunkLines
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES)
    this.used = 0
    this.chunkLines = 0
  }

  /** Queues what was written so far as one batch (or drops it, past the bound) and starts writing. */
  private startBatch(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.immediate = false
    this.seal()
    const batch = this.sealed
    if (batch.bytes === 0) return
    this.sealed = {buffers: [], bytes: 0, lines: 0}
    if (this.queuedBytes + this.writingBytes + batch.bytes > this.maxPendingBytes) {
      this.dropped += batch.lines
      return
    }
    this.queue.push(batch)
    this.queuedBytes += batch.bytes
    this.drain()
  }

  /** Starts writing the queue, unless a write is running or a retry is scheduled. */
  private drain(): void {
    if (this.writing !== undefined || this.retryTimer !== undefined) return
    this.writing = this.writeQueued().finally(() => {
      this.writing = undefined
      if (this.queue.length > 0 && !this.closed) this.drain()
    })
  }

  /** Writes queued batches until the queue is empty or a write fails (then a retry is scheduled). */
  private async writeQueued(): Promise<void> {
    while (this.queue.length > 0) {
      const batches = this.queue
      const bytes = this.queuedBytes
      this.queue = []
      this.queuedBytes = 0
      this.writingBytes = bytes
      const written = await this.writeBatches(batches, bytes)
      this.writingBytes = 0
      if (written) continue
      this.queue = batches.concat(this.queue)
      this.queuedBytes += bytes
      this.scheduleRetry()
      return
    }
  }

  /** One write of `batches` at the end of the file; false when the disk refused it (the file is left as before). */
  private async writeBatches(batches: Batch[], bytes: number): Promise<boolean> {
    let start = -1
    try {
      if (this.handle === undefined) await this.open()
      if (this.regular && this.size > 0 && this.size + bytes > this.options.maxBytes) await this.rotate()
      start = this.size
      const buffers: Buffer[] = this.repairTail ? [NEWLINE_BUFFER] : []
      for (const batch of batches) buffers.push(...batch.buffers)
      await writeAll(this.handle!, buffers)
      this.size += bytes + (this.repairTail ? 1 : 0)
      this.repairTail = false
    } catch (error) {
      this.writeErrors++
      this.lastError = (error as Error).message
      if (this.failingSince === null) {
        this.failingSince = Date.now()
        this.options.onError?.(error as Error)
      }
      await this.abandonFile(start)
      return false
    }
    if (this.failingSince !== null) {
      this.failingSince = null
      this.retryDelay = this.retryMs.first
      this.options.onRecover?.(this.dropped)
    }
    return true
  }

  private scheduleRetry(): void {
    if (this.closed) return
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined
      this.drain()
    }, this.retryDelay)
    this.retryTimer.unref()
    this.retryDelay = Math.min(this.retryDelay * 2, this.retryMs.max)
  }

  /**
   * After a failed write: cuts off what part of it reached the file (it is written again whole with the retry, so
   * nothing is torn or doubled), and closes the file, to be opened afresh (the disk may have been replaced, the file
   * moved).
   */
  private async abandonFile(writeStart: number): Promise<void> {
    const handle = this.handle
    this.handle = undefined
    if (handle === undefined) return
    if (this.regular && writeStart >= 0) await handle.truncate(writeStart).catch(() => undefined)
    await handle.close().catch(() => undefined)
  }

  /** Opens the file for appending (creating it readable by its owner only), and looks at how it ends. */
  private async open(): Promise<void> {
    const path = this.options.path
    await mkdir(dirname(path), {recursive: true})
    // Read as well as append: the last byte says whether a torn line needs its newline.
    const handle = await open(path, 'a+', 0o600)
    try {
      const stat = await handle.stat()
      this.regular = stat.isFile()
      this.size = this.regular ? stat.size : 0
      this.repairTail = false
      if (this.regular && stat.size > 0) {
        const last = Buffer.alloc(1)
        await handle.read(last, 0, 1, stat.size - 1)
        this.repairTail = last[0] !== NEWLINE
      }
    } catch (error) {
      await handle.close()
      throw error
    }
    this.handle = handle
  }

  private async rotate(): Promise<void> {
    const handle = this.handle
    this.handle = undefined
    await handle?.close()
    const {path, maxFiles} = this.options
    await rm(`${path}.${maxFiles}`, {force: true})
    for (let i = maxFiles - 1; i >= 1; i--) {
      await rename(`${path}.${i}`, `${path}.${i + 1}`).catch(() => undefined)
    }
    await rename(path, `${path}.1`).catch(() => undefined)
    await this.open()
  }
}

/** Writes every byte of `buffers`, going on after a short write (the next call says why it stopped, if it did). */
async function writeAll(handle: FileHandle, buffers: Buffer[]): Promise<void> {
  let rest = buffers
  for (;;) {
    let total = 0
    for (const buffer of rest) total += buffer.length
    const {bytesWritten} = await handle.writev(rest)
    if (bytesWritten === total) return
    if (bytesWritten === 0) throw new Error('the disk accepted no bytes')
    let skip = bytesWritten
    const next: Buffer[] = []
    for (const buffer of rest) {
      if (skip >= buffer.length) skip -= buffer.length
      else {
        next.push(skip > 0 ? buffer.subarray(skip) : buffer)
        skip = 0
      }
    }
    rest = next
  }
}

/** The start-up error for an audit log path that cannot be written, with what to do about it. */
function unwritable(path: string, error: NodeJS.ErrnoException): RouterError {
  const disable = 'or turn the audit log off with ROUTER_AUDIT_LOG_ENABLED=false'
  const reasons: Record<string, [why: string, hint: string]> = {
    EISDIR: [
      'it is a folder',
      `set ROUTER_AUDIT_LOG_PATH to a file in it, e.g. ${path.replace(/\/+$/, '')}/router_decisions.jsonl, ${disable}`,
    ],
    ENOTDIR: [
      'a part of its folder path is a file, not a folder',
      `set ROUTER_AUDIT_LOG_PATH to a path whose folders exist or can be created, ${disable}`,
    ],
    EEXIST: [
      'a part of its folder path is a file, not a folder',
      `set ROUTER_AUDIT_LOG_PATH to a path whose folders exist or can be created, ${disable}`,
    ],
    EACCES: [
      'this user may not write there',
      `give this user write access to the folder, set ROUTER_AUDIT_LOG_PATH to a writable path, ${disable}`,
    ],
    EPERM: [
      'this user may not write there',
      `give this user write access to the folder, set ROUTER_AUDIT_LOG_PATH to a writable path, ${disable}`,
    ],
    EROFS: [
      'it is on a read-only file system',
      `set ROUTER_AUDIT_LOG_PATH to a path on a writable disk (a mounted volume in a container), ${disable}`,
    ],
  }
  const [why, hint] = reasons[error.code ?? ''] ?? [
    error.message,
    `set ROUTER_AUDIT_LOG_PATH to a writable file, ${disable}`,
  ]
  return new RouterError('audit_log_unwritable', `Cannot write the audit log ${path}: ${why}.`, {
    hint,
    exitCode: 2,
    cause: error,
  })
}
