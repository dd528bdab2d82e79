import {describe, expect, it} from 'vitest'

import {parseConfig} from '../../../src/core/config/load.js'
import {decideRoute} from '../../../src/core/routing/decide.js'
import {ROUTER_REQUEST_FIELDS} from '../../../src/core/routing/request-options.js'
import {type Classification, type Endpoint, RoutingDecisionSchema} from '../../../src/core/routing/schema.js'
import {BASE_CONFIG, classification, fixed, makeConfig, routingError} from '../../helpers/routing.js'
import {CODEX_TOOLS} from '../../helpers/agent-tools.js'

const CONFIG = makeConfig()

function decide(
  body: Record<string, unknown>,
  c: Classification = classification(),
  options: {
    endpoint?: Endpoint
    config?: ReturnType<typeof makeConfig>
    ignoreAccounts?: boolean
    profile?: string
  } = {},
) {
  return decideRoute({body, endpoint: options.endpoint ?? 'chat.completions'}, options.config ?? CONFIG, {
    classify: fixed(c),
    ignoreAccounts: options.ignoreAccounts,
    profile: options.profile,
  })
}

const chat = (model?: unknown) => ({model, messages: [{role: 'user', content: 'hi'}]})

describe('decideRoute: auto', () => {
  it('treats a missing, empty, "auto" or "openrouter/auto" model as auto', () => {
    for (const model of [undefined, '', '  ', 'auto', 'AUTO', 'openrouter/auto']) {
      const decision = decide(chat(model))
      expect(decision.source).toBe('auto')
      expect(decision.selected_model).toBe('acme/mid')
    }
    expect(decide(chat('openrouter/auto')).requested_model).toBe('openrouter/auto')
    expect(decide(chat()).requested_model).toBeNull()
  })

  it('builds the chain from the route, then fallback_models, then default_model, deduplicated and tagged', () => {
    const config = makeConfig({default_model: 'zen/large'})
    const decision = decide(chat('auto'), classification({task: 'general', complexity: 'medium'}), {config})
    expect(decision.route).toEqual({task: 'general', tier: 'medium', models: ['acme/mid', 'acme/small']})
    expect(decision.candidates.map((c) => [c.model, c.source])).toEqual([
      ['acme/mid', 'route'],
      ['acme/small', 'route'],
      ['acme/large', 'fallback'],
      ['zen/large', 'default'],
    ])
    expect(decision.selected_model).toBe('acme/mid')
    expect(decision.fallback_models).toEqual(['acme/small', 'acme/large', 'zen/large'])
  })

  it('reports the route after tier and task fallbacks', () => {
    const xhigh = decide(chat(), classification({task: 'general', complexity: 'xhigh'}))
    expect(xhigh.route).toEqual({task: 'general', tier: 'high', models: ['acme/large']})
    const thinking = decide(chat(), classification({task: 'thinking', complexity: 'low'}))
    expect(thinking.route).toEqual({task: 'general', tier: 'low', models: ['acme/small']})
    const coding = decide(chat(), classification({task: 'coding', complexity: 'low'}))
    expect(coding.route).toMatchObject({task: 'coding', tier: 'medium'})
  })

  it('returns a decision that matches the RoutingDecision schema, with the classification and timing', () => {
    const c = classification({task: 'coding', complexity: 'high', complexity_score: 4.2, confidence: 0.9})
    const decision = decide(chat(), c, {profile: 'auto'})
    expect(RoutingDecisionSchema.parse(decision)).toEqual(decision)
    expect(decision).toMatchObject({
      task: 'coding',
      complexity: 'high',
      complexity_score: 4.2,
      confidence: 0.9,
      endpoint: 'chat.completions',
      profile: 'auto',
      signals: c.signals,
      requirements: c.requirements,
    })
    expect(decision.decision_ms).toBeGreaterThanOrEqual(0)
    expect(decision.decision_ms).toBeLessThan(1000)
  })

  it('routes an embeddings request to the configured embeddings models only', () => {
    const decision = decide({model: 'auto', input: 'hello'}, classification({requirements: {embeddings: true}}), {
      endpoint: 'embeddings',
    })
    expect(decision.selected_model).toBe('zen/embed')
    expect(decision.candidates).toHaveLength(1)
    expect(decision.candidates[0]).toMatchObject({model: 'zen/embed', source: 'fallback', rank: 1})
  })

  it('explains why each model fails when no configured model can serve the endpoint', () => {
    const error = routingError(() =>
      decide({prompt: 'a cat'}, classification({requirements: {image_generation: true}}), {
        endpoint: 'images.generations',
      }),
    )
    expect(error.code).toBe('no_candidates')
    expect(error.message).toMatch(/^No model can serve this request: acme\/mid, .*: cannot generate images\.$/)
  })

  it('names the constraint when an image request has no vision model in the chain', () => {
    const config = makeConfig({
      task_routes: {general: {default: ['acme/small']}},
      fallback_models: [],
      default_model: 'acme/small',
    })
    const error = routingError(() =>
      decide(chat(), classification({task: 'image', requirements: {vision: true}}), {config}),
    )
    expect(error.code).toBe('no_candidates')
    expect(error.message).toBe(
      'The only candidate, acme/small, cannot serve this request: no vision (the request has images).',
    )
  })

  it('is no_account when no enabled account serves the chain, unless accounts are ignored for a dry run', () => {
    const config = makeConfig({accounts: []})
    const error = routingError(() => decide(chat(), classification(), {config}))
    expect(error.code).toBe('no_account')
    expect(decide(chat(), classification(), {config, ignoreAccounts: true}).selected_model).toBe('acme/mid')
  })
})

describe('decideRoute: router-only request fields', () => {
  it('lists exactly the fields the gateway must strip', () => {
    expect([...ROUTER_REQUEST_FIELDS].sort()).toEqual(['allowed_models', 'models', 'provider', 'router'])
  })

  it('router.task and router.complexity force the classification and show up as signals', () => {
    const decision = decide(
      {...chat(), router: {task: 'coding', complexity: 'high'}},
      classification({task: 'general', complexity: 'low'}),
    )
    expect(decision).toMatchObject({task: 'coding', complexity: 'high'})
    expect(decision.route).toMatchObject({task: 'coding', tier: 'high'})
    expect(decision.signals.slice(0, 2)).toEqual([
      {name: 'router_task', target: 'coding', weight: 1, detail: 'forced by router.task (classified general)'},
      {
        name: 'router_complexity',
        target: 'complexity',
        weight: 1,
        detail: 'forced high by router.complexity (classified low)',
      },
    ])
  })

  it('applies allowed_models and provider preferences from the body', () => {
    const decision = decide(
      {...chat(), allowed_models: ['zen/*', 'acme/large'], provider: {order: ['zen']}},
      classification({task: 'coding', complexity: 'high'}),
    )
    expect(decision.selected_model).toBe('zen/large')
    expect(decision.fallback_models).toEqual(['acme/large'])
  })

  it('rejects a malformed router field, naming it', () => {
    const sort = routingError(() => decide({...chat(), provider: {sort: 'cheapest'}}))
    expect(sort.code).toBe('invalid_request')
    expect(sort.param).toBe('provider.sort')
    expect(sort.message).toMatch(/^Invalid `provider.sort`: /)
    const task = routingError(() => decide({...chat(), router: {task: 'poetry'}}))
    expect(task.param).toBe('router.task')
    const typo = routingError(() => decide({...chat(), router: {tsak: 'coding'}}))
    expect(typo.param).toBe('router')
    const allowed = routingError(() => decide({...chat(), allowed_models: 'acme/*'}))
    expect(allowed.param).toBe('allowed_models')
    expect(allowed.hint).toMatch(/list of model key patterns/)
  })

  it('accepts OpenRouter provider fields it does not use', () => {
    expect(decide({...chat(), provider: {data_collection: 'deny', quantizations: ['fp8']}}).selected_model).toBe(
      'acme/mid',
    )
  })
})

describe('decideRoute: explicit models', () => {
  it('routes a canonical key to that model alone, source request', () => {
    const decision = decide(chat('zen/large'), classification({task: 'coding', complexity: 'low'}))
    expect(decision).toMatchObject({source: 'request', requested_model: 'zen/large', selected_model: 'zen/large'})
    expect(decision.fallback_models).toEqual([])
    expect(decision.candidates).toHaveLength(1)
    expect(decision.candidates[0]).toMatchObject({source: 'request', rank: 1})
    expect(decision.candidates[0].reasons[0]).toBe('requested by the client')
    // The classifier still ran, for the diagnostics.
    expect(decision).toMatchObject({task: 'coding', complexity: 'low'})
  })

  it('resolves a unique bare id, an alias and a different case', () => {
    expect(decide(chat('small')).selected_model).toBe('acme/small')
    expect(decide(chat('tiny')).selected_model).toBe('acme/small')
    expect(decide(chat('zenny')).selected_model).toBe('zen/large')
    expect(decide(chat('ACME/Mid')).selected_model).toBe('acme/mid')
  })

  it('resolves catalog aliases of routed models that the config does not describe', () => {
    const config = makeConfig({
      accounts: [{name: 'a', provider: 'anthropic', base_url: 'http://127.0.0.1:9/v1'}],
      task_routes: {general: {default: ['anthropic/claude-sonnet-4.5']}},
      fallback_models: [],
      default_model: 'anthropic/claude-sonnet-4.5',
    })
    expect(decide(chat('sonnet'), classification(), {config}).selected_model).toBe('anthropic/claude-sonnet-4.5')
  })

  it("resolves a dated snapshot name to its model when the snapshot is not configured (Claude Code's model names)", () => {
    const config = makeConfig({
      accounts: [{name: 'a', provider: 'anthropic', base_url: 'http://127.0.0.1:9/v1'}],
      task_routes: {general: {default: ['anthropic/claude-sonnet-4.5', 'anthropic/claude-haiku-4.5']}},
      fallback_models: [],
      default_model: 'anthropic/claude-sonnet-4.5',
    })
    expect(decide(chat('claude-sonnet-4-5-20250929'), classification(), {config}).selected_model).toBe(
      'anthropic/claude-sonnet-4.5',
    )
    expect(decide(chat('claude-haiku-4-5-20251001'), classification(), {config}).selected_model).toBe(
      'anthropic/claude-haiku-4.5',
    )
    expect(decide(chat('acme/small-2024-08-06')).selected_model).toBe('acme/small')
    // A snapshot configured as its own model is that model.
    const pinned = makeConfig({...{models: {'acme/small-2024-08-06': {}, 'acme/small': {}}}})
    expect(decide(chat('acme/small-2024-08-06'), classification(), {config: pinned}).selected_model).toBe(
      'acme/small-2024-08-06',
    )
    // An unknown model with a date is refused under the name the client sent.
    const error = routingError(() => decide(chat('claude-opus-9-20990101'), classification(), {config}))
    expect(error.code).toBe('model_not_found')
    expect(error.message).toContain('Model "claude-opus-9-20990101" is not configured')
  })

  it('accepts an unconfigured catalog or self-hosted key of a provider whose account serves any model', () => {
    const config = makeConfig({
      accounts: [
        {name: 'oa', provider: 'openai', base_url: 'http://127.0.0.1:9/v1'},
        {name: 'local', provider: 'ollama', base_url: 'http://127.0.0.1:11434'},
      ],
    })
    expect(decide(chat('openai/gpt-4.1'), classification(), {config}).selected_model).toBe('openai/gpt-4.1')
    expect(decide(chat('ollama/mistral:7b'), classification(), {config}).selected_model).toBe('ollama/mistral:7b')
    expect(routingError(() => decide(chat('openai/gpt-4.2-typo'), classification(), {config})).code).toBe(
      'model_not_found',
    )
    // No account of the provider: not accepted, even though the catalog knows it.
    expect(routingError(() => decide(chat('anthropic/claude-haiku-4.5'), classification(), {config})).code).toBe(
      'model_not_found',
    )
  })

  it('rejects an ambiguous bare id, listing the keys it could mean', () => {
    const error = routingError(() => decide(chat('large')))
    expect(error.code).toBe('invalid_request')
    expect(error.param).toBe('model')
    expect(error.message).toBe('Model "large" is ambiguous: it names acme/large, zen/large.')
  })

  it('rejects an unknown model with the list of configured models and the closest name', () => {
    const error = routingError(() => decide(chat('acme/smal')))
    expect(error.code).toBe('model_not_found')
    expect(error.param).toBe('model')
    expect(error.message).toBe(
      'Model "acme/smal" is not configured. Configured models: acme/small, acme/mid, acme/large, zen/large, zen/embed.',
    )
    expect(error.hint).toMatch(/^Did you mean `acme\/small`[,?]/)
  })

  it('truncates the list of configured models politely', () => {
    const models = Object.fromEntries(Array.from({length: 30}, (_, i) => [`many/model-${i}`, {quality: 0.5}]))
    const config = makeConfig({models: {...(BASE_CONFIG.models as object), ...models}})
    const error = routingError(() => decide(chat('nothing-like-it'), classification(), {config}))
    expect(error.message).toMatch(/Configured models: acme\/small, .*, many\/model-6 and 23 more\.$/)
  })

  it('still applies hard constraints to an explicit model', () => {
    const error = routingError(() => decide(chat('acme/small'), classification({requirements: {vision: true}})))
    expect(error.code).toBe('no_candidates')
    expect(error.message).toBe('Model acme/small cannot serve this request: no vision (the request has images).')
  })

  it('honours an OpenRouter-style models list as an explicit chain, in order', () => {
    const decision = decide({...chat('zen/large'), models: ['acme/small', 'zen/large', 'acme/large']})
    expect(decision.source).toBe('request')
    expect([decision.selected_model, ...decision.fallback_models]).toEqual(['zen/large', 'acme/small', 'acme/large'])
    const alone = decide({...chat('auto'), models: ['acme/large', 'acme/small']})
    expect([alone.selected_model, ...alone.fallback_models]).toEqual(['acme/large', 'acme/small'])
    const error = routingError(() => decide({...chat(), models: ['acme/small', 'nope']}))
    expect(error).toMatchObject({code: 'model_not_found', param: 'models'})
  })

  it('rejects a model that is not a string', () => {
    const error = routingError(() => decide(chat(42)))
    expect(error).toMatchObject({code: 'invalid_request', param: 'model'})
  })
})

/** A profile compiled over accounts of `providers` (every catalog model of each), as `router provider login` writes one. */
function profileConfig(...providers: string[]) {
  const accounts = providers
    .map((provider) => `  - {name: ${provider}-main, provider: ${provider}, api_key: sk-test-0000}`)
    .join('\n')
  return parseConfig(`profile: {default: auto}\naccounts:\n${accounts}\n`, 'router.profile.yaml').config
}

const XHIGH_CODING = classification({task: 'coding', complexity: 'xhigh', requirements: {tools: true}})

describe('decideRoute: tools only one provider runs', () => {
  const config = profileConfig('openai', 'anthropic')
  const codexTurn = {model: 'auto', input: 'Refactor the parser', tools: CODEX_TOOLS}

  it("sends Codex CLI's tools with its hosted web_search to an OpenAI model even when an Anthropic model ranks higher", () => {
    // Functions, a custom tool and a namespace of functions travel to every provider.
    const plain = decideRoute({body: {...codexTurn, tools: CODEX_TOOLS.slice(0, 3)}, endpoint: 'responses'}, config, {
      classify: fixed(XHIGH_CODING),
    })
    expect(plain.selected_model).toBe('anthropic/claude-opus-4.5')

    const decision = decideRoute({body: codexTurn, endpoint: 'responses'}, config, {classify: fixed(XHIGH_CODING)})
    expect(decision.provider_tools).toEqual(['web_search'])
    expect(decision.selected_model).toBe('openai/gpt-5.2')
    expect([decision.selected_model, ...decision.fallback_models].every((model) => model.startsWith('openai/'))).toBe(
      true,
    )
    expect(decision.candidates.find((c) => c.model === 'anthropic/claude-opus-4.5')).toMatchObject({
      excluded: true,
      exclusion: 'hosted_tool',
      reasons: ['the "web_search" tool is OpenAI\'s: only openai and openai-codex accounts run it'],
    })
  })

  it('refuses with a 400 naming the tool when no candidate runs it', () => {
    const error = routingError(() =>
      decideRoute({body: codexTurn, endpoint: 'responses'}, profileConfig('anthropic'), {
        classify: fixed(XHIGH_CODING),
      }),
    )
    expect(error.code).toBe('no_candidates')
    expect(error.param).toBe('tools')
    expect(error.message).toMatch(
      /^No model can serve this request: anthropic\/claude-opus-4\.5, .*: the "web_search" tool is OpenAI's: only openai and openai-codex accounts run it\.$/,
    )
    expect(error.hint).toMatch(/function tools work with every provider/)
  })

  it("keeps Anthropic's server tools on the Messages API for Anthropic models", () => {
    const body = {
      model: 'auto',
      max_tokens: 1000,
      messages: [{role: 'user', content: 'What changed in Node 24?'}],
      tools: [{type: 'web_search_20250305', name: 'web_search', max_uses: 3}],
    }
    const decision = decideRoute({body, endpoint: 'messages'}, config, {
      classify: fixed(classification({task: 'general', complexity: 'high'})),
    })
    expect(decision.provider_tools).toEqual(['web_search_20250305'])
    expect(
      [decision.selected_model, ...decision.fallback_models].every((model) => model.startsWith('anthropic/')),
    ).toBe(true)
  })
})

describe('decideRoute: client model names', () => {
  it("maps the names Claude Code and Codex CLI send to auto with a built-in profile's model_aliases", () => {
    const config = profileConfig('openai')
    for (const name of ['claude-opus-4-8', 'claude-haiku-4-5-20251001', 'claude-sonnet-4-5', 'gpt-5.3-codex']) {
      const decision = decide(chat(name), classification(), {config})
      expect(decision).toMatchObject({source: 'auto', requested_model: name})
      expect(decision.model_alias?.target).toBe('auto')
      expect(decision.selected_model.startsWith('openai/')).toBe(true)
    }
    expect(decide(chat('claude-opus-4-8'), classification(), {config}).model_alias).toEqual({
      pattern: 'claude-*',
      target: 'auto',
    })
  })

  it('serves a name the config knows with its own model, never through an alias', () => {
    const config = profileConfig('openai', 'anthropic')
    const decision = decide(chat('claude-haiku-4-5-20251001'), classification(), {config})
    expect(decision).toMatchObject({source: 'request', selected_model: 'anthropic/claude-haiku-4.5', model_alias: null})
    expect(decide(chat('gpt-5-mini'), classification(), {config}).selected_model).toBe('openai/gpt-5-mini')
  })

  it('maps a name to a model, first matching pattern first', () => {
    const config = makeConfig({model_aliases: {'claude-haiku-*': 'acme/small', 'claude-*': 'auto'}})
    const decision = decide(chat('claude-haiku-4-5-20251001'), classification(), {config})
    expect(decision).toMatchObject({
      source: 'request',
      selected_model: 'acme/small',
      model_alias: {pattern: 'claude-haiku-*', target: 'acme/small'},
    })
    expect(decide(chat('CLAUDE-OPUS-4-8'), classification(), {config}).source).toBe('auto')
  })

  it('keeps the clear model_not_found with suggestions in a raw config without aliases', () => {
    const error = routingError(() => decide(chat('claude-opus-4-8')))
    expect(error.code).toBe('model_not_found')
    expect(error.message).toMatch(/^Model "claude-opus-4-8" is not configured\. Configured models: acme\/small/)
    expect(error.hint).toMatch(/model_aliases/)
  })

  it('resolves a bare id of any kind of model an account serves, embeddings included', () => {
    const config = parseConfig(
      `default_model: openai/gpt-5-mini\naccounts:\n  - {name: oa, provider: openai, base_url: 'http://127.0.0.1:9/v1'}\n`,
      'router.yaml',
    ).config
    const decision = decide(
      {model: 'text-embedding-3-small', input: 'hello'},
      classification({requirements: {embeddings: true}}),
      {
        config,
        endpoint: 'embeddings',
      },
    )
    expect(decision.selected_model).toBe('openai/text-embedding-3-small')
    expect(decide(chat('gpt-4.1'), classification(), {config}).selected_model).toBe('openai/gpt-4.1')
  })
})

describe('decideRoute: embeddings and images with auto', () => {
  it("tries the profile's embeddings and image models for each provider it serves", () => {
    const config = profileConfig('gemini', 'openai')
    const embed = decide({model: 'auto', input: 'hello'}, classification({requirements: {embeddings: true}}), {
      config,
      endpoint: 'embeddings',
    })
    expect([embed.selected_model, ...embed.fallback_models]).toEqual([
      'openai/text-embedding-3-small',
      'gemini/gemini-embedding-001',
    ])
    const image = decide({model: 'auto', prompt: 'a cat'}, classification({requirements: {image_generation: true}}), {
      config,
      endpoint: 'images.generations',
    })
    expect(image.selected_model).toBe('openai/gpt-image-1')
  })

  it('lets a configured model whose capabilities nobody gave serve embeddings when no model is known to', () => {
    const config = makeConfig({
      models: {'acme/mid': BASE_CONFIG.models!['acme/mid' as never], 'acme/local-embed': {}},
      task_routes: {general: {default: ['acme/mid']}},
      fallback_models: [],
    })
    const decision = decide({model: 'auto', input: 'hello'}, classification({requirements: {embeddings: true}}), {
      config,
      endpoint: 'embeddings',
    })
    expect(decision.selected_model).toBe('acme/local-embed')
    expect(decision.candidates.map((c) => c.model)).toEqual(['acme/local-embed'])
    expect(decision.candidates[0].unknown).toContain('embeddings')
  })
})
