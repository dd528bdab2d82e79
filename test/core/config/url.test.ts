import {describe, expect, it} from 'vitest'

import {joinUpstreamUrl} from '../../../src/core/config/url.js'

describe('joinUpstreamUrl', () => {
  it('adds /v1 to a server root without a path', () => {
    expect(joinUpstreamUrl('http://localhost:11434', '/chat/completions')).toBe(
      'http://localhost:11434/v1/chat/completions',
    )
    expect(joinUpstreamUrl('http://localhost:11434/', 'chat/completions')).toBe(
      'http://localhost:11434/v1/chat/completions',
    )
  })

  it('does not double the version segment the base URL already has', () => {
    expect(joinUpstreamUrl('http://localhost:11434/v1', '/chat/completions')).toBe(
      'http://localhost:11434/v1/chat/completions',
    )
    expect(joinUpstreamUrl('http://localhost:11434/v1/', '/chat/completions')).toBe(
      'http://localhost:11434/v1/chat/completions',
    )
    expect(joinUpstreamUrl('https://openrouter.ai/api/v1', '/embeddings')).toBe(
      'https://openrouter.ai/api/v1/embeddings',
    )
  })

  it('keeps a provider API root with a non-v1 version as it is', () => {
    expect(joinUpstreamUrl('https://generativelanguage.googleapis.com/v1beta/openai', '/chat/completions')).toBe(
      'https://generativelanguage.googleapis.com/v1beta/openai/chat/completions',
    )
    expect(joinUpstreamUrl('https://models.github.ai/inference', '/chat/completions')).toBe(
      'https://models.github.ai/inference/chat/completions',
    )
  })

  it('uses a full endpoint URL pasted as base_url as it is', () => {
    expect(joinUpstreamUrl('http://localhost:8080/v1/chat/completions', '/chat/completions')).toBe(
      'http://localhost:8080/v1/chat/completions',
    )
  })

  it('keeps the query string after the path', () => {
    expect(joinUpstreamUrl('https://x.example.com/openai/v1?api-version=2025-01-01', '/responses')).toBe(
      'https://x.example.com/openai/v1/responses?api-version=2025-01-01',
    )
  })

  it('can join without a version segment for providers whose paths have none', () => {
    expect(joinUpstreamUrl('https://chatgpt.com/backend-api', '/codex/responses', {versionSegment: null})).toBe(
      'https://chatgpt.com/backend-api/codex/responses',
    )
    expect(joinUpstreamUrl('http://127.0.0.1:9000', '/codex/responses', {versionSegment: null})).toBe(
      'http://127.0.0.1:9000/codex/responses',
    )
  })
})
