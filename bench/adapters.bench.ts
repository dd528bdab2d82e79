/**
 * Adapter hot-path costs (`npx vitest bench bench/adapters.bench.ts`): building an upstream request per provider, and
 * translating a streamed answer. The OpenAI-format adapter should cost little more than the one `JSON.stringify`.
 */
import {bench, describe} from 'vitest'

import {AccountSchema} from '../src/core/config/schema.js'
import {adapterFor} from '../src/gateway/adapters/index.js'
import type {AdapterRequestContext} from '../src/gateway/adapters/types.js'
import {ANTHROPIC_TOOL_STREAM, CODEX_TEXT_STREAM} from '../test/gateway/adapters/fixtures.js'

const body = {
  model: 'gpt-4.1-mini',
  messages: [
    {role: 'system', content: 'You are a helpful assistant.'},
    {role: 'user', content: 'Write a haiku about routers. '.repeat(20)},
  ],
  temperature: 0.3,
  stream: true,
}

function ctx(provider: string, baseUrl: string): AdapterRequestContext {
  return {
    endpoint: 'chat.completions',
    path: '/chat/completions',
    body,
    bodyJson: () => JSON.stringify(body),
    upstreamModel: body.model,
    stream: true,
    account: AccountSchema.parse({name: provider, provider, base_url: baseUrl, organization: 'org-1'}),
    credential: {token: 'sk-bench', accountId: 'acc-bench'},
  }
}

const openaiCtx = ctx('openai', 'https://api.openai.com/v1')
const geminiCtx = ctx('gemini', 'https://generativelanguage.googleapis.com/v1beta/openai')
const anthropicCtx = ctx('anthropic', 'https://api.anthropic.com/v1')
const codexCtx = ctx('openai-codex', 'https://chatgpt.com/backend-api')

describe('buildRequest', () => {
  bench('JSON.stringify alone (baseline)', () => {
    JSON.stringify(openaiCtx.body)
  })
  bench('openai', () => {
    adapterFor('openai').buildRequest(openaiCtx)
  })
  bench('gemini', () => {
    adapterFor('gemini').buildRequest(geminiCtx)
  })
  bench('anthropic', () => {
    adapterFor('anthropic').buildRequest(anthropicCtx)
  })
  bench('openai-codex', () => {
    adapterFor('openai-codex').buildRequest(codexCtx)
  })
})

describe('stream translation (one whole answer, pushed in 64-character pieces)', () => {
  const pieces = (text: string) =>
    Array.from({length: Math.ceil(text.length / 64)}, (_, i) => text.slice(i * 64, i * 64 + 64))
  const anthropicPieces = pieces(ANTHROPIC_TOOL_STREAM)
  const codexPieces = pieces(CODEX_TEXT_STREAM)
  bench('anthropic → chat chunks', () => {
    const translator = adapterFor('anthropic').createStreamTranslator!(anthropicCtx)!
    for (const piece of anthropicPieces) translator.push(piece)
    translator.end()
  })
  bench('codex responses → chat chunks', () => {
    const translator = adapterFor('openai-codex').createStreamTranslator!(codexCtx)!
    for (const piece of codexPieces) translator.push(piece)
    translator.end()
  })
})
