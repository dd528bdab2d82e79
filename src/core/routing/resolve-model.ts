/**
 * Resolving the model name a client sends to a configured routing key.
 *
 * A name resolves, in this order, to:
 * 1. a configured key as written (`openai/gpt-5-mini`). "Configured" means named anywhere in the config: `models`,
 *    `task_routes`, `fallback_models`, `default_model`, `endpoint_models`, a `model_aliases` target, or an account's
 *    `models` list;
 * 2. an unconfigured `provider/id` key that an enabled account with an empty `models` list of that provider serves,
 *    when the catalog knows the key (an `openai` account that serves "any model" accepts `openai/gpt-4.1`) or the
 *    provider runs whatever models its user installs (`ollama/mistral:7b`, see `SELF_HOSTED_PROVIDERS`). Other
 *    unknown keys are refused here rather than sent upstream, so that a typo gets the list of configured models;
 * 3. the key whose upstream id or bare id is the name (`gpt-5-mini`), when exactly one key has it;
 * 4. the key that has the name as an alias (config or catalog aliases: `sonnet`), when exactly one has it;
 * 5. steps 1, 3 and 4 again ignoring case;
 * 6. a catalog model that an enabled account with an empty `models` list of its provider serves, by its id or an
 *    alias (`text-embedding-3-small` with an `openai` account), when exactly one such model has the name;
 * 7. for a dated snapshot name that none of that matched (`claude-sonnet-4-5-20250929`, `gpt-4o-2024-08-06`, as
 *    Claude Code and pinned clients send them), the same name without its date: the snapshot is served by its model
 *    (configure the snapshot as a model of its own to pin it).
 * A name that several keys share is ambiguous (`invalid_request`, listing them); a name that matches nothing is
 * `model_not_found`, listing the configured models and the closest names. For the request's `model`,
 * `resolveRequestedModel` then tries the config's `model_aliases` before giving up.
 */
import {getCatalog, getCatalogModel} from '../catalog/index.js'
import {defaultModelId, modelProvider} from '../catalog/model-key.js'
import type {RuntimeConfig} from '../config/schema.js'
import {TASKS} from '../config/schema.js'
import {RoutingError} from '../errors.js'
import {didYouMean, suggest} from '../suggest.js'
import {accountsForModel} from './accounts.js'
import {modelInfo} from './model-info.js'
import type {ModelAliasUse} from './schema.js'
import {wildcard} from './wildcard.js'

/** Providers whose model list is whatever the user installed, so the catalog cannot vouch for a key. */
export const SELF_HOSTED_PROVIDERS: ReadonlySet<string> = new Set(['ollama', 'openai-compatible'])

/** A snapshot date at the end of a model name: Anthropic's `-20250929`, OpenAI's `-2024-08-06`. */
const SNAPSHOT_DATE = /-(?:\d{8}|\d{4}-\d{2}-\d{2})$/

/** How many configured models an error message lists before "and N more". */
const LISTED_MODELS = 12

interface NameIndex {
  keys: string[]
  keySet: Set<string>
  ids: Map<string, string[]>
  aliases: Map<string, string[]>
  lowerKeys: Map<string, string[]>
  lowerIds: Map<string, string[]>
  lowerAliases: Map<string, string[]>
  /** Catalog models that no config entry names but an account with an empty `models` list serves, in catalog order. */
  servedKeys: string[]
  /** Their ids and aliases, as written and in lower case. */
  served: Map<string, string[]>
  lowerServed: Map<string, string[]>
}

const cache = new WeakMap<RuntimeConfig, NameIndex>()

/**
 * Every model key the config names, in a stable order: `models` first, then routes, fallbacks, default, endpoint
 * models, alias targets, accounts.
 */
export function configuredModelKeys(config: RuntimeConfig): readonly string[] {
  return index(config).keys
}

/** The routing key for a client's model name (see the module comment); throws a `RoutingError` naming `model`. */
export function resolveModelName(config: RuntimeConfig, name: string, param = 'model'): string {
  const idx = index(config)
  if (idx.keySet.has(name)) return name
  const provider = modelProvider(name)
  if (
    provider !== undefined &&
    (SELF_HOSTED_PROVIDERS.has(provider) || getCatalogModel(name) !== undefined) &&
    config.accounts.some((account) => account.enabled && account.models.length === 0 && account.provider === provider)
  ) {
    return name
  }
  const lower = name.toLowerCase()
  for (const [map, key] of [
    [idx.ids, name],
    [idx.aliases, name],
    [idx.lowerKeys, lower],
    [idx.lowerIds, lower],
    [idx.lowerAliases, lower],
    [idx.served, name],
    [idx.lowerServed, lower],
  ] as const) {
    const matches = map.get(key)
    if (!matches) continue
    if (matches.length === 1) return matches[0]
    throw new RoutingError('invalid_request', `Model "${name}" is ambiguous: it names ${listModels(matches)}.`, {
      param,
      hint: 'Send the full key (`provider/id`) of the one you mean.',
    })
  }
  const undated = name.replace(SNAPSHOT_DATE, '')
  if (undated !== name) {
    try {
      return resolveModelName(config, undated, param)
    } catch (error) {
      // An undated name that is unknown too: the error names what the client sent.
      if (!(error instanceof RoutingError) || error.code !== 'model_not_found') throw error
    }
  }
  const spellings = new Map<string, string>(idx.keys.map((key) => [key, key]))
  for (const map of [idx.ids, idx.aliases]) {
    for (const [spelling, keys] of map) if (keys.length === 1) spellings.set(spelling, keys[0])
  }
  const maybe = didYouMean(suggest(name, spellings))
  const listed = idx.keys.length === 0 ? 'none' : listModels(idx.keys)
  throw new RoutingError('model_not_found', `Model "${name}" is not configured. Configured models: ${listed}.`, {
    param,
    hint:
      (maybe ? `${maybe[0].toUpperCase()}${maybe.slice(1)} ` : '') +
      'Send one of the configured models, or "auto" to let the router choose; to use another model, add it to the profile, or map the name in `model_aliases`.',
  })
}

/** The client's `model` resolved: a model key, or null when the router chooses (the name was mapped to `auto`). */
export interface RequestedModel {
  key: string | null
  alias: ModelAliasUse | null
}

/**
 * The model a request's `model` names (never auto; see `requestedModelName`): `resolveModelName`, and for a name that
 * names no model, the first `model_aliases` pattern that matches it. Throws `resolveModelName`'s error when no
 * pattern matches either.
 */
export function resolveRequestedModel(config: RuntimeConfig, name: string): RequestedModel {
  try {
    return {key: resolveModelName(config, name), alias: null}
  } catch (error) {
    if (!(error instanceof RoutingError) || error.code !== 'model_not_found') throw error
    for (const pattern in config.model_aliases) {
      if (!wildcard(pattern, name)) continue
      const target = config.model_aliases[pattern]
      return {key: target === 'auto' ? null : target, alias: {pattern, target}}
    }
    throw error
  }
}

/** What kind of requests a model serves, as `GET /v1/models` lists it (`unknown`: nobody gave its capabilities). */
export type ModelKind = 'chat' | 'embeddings' | 'image_generation' | 'unknown'

/**
 * Every model the config can serve, in a stable order (configured keys, then the catalog models that accounts with an
 * empty `models` list serve), each with its kind. A configured model that no enabled account serves is left out.
 */
export function servableModels(config: RuntimeConfig): ReadonlyArray<{key: string; kind: ModelKind}> {
  const idx = index(config)
  const out: Array<{key: string; kind: ModelKind}> = []
  for (const key of [...idx.keys, ...idx.servedKeys]) {
    if (accountsForModel(config, key).length === 0) continue
    const info = modelInfo(config, key)
    const kind: ModelKind = !info.known.capabilities
      ? 'unknown'
      : info.capability_set.has('embeddings')
        ? 'embeddings'
        : info.capability_set.has('image_generation') && !info.capability_set.has('tools')
          ? 'image_generation'
          : 'chat'
    out.push({key, kind})
  }
  return out
}

/** `a, b, c` or `a, b, …, l and 7 more`. */
export function listModels(keys: readonly string[], limit = LISTED_MODELS): string {
  if (keys.length <= limit) return keys.join(', ')
  return `${keys.slice(0, limit).join(', ')} and ${keys.length - limit} more`
}

function index(config: RuntimeConfig): NameIndex {
  let idx = cache.get(config)
  if (idx) return idx
  const keySet = new Set<string>(Object.keys(config.models))
  for (const task of TASKS) {
    const route = config.task_routes[task]
    if (!route) continue
    for (const models of Object.values(route)) for (const key of models ?? []) keySet.add(key)
  }
  for (const key of config.fallback_models) keySet.add(key)
  keySet.add(config.default_model)
  for (const models of Object.values(config.endpoint_models)) for (const key of models ?? []) keySet.add(key)
  for (const target of Object.values(config.model_aliases)) if (target !== 'auto') keySet.add(target)
  for (const account of config.accounts) {
    for (const listed of account.models) {
      keySet.add(modelProvider(listed) === undefined ? `${account.provider}/${listed}` : listed)
    }
  }
  const keys = [...keySet]
  idx = {
    keys,
    keySet,
    ids: new Map(),
    aliases: new Map(),
    lowerKeys: new Map(),
    lowerIds: new Map(),
    lowerAliases: new Map(),
    servedKeys: [],
    served: new Map(),
    lowerServed: new Map(),
  }
  const anyModel = new Set(
    config.accounts
      .filter((account) => account.enabled && account.models.length === 0)
      .map((account) => account.provider),
  )
  for (const model of getCatalog().models) {
    if (keySet.has(model.key) || !anyModel.has(model.provider)) continue
    idx.servedKeys.push(model.key)
    for (const spelling of new Set([model.id, defaultModelId(model.key), ...model.aliases])) {
      add(idx.served, spelling, model.key)
      add(idx.lowerServed, spelling.toLowerCase(), model.key)
    }
  }
  for (const key of keys) {
    const info = modelInfo(config, key)
    add(idx.lowerKeys, key.toLowerCase(), key)
    for (const id of new Set([info.id, defaultModelId(key)])) {
      if (id === key) continue
      add(idx.ids, id, key)
      add(idx.lowerIds, id.toLowerCase(), key)
    }
    for (const alias of info.aliases) {
      add(idx.aliases, alias, key)
      add(idx.lowerAliases, alias.toLowerCase(), key)
    }
  }
  cache.set(config, idx)
  return idx
}

function add(map: Map<string, string[]>, name: string, key: string): void {
  const list = map.get(name)
  if (!list) map.set(name, [key])
  else if (!list.includes(key)) list.push(key)
}
