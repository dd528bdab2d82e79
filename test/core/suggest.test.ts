import {describe, expect, it} from 'vitest'

import {suggest} from '../../src/core/suggest.js'

const MODELS = ['openai/gpt-5', 'openai/gpt-5-mini', 'anthropic/claude-sonnet-4-5', 'gemini/gemini-2.5-flash']

describe('suggest', () => {
  it('suggests the close spellings of a typo, best first', () => {
    expect(suggest('openai/gpt-5-mni', MODELS)).toEqual(['openai/gpt-5-mini'])
    expect(suggest('gemini/gemini-2.5-flsh', MODELS)).toEqual(['gemini/gemini-2.5-flash'])
    expect(suggest('sonnet', MODELS)).toEqual(['anthropic/claude-sonnet-4-5'])
  })

  it('suggests nothing for a name far longer than every candidate, without comparing it character by character', () => {
    // A client may send a megabyte as `model`: comparing it with each candidate would take seconds and gigabytes.
    expect(suggest('x'.repeat(1_000_000), MODELS)).toEqual([])
    expect(suggest(`openai/gpt-5-mini${'!'.repeat(100_000)}`, MODELS)).toEqual([])
  })
})
