import {describe, expect, it} from 'vitest'

import {GITHUB_API_VERSION, githubAdapter} from '../../../src/gateway/adapters/github.js'
import {account, context} from './fixtures.js'

describe('github adapter', () => {
  it.each([
    ['https://models.github.ai/inference', 'https://models.github.ai/inference/chat/completions'],
    ['https://models.github.ai/inference/', 'https://models.github.ai/inference/chat/completions'],
    ['https://models.github.ai', 'https://models.github.ai/inference/chat/completions'],
    ['https://models.github.ai/orgs/acme/inference', 'https://models.github.ai/orgs/acme/inference/chat/completions'],
  ])('sends chat completions for base URL %s to %s', (baseUrl, expected) => {
    const request = githubAdapter.buildRequest(
      context({
        body: {model: 'openai/gpt-4.1', messages: []},
        account: account({provider: 'github', base_url: baseUrl}),
      }),
    )
    expect(request.url).toBe(expected)
  })

  it("sends GitHub's REST headers with the token as bearer", () => {
    const request = githubAdapter.buildRequest(
      context({
        body: {model: 'openai/gpt-4.1', messages: []},
        token: 'ghp_secret',
        account: account({provider: 'github', base_url: 'https://models.github.ai/inference'}),
      }),
    )
    expect(request.headers).toEqual({
      'content-type': 'application/json',
      accept: 'application/vnd.github+json',
      'x-github-api-version': GITHUB_API_VERSION,
      authorization: 'Bearer ghp_secret',
    })
  })

  it('sends embeddings to the inference embeddings path and serves nothing else', () => {
    const request = githubAdapter.buildRequest(
      context({
        endpoint: 'embeddings',
        path: '/embeddings',
        body: {model: 'openai/text-embedding-3-small', input: ['a', 'b']},
        account: account({provider: 'github', base_url: 'https://models.github.ai/inference'}),
      }),
    )
    expect(request.url).toBe('https://models.github.ai/inference/embeddings')
    expect(JSON.parse(String(request.body))).toEqual({model: 'openai/text-embedding-3-small', input: ['a', 'b']})
    expect(githubAdapter.supports('chat.completions')).toBe(true)
    expect(githubAdapter.supports('embeddings')).toBe(true)
    for (const endpoint of ['responses', 'completions', 'images.generations', 'passthrough'] as const) {
      expect(githubAdapter.supports(endpoint)).toBe(false)
    }
  })
})
