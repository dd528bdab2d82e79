import {describe, expect, it} from 'vitest'

import {getProvider} from '../../../src/core/catalog/index.js'
import {modelsUrl} from '../../../src/cli/provider/verify.js'

const provider = (name: string) => {
  const found = getProvider(name)
  if (!found) throw new Error(name)
  return found
}

describe('modelsUrl', () => {
  it("uses each provider's own models endpoint", () => {
    expect(modelsUrl(provider('openai'), undefined)).toBe('https://api.openai.com/v1/models')
    expect(modelsUrl(provider('gemini'), undefined)).toBe(
      'https://generativelanguage.googleapis.com/v1beta/openai/models',
    )
    expect(modelsUrl(provider('github'), undefined)).toBe('https://models.github.ai/catalog/models')
    expect(modelsUrl(provider('openai-codex'), undefined)).toBe('https://chatgpt.com/backend-api/codex/models')
  })

  it("gives a bare --base-url host the provider's API root, and keeps an explicit one", () => {
    expect(modelsUrl(provider('ollama'), 'http://box:11434')).toBe('http://box:11434/v1/models')
    expect(modelsUrl(provider('gemini'), 'http://proxy:8080')).toBe('http://proxy:8080/v1beta/openai/models')
    expect(modelsUrl(provider('openai-compatible'), 'http://gpu:8000/api/v1')).toBe('http://gpu:8000/api/v1/models')
  })
})
