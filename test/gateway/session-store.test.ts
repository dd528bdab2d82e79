/**
 * The in-process session store's bounds (docs/gateway.md, "Sessions"): at most `max_sessions` sessions, the least
 * recently used dropped first, and none used after `ttl_seconds` without a turn.
 */
import {describe, expect, it} from 'vitest'

import type {SessionState} from '../../src/core/routing/schema.js'
import {MemorySessionStore} from '../../src/gateway/sessions.js'

const T = Date.parse('2026-12-07T10:00:00Z')

function state(turns: number): SessionState {
  return {
    task: 'coding',
    complexity: 'medium',
    model: 'openai/gpt-5-mini',
    account: 'a',
    provider: 'openai',
    answered_at: T,
    prompt_tokens: 900,
    turns,
  }
}

describe('the in-process session store', () => {
  it('drops the least recently used session when full, not the oldest one still in use', () => {
    const store = new MemorySessionStore(() => ({maxEntries: 3, ttlMs: 60_000}))
    store.set('s1', state(1), T)
    store.set('s2', state(1), T + 1)
    store.set('s3', state(1), T + 2)
    expect(store.get('s1', T + 3)?.turns).toBe(1)
    store.set('s4', state(1), T + 4)
    expect(store.size).toBe(3)
    expect(store.get('s2', T + 5)).toBeNull()
    expect(store.get('s1', T + 5)?.turns).toBe(1)
    expect(store.get('s3', T + 5)?.turns).toBe(1)
    expect(store.get('s4', T + 5)?.turns).toBe(1)
  })

  it('keeps the order when one session takes many turns in a row, then uses another', () => {
    const store = new MemorySessionStore(() => ({maxEntries: 2, ttlMs: 60_000}))
    store.set('a', state(1), T)
    store.set('b', state(1), T + 1)
    for (let turn = 2; turn <= 50; turn++) {
      expect(store.get('b', T + turn)?.turns).toBe(turn - 1)
      store.set('b', state(turn), T + turn)
    }
    expect(store.get('a', T + 60)?.turns).toBe(1)
    store.set('c', state(1), T + 61)
    expect(store.get('b', T + 62)).toBeNull()
    expect(store.get('a', T + 62)?.turns).toBe(1)
  })

  it('never returns a session idle for longer than the TTL, and drops idle ones on later writes', () => {
    const store = new MemorySessionStore(() => ({maxEntries: 100, ttlMs: 10_000}))
    store.set('old', state(1), T)
    store.set('busy', state(1), T + 5_000)
    expect(store.get('old', T + 10_001)).toBeNull()
    store.set('idle', state(1), T + 6_000)
    store.set('busy', state(2), T + 20_000)
    expect(store.size).toBe(1)
    expect(store.get('busy', T + 20_001)?.turns).toBe(2)
  })
})
