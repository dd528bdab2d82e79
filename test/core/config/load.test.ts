import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {formatError, formatProblem} from '../../../src/cli/present-error.js'
import {effectiveModel, loadConfig, parseConfig} from '../../../src/core/config/load.js'
import {ConfigError} from '../../../src/core/errors.js'

const SEED = 'test/fixtures/config/seed-raw.yaml'

/** The text a CLI user reads for the error `fn` throws (it must be a ConfigError). */
function userError(fn: () => unknown): string {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).exitCode).toBe(2)
    return formatError(error)
  }
  throw new Error('expected a ConfigError')
}

const RAW_HEAD = 'default_model: openai/gpt-5-mini\n'

describe('the seed raw config', () => {
  it('validates as is, with one warning per undeclared and per unserved model', async () => {
    const loaded = await loadConfig(SEED)
    expect(loaded.kind).toBe('raw')
    expect(loaded.profile).toBeNull()
    expect(loaded.steps).toEqual([])
    expect(loaded.path).toBe(resolve(SEED))
    expect(loaded.warnings.map(formatProblem)).toEqual([
      `${SEED}:15:11 task_routes.coding.low[0]: warning: model \`openai-codex/gpt-5.2-codex\` is not declared under \`models\`; the catalog knows it, so its catalog metadata is used\n  fix: add \`openai-codex/gpt-5.2-codex: {}\` under \`models:\` to make this explicit`,
      `${SEED}:15:11 task_routes.coding.low[0]: warning: no enabled account serves \`openai-codex/gpt-5.2-codex\`; the gateway will skip it\n  fix: add \`openai-codex/gpt-5.2-codex\` to the \`models\` of account \`default\` (or empty that list to serve every openai-codex model)`,
      `${SEED}:15:39 task_routes.coding.low[1]: warning: model \`openai-codex/gpt-5.3-codex-spark\` is not declared under \`models\`; the catalog knows it, so its catalog metadata is used\n  fix: add \`openai-codex/gpt-5.3-codex-spark: {}\` under \`models:\` to make this explicit`,
      `${SEED}:15:39 task_routes.coding.low[1]: warning: no enabled account serves \`openai-codex/gpt-5.3-codex-spark\`; the gateway will skip it\n  fix: add \`openai-codex/gpt-5.3-codex-spark\` to the \`models\` of account \`default\` (or empty that list to serve every openai-codex model)`,
      `${SEED}:19:82 task_routes.thinking.high[0]: warning: model \`openai-codex/gpt-5.3\` is not declared under \`models\`; the catalog knows it, so its catalog metadata is used\n  fix: add \`openai-codex/gpt-5.3: {}\` under \`models:\` to make this explicit`,
      `${SEED}:19:82 task_routes.thinking.high[0]: warning: no enabled account serves \`openai-codex/gpt-5.3\`; the gateway will skip it\n  fix: add \`openai-codex/gpt-5.3\` to the \`models\` of account \`default\` (or empty that list to serve every openai-codex model)`,
    ])
  })

  it('normalises: every referenced model gets catalog metadata, routes are lists, defaults are filled', async () => {
    const {config} = await loadConfig(SEED)
    expect(Object.keys(config.models)).toEqual([
      'openai-codex/gpt-5.2',
      'openai-codex/gpt-5.2-codex',
      'openai-codex/gpt-5.3-codex-spark',
      'openai-codex/gpt-5.3',
    ])
    expect(config.models['openai-codex/gpt-5.2']).toMatchObject({
      id: 'gpt-5.2',
      context_window: 400_000,
      cost_input_per_1k: 0.00175,
    })
    expect(config.models['openai-codex/gpt-5.3-codex-spark']).toMatchObject({id: 'gpt-5.3-codex-spark', tier: 'medium'})
    expect(config.task_routes.image).toEqual({default: ['openai-codex/gpt-5.2']})
    expect(config.accounts[0]).toMatchObject({
      name: 'default',
      base_url: 'http://localhost:11434',
      models: ['openai-codex/gpt-5.2'],
    })
    expect(config.retry_statuses).toEqual([429, 500, 502, 503, 504])
  })
})

describe('raw config normalisation', () => {
  it('rewrites aliases and unique bare ids to canonical keys, declared metadata winning over the catalog', () => {
    const text = `default_model: sonnet
models:
  anthropic/sonnet: {cost_input_per_1k: 0.001}
accounts:
  - {name: claude, provider: anthropic, base_url: https://api.anthropic.com/v1}
task_routes:
  coding: {low: haiku, high: [claude-opus-4-5, sonnet]}
fallback_models: [anthropic/claude-haiku-4-5]
`
    const {config, warnings} = parseConfig(text, 'r.yaml')
    expect(config.default_model).toBe('anthropic/claude-sonnet-4.5')
    expect(config.task_routes.coding).toEqual({
      low: ['anthropic/claude-haiku-4.5'],
      high: ['anthropic/claude-opus-4.5', 'anthropic/claude-sonnet-4.5'],
    })
    expect(config.fallback_models).toEqual(['anthropic/claude-haiku-4.5'])
    expect(config.models['anthropic/claude-sonnet-4.5']).toMatchObject({
      id: 'claude-sonnet-4-5',
      cost_input_per_1k: 0.001,
      cost_output_per_1k: 0.015,
    })
    expect(warnings.map((w) => w.message)).toEqual([
      'model `anthropic/claude-haiku-4.5` is not declared under `models`; the catalog knows it, so its catalog metadata is used',
      'model `anthropic/claude-opus-4.5` is not declared under `models`; the catalog knows it, so its catalog metadata is used',
    ])
  })

  it('keeps a model the catalog does not know, with a warning, and serves it from a generic account', () => {
    const text = `default_model: openai-compatible/my-llama
accounts:
  - {name: vllm, provider: openai-compatible, base_url: http://127.0.0.1:8000/v1}
`
    const {config, warnings} = parseConfig(text, 'r.yaml')
    expect(config.models['openai-compatible/my-llama']).toEqual({id: 'my-llama'})
    expect(warnings.map(formatProblem)).toEqual([
      'r.yaml:1:16 default_model: warning: model `openai-compatible/my-llama` is not declared under `models` and the catalog does not know it; default metadata is used\n  fix: declare it under `models:` with its costs and context window, or fix the name',
    ])
    const model = effectiveModel(config, 'openai-compatible/my-llama')
    expect(model).toMatchObject({
      id: 'my-llama',
      provider: 'openai-compatible',
      in_catalog: false,
      quality: 0.5,
      context_window: 32_768,
    })
  })

  it('warns about a route to a model that no enabled account serves', () => {
    const text = `${RAW_HEAD}accounts:
  - {name: o, provider: openai, base_url: https://api.openai.com/v1}
  - {name: c, provider: anthropic, base_url: https://api.anthropic.com/v1, enabled: false}
task_routes:
  general: {high: [anthropic/claude-sonnet-4.5]}
`
    const {warnings} = parseConfig(text, 'r.yaml')
    expect(warnings.map(formatProblem)).toContain(
      'r.yaml:6:20 task_routes.general.high[0]: warning: no enabled account serves `anthropic/claude-sonnet-4.5`; the gateway will skip it\n  fix: enable account `c` (`enabled: true`), or route to a model your accounts serve',
    )
  })

  it('warns when an account key variable is not set in the given environment', () => {
    const text = `${RAW_HEAD}accounts:\n  - {name: o, provider: openai, base_url: https://api.openai.com/v1, api_key_env: MY_OPENAI_KEY}\n`
    const keyWarnings = (env: NodeJS.ProcessEnv) =>
      parseConfig(text, 'r.yaml', {env})
        .warnings.filter((w) => w.path?.startsWith('accounts'))
        .map((w) => `${w.path}: ${w.message}`)
    expect(keyWarnings({MY_OPENAI_KEY: 'x'})).toEqual([])
    expect(keyWarnings({})).toEqual([
      'accounts[0].api_key_env: environment variable MY_OPENAI_KEY is not set; account `o` has no key unless `router provider login` stored one',
    ])
  })

  it('effectiveModel: catalog metadata for known models, the document winning', () => {
    const {config} = parseConfig(
      `default_model: gemini/gemini-2.5-flash\nmodels:\n  gemini/gemini-2.5-flash: {quality: 0.9}\n`,
      'r.yaml',
    )
    expect(effectiveModel(config, 'gemini/gemini-2.5-flash')).toMatchObject({
      quality: 0.9,
      context_window: 1_048_576,
      in_catalog: true,
    })
  })
})

describe('bad input: one message per problem, with file, line:column, path and fix', () => {
  it('a YAML syntax error', () => {
    expect(userError(() => parseConfig('accounts:\n  - name: a\n    provider: [openai\n', 'p.yaml'))).toBe(
      [
        'Error: p.yaml is not valid YAML',
        '  p.yaml:4:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
        '    fix: close the quote, bracket or brace opened on line 3',
        'Fix: fix the YAML syntax at the line shown; indent with spaces, and quote values that contain `: ` or `#`',
      ].join('\n'),
    )
  })

  it('a line indented a space too few: the fix says how far, after the sibling above it, once per line', () => {
    const text =
      'default_model: a/b\nmodels:\n  a/b: {}\ntask_routes:\n  general:\n    default:\n      - a/b\n     - a/c\n'
    expect(userError(() => parseConfig(text, 'i.yaml'))).toBe(
      [
        'Error: i.yaml is not valid YAML',
        '  i.yaml:8:1: YAML syntax error: A block sequence may not be used as an implicit map key',
        '    fix: indent this line by 6 spaces, like the list item on line 7 (it has 5)',
        'Fix: fix the YAML syntax at the line shown; indent with spaces, and quote values that contain `: ` or `#`',
      ].join('\n'),
    )
    expect(userError(() => parseConfig('default_model: a/b\nmodels:\n  a/b: {}\n accounts: []\n', 'k.yaml'))).toContain(
      'fix: indent this line by 0 spaces, like the key on line 2, or by 2 spaces, like the key on line 3 (it has 1)',
    )
  })

  it('a profile with three mistakes reports all three at once', () => {
    const text =
      'schema_version: 1\nprofile:\n  default: balanced\n  per_task:\n    codin: quality\naccounts:\n  - {name: a, provider: opnai, api_key_env: X}\n  - {name: b, provider: gemnii, api_key_env: Y}\n'
    const message = userError(() => parseConfig(text, 'three.yaml'))
    expect(message).toContain('(3 problems)')
    expect(message).toContain('three.yaml:5:5 profile.per_task.codin: unknown key `codin`')
    expect(message).toContain('three.yaml:7:25 accounts[0].provider: unknown provider `opnai`; did you mean `openai`?')
    expect(message).toContain('three.yaml:8:25 accounts[1].provider: unknown provider `gemnii`; did you mean `gemini`?')
  })

  it('a repeated key', () => {
    expect(userError(() => parseConfig('default_model: a/b\ndefault_model: c/d\n', 'r.yaml'))).toContain(
      'r.yaml:2:1: YAML syntax error: the same key appears twice in one mapping\n    fix: remove or merge the repeated key',
    )
  })

  it('a wrong type', () => {
    expect(
      userError(() =>
        parseConfig(
          `${RAW_HEAD}retry_statuses: "429"\naccounts:\n  - {name: a, provider: openai, base_url: https://x.test, enabled: "yes"}\n`,
          'r.yaml',
        ),
      ),
    ).toBe(
      [
        'Error: r.yaml is not a valid router config (2 problems)',
        '  r.yaml:2:17 retry_statuses: expected a list, got a string',
        '    fix: write a list, e.g. `retry_statuses: [a, b]`',
        '  r.yaml:4:68 accounts[0].enabled: expected true or false, got a string',
        '    fix: write `true` or `false` without quotes',
      ].join('\n'),
    )
  })

  it('a number where a whole number is needed, and a status out of range', () => {
    expect(userError(() => parseConfig(`${RAW_HEAD}retry_statuses: [429, 99]\n`, 'r.yaml'))).toContain(
      'r.yaml:2:23 retry_statuses[1]: must be at least 100',
    )
  })

  it('an unknown key, with a suggestion', () => {
    expect(
      userError(() => parseConfig('profile: {default: auto}\nguardrail:\n  max_latency_ms: 100\n', 'p.yaml')),
    ).toBe(
      [
        'Error: p.yaml is not a valid routing profile (1 problem)',
        '  p.yaml:2:1 guardrail: unknown key `guardrail`; did you mean `guardrails`?',
        '    fix: rename it to `guardrails`, or remove it (allowed here: schema_version, profile, guardrails, accounts, session, raw_overrides, state)',
      ].join('\n'),
    )
  })

  it('an unknown task in task_routes', () => {
    expect(
      userError(() => parseConfig(`${RAW_HEAD}task_routes:\n  codng: {low: [openai/gpt-5-mini]}\n`, 'r.yaml')),
    ).toContain('r.yaml:3:3 task_routes.codng: unknown key `codng`; did you mean `coding`?')
  })

  it('an invalid enum value lists the allowed ones', () => {
    expect(
      userError(() => parseConfig('accounts:\n  - {name: a, provider: openai, auth_mode: apikey}\n', 'p.yaml')),
    ).toContain(
      'p.yaml:2:44 accounts[0].auth_mode: invalid value for `auth_mode`; did you mean `api_key`?\n    fix: use one of: api_key, oauth, passthrough',
    )
  })

  it('a missing required key', () => {
    expect(userError(() => parseConfig('models: {openai/gpt-5: {}}\n', 'r.yaml'))).toBe(
      [
        'Error: r.yaml is not a valid router config (1 problem)',
        '  r.yaml:1:1 default_model: missing required key `default_model`',
        '    fix: name the model used when no route matches, e.g. `default_model: openai/gpt-5-mini`',
      ].join('\n'),
    )
  })

  it('an unknown provider', () => {
    const text = `${RAW_HEAD}accounts:\n  - {name: a, provider: openai, base_url: https://api.openai.com/v1}\n  - {name: b, provider: opnai, base_url: https://api.openai.com/v1}\n`
    expect(userError(() => parseConfig(text, 'r.yaml'))).toBe(
      [
        'Error: r.yaml is not a valid router config (1 problem)',
        '  r.yaml:4:25 accounts[1].provider: unknown provider `opnai`; did you mean `openai`?',
        '    fix: use one of: openai, openai-codex, gemini, anthropic, openrouter, nvidia, github, ollama, openai-compatible',
      ].join('\n'),
    )
  })

  it('an unknown model in a profile account', () => {
    const text =
      'profile: {default: auto}\naccounts:\n  - name: claude\n    provider: anthropic\n    models: [claude-sonet-4.5]\n'
    expect(userError(() => parseConfig(text, 'p.yaml'))).toBe(
      [
        'Error: p.yaml is not a valid routing profile (1 problem)',
        '  p.yaml:5:14 accounts[0].models[0]: unknown model `claude-sonet-4.5`; did you mean `anthropic/claude-sonnet-4.5`?',
        '    fix: use the catalog key `anthropic/claude-sonnet-4.5`, or declare the model under `models:`',
      ].join('\n'),
    )
  })

  it('an ambiguous model in a raw route', () => {
    expect(userError(() => parseConfig(`${RAW_HEAD}fallback_models: [gpt-5.2]\n`, 'r.yaml'))).toBe(
      [
        'Error: r.yaml is not a valid router config (1 problem)',
        '  r.yaml:2:19 fallback_models[0]: model `gpt-5.2` is ambiguous: `openai/gpt-5.2`, `openai-codex/gpt-5.2` all match',
        '    fix: write the full `provider/id` key, e.g. `openai/gpt-5.2`',
      ].join('\n'),
    )
  })

  it('an empty file', () => {
    expect(userError(() => parseConfig('', 'e.yaml'))).toBe(
      'Error: e.yaml is empty\nFix: run `router profile init` to write a starter profile (see router.profile.example.yaml for every field)',
    )
    expect(userError(() => parseConfig('# only a comment\n', 'e.yaml'))).toContain('Error: e.yaml is empty')
  })

  it('a document that is not a mapping', () => {
    expect(userError(() => parseConfig('- openai/gpt-5\n- openai/gpt-5-mini\n', 'l.yaml'))).toBe(
      [
        'Error: l.yaml must be a YAML mapping of settings',
        '  l.yaml:1:1: expected a mapping (`key: value` lines) at the top level, got a list',
        'Fix: run `router profile init` to write a starter profile (see router.profile.example.yaml for every field)',
      ].join('\n'),
    )
  })

  describe('files', () => {
    let dir: string
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'router-load-'))
    })
    afterAll(async () => {
      await rm(dir, {recursive: true, force: true})
    })

    it('a missing file', async () => {
      const file = join(dir, 'nope.yaml')
      const error = await loadConfig(file).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as ConfigError).code).toBe('config_not_found')
      expect(formatError(error)).toBe(
        `Error: config file not found: ${file}\nFix: create one with \`router profile init\`, pass --config FILE, or set ROUTING_CONFIG_PATH`,
      )
    })

    it('a directory', async () => {
      const error = await loadConfig(dir).catch((e: unknown) => e)
      expect(formatError(error)).toContain(`Error: ${dir} is a directory, not a config file`)
    })

    it('loads the seed copied to a temp folder', async () => {
      const file = join(dir, 'router.yaml')
      await writeFile(file, await readFile(SEED, 'utf8'))
      expect((await loadConfig(file)).config.default_model).toBe('openai-codex/gpt-5.2')
    })
  })
})

describe('inline secrets', () => {
  const SECRET = 'sk-live-DO-NOT-PRINT-4242'

  it('never appear in validation errors or warnings', () => {
    const cases = [
      `${RAW_HEAD}accounts:\n  - {name: a, provider: opnai, base_url: "https://user:${SECRET}@x.test/v1", api_key: ${SECRET}}\n`,
      `${RAW_HEAD}accounts:\n  - {name: a, provider: openai, base_url: "not a url ${SECRET}", api_key: ${SECRET}}\n`,
      `${RAW_HEAD}accounts:\n  - name: a\n    api_key: "${SECRET}\n    provider: openai\n`,
      `${RAW_HEAD}accounts:\n  - {name: a, provider: openai, api_key: [${SECRET}], base_url: https://x.test}\n`,
      `${RAW_HEAD}accounts:\n  - {name: a, provider: openai, base_url: https://x.test, headers: {Authorization: 7}, oauth_client_secret: ${SECRET}}\n`,
    ]
    for (const text of cases) {
      const printed = userError(() => parseConfig(text, 'r.yaml'))
      expect(printed).not.toContain(SECRET)
      expect(printed).not.toContain('DO-NOT-PRINT')
    }
    const ok = parseConfig(
      `${RAW_HEAD}accounts:\n  - {name: a, provider: openai, base_url: https://x.test, api_key: ${SECRET}}\ntask_routes: {general: {low: [anthropic/claude-haiku-4.5]}}\n`,
      'r.yaml',
    )
    expect(ok.warnings.length).toBeGreaterThan(0)
    expect(JSON.stringify(ok.warnings)).not.toContain(SECRET)
  })
})
