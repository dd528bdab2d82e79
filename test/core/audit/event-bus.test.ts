import {setImmediate as nextTurn} from 'node:timers/promises'

import {describe, expect, it} from 'vitest'

import {AuditEventBus} from '../../../src/core/audit/event-bus.js'
import type {AuditEvent} from '../../../src/core/audit/schema.js'

function reload(n: number): AuditEvent {
  return {
    ts: `2026-11-24T05:00:0${n}.000Z`,
    event: 'config_reload',
    path: `/tmp/${n}.yaml`,
    ok: true,
    message: `reload ${n}`,
  }
}

describe('AuditEventBus', () => {
  it('delivers synchronously by default, in subscription order', () => {
    const bus = new AuditEventBus()
    const seen: string[] = []
    bus.subscribe((e) => seen.push(`a:${(e as {path: string}).path}`))
    bus.subscribe((e) => seen.push(`b:${(e as {path: string}).path}`))
    bus.publish(reload(1))
    expect(seen).toEqual(['a:/tmp/1.yaml', 'b:/tmp/1.yaml'])
  })

  it('removes a subscriber that throws and keeps delivering to the others', () => {
    const bus = new AuditEventBus()
    const seen: number[] = []
    bus.subscribe(() => {
      throw new Error('closed client')
    })
    bus.subscribe(() => seen.push(1))
    bus.publish(reload(1))
    bus.publish(reload(2))
    expect(seen).toEqual([1, 1])
    expect(bus.size).toBe(1)
  })

  it('deferred: delivers nothing during publish, then every event in order on the next turn', async () => {
    const bus = new AuditEventBus({deferred: true})
    const seen: string[] = []
    bus.subscribe((e) => seen.push((e as {message: string}).message))
    bus.publish(reload(1))
    bus.publish(reload(2))
    expect(seen).toEqual([])
    expect(bus.pending).toBe(2)
    await nextTurn()
    expect(seen).toEqual(['reload 1', 'reload 2'])
    expect(bus.pending).toBe(0)
  })

  it('deferred: flush() delivers at once, and events published by a subscriber are delivered after the batch', () => {
    const bus = new AuditEventBus({deferred: true})
    const seen: string[] = []
    bus.subscribe((e) => {
      seen.push((e as {message: string}).message)
      if ((e as {message: string}).message === 'reload 1') bus.publish(reload(3))
    })
    bus.publish(reload(1))
    bus.publish(reload(2))
    bus.flush()
    expect(seen).toEqual(['reload 1', 'reload 2', 'reload 3'])
    expect(bus.pending).toBe(0)
  })

  it('deferred: keeps nothing while nobody listens', () => {
    const bus = new AuditEventBus({deferred: true})
    bus.publish(reload(1))
    expect(bus.pending).toBe(0)
  })
})
