import {describe, expect, it} from 'vitest'

import {describeUnresolved, resolveModelRef} from '../../../src/core/catalog/resolve.js'
import {editDistance, suggest} from '../../../src/core/suggest.js'

function key(ref: string, provider?: string): string | undefined {
  const resolution = resolveModelRef(ref, {provider})
  return resolution.ok ? resolution.key : undefined
}

describe('resolveModelRef', () => {
  it('accepts canonical keys, including ids that contain a slash', () => {
    expect(key('openai/gpt-5.2')).toBe('openai/gpt-5.2')
    expect(key('nvidia/meta/llama-3.3-70b-instruct')).toBe('nvidia/meta/llama-3.3-70b-instruct')
    expect(key('github/openai/gpt-4.1')).toBe('github/openai/gpt-4.1')
  })

  it('resolves aliases and provider-qualified aliases', () => {
    expect(key('sonnet')).toBe('anthropic/claude-sonnet-4.5')
    expect(key('claude-sonnet-4-5')).toBe('anthropic/claude-sonnet-4.5')
    expect(key('anthropic/sonnet')).toBe('anthropic/claude-sonnet-4.5')
    expect(key('anthropic/claude-opus-4-5')).toBe('anthropic/claude-opus-4.5')
    expect(key('llama3.1')).toBe('ollama/llama3.1:8b')
  })

  it('resolves a bare id that only one provider offers', () => {
    expect(key('gemini-2.5-flash')).toBe('gemini/gemini-2.5-flash')
    expect(key('gpt-5.3-codex-spark')).toBe('openai-codex/gpt-5.3-codex-spark')
    expect(key('meta/llama-3.3-70b-instruct')).toBe('nvidia/meta/llama-3.3-70b-instruct')
    expect(key('llama-4-scout-17b-16e-instruct')).toBe('github/meta/llama-4-scout-17b-16e-instruct')
  })

  it('reports a bare id offered by several providers as ambiguous, listing them', () => {
    const resolution = resolveModelRef('gpt-5.2')
    expect(resolution).toEqual({ok: false, reason: 'ambiguous', candidates: ['openai/gpt-5.2', 'openai-codex/gpt-5.2']})
    if (resolution.ok) throw new Error('unreachable')
    expect(describeUnresolved('gpt-5.2', resolution)).toEqual({
      message: 'model `gpt-5.2` is ambiguous: `openai/gpt-5.2`, `openai-codex/gpt-5.2` all match',
      hint: 'write the full `provider/id` key, e.g. `openai/gpt-5.2`',
    })
  })

  it('lets the account provider settle an ambiguous bare id', () => {
    expect(key('gpt-5.2', 'openai-codex')).toBe('openai-codex/gpt-5.2')
    expect(key('gpt-5.2', 'openai')).toBe('openai/gpt-5.2')
  })

  it('suggests the closest catalog keys for an unknown name', () => {
    const resolution = resolveModelRef('claude-sonet-4.5')
    expect(resolution.ok).toBe(false)
    if (resolution.ok || resolution.reason !== 'unknown') throw new Error('expected unknown')
    expect(resolution.suggestions[0]).toBe('anthropic/claude-sonnet-4.5')
    expect(resolution.suggestions.length).toBeLessThanOrEqual(3)
    expect(describeUnresolved('claude-sonet-4.5', resolution).message).toMatch(
      /^unknown model `claude-sonet-4.5`; did you mean `anthropic\/claude-sonnet-4.5`/,
    )
  })

  it('suggests within the provider when the provider is right but the model is not', () => {
    const resolution = resolveModelRef('gemini/gemini-2.5-flsh')
    if (resolution.ok || resolution.reason !== 'unknown') throw new Error('expected unknown')
    expect(resolution.suggestions[0]).toBe('gemini/gemini-2.5-flash')
    expect(resolution.suggestions.every((s) => s.startsWith('gemini/'))).toBe(true)
  })

  it('gives no suggestion for a name unlike anything', () => {
    const resolution = resolveModelRef('zzzzzzzzzzzzzzzzzzzz')
    expect(resolution).toEqual({ok: false, reason: 'unknown', suggestions: []})
  })
})

describe('suggest', () => {
  it('counts a transposition as one edit', () => {
    expect(editDistance('opnai', 'openai')).toBe(1)
    expect(editDistance('cdoing', 'coding')).toBe(1)
  })

  it('returns close candidates only, at most three, best first', () => {
    expect(suggest('opnai', ['openai', 'openai-codex', 'openrouter', 'ollama', 'anthropic'])).toEqual(['openai'])
    expect(suggest('model', ['model-1', 'model-22', 'model-333', 'model-4444', 'other'])).toEqual([
      'model-1',
      'model-22',
      'model-333',
    ])
    expect(suggest('codng', ['general', 'coding', 'thinking'])).toEqual(['coding'])
  })
})
