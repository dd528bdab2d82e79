import {appendFile, mkdtemp, rename, rm, truncate, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'

import type {AuditEvent} from '../../../src/core/audit/schema.js'
import {RouterError} from '../../../src/core/errors.js'
import {FileAuditSource} from '../../../src/tui/sources/file-source.js'
import {T0, decision, iso} from '../../helpers/audit-events.js'

let dir: string
let file: string
const sources: FileAuditSource[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'router-tail-'))
  file = join(dir, 'router_decisions.jsonl')
})

afterEach(async () => {
  for (const source of sources.splice(0)) await source.stop()
  await rm(dir, {recursive: true, force: true})
})

const line = (id: string, at = T0) => JSON.stringify(decision(id, at)) + '\n'

async function follow(options: Partial<ConstructorParameters<typeof FileAuditSource>[0]> = {}) {
  const source = new FileAuditSource({path: file, pollIntervalMs: 40, ...options})
  sources.push(source)
  const seen: string[] = []
  source.subscribe((event: AuditEvent) => seen.push('request_id' in event ? event.request_id : event.event))
  await source.start()
  return {source, seen}
}

describe('FileAuditSource', () => {
  it('reads the file from the start, then follows what is appended', async () => {
    await writeFile(file, line('r1') + line('r2'))
    const {seen, source} = await follow()
    expect(seen).toEqual(['r1', 'r2'])
    expect(source.status().state).toBe('live')
    await appendFile(file, line('r3'))
    await vi.waitFor(() => expect(seen).toEqual(['r1', 'r2', 'r3']))
  })

  it('waits for the newline of a half-written last line', async () => {
    const full = line('r1')
    await writeFile(file, full.slice(0, 40))
    const {seen, source} = await follow()
    await source.poll()
    expect(seen).toEqual([])
    await appendFile(file, full.slice(40, -1))
    await source.poll()
    expect(seen).toEqual([])
    await appendFile(file, '\n' + line('r2'))
    await vi.waitFor(() => expect(seen).toEqual(['r1', 'r2']))
    expect(source.malformed).toBe(0)
  })

  it('follows a rotation: finishes the renamed file, then reads the new one from its start', async () => {
    await writeFile(file, line('r1'))
    const {seen} = await follow()
    // The writer renames the log, writes what it still had to the old file, then starts a new one.
    await rename(file, `${file}.1`)
    await appendFile(`${file}.1`, line('r2'))
    await writeFile(file, line('r3') + line('r4'))
    await vi.waitFor(() => expect(seen).toEqual(['r1', 'r2', 'r3', 'r4']))
    await appendFile(file, line('r5'))
    await vi.waitFor(() => expect(seen).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']))
  })

  it('restarts from the beginning when the file is truncated', async () => {
    await writeFile(file, line('r1') + line('r2') + line('r3'))
    const {seen} = await follow()
    await truncate(file, 0)
    await appendFile(file, line('r4'))
    await vi.waitFor(() => expect(seen).toEqual(['r1', 'r2', 'r3', 'r4']))
  })

  it('starts at the end with since "end"', async () => {
    await writeFile(file, line('old'))
    const {seen} = await follow({since: 'end'})
    expect(seen).toEqual([])
    await appendFile(file, line('new'))
    await vi.waitFor(() => expect(seen).toEqual(['new']))
  })

  it('skips events older than a since time', async () => {
    await writeFile(file, line('r1', T0) + line('r2', T0 + 60_000) + line('r3', T0 + 120_000))
    const {seen} = await follow({since: T0 + 60_000})
    expect(seen).toEqual(['r2', 'r3'])
  })

  it('counts and skips malformed lines and unknown events', async () => {
    const unknown = JSON.stringify({ts: iso(T0), event: 'cache_hit', request_id: 'x'})
    await writeFile(file, `not json\n${line('r1')}{"event":"route_decision"}\n\n${unknown}\n[]\n${line('r2')}`)
    const {seen, source} = await follow({follow: false})
    expect(seen).toEqual(['r1', 'r2'])
    expect(source.malformed).toBe(3)
    expect(source.unknown).toBe(1)
  })

  it('drops a line longer than the limit and goes on with the next one', async () => {
    await writeFile(file, `{"pad":"${'x'.repeat(5000)}"}\n${line('r1')}`)
    const {seen, source} = await follow({follow: false, maxLineBytes: 1024})
    expect(seen).toEqual(['r1'])
    expect(source.malformed).toBe(1)
  })

  it('waits for a missing file to appear when following', async () => {
    const {seen, source} = await follow()
    expect(source.status()).toEqual({state: 'waiting', detail: `waiting for ${file}`})
    await writeFile(file, line('r1'))
    await vi.waitFor(() => expect(seen).toEqual(['r1']))
    expect(source.status().state).toBe('live')
  })

  it('fails clearly for a missing file when not following', async () => {
    const source = new FileAuditSource({path: file, follow: false})
    const error = await source.start().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RouterError)
    expect(error).toMatchObject({code: 'audit_log_missing', exitCode: 2})
    expect((error as RouterError).message).toContain(file)
  })

  it('reads a last line without newline when not following', async () => {
    await writeFile(file, line('r1') + line('r2').trimEnd())
    const {seen} = await follow({follow: false})
    expect(seen).toEqual(['r1', 'r2'])
  })
})
