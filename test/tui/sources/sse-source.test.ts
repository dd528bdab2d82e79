import {afterEach, describe, expect, it, vi} from 'vitest'

import type {AuditEvent} from '../../../src/core/audit/schema.js'
import {RouterError} from '../../../src/core/errors.js'
import {SseAuditSource, eventsUrl} from '../../../src/tui/sources/sse-source.js'
import {T0, decision} from '../../helpers/audit-events.js'
import {type SseAuditServer, startSseAuditServer} from '../../helpers/sse-audit-server.js'

const servers: SseAuditServer[] = []
const sources: SseAuditSource[] = []
afterEach(async () => {
  for (const source of sources.splice(0)) await source.stop()
  for (const server of servers.splice(0)) await server.close()
})

async function server(options: Parameters<typeof startSseAuditServer>[0] = {}) {
  const s = await startSseAuditServer(options)
  servers.push(s)
  return s
}

function source(url: string, apiKey?: string) {
  const s = new SseAuditSource({url, apiKey, initialBackoffMs: 50, maxBackoffMs: 200})
  sources.push(s)
  const seen: string[] = []
  s.subscribe((event: AuditEvent) => seen.push('request_id' in event ? event.request_id : event.event))
  return {source: s, seen}
}

describe('eventsUrl', () => {
  it('joins the events path to a gateway address, with or without /v1, and keeps a full URL', () => {
    expect(eventsUrl('http://127.0.0.1:8000')).toBe('http://127.0.0.1:8000/v1/router/events')
    expect(eventsUrl('http://host:8000/')).toBe('http://host:8000/v1/router/events')
    expect(eventsUrl('https://gw.example/router/v1')).toBe('https://gw.example/router/v1/router/events')
    expect(eventsUrl('http://host/v1/router/events')).toBe('http://host/v1/router/events')
  })

  it('rejects what is not an http URL', () => {
    expect(() => eventsUrl('localhost:8000')).toThrow(/http or https/)
    expect(() => eventsUrl('not a url')).toThrow(/is not a URL/)
  })
})

describe('SseAuditSource', () => {
  it('delivers audit messages, sends the key, and ignores other messages and bad data', async () => {
    const gateway = await server({apiKey: 'sk-test-123', initial: [decision('r1', T0)]})
    const {source: s, seen} = source(gateway.url, 'sk-test-123')
    await s.start()
    await vi.waitFor(() => expect(seen).toEqual(['r1']))
    expect(s.status().state).toBe('live')
    expect(gateway.requests[0].authorization).toBe('Bearer sk-test-123')
    expect(gateway.requests[0].accept).toBe('text/event-stream')
    gateway.push('{"ts":1}', 'ping')
    gateway.push('{not json')
    gateway.push(JSON.stringify({ts: '2026-03-02T10:00:00Z', event: 'cache_hit'}))
    gateway.push(decision('r2', T0))
    await vi.waitFor(() => expect(seen).toEqual(['r1', 'r2']))
    expect(s.malformed).toBe(1)
    expect(s.unknown).toBe(1)
  })

  it('reconnects when the gateway restarts', async () => {
    const first = await server()
    const {source: s, seen} = source(first.url)
    await s.start()
    await first.connected(1)
    first.push(decision('before', T0))
    await vi.waitFor(() => expect(seen).toEqual(['before']))
    await first.close()
    servers.splice(servers.indexOf(first), 1)
    await vi.waitFor(() => expect(s.status().state).toBe('reconnecting'))
    const second = await server({port: first.port})
    await second.connected(1)
    second.push(decision('after', T0))
    await vi.waitFor(() => expect(seen).toEqual(['before', 'after']))
    expect(s.connections).toBe(2)
  })

  it('keeps retrying while the gateway is down', async () => {
    const gateway = await server()
    const port = gateway.port
    await gateway.close()
    servers.splice(0)
    const {source: s, seen} = source(`http://127.0.0.1:${port}`)
    await s.start()
    await vi.waitFor(() => expect(s.status().detail).toMatch(/reconnecting in \d+s \(ECONNREFUSED\)/))
    const late = await server({port, initial: [decision('late', T0)]})
    await late.connected(1)
    await vi.waitFor(() => expect(seen).toEqual(['late']))
  })

  it('stops with a clear error when the key is refused', async () => {
    const gateway = await server({apiKey: 'right'})
    const {source: s} = source(gateway.url, 'wrong')
    await s.start()
    const error = await s.closed.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RouterError)
    expect(error).toMatchObject({code: 'gateway_auth', exitCode: 2})
    expect((error as Error).message).not.toContain('wrong')
    expect(s.status().state).toBe('failed')
  })

  it('stops with a clear error when the URL has no events endpoint', async () => {
    const gateway = await server()
    const {source: s} = source(`${gateway.url}/elsewhere/v1`)
    await s.start()
    await expect(s.closed).rejects.toMatchObject({code: 'gateway_no_events'})
  })
})
