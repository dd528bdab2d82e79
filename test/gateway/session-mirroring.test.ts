/**
 * What a replica does with the sessions other replicas publish (the three-replica and `--workers` tests cover the
 * whole path): a later state wins over an earlier one, and the primary's records of them stay bounded.
 */
import {describe, expect, it} from 'vitest'

import type {SessionState} from '../../src/core/routing/schema.js'
import {MemorySessionStore, MIRROR_REFRESH_MS} from '../../src/gateway/sessions.js'
import {ChangeRecords} from '../../src/gateway/shared-state/memory.js'

const T = Date.parse('2026-12-07T10:00:00Z')

function state(account: string, answeredAt: number, turns = 1): SessionState {
  return {
    task: 'coding',
    complexity: 'medium',
    model: 'openai/gpt-5-mini',
    account,
    provider: 'openai',
    answered_at: answeredAt,
    prompt_tokens: 900,
    turns,
  }
}

describe('mirrored sessions', () => {
  it('keeps the state of the later answer when another replica publishes an older one', () => {
    const store = new MemorySessionStore(() => ({maxEntries: 100, ttlMs: 60_000}))
    store.set('s1', state('b', T + 2000, 3), T + 2000)
    store.merge('s1', state('a', T + 1000, 2))
    expect(store.get('s1', T + 3000)?.account).toBe('b')
    store.merge('s1', state('c', T + 2500, 4))
    expect(store.get('s1', T + 3000)).toMatchObject({account: 'c', turns: 4})
  })

  it('forgets a session learnt from another replica a TTL after its answer, not after it was learnt', () => {
    const store = new MemorySessionStore(() => ({maxEntries: 100, ttlMs: 60_000}))
    store.merge('s1', state('a', T))
    expect(store.get('s1', T + 59_000)?.account).toBe('a')
    store.merge('s2', state('a', T))
    expect(store.get('s2', T + 61_000)).toBeNull()
  })

  it('publishes a session that keeps its target at most every ten seconds, and one that moves at once', () => {
    const store = new MemorySessionStore(() => ({maxEntries: 100, ttlMs: 60_000}))
    store.set('s1', state('a', T), T)
    expect(store.mirrorDue('s1', T, MIRROR_REFRESH_MS)).toBe(true)
    store.set('s1', state('a', T + 3000), T + 3000)
    expect(store.mirrorDue('s1', T + 3000, MIRROR_REFRESH_MS)).toBe(false)
    expect(store.mirrorDue('s1', T + 3000, 0)).toBe(true)
    expect(store.mirrorDue('s1', T + 12_000, MIRROR_REFRESH_MS)).toBe(false)
    expect(store.mirrorDue('s1', T + 13_000, MIRROR_REFRESH_MS)).toBe(true)
    // A state learnt from another replica counts as published when it was answered.
    store.merge('s2', state('b', T + 20_000))
    expect(store.mirrorDue('s2', T + 25_000, MIRROR_REFRESH_MS)).toBe(false)
  })

  it("keeps at most the primary's bound of session records, the least recently answered out first, and drops expired ones", () => {
    const records = new ChangeRecords(30_000, 2)
    records.keep({kind: 'session', id: 's1', state: state('a', T), ttlMs: 60_000})
    records.keep({kind: 'session', id: 's2', state: state('a', T + 10), ttlMs: 60_000})
    records.keep({kind: 'session', id: 's1', state: state('b', T + 20), ttlMs: 60_000})
    records.keep({kind: 'session', id: 's3', state: state('a', T + 30), ttlMs: 1000})
    const ids = (now: number) =>
      records.current(now).map((c) => (c.kind === 'session' ? `${c.id}:${c.state.account}` : c.kind))
    expect(ids(T + 100)).toEqual(['s1:b', 's3:a'])
    expect(ids(T + 5000)).toEqual(['s1:b'])
  })
})
