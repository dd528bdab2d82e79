import {mkdtemp, readdir, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'

import {AuditEventBus} from '../../src/core/audit/event-bus.js'
import {AuditEventSchema, type AuditEvent} from '../../src/core/audit/schema.js'
import {AuditLogWriter} from '../../src/gateway/audit-log.js'
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
    events.push(...requestEvents({id: `req_${String(i).padStart(6, '0')}`, at: T0 + i, attempts: [{model: 'openai/gpt-5-mini', status: 200}]}))
  }
  return events
}

async function lines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '')
  return text === '' ? [] : text.trimEnd().split('\n')
}

async function start(options: {flushIntervalMs?: number; maxBytes?: number; maxFiles?: number} = {}): Promise<{bus: AuditEventBus; path: string}> {
  const path = join(dir, 'logs', 'audit.jsonl')
  writer = new AuditLogWriter({path, maxBytes: options.maxBytes ?? 50_000_000, maxFiles: options.maxFiles ?? 3, flushIntervalMs: options.flushIntervalMs})
  const bus = new AuditEventBus()
  await writer.start(bus)
  return {bus, path}
}

describe('audit log writer', () => {
  it('writes every published event as one schema-valid JSON line, in order, within the flush interval', async () => {
    const {bus, path} = await start({flushIntervalMs: 20})
    const events = traffic(5)
    for (const event of events) bus.publish(event)
    // Nothing is written on the request path itself.
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
