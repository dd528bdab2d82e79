import {describe, expect, it} from 'vitest'

import {formatError, formatProblem} from '../../../src/cli/present-error.js'
import {getBuiltinProfile, getCatalogModel} from '../../../src/core/catalog/index.js'
import {deepMerge} from '../../../src/core/config/compile.js'
import {effectiveModel} from '../../../src/core/config/models.js'
import {parseConfig, type LoadedConfig} from '../../../src/core/config/load.js'
import {renderConfigYaml} from '../../../src/core/config/render.js'
import {RawConfigSchema, TASKS, type RuntimeConfig} from '../../../src/core/config/schema.js'
import {inlineSecrets, maskSecrets} from '../../../src/core/config/secrets.js'
import {SELECTION_WEIGHTS} from '../../../src/core/routing/select.js'
import {ConfigError} from '../../../src/core/errors.js'

function compile(text: string, env: NodeJS.ProcessEnv = {}): LoadedConfig {
  return parseConfig(text, 'p.yaml', {env})
}

function compileError(text: string): string {
  try {
    compile(text)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return formatError(error)
  }
  throw new Error('expected a ConfigError')
}

/** Every model key in the routes of `config`. */
function routed(config: RuntimeConfig): string[] {
  return [...new Set(TASKS.flatMap((task) => Object.values(config.task_routes[task] ?? {}).flat()))]
}

function details(loaded: LoadedConfig, step: string): string[] {
  return loaded.steps.find((s) => s.step === step)!.details
}

const OPENAI = '  - {name: o, provider: openai}\n'

describe('profile compile', () => {
  it('explains every step, in order', () => {
    const loaded = compile(`profile: {default: auto}\naccounts:\n${OPENAI}`)
    expect(loaded.kind).toBe('profile')
    expect(loaded.profile).toBe('auto')
    expect(loaded.steps.map((step) => step.step)).toEqual([
      'profile',
      'per_task',
      'resolve',
      'metadata',
      'guardrails',
      'accounts',
      'base_url',
      'raw_overrides',
    ])
    expect(loaded.steps[0].summary).toBe('start from built-in profile `auto`')
  })

  it("starts from the built-in profile's routes, in its order, keeping what the accounts serve", () => {
    const {config} = compile(`profile: {default: auto}\naccounts:\n${OPENAI}`)
    const builtin = getBuiltinProfile('auto')!
    for (const task of TASKS) {
      for (const [tier, list] of Object.entries(config.task_routes[task]!)) {
        const expected = (builtin.task_routes[task] as Record<string, string[]>)[tier].filter((key) =>
          key.startsWith('openai/'),
        )
        expect(list, `${task}.${tier}`).toEqual(expected)
      }
    }
    expect(config.default_model).toBe('openai/gpt-5-mini')
    expect(config.fallback_models).toEqual(['openai/gpt-5-mini'])
    expect(config.accounts).toEqual([
      {
        name: 'o',
        provider: 'openai',
        enabled: true,
        auth_mode: 'api_key',
        models: [],
        base_url: 'https://api.openai.com/v1',
      },
    ])
  })

  it('applies per-task profiles', () => {
    const loaded = compile(`profile: {default: cost, per_task: {coding: quality}}\naccounts:\n${OPENAI}`)
    expect(loaded.config.task_routes.coding!.xhigh![0]).toBe('openai/gpt-5.2')
    expect(loaded.config.task_routes.general!.low![0]).toBe('openai/gpt-5-nano')
    expect(details(loaded, 'per_task')).toEqual(['coding: routes from `quality`'])
  })

  it("takes the default profile's session policy, and what the document's session sets over it", () => {
    const accounts = `accounts:\n${OPENAI}  - {name: a, provider: anthropic}\n`
    expect(compile(`profile: {default: auto}\n${accounts}`).config.session).toMatchObject({
      affinity: true,
      allow_downgrade: true,
      downgrade_margin: 0.3,
    })
    expect(compile(`profile: {default: cost}\n${accounts}`).config.session).toMatchObject({allow_downgrade: true})
    expect(compile(`profile: {default: quality}\n${accounts}`).config.session).toMatchObject({allow_downgrade: false})
    // Turning affinity off keeps the profile's downgrade policy; turning the downgrade off needs saying so.
    expect(compile(`profile: {default: auto}\n${accounts}session: {affinity: false}\n`).config.session).toMatchObject({
      affinity: false,
      allow_downgrade: true,
    })
    expect(
      compile(`profile: {default: auto}\n${accounts}session: {allow_downgrade: false}\n`).config.session,
    ).toMatchObject({allow_downgrade: false})
    expect(
      compile(`profile: {default: quality}\n${accounts}session: {downgrade_margin: 0.5}\n`).config.session,
    ).toMatchObject({allow_downgrade: false, downgrade_margin: 0.5})
  })

  it("routes auto's medium coding to cheap coding models whose catalog quality meets a medium request, high to strong ones", () => {
    const {config} = compile(`profile: {default: auto}\naccounts:\n${OPENAI}  - {name: a, provider: anthropic}\n`)
    expect(config.task_routes.coding!.medium!.slice(0, 2)).toEqual(['openai/gpt-5-mini', 'anthropic/claude-haiku-4.5'])
    expect(config.task_routes.coding!.high![0]).toBe('anthropic/claude-sonnet-4.5')
    // What selection scores: the catalog quality with the coding bonus, against what a medium request needs.
    for (const key of getBuiltinProfile('auto')!.task_routes.coding!.medium!.slice(0, 6)) {
      const model = getCatalogModel(key)!
      const quality = model.quality + (model.task_affinity.includes('coding') ? SELECTION_WEIGHTS.task_affinity : 0)
      expect(quality, key).toBeGreaterThanOrEqual(SELECTION_WEIGHTS.quality_needed.medium)
    }
  })

  it('rejects an unknown profile name with a suggestion', () => {
    expect(compileError(`profile: {default: auto, per_task: {coding: qualty}}\naccounts:\n${OPENAI}`)).toBe(
      [
        'Error: p.yaml is not a valid routing profile (1 problem)',
        '  p.yaml:1:45 profile.per_task.coding: unknown profile `qualty`; did you mean `quality`?',
        '    fix: use one of: auto, balanced, cost, latency, quality (`router profile list`)',
      ].join('\n'),
    )
  })

  it('attaches catalog metadata to every model of the result, its cache prices following its input price', () => {
    const {config} = compile(`profile: {default: auto}\naccounts:\n${OPENAI}`)
    for (const key of routed(config)) {
      const {
        key: _k,
        provider: _p,
        cost_cached_input_per_1k: read,
        cost_cache_write_per_1k: write,
        ...metadata
      } = getCatalogModel(key)!
      expect(config.models[key]).toEqual(metadata)
      expect(effectiveModel(config, key)).toMatchObject({
        cost_cached_input_per_1k: read,
        cost_cache_write_per_1k: write,
      })
    }
  })
})

describe('guardrails', () => {
  it('prune models above a global limit, and say which and why', () => {
    const loaded = compile(
      `profile: {default: quality}\nguardrails: {max_cost_output_per_1k: 0.005}\naccounts:\n${OPENAI}`,
    )
    for (const key of [...routed(loaded.config), ...loaded.config.fallback_models, loaded.config.default_model]) {
      expect(getCatalogModel(key)!.cost_output_per_1k, key).toBeLessThanOrEqual(0.005)
    }
    expect(details(loaded, 'guardrails')).toContain(
      'openai/gpt-5.2: output cost $0.014/1k > max_cost_output_per_1k $0.005/1k; removed from general, coding, thinking, instruction_following, image',
    )
    expect(loaded.steps.find((s) => s.step === 'guardrails')!.summary).toMatch(
      /^\d+ model\(s\) removed for breaking a guardrail$/,
    )
  })

  it('apply a per-task limit instead of the global one for that task', () => {
    const {config} = compile(
      `profile: {default: quality}\nguardrails:\n  max_cost_output_per_1k: 0.012\n  per_task: {coding: {max_cost_output_per_1k: 0.002}}\naccounts:\n${OPENAI}`,
    )
    const costs = (task: 'coding' | 'general') =>
      Object.values(config.task_routes[task]!)
        .flat()
        .map((key) => getCatalogModel(key)!.cost_output_per_1k)
    expect(Math.max(...costs('coding'))).toBeLessThanOrEqual(0.002)
    expect(Math.max(...costs('general'))).toBe(0.01)
  })

  it('prune on latency and failure rate too', () => {
    const loaded = compile(
      `profile: {default: auto}\nguardrails: {max_latency_ms: 3000, max_failure_rate: 0.015}\naccounts:\n  - {name: n, provider: nvidia}\n  - {name: o, provider: openai}\n`,
    )
    for (const key of routed(loaded.config)) {
      const model = getCatalogModel(key)!
      expect(model.latency_ms, key).toBeLessThanOrEqual(3000)
      expect(model.failure_rate, key).toBeLessThanOrEqual(0.015)
    }
    expect(details(loaded, 'guardrails').join('\n')).toContain(
      'nvidia/deepseek-ai/deepseek-r1: latency 12000 ms > max_latency_ms 3000 ms; failure rate 0.06 > max_failure_rate 0.015',
    )
  })

  it('are never undone by account alignment: an emptied tier is refilled from the served models that pass', () => {
    const loaded = compile(
      `profile: {default: quality}\nguardrails: {max_cost_output_per_1k: 0.006}\naccounts:\n  - {name: c, provider: anthropic}\n`,
    )
    expect(routed(loaded.config)).toEqual(['anthropic/claude-haiku-4.5'])
    expect(loaded.config.fallback_models).toEqual(['anthropic/claude-haiku-4.5'])
    expect(loaded.config.default_model).toBe('anthropic/claude-haiku-4.5')
    expect(details(loaded, 'accounts')).toContain(
      "general.xhigh: none of the profile's models is served; filled with anthropic/claude-haiku-4.5",
    )
  })

  it('that exclude every served model are an error that says what to loosen', () => {
    expect(
      compileError(`guardrails: {max_cost_input_per_1k: 0.0001}\naccounts:\n  - {name: c, provider: anthropic}\n`),
    ).toBe(
      [
        'Error: p.yaml is not a valid routing profile (1 problem)',
        '  p.yaml:1:13 guardrails: the guardrails exclude every model your accounts serve (3 model(s)), for every task',
        '    fix: loosen `guardrails`, or add an account whose models fit them',
      ].join('\n'),
    )
    expect(
      compileError(
        `guardrails:\n  per_task: {coding: {max_cost_output_per_1k: 0.001}}\naccounts:\n  - {name: c, provider: anthropic}\n`,
      ),
    ).toBe(
      [
        'Error: p.yaml is not a valid routing profile (1 problem)',
        '  p.yaml:2:22 guardrails.per_task.coding: no served model fits task `coding` (low, medium, high, xhigh, default): the guardrails exclude all 3 served model(s)',
        '    fix: loosen `guardrails.per_task.coding`, or add an account whose models fit',
      ].join('\n'),
    )
  })
})

describe('account alignment', () => {
  it('keeps only the models an account lists, resolving aliases', () => {
    const loaded = compile(
      'profile: {default: auto}\naccounts:\n  - {name: c, provider: anthropic, models: [sonnet, anthropic/haiku]}\n',
    )
    expect(new Set(routed(loaded.config))).toEqual(
      new Set(['anthropic/claude-sonnet-4.5', 'anthropic/claude-haiku-4.5']),
    )
    expect(loaded.config.accounts[0].models).toEqual(['anthropic/claude-sonnet-4.5', 'anthropic/claude-haiku-4.5'])
    expect(details(loaded, 'resolve')).toEqual([
      'accounts[0].models[0]: `sonnet` → anthropic/claude-sonnet-4.5',
      'accounts[0].models[1]: `anthropic/haiku` → anthropic/claude-haiku-4.5',
    ])
  })

  it('serves every catalog model of the provider when an account lists none, and nothing from a disabled account', () => {
    const {config} = compile(
      `accounts:\n  - {name: g, provider: gemini}\n  - {name: o, provider: openai, enabled: false}\n`,
    )
    expect(routed(config).every((key) => key.startsWith('gemini/'))).toBe(true)
    expect(config.task_routes.general!.low).toEqual(['gemini/gemini-2.5-flash-lite'])
    expect(config.accounts.map((account) => account.base_url)).toEqual([
      'https://generativelanguage.googleapis.com/v1beta/openai',
      'https://api.openai.com/v1',
    ])
  })

  it("keeps the profile's embeddings and image models that an account serves, and its model aliases", () => {
    const loaded = compile(`profile: {default: auto}\naccounts:\n${OPENAI}  - {name: l, provider: ollama}\n`)
    expect(loaded.config.endpoint_models).toEqual({
      embeddings: ['openai/text-embedding-3-small', 'ollama/nomic-embed-text'],
      image_generation: ['openai/gpt-image-1'],
    })
    expect(loaded.config.models['openai/text-embedding-3-small']).toMatchObject({capabilities: ['embeddings']})
    expect(loaded.config.model_aliases).toEqual(getBuiltinProfile('auto')!.model_aliases)
    expect(details(loaded, 'accounts')).toContain('embeddings: openai/text-embedding-3-small, ollama/nomic-embed-text')
    const cost = compile(`profile: {default: cost}\naccounts:\n${OPENAI}  - {name: l, provider: ollama}\n`)
    expect(cost.config.endpoint_models.embeddings).toEqual(['ollama/nomic-embed-text', 'openai/text-embedding-3-small'])
    // raw_overrides change the aliases like any mapping: null removes one.
    const edited = compile(
      `accounts:\n${OPENAI}raw_overrides:\n  model_aliases: {'claude-*': null, 'claude-haiku-*': gpt-5-nano}\n`,
    )
    expect(edited.config.model_aliases['claude-*']).toBeUndefined()
    expect(edited.config.model_aliases['claude-haiku-*']).toBe('openai/gpt-5-nano')
  })

  it('locates an alias to an unknown model in raw_overrides', () => {
    expect(compileError(`accounts:\n${OPENAI}raw_overrides:\n  model_aliases: {'claude-*': openai/gpt-9}\n`)).toContain(
      'p.yaml:4:31 raw_overrides.model_aliases["claude-*"]: unknown model `openai/gpt-9`',
    )
  })

  it('lets an ollama or generic account name models the catalog does not know', () => {
    const loaded = compile(
      'accounts:\n  - {name: local, provider: ollama, base_url: "http://127.0.0.1:11434", models: [mistral-nemo, llama3.2]}\n',
    )
    expect(loaded.config.accounts[0]).toMatchObject({
      base_url: 'http://127.0.0.1:11434',
      models: ['ollama/mistral-nemo', 'ollama/llama3.2'],
    })
    expect(loaded.config.models['ollama/mistral-nemo']).toEqual({id: 'mistral-nemo'})
    expect(new Set(routed(loaded.config))).toEqual(new Set(['ollama/mistral-nemo', 'ollama/llama3.2']))
    // Neither model reads images: the image task is left to the general routes, with a warning.
    expect(loaded.config.task_routes.image).toBeUndefined()
    expect(loaded.warnings.map((w) => w.message)).toEqual([
      'no served model reads images (vision), so the `image` routes are left out and image requests use the `general` routes',
    ])
  })

  it('rejects a model of another provider under an account', () => {
    expect(compileError('accounts:\n  - {name: c, provider: anthropic, models: [openai/gpt-5]}\n')).toBe(
      [
        'Error: p.yaml is not a valid routing profile (1 problem)',
        '  p.yaml:2:45 accounts[0].models[0]: account `c` (anthropic) cannot serve `openai/gpt-5`, a model of provider `openai`',
        '    fix: list anthropic models here, or add an account for `openai`',
      ].join('\n'),
    )
  })

  it('rejects an unknown provider with a suggestion', () => {
    expect(compileError('profile: {default: auto}\naccounts:\n  - {name: a, provider: antropic}\n')).toBe(
      [
        'Error: p.yaml is not a valid routing profile (1 problem)',
        '  p.yaml:3:25 accounts[0].provider: unknown provider `antropic`; did you mean `anthropic`?',
        '    fix: use one of: openai, openai-codex, gemini, anthropic, openrouter, nvidia, github, ollama, openai-compatible',
      ].join('\n'),
    )
  })

  it('says to add an account when nothing is served', () => {
    expect(compileError('profile: {default: cost}\n')).toBe(
      [
        'Error: p.yaml is not a valid routing profile (1 problem)',
        '  p.yaml:1:1 accounts: the profile has no accounts, so no model can be served',
        '    fix: add an account: run `router provider login`, or add one under `accounts:` (e.g. `- {name: local, provider: ollama}`)',
      ].join('\n'),
    )
    expect(
      compileError('profile: {default: cost}\naccounts:\n  - {name: o, provider: openai, enabled: false}\n'),
    ).toContain('p.yaml:3:3 accounts: no enabled account serves any model')
  })
})

describe('raw_overrides', () => {
  it('deep-merges last: mappings merge, lists replace, null removes', () => {
    expect(deepMerge({a: {b: 1, c: [1, 2]}, d: 1}, {a: {c: [3]}, d: null, e: 'x'})).toEqual({a: {b: 1, c: [3]}, e: 'x'})
    const loaded = compile(`accounts:\n${OPENAI}raw_overrides:
  retry_statuses: [429, 503]
  fallback_models: null
  task_routes:
    coding: {xhigh: [openai/o4-mini]}
  models:
    openai/gpt-5-mini: {quality: 0.99}
`)
    const {config} = loaded
    expect(config.retry_statuses).toEqual([429, 503])
    expect(config.fallback_models).toEqual([])
    expect(config.task_routes.coding!.xhigh).toEqual(['openai/o4-mini'])
    expect(config.task_routes.coding!.low!.length).toBeGreaterThan(0)
    expect(config.models['openai/gpt-5-mini']).toMatchObject({
      quality: 0.99,
      cost_output_per_1k: 0.002,
      id: 'gpt-5-mini',
    })
    expect(details(loaded, 'raw_overrides')).toEqual([
      'retry_statuses set from raw_overrides',
      'fallback_models set from raw_overrides',
      'task_routes.coding.xhigh set from raw_overrides',
      'models["openai/gpt-5-mini"].quality set from raw_overrides',
    ])
  })

  it('resolves model references that the overrides add', () => {
    const {config} = compile(`accounts:\n${OPENAI}raw_overrides:\n  task_routes: {general: {low: gpt-4o-mini}}\n`)
    expect(config.task_routes.general!.low).toEqual(['openai/gpt-4o-mini'])
  })

  it('are validated against the raw schema, errors located in the profile', () => {
    expect(
      compileError(
        `accounts:\n${OPENAI}raw_overrides:\n  retry_statuses: "429"\n  task_routes: {codng: {low: [openai/gpt-5]}}\n`,
      ),
    ).toBe(
      [
        'Error: p.yaml: the config after raw_overrides is invalid (2 problems)',
        '  p.yaml:4:19 raw_overrides.retry_statuses: expected a list, got a string',
        '    fix: write a list, e.g. `retry_statuses: [a, b]`',
        '  p.yaml:5:17 raw_overrides.task_routes.codng: unknown key `codng`; did you mean `coding`?',
        '    fix: rename it to `coding`, or remove it (allowed here: general, coding, thinking, instruction_following, image)',
      ].join('\n'),
    )
  })

  it('treat unknown models as errors, like the rest of a profile', () => {
    expect(compileError(`accounts:\n${OPENAI}raw_overrides:\n  default_model: openai/gpt-9\n`)).toContain(
      'p.yaml:4:18 raw_overrides.default_model: unknown model `openai/gpt-9`',
    )
  })
})

describe('the compiled config', () => {
  it('validates against the raw schema and loads back as the same raw config', () => {
    const loaded = compile(
      `profile: {default: balanced, per_task: {thinking: quality}}\nguardrails: {max_cost_output_per_1k: 0.015}\naccounts:\n${OPENAI}  - {name: c, provider: anthropic, models: [sonnet, haiku]}\n  - {name: l, provider: ollama}\n`,
    )
    expect(RawConfigSchema.safeParse(loaded.config).success).toBe(true)
    const again = parseConfig(renderConfigYaml(loaded.config, {header: 'compiled'}), 'router.yaml')
    expect(again.kind).toBe('raw')
    expect(again.config).toEqual(loaded.config)
    expect(again.warnings).toEqual([])
  })
})

describe('inline secrets', () => {
  const KEY = 'sk-ant-INLINE-SECRET-1111'
  const TOKEN = 'eyJ-INLINE-TOKEN-2222'
  const CLIENT = 'client-INLINE-SECRET-3333'
  const profile = `profile: {default: auto}
guardrails: {max_cost_output_per_1k: 0.02}
accounts:
  - {name: c, provider: anthropic, api_key: ${KEY}, models: [sonnet]}
  - {name: x, provider: openai-codex, auth_mode: oauth, oauth_access_token: ${TOKEN}, oauth_client_secret: ${CLIENT}, headers: {X-Token: ${KEY}}}
`

  it('never appear in --explain steps or warnings, and are masked for printing', () => {
    const loaded = compile(profile)
    const printed =
      JSON.stringify(loaded.steps) + JSON.stringify(loaded.warnings) + loaded.warnings.map(formatProblem).join('\n')
    for (const secret of [KEY, TOKEN, CLIENT]) expect(printed).not.toContain(secret)
    expect(inlineSecrets(loaded.config).sort()).toEqual([CLIENT, KEY, KEY, TOKEN].sort())
    const masked = renderConfigYaml(maskSecrets(loaded.config))
    for (const secret of [KEY, TOKEN, CLIENT]) expect(masked).not.toContain(secret)
    expect(masked).toContain('api_key: "***"')
    expect(renderConfigYaml(loaded.config)).toContain(`api_key: ${KEY}`)
  })

  it('never appear in compile errors', () => {
    const broken = profile
      .replace('models: [sonnet]', 'models: [sonet-5]')
      .replace('provider: openai-codex', 'provider: openai-codx')
    const printed = compileError(broken)
    expect(printed).toContain('unknown provider `openai-codx`')
    for (const secret of [KEY, TOKEN, CLIENT]) expect(printed).not.toContain(secret)
  })
})
