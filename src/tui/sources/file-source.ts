/**
 * Audit events from a JSONL audit log, read like `tail -F`: from the start (or the end, or a time), then following
 * appends (fs.watch on the folder, plus polling in case watching is not possible), rotation (the file is renamed and
 * a new one created: the old handle is read to its end first, then the path is reopened) and truncation (the size
 * shrinks: reading restarts at 0). A half-written last line is kept until its newline arrives; lines that are not
 * audit events are counted and skipped.
 */
import {type FSWatcher, watch} from 'node:fs'
import {type FileHandle, open, stat} from 'node:fs/promises'
import {basename, dirname} from 'node:path'

import {parseAuditEventJson} from '../../core/audit/parse-event.js'
import {RouterError} from '../../core/errors.js'
import {SourceBase} from './source-base.js'
import type {TailSource} from './types.js'

export interface FileSourceOptions {
  path: string
  /** Where to begin: the start of the file, its current end, or a time (ms since the epoch; older events are skipped). */
  since?: 'start' | 'end' | number
  /** Keep following the file after its current end; default true. With false, `start()` reads to the end and stops. */
  follow?: boolean
  /** How often to look at the file when no change notification came; default 500 ms. */
  pollIntervalMs?: number
  /** A line longer than this is dropped (and counted as malformed); default 8 MiB. */
  maxLineBytes?: number
}

const CHUNK = 64 * 1024
const NEWLINE = 0x0a

export class FileAuditSource extends SourceBase implements TailSource {
  private handle: FileHandle | null = null
  private inode: number | null = null
  private position = 0
  private partial: Buffer[] = []
  private partialBytes = 0
  private skippingLongLine = false
  private watcher: FSWatcher | null = null
  private timer: NodeJS.Timeout | null = null
  private chain: Promise<void> = Promise.resolve()
  private checkQueued = false
  private stopped = false
  private readonly since: 'start' | 'end' | number
  private readonly follow: boolean
  private readonly pollIntervalMs: number
  private readonly maxLineBytes: number

  constructor(private readonly options: FileSourceOptions) {
    super()
    this.since = options.since ?? 'start'
    this.follow = options.follow ?? true
    this.pollIntervalMs = options.pollIntervalMs ?? 500
    this.maxLineBytes = options.maxLineBytes ?? 8 * 1024 * 1024
  }

  get path(): string {
    return this.options.path
  }

  /**
   * Opens the file and reads what it holds (from where `since` says); then, when following, watches it. Fails with a
   * clear error when the file cannot be read, or is missing and not followed; a missing followed file is waited for.
   */
  async start(): Promise<void> {
    const opened = await this.openFile(this.since === 'end')
    if (!opened) {
      if (!this.follow) {
        throw new RouterError('audit_log_missing', `Audit log ${this.path} does not exist.`, {
          hint: "Pass --file with the gateway's audit log (ROUTER_AUDIT_LOG_PATH), or start `router serve` first.",
          exitCode: 2,
        })
      }
      this.setStatus({state: 'waiting', detail: `waiting for ${this.path}`})
    } else {
      await this.readAvailable()
      if (!this.follow) {
        this.flushPartial()
        await this.closeHandle()
        this.setStatus({state: 'stopped', detail: 'read to the end'})
        return
      }
      this.setStatus({state: 'live', detail: `following ${this.path}`})
    }
    this.watchFolder()
    // Not unref'd: following a file is what keeps a `metrics tail` process alive.
    this.timer = setInterval(() => this.scheduleCheck(), this.pollIntervalMs)
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.watcher?.close()
    this.watcher = null
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.chain
    await this.closeHandle()
    this.setStatus({state: 'stopped', detail: 'stopped'})
  }

  /** Runs one check now (after any running one); resolves when it is done. For callers that know the file changed. */
  poll(): Promise<void> {
    this.checkQueued = false
    this.chain = this.chain.then(() => this.check()).catch((error: unknown) => this.fail(error))
    return this.chain
  }

  private scheduleCheck(): void {
    if (this.stopped || this.checkQueued) return
    this.checkQueued = true
    this.chain = this.chain
      .then(() => {
        this.checkQueued = false
        return this.check()
      })
      .catch((error: unknown) => this.fail(error))
  }

  private async check(): Promise<void> {
    if (this.stopped) return
    if (!this.handle) {
      // Waiting for the file (at start, or after a rotation that renamed it away): a new file is read from 0.
      if (!(await this.openFile(false))) return
      this.setStatus({state: 'live', detail: `following ${this.path}`})
    }
    await this.readAvailable()
    let current
    try {
      current = await stat(this.path)
    } catch (error) {
      if (isMissing(error)) return
      throw error
    }
    if (current.ino !== this.inode) {
      // Rotated: everything the old file got is read above; a last line without newline is complete now.
      this.flushPartial()
      await this.closeHandle()
      if (await this.openFile(false)) await this.readAvailable()
      return
    }
    if (current.size < this.position) {
      // Truncated in place: start over; a half line from before the truncation is gone.
      this.position = 0
      this.partial = []
      this.partialBytes = 0
      this.skippingLongLine = false
      await this.readAvailable()
    }
  }

  private async openFile(atEnd: boolean): Promise<boolean> {
    try {
      const handle = await open(this.path, 'r')
      const info = await handle.stat()
      if (!info.isFile()) {
        await handle.close()
        throw new RouterError('audit_log_unreadable', `${this.path} is not a file.`, {
          hint: 'Pass --file with the path of the audit log (a .jsonl file).',
          exitCode: 2,
        })
      }
      this.handle = handle
      this.inode = info.ino
      this.position = atEnd ? info.size : 0
      this.partial = []
      this.partialBytes = 0
      this.skippingLongLine = false
      return true
    } catch (error) {
      if (isMissing(error)) return false
      if (error instanceof RouterError) throw error
      throw new RouterError('audit_log_unreadable', `Cannot read ${this.path}: ${(error as Error).message}`, {
        hint: 'Check the path and its permissions.',
        exitCode: 2,
        cause: error,
      })
    }
  }

  private async readAvailable(): Promise<void> {
    const handle = this.handle
    if (!handle) return
    const buffer = Buffer.allocUnsafe(CHUNK)
    for (;;) {
      if (this.stopped && this.follow) return
      const {bytesRead} = await handle.read(buffer, 0, CHUNK, this.position)
      if (bytesRead === 0) return
      this.position += bytesRead
      this.consume(buffer.subarray(0, bytesRead))
    }
  }

  private consume(chunk: Buffer): void {
    let start = 0
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, start)
      if (newline === -1) break
      const piece = chunk.subarray(start, newline)
      start = newline + 1
      if (this.skippingLongLine) {
        this.skippingLongLine = false
        continue
      }
      if (this.partialBytes > 0) {
        this.partial.push(piece)
        const line = Buffer.concat(this.partial).toString('utf8')
        this.partial = []
        this.partialBytes = 0
        this.line(line)
      } else {
        this.line(piece.toString('utf8'))
      }
    }
    if (start < chunk.length && !this.skippingLongLine) {
      // Copy: the read buffer is reused for the next chunk.
      const rest = Buffer.from(chunk.subarray(start))
      this.partial.push(rest)
      this.partialBytes += rest.length
      if (this.partialBytes > this.maxLineBytes) {
        this.malformed++
        this.partial = []
        this.partialBytes = 0
        this.skippingLongLine = true
      }
    }
  }

  private flushPartial(): void {
    if (this.partialBytes === 0) return
    const line = Buffer.concat(this.partial).toString('utf8')
    this.partial = []
    this.partialBytes = 0
    this.line(line)
  }

  private line(text: string): void {
    const parsed = parseAuditEventJson(text.endsWith('\r') ? text.slice(0, -1) : text)
    if (parsed.kind === 'malformed') this.malformed++
    else if (parsed.kind === 'unknown') this.unknown++
    else if (parsed.kind === 'event') {
      if (typeof this.since === 'number' && Date.parse(parsed.event.ts) < this.since) return
      this.emit(parsed.event)
    }
  }

  private watchFolder(): void {
    try {
      const name = basename(this.path)
      this.watcher = watch(dirname(this.path), {persistent: false}, (_event, filename) => {
        if (filename === null || filename === name) this.scheduleCheck()
      })
      this.watcher.on('error', () => {
        // Watching is only a hint (the folder may be gone, or the platform may not support it): polling goes on.
        this.watcher?.close()
        this.watcher = null
      })
    } catch {
      this.watcher = null
    }
  }

  private async closeHandle(): Promise<void> {
    const handle = this.handle
    this.handle = null
    await handle?.close().catch(() => {})
  }

  private fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error)
    this.setStatus({state: 'failed', detail: message})
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException)?.code === 'ENOENT'
}
