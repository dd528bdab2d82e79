import {describe, expect, it} from 'vitest'

import {qualifyAccountModels, splitModelList} from '../../../src/core/config/account-models.js'
import {ConfigError} from '../../../src/core/errors.js'

const failure = (provider: string, refs: string[]) => {
  try {
    qualifyAccountModels(provider, refs)
  } catch (error) {
    return error as ConfigError
  }
  throw new Error('expected an error')
}

describe('qualifyAccountModels', () => {
  it('splits commas and repeats, and drops blanks and duplicates', () => {
    expect(splitModelList(['a, b', 'c', ' ', 'a'])).toEqual(['a', 'b', 'c'])
  })

  it("qualifies bare ids with the account's provider", () => {
    expect(qualifyAccountModels('gemini', ['gemini-2.5-pro,gemini/gemini-2.5-flash'])).toEqual([
      'gemini/gemini-2.5-pro',
      'gemini/gemini-2.5-flash',
    ])
    // `gpt-5.2` exists at OpenAI and on the ChatGPT backend: the account's provider decides.
    expect(qualifyAccountModels('openai-codex', ['gpt-5.2'])).toEqual(['openai-codex/gpt-5.2'])
    expect(qualifyAccountModels('openai', ['gpt-5.2'])).toEqual(['openai/gpt-5.2'])
    // Ids with a slash of their own.
    expect(qualifyAccountModels('nvidia', ['meta/llama-3.3-70b-instruct'])).toEqual([
      'nvidia/meta/llama-3.3-70b-instruct',
    ])
  })

  it('suggests close names for an unknown model and lists the provider models', () => {
    const error = failure('gemini', ['gemni-2.5-pro'])
    expect(error.exitCode).toBe(2)
    expect(error.problems[0].message).toMatch(
      /^unknown model `gemni-2.5-pro` for provider `gemini`; did you mean `gemini\/gemini-2.5-pro`/,
    )
    expect(error.problems[0].hint).toContain('gemini/gemini-2.5-flash')
  })

  it("refuses another provider's model", () => {
    expect(failure('gemini', ['sonnet']).problems[0].message).toBe('`sonnet` is a model of `anthropic`, not `gemini`')
    expect(failure('gemini', ['gpt-5.2']).problems[0].message).toBe(
      '`gpt-5.2` is a model of `openai` and `openai-codex`, not `gemini`',
    )
  })

  it('reports every bad name at once', () => {
    expect(failure('gemini', ['nope-1', 'nope-2']).message).toBe('2 model names in --models did not resolve')
  })
})
