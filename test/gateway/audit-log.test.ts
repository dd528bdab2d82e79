import {mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'

import {AuditEventBus} from '../../src/core/audit/event-bus.js'
import {AuditEventSchema, type AuditEvent} from '../../src/core/audit/schema.js'
import {AuditLogWriter, type AuditLogOptions} from '../../src/gateway/audit-log.js'
import {requestEvents, T0} from '../helpers/audit-events.js'

let dir: string
let writer: AuditLogWriter | undefined

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'router-audit-'))
})

afterEach(async () => {
  await writer?.close()
  writer = undefined
  await rm(dir, {recursive: true, force: true})
})

/** The events of `count` scripted requests, one 200 attempt each. */
function traffic(count: number): AuditEvent[] {
  const events: AuditEvent[] = []
  for (let i = 0; i < count; i++) {
    events.push(
      ...requestEvents({
        id: `req_${String(i).padStart(6, '0')}`,
        at: T0 + i,
        attempts: [{model: 'openai/gpt-5-mini', status: 200}],
      }),
    )
  }
  return events
}

async function lines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '')
  return text === '' ? [] : text.trimEnd().split('\n')
}

async function start(options: Partial<AuditLogOptions> = {}): Promise<{bus: AuditEventBus; path: string}> {
  const path = options.path ?? join(dir, 'logs', 'audit.jsonl')
  writer = new AuditLogWriter({maxBytes: 50_000_000, maxFiles: 3, ...options, path})
  const bus = new AuditEventBus()
  await writer.start(bus)
  return {bus, path}
}

describe('audit log writer', () => {
  it('writes every published event as one schema-valid JSON line, in order, within the flush interval', async () => {
    const {bus, path} = await start({flushIntervalMs: 250})
    const events = traffic(5)
    for (const event of events) bus.publish(event)
    // Nothing is written on the request path itself (the interval leaves time to look, even on a busy machine).
    expect(await lines(path)).toEqual([])
    await vi.waitFor(async () => expect(await lines(path)).toHaveLength(events.length), {timeout: 2000, interval: 10})
    const written = (await lines(path)).map((line) => JSON.parse(line))
    expect(written).toEqual(JSON.parse(JSON.stringify(events)))
    for (const event of written) expect(AuditEventSchema.safeParse(event).success).toBe(true)
  })

  it('writes a large batch at once instead of waiting for the interval', async () => {
    const {bus, path} = await start({flushIntervalMs: 60_000})
    const events = traffic(600)
    for (const event of events) bus.publish(event)
    await vi.waitFor(async () => expect((await lines(path)).length).toBeGreaterThan(0), {timeout: 2000, interval: 10})
  })

  it('writes what is still queued when it closes, and nothing after', async () => {
    const {bus, path} = await start({flushIntervalMs: 60_000})
    const events = traffic(3)
    for (const event of events) bus.publish(event)
    await writer!.close()
    bus.publish(traffic(1)[0])
    expect(await lines(path)).toHaveLength(events.length)
  })

  it('keeps events published while a batch is being written, in order', async () => {
    const {bus, path} = await start({flushIntervalMs: 1})
    const events = traffic(200)
    for (let i = 0; i < events.length; i++) {
      bus.publish(events[i])
      if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 2))
    }
    await writer!.flush()
    const ids = (await lines(path)).map((line) => (JSON.parse(line) as {request_id: string}).request_id)
    expect(ids).toEqual(events.map((event) => (event as {request_id: string}).request_id))
  })

  it('keeps non-ASCII text and events larger than a write chunk intact', async () => {
    const {bus, path} = await start({flushIntervalMs: 5})
    const [decision, ...rest] = traffic(1)
    // A logged prompt of about 130 KB: larger than one 64 KB chunk even before UTF-8 encoding.
    const big: AuditEvent = {...decision, prompt: 'Größe 🚀 日本語 '.repeat(9000)} as AuditEvent
    const small: AuditEvent = {...decision, request_id: 'req_éè', prompt: 'naïve — “quoted”'} as AuditEvent
    for (const event of [small, big, ...rest, small]) bus.publish(event)
    await writer!.flush()
    const written = (await lines(path)).map((line) => JSON.parse(line))
    expect(written).toEqual(JSON.parse(JSON.stringify([small, big, ...rest, small])))
    for (const event of written) expect(AuditEventSchema.safeParse(event).success).toBe(true)
  })

  it('rotates by size and keeps at most maxFiles old files', async () => {
    const {bus, path} = await start({flushIntervalMs: 1, maxBytes: 4000, maxFiles: 2})
    for (const event of traffic(40)) {
      bus.publish(event)
      await writer!.flush()
    }
    const files = (await readdir(join(dir, 'logs'))).sort()
    expect(files).toEqual(['audit.jsonl', 'audit.jsonl.1', 'audit.jsonl.2'])
    for (const file of files) {
      const content = await lines(join(dir, 'logs', file))
      expect(content.length).toBeGreaterThan(0)
      for (const line of content) expect(() => JSON.parse(line)).not.toThrow()
    }
    expect((await lines(path)).join('\n').length).toBeLessThanOrEqual(4000)
  })
})

/** The request ids of the lines of a log, every line parsed as JSON (a torn or invalid line fails the test). */
async function ids(path: string): Promise<string[]> {
  return (await lines(path)).map((line) => (JSON.parse(line) as {request_id: string}).request_id)
}

function idsOf(events: AuditEvent[]): string[] {
  return events.map((event) => (event as {request_id: string}).request_id)
}

describe('audit log writer: when the disk refuses', () => {
  /**
   * A log path that is a symlink to /dev/full, where every write fails with ENOSPC as on a full disk; removing the
   * link is freeing the space (the writer reopens the path and creates a regular file).
   */
  async function fullDisk(): Promise<string> {
    const path = join(dir, 'full.jsonl')
    await symlink('/dev/full', path)
    return path
  }

  it('keeps the events while writes fail with ENOSPC, reports failing, and writes them all, in order, once it can', async () => {
    const path = await fullDisk()
    const errors: Error[] = []
    const recovered: number[] = []
    const {bus} = await start({
      path,
      flushIntervalMs: 1,
      retryMs: {first: 20, max: 40},
      onError: (e) => errors.push(e),
      onRecover: (d) => recovered.push(d),
    })
    const events = traffic(20)
    for (const event of events.slice(0, 10)) bus.publish(event)
    await vi.waitFor(() =>
      expect(writer!.status()).toMatchObject({state: 'failing', last_error: expect.stringContaining('ENOSPC')}),
    )
    for (const event of events.slice(10)) bus.publish(event)
    // Several retries fail while the disk stays full; the operator hears about it once.
    await vi.waitFor(() => expect(writer!.status().write_errors).toBeGreaterThanOrEqual(3))
    expect(errors).toHaveLength(1)
    expect(writer!.status().pending_bytes).toBeGreaterThan(0)

    await rm(path)
    await vi.waitFor(() => expect(writer!.status().state).toBe('ok'))
    expect(await ids(path)).toEqual(idsOf(events))
    expect(writer!.status()).toMatchObject({dropped_events: 0, pending_bytes: 0, failing_since: null})
    expect(recovered).toEqual([0])
  })

  it('drops and counts the events beyond the pending bound while writes fail, and keeps the rest', async () => {
    const path = await fullDisk()
    const {bus} = await start({path, flushIntervalMs: 1, maxPendingBytes: 4000, retryMs: {first: 20, max: 40}})
    const events = traffic(60)
    for (const event of events) {
      bus.publish(event)
      await writer!.flush()
    }
    const dropped = writer!.status().dropped_events
    expect(dropped).toBeGreaterThan(0)
    await rm(path)
    await vi.waitFor(() => expect(writer!.status().state).toBe('ok'))
    const written = await ids(path)
    expect(written.length + dropped).toBe(events.length)
    // What is kept is the oldest, in order: the events that arrived after the bound was reached are the ones lost.
    expect(written).toEqual(idsOf(events).slice(0, written.length))
  })

  it('counts what is still unwritten when it closes as dropped', async () => {
    const path = await fullDisk()
    const {bus} = await start({path, flushIntervalMs: 1, retryMs: {first: 20, max: 40}})
    for (const event of traffic(5)) bus.publish(event)
    await vi.waitFor(() => expect(writer!.status().state).toBe('failing'))
    await writer!.close()
    expect(writer!.status().dropped_events).toBe(traffic(5).length)
    writer = undefined
  })
})

describe('audit log writer: the file', () => {
  it('terminates a torn last line left by a crash before it appends, so every new line is valid JSON', async () => {
    const path = join(dir, 'logs', 'audit.jsonl')
    await mkdir(join(dir, 'logs'))
    const [first] = traffic(1)
    await writeFile(path, JSON.stringify(first) + '\n' + '{"ts":"2026-03-02T10:00:00.001Z","request_id":"req_tor')
    const {bus} = await start({path, flushIntervalMs: 1})
    const events = traffic(3)
    for (const event of events) bus.publish(event)
    await writer!.flush()
    const written = await lines(path)
    expect(written).toHaveLength(2 + events.length)
    expect(written[1]).toBe('{"ts":"2026-03-02T10:00:00.001Z","request_id":"req_tor')
    expect(written.slice(2).map((line) => JSON.parse(line))).toEqual(JSON.parse(JSON.stringify(events)))
  })

  it('creates the log readable and writable by its owner only', async () => {
    const {bus, path} = await start({flushIntervalMs: 1})
    bus.publish(traffic(1)[0])
    await writer!.flush()
    expect((await stat(path)).mode & 0o777).toBe(0o600)
  })

  it.each([
    [
      'a folder',
      async (root: string) => (await mkdir(join(root, 'logs.jsonl')), join(root, 'logs.jsonl')),
      /it is a folder/,
      /file in it/,
    ],
    [
      'a path under a file',
      async (root: string) => (await writeFile(join(root, 'logs'), 'x'), join(root, 'logs', 'audit.jsonl')),
      /a part of its folder path is a file/,
      /ROUTER_AUDIT_LOG_PATH/,
    ],
  ])('refuses to start on %s, naming the path and the fix', async (_name, make, reason, hint) => {
    const path = await make(dir)
    const candidate = new AuditLogWriter({path, maxBytes: 1000, maxFiles: 1})
    const error = await candidate.start(new AuditEventBus()).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toMatchObject({code: 'audit_log_unwritable', exitCode: 2, message: expect.stringContaining(path)})
    expect((error as Error).message).toMatch(reason)
    expect((error as {hint: string}).hint).toMatch(hint)
    expect((error as {hint: string}).hint).toContain('ROUTER_AUDIT_LOG_ENABLED=false')
  })
})
