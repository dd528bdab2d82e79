import {describe, expect, it} from 'vitest'

import {RawConfigSchema, type RawConfigInput} from '../../../src/core/config/schema.js'
import {accountsForModel, upstreamModelId} from '../../../src/core/routing/accounts.js'

function config(accounts: RawConfigInput['accounts'], models: RawConfigInput['models'] = {}) {
  return RawConfigSchema.parse({default_model: 'openai/gpt-5', accounts, models})
}

const URL = 'http://127.0.0.1:9/v1'

function names(accounts: Array<{name: string}>): string[] {
  return accounts.map((account) => account.name)
}

describe('accountsForModel', () => {
  it('serves a key listed in the account, whatever the account provider', () => {
    const c = config([{name: 'proxy', provider: 'openai-compatible', base_url: URL, models: ['openai/gpt-5']}])
    expect(names(accountsForModel(c, 'openai/gpt-5'))).toEqual(['proxy'])
    expect(accountsForModel(c, 'openai/gpt-5-mini')).toEqual([])
  })

  it('serves a bare id listed in the account only for keys of the account provider', () => {
    const c = config([{name: 'oa', provider: 'openai', base_url: URL, models: ['gpt-5']}])
    expect(names(accountsForModel(c, 'openai/gpt-5'))).toEqual(['oa'])
    expect(accountsForModel(c, 'openrouter/gpt-5')).toEqual([])
  })

  it('lets an account with an empty list serve every key of its provider, and no other provider', () => {
    const c = config([{name: 'oa', provider: 'openai', base_url: URL}])
    expect(names(accountsForModel(c, 'openai/gpt-5'))).toEqual(['oa'])
    expect(names(accountsForModel(c, 'openai/o4-mini'))).toEqual(['oa'])
    expect(accountsForModel(c, 'anthropic/claude-sonnet-4.5')).toEqual([])
  })

  it('lets a generic openai-compatible account with an empty list serve any key, but not an ollama one', () => {
    const c = config([
      {name: 'local', provider: 'ollama', base_url: 'http://127.0.0.1:11434'},
      {name: 'vllm', provider: 'openai-compatible', base_url: URL},
    ])
    expect(names(accountsForModel(c, 'acme/llama-70b'))).toEqual(['vllm'])
    expect(names(accountsForModel(c, 'ollama/llama3.1:8b'))).toEqual(['local', 'vllm'])
  })

  it('serves a key without a provider from any account with an empty list', () => {
    const c = config([
      {name: 'a', provider: 'openai', base_url: URL},
      {name: 'b', provider: 'anthropic', base_url: URL, models: ['claude-haiku-4.5']},
      {name: 'c', provider: 'gemini', base_url: URL},
    ])
    expect(names(accountsForModel(c, 'my-model'))).toEqual(['a', 'c'])
  })

  it('skips disabled accounts and keeps config order', () => {
    const c = config([
      {name: 'first', provider: 'openai', base_url: URL},
      {name: 'off', provider: 'openai', base_url: URL, enabled: false},
      {name: 'second', provider: 'openai', base_url: URL, models: ['openai/gpt-5']},
    ])
    expect(names(accountsForModel(c, 'openai/gpt-5'))).toEqual(['first', 'second'])
  })
})

describe('upstreamModelId', () => {
  it('is the configured id, else the part of the key after the provider', () => {
    const c = config([], {'anthropic/sonnet': {id: 'claude-sonnet-4-5'}, 'openrouter/openai/gpt-5': {}})
    expect(upstreamModelId(c, 'anthropic/sonnet')).toBe('claude-sonnet-4-5')
    expect(upstreamModelId(c, 'openrouter/openai/gpt-5')).toBe('openai/gpt-5')
    expect(upstreamModelId(c, 'openai/not-configured')).toBe('not-configured')
    expect(upstreamModelId(c, 'bare')).toBe('bare')
  })
})
