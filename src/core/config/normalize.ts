/**
 * Normalisation of a validated runtime config, shared by raw documents and compiled profiles: every model reference
 * becomes a canonical key, every referenced model gets an entry in `models` with catalog metadata under what the
 * document says, and what the gateway would trip over later is reported now (unknown providers, ambiguous or unknown
 * models, models that no enabled account serves, unset key variables).
 */
import {getCatalog, getCatalogModel} from '../catalog/index.js'
import {defaultModelId, modelProvider} from '../catalog/model-key.js'
import {describeUnresolved, resolveModelRef} from '../catalog/resolve.js'
import type {Problem} from '../errors.js'
import {AUTO_MODEL_NAMES} from '../catalog/model-key.js'
import {didYouMean, suggest} from '../suggest.js'
import {accountServes} from './account-serves.js'
import {TASKS, type EndpointModels, type ModelMetadata, type RuntimeConfig, type TierKey} from './schema.js'
import type {DocPath} from './yaml.js'
import type {Locator} from './zod-issues.js'

/** Raw documents warn about unknown models; profiles (and their overrides) treat them as errors. */
export type NormalizeMode = 'raw' | 'profile'

export interface NormalizeOptions {
  mode: NormalizeMode
  locate: Locator
  /** The `models:` value as written (before defaults), to tell an explicit `id` from the default one. */
  rawModels?: unknown
  /** Environment for the `api_key_env` check; skipped when absent. */
  env?: NodeJS.ProcessEnv
}

export interface NormalizeResult {
  config: RuntimeConfig
  problems: Problem[]
}

const TIER_ORDER: TierKey[] = ['low', 'medium', 'high', 'xhigh', 'default']
const ENDPOINT_CAPABILITIES = ['embeddings', 'image_generation'] as const satisfies ReadonlyArray<keyof EndpointModels>

/**
 * Catalog metadata of a model without its key fields: what goes into `models:`. The prompt-cache prices stay out: they
 * follow the input price (`effectiveModel`), so that a document that changes it need not restate them.
 */
export function catalogMetadata(key: string): ModelMetadata | undefined {
  const model = getCatalogModel(key)
  if (!model) return undefined
  const {
    key: _key,
    provider: _provider,
    cost_cached_input_per_1k: _read,
    cost_cache_write_per_1k: _write,
    ...metadata
  } = model
  return metadata
}

/** Normalise `config` (already validated against RawConfigSchema). Never throws; errors come back as problems. */
export function normalizeConfig(config: RuntimeConfig, options: NormalizeOptions): NormalizeResult {
  const problems: Problem[] = []
  const {locate, mode} = options
  const error = (path: DocPath, message: string, hint?: string, key = false) =>
    problems.push({...locate(path, {key}), message, ...(hint ? {hint} : {}), severity: 'error'})
  const warn = (path: DocPath, message: string, hint?: string) =>
    problems.push({...locate(path), message, ...(hint ? {hint} : {}), severity: 'warning'})

  checkAccounts(config.accounts, error)

  // Declared models: canonical keys, catalog metadata under the document's own.
  const rawModels = modelsAsWritten(options.rawModels)
  const models: Record<string, ModelMetadata> = {}
  const spellingToKey = new Map<string, string>()
  for (const [written, metadata] of Object.entries(config.models)) {
    let key = written
    if (!getCatalogModel(written)) {
      const resolution = resolveModelRef(written)
      if (resolution.ok) key = resolution.key
      else if (resolution.reason === 'ambiguous') {
        const {message, hint} = describeUnresolved(written, resolution)
        error(['models', written], message, hint, true)
        continue
      }
    }
    const explicitId = rawModels.get(written)?.id
    const merged: ModelMetadata = {...catalogMetadata(key), ...models[key], ...withoutUndefined(metadata)}
    merged.id =
      typeof explicitId === 'string' ? explicitId : (models[key]?.id ?? getCatalogModel(key)?.id ?? defaultModelId(key))
    models[key] = merged
    spellingToKey.set(written, key)
  }

  // References: canonical keys, undeclared models added (with a warning in raw documents).
  const reported = new Set<string>()
  const firstReference = new Map<string, DocPath>()
  const resolve = (ref: string, path: DocPath, provider?: string): string | undefined => {
    const declared = spellingToKey.get(ref)
    if (declared) return note(declared, path)
    if (models[ref]) return note(ref, path)
    const resolution = resolveModelRef(ref, {provider})
    if (resolution.ok) {
      if (!models[resolution.key]) {
        models[resolution.key] = {...catalogMetadata(resolution.key)}
        if (mode === 'raw' && !reported.has(resolution.key)) {
          warn(
            path,
            `model \`${resolution.key}\` is not declared under \`models\`; the catalog knows it, so its catalog metadata is used`,
            `add \`${resolution.key}: {}\` under \`models:\` to make this explicit`,
          )
        }
        reported.add(resolution.key)
      }
      return note(resolution.key, path)
    }
    const {message, hint} = describeUnresolved(ref, resolution)
    if (resolution.reason === 'ambiguous' || mode === 'profile') {
      error(path, message, hint)
      return undefined
    }
    models[ref] = {id: defaultModelId(ref)}
    if (!reported.has(ref)) {
      const guess = didYouMean(resolution.suggestions)
      warn(
        path,
        `model \`${ref}\` is not declared under \`models\` and the catalog does not know it; default metadata is used${guess ? ` (${guess})` : ''}`,
        `declare it under \`models:\` with its costs and context window, or fix the name`,
      )
    }
    reported.add(ref)
    return note(ref, path)
  }
  function note(key: string, path: DocPath): string {
    if (!firstReference.has(key)) firstReference.set(key, path)
    return key
  }

  const accounts = config.accounts.map((account, index) => ({
    ...account,
    models: unique(
      account.models
        .map((ref, j) => resolve(ref, ['accounts', index, 'models', j], account.provider))
        .filter((key): key is string => key !== undefined),
    ),
  }))
  // Account lists do not count as routing references for the "no account serves it" check.
  const routed = new Map<string, DocPath>()
  const routeRef = (ref: string, path: DocPath) => {
    const key = resolve(ref, path)
    if (key && !routed.has(key)) routed.set(key, path)
    return key
  }

  const defaultModel = routeRef(config.default_model, ['default_model']) ?? config.default_model
  const taskRoutes: RuntimeConfig['task_routes'] = {}
  for (const task of TASKS) {
    const route = config.task_routes[task]
    if (!route) continue
    const out: Partial<Record<TierKey, string[]>> = {}
    for (const tier of TIER_ORDER) {
      const refs = route[tier]
      if (refs === undefined) continue
      out[tier] = unique(
        refs.map((ref, i) => routeRef(ref, ['task_routes', task, tier, i])).filter((k): k is string => k !== undefined),
      )
    }
    taskRoutes[task] = out
  }
  const fallbackModels = unique(
    config.fallback_models
      .map((ref, i) => routeRef(ref, ['fallback_models', i]))
      .filter((k): k is string => k !== undefined),
  )

  const endpointModels: EndpointModels = {}
  for (const capability of ENDPOINT_CAPABILITIES) {
    const refs = config.endpoint_models[capability]
    if (refs === undefined) continue
    endpointModels[capability] = unique(
      refs
        .map((ref, i) => {
          const key = routeRef(ref, ['endpoint_models', capability, i])
          const capabilities = key === undefined ? undefined : models[key]?.capabilities
          if (capabilities !== undefined && !capabilities.includes(capability)) {
            warn(
              ['endpoint_models', capability, i],
              `\`${key}\` is listed for ${capability}, but its capabilities (${capabilities.join(', ') || 'none'}) do not include it; requests will skip it`,
              `list a model that has ${capability}, or add \`${capability}\` to its \`capabilities\``,
            )
          }
          return key
        })
        .filter((k): k is string => k !== undefined),
    )
  }
  const modelAliases: Record<string, string> = {}
  for (const [pattern, target] of Object.entries(config.model_aliases)) {
    if (AUTO_MODEL_NAMES.has(target.trim().toLowerCase())) modelAliases[pattern] = 'auto'
    else {
      const key = routeRef(target, ['model_aliases', pattern])
      if (key !== undefined) modelAliases[pattern] = key
    }
  }

  const enabled = accounts.filter((account) => account.enabled)
  if (enabled.length === 0) {
    warn(
      ['accounts'],
      config.accounts.length === 0
        ? 'no accounts: the gateway has nowhere to send requests'
        : 'every account is disabled',
      'add an account with `router provider login`, or under `accounts:`',
    )
  } else {
    for (const [key, path] of routed) {
      if (enabled.some((account) => accountServes(account, key))) continue
      const provider = modelProvider(key)
      const sameProvider = enabled.filter((account) => account.provider === provider)
      const disabled = accounts.find((account) => !account.enabled && account.provider === provider)
      const hint =
        sameProvider.length > 0
          ? `add \`${key}\` to the \`models\` of account \`${sameProvider[0].name}\` (or empty that list to serve every ${provider} model)`
          : disabled
            ? `enable account \`${disabled.name}\` (\`enabled: true\`), or route to a model your accounts serve`
            : `add an account for provider \`${provider ?? 'unknown'}\`, or route to a model your accounts serve`
      warn(path, `no enabled account serves \`${key}\`; the gateway will skip it`, hint)
    }
  }

  if (options.env) checkKeyVariables(config, options.env, warn)

  return {
    config: {
      ...config,
      default_model: defaultModel,
      models,
      accounts,
      task_routes: taskRoutes,
      fallback_models: fallbackModels,
      endpoint_models: endpointModels,
      model_aliases: modelAliases,
    },
    problems,
  }
}

/** Problems with the accounts themselves: unknown providers (with a suggestion) and names used twice. */
export function checkAccounts(
  accounts: ReadonlyArray<{name: string; provider: string} | undefined>,
  error: (path: DocPath, message: string, hint?: string) => void,
): void {
  const catalog = getCatalog()
  const names = new Map<string, number>()
  accounts.forEach((account, index) => {
    // An entry the schema already refused (not an object, no name or provider) has nothing more to check.
    if (account === undefined) return
    if (!catalog.providerByName.has(account.provider)) {
      const providers = catalog.providers.map((provider) => provider.name)
      const guess = didYouMean(suggest(account.provider, providers))
      error(
        ['accounts', index, 'provider'],
        `unknown provider \`${account.provider}\`${guess ? `; ${guess}` : ''}`,
        `use one of: ${providers.join(', ')}`,
      )
    }
    const previous = names.get(account.name)
    if (previous !== undefined) {
      error(
        ['accounts', index, 'name'],
        `account name \`${account.name}\` is used twice (also accounts[${previous}])`,
        'give every account its own name',
      )
    } else names.set(account.name, index)
  })
}

function checkKeyVariables(
  config: RuntimeConfig,
  env: NodeJS.ProcessEnv,
  warn: (path: DocPath, message: string, hint?: string) => void,
): void {
  config.accounts.forEach((account, index) => {
    if (!account.enabled || account.auth_mode !== 'api_key' || account.api_key || !account.api_key_env) return
    if (env[account.api_key_env]) return
    warn(
      ['accounts', index, 'api_key_env'],
      `environment variable ${account.api_key_env} is not set; account \`${account.name}\` has no key unless \`router provider login\` stored one`,
      `export ${account.api_key_env}=… before \`router serve\`, or run \`router provider login\``,
    )
  })
}

function modelsAsWritten(raw: unknown): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>()
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
      out.set(key, value && typeof value === 'object' ? (value as Record<string, unknown>) : {})
    }
  }
  return out
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}

function unique(values: string[]): string[] {
  return [...new Set(values)]
}
