import {describe, expect, it} from 'vitest'

import {getCatalog} from '../../../src/core/catalog/index.js'
import {PROVIDER_TOOLS, providerToolTypes, toolSupport} from '../../../src/core/routing/provider-tools.js'
import type {Endpoint} from '../../../src/core/routing/schema.js'
import {AdapterError, adapterFor} from '../../../src/gateway/adapters/index.js'
import {account, context} from '../../gateway/adapters/fixtures.js'
import {CODEX_TOOLS} from '../../helpers/agent-tools.js'

/** Anthropic server and client tools as Claude Code and the SDK send them (tool-reference page). */
const ANTHROPIC_TOOLS = [
  {name: 'Read', description: 'Reads a file', input_schema: {type: 'object', properties: {path: {type: 'string'}}}},
  {type: 'web_search_20250305', name: 'web_search', max_uses: 5},
  {type: 'bash_20250124', name: 'bash'},
]

/** A body for `endpoint` that carries one tool of `type` (in that endpoint's shape) next to a function. */
function bodyWith(endpoint: Endpoint, type: string): Record<string, unknown> {
  switch (endpoint) {
    case 'responses':
      return {model: 'm', input: 'hi', tools: [{type: 'function', name: 'f', parameters: {type: 'object'}}, {type}]}
    case 'messages':
      return {
        model: 'm',
        max_tokens: 100,
        messages: [{role: 'user', content: 'hi'}],
        tools: [
          {name: 'f', input_schema: {type: 'object'}},
          {type, name: 't'},
        ],
      }
    default:
      return {
        model: 'm',
        messages: [{role: 'user', content: 'hi'}],
        tools: [{type: 'function', function: {name: 'f'}}, {type}],
      }
  }
}

const PATHS: Partial<Record<Endpoint, string>> = {
  'chat.completions': '/chat/completions',
  responses: '/responses',
  messages: '/messages',
}

describe('providerToolTypes', () => {
  it("finds Codex CLI's hosted web_search, and nothing in function, custom or namespace tools (the client runs those)", () => {
    expect(providerToolTypes({model: 'auto', input: 'hi', tools: CODEX_TOOLS}, 'responses')).toEqual(['web_search'])
    expect(providerToolTypes({tools: CODEX_TOOLS.slice(0, 3)}, 'responses')).toEqual([])
    expect(providerToolTypes({input: 'hi'}, 'responses')).toEqual([])
  })

  it("finds Anthropic's typed tools on the Messages API, never its client tools", () => {
    expect(providerToolTypes({tools: ANTHROPIC_TOOLS}, 'messages')).toEqual(['web_search_20250305', 'bash_20250124'])
    expect(
      providerToolTypes({tools: [ANTHROPIC_TOOLS[0], {type: 'custom', name: 'x', input_schema: {}}]}, 'messages'),
    ).toEqual([])
  })

  it('takes every chat tool but functions as OpenAI-only, and ignores endpoints without tools', () => {
    expect(
      providerToolTypes(
        {
          tools: [
            {type: 'function', function: {name: 'f'}},
            {type: 'custom', name: 'g'},
          ],
        },
        'chat.completions',
      ),
    ).toEqual(['custom'])
    expect(providerToolTypes({tools: [{type: 'web_search'}]}, 'embeddings')).toEqual([])
  })
})

describe('PROVIDER_TOOLS', () => {
  const endpoints = Object.keys(PROVIDER_TOOLS) as Endpoint[]
  const providers = getCatalog().providers

  // The adapters refuse what they cannot translate; selection must never let such a candidate through.
  /** Providers whose adapter refuses a provider-specific tool on each endpoint (it translates the request). */
  const REFUSED_BY: Partial<Record<Endpoint, string[]>> = {
    'chat.completions': ['openai-codex', 'anthropic'],
    responses: ['gemini', 'anthropic', 'github'],
    messages: ['openai', 'openai-codex', 'gemini', 'openrouter', 'nvidia', 'github', 'ollama', 'openai-compatible'],
  }

  it.each(endpoints)(
    'matches the adapters on %s: every provider whose adapter refuses the tool is one that cannot run it',
    (endpoint) => {
      const refusedBy: string[] = []
      for (const provider of providers) {
        const adapter = adapterFor(provider.adapter)
        if (!adapter.supports(endpoint)) continue
        let refused = false
        try {
          adapter.buildRequest(
            context({
              endpoint,
              path: PATHS[endpoint],
              body: bodyWith(endpoint, 'provider_only_tool'),
              account: account({provider: provider.name, base_url: provider.base_url}),
            }),
          )
        } catch (error) {
          expect(error).toBeInstanceOf(AdapterError)
          expect((error as AdapterError).status).toBe(400)
          refused = true
        }
        const support = toolSupport(provider.name, endpoint)
        if (refused) refusedBy.push(provider.name)
        if (refused) expect([provider.name, support]).toEqual([provider.name, 'cannot'])
        if (support === 'runs') expect([provider.name, refused]).toEqual([provider.name, false])
      }
      expect(refusedBy).toEqual(REFUSED_BY[endpoint])
    },
  )

  it('names who runs them: OpenAI and the ChatGPT backend on Responses, OpenAI alone on chat, Anthropic on Messages', () => {
    expect(toolSupport('openai', 'responses')).toBe('runs')
    expect(toolSupport('openai-codex', 'responses')).toBe('runs')
    expect(toolSupport('openai-codex', 'chat.completions')).toBe('cannot')
    expect(toolSupport('anthropic', 'responses')).toBe('cannot')
    expect(toolSupport('anthropic', 'messages')).toBe('runs')
    expect(toolSupport('gemini', 'messages')).toBe('cannot')
    // A server that speaks OpenAI's API may be anything behind it (vLLM, a LiteLLM proxy in front of OpenAI…).
    expect(toolSupport('openai-compatible', 'responses')).toBe('unknown')
    expect(toolSupport('some-provider-the-catalog-lacks', 'responses')).toBe('unknown')
  })
})
