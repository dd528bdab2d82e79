/**
 * Which accounts serve a model, and which id the upstream knows it by.
 *
 * An enabled account serves the routing key `provider/id` when:
 * - its `models` list names the key itself (whatever the account's provider: an explicit list is the user's word), or
 * - its `models` list names the bare `id` and the account's provider is the key's provider, or
 * - its `models` list is empty ("any model") and
 *   - the key's provider is the account's provider (an empty `openai` account serves every `openai/…` key), or
 *   - the account's provider is generic (`openai-compatible`, see `GENERIC_PROVIDERS`): a self-hosted
 *     OpenAI-compatible server serves whatever the user routes to it, or
 *   - the key has no provider part (`gpt-4o`): any account with an empty list serves it.
 *
 * `ollama` is not generic on purpose: its models have `ollama/…` keys, and a local Ollama server cannot serve
 * `openai/gpt-5`. Disabled accounts never serve anything. Accounts come back in config order (the gateway tries
 * them in that order).
 */
import type {Account, RuntimeConfig} from '../config/schema.js'
import {defaultModelId, modelProvider} from '../config/model-key.js'

/** Providers whose accounts with an empty `models` list serve any key (see the module comment). */
export const GENERIC_PROVIDERS: ReadonlySet<string> = new Set(['openai-compatible'])

/** Whether one account serves `modelKey` under the rule above (ignores `enabled`). */
export function accountServes(account: Account, modelKey: string): boolean {
  const provider = modelProvider(modelKey)
  if (account.models.length === 0) {
    return provider === undefined || provider === account.provider || GENERIC_PROVIDERS.has(account.provider)
  }
  if (account.models.includes(modelKey)) return true
  return provider === account.provider && account.models.includes(defaultModelId(modelKey))
}

// Configs are treated as immutable once loaded (the gateway swaps the whole object on reload), so per-config
// answers are cached by identity: the gateway asks for the same few keys on every request. The cap keeps clients
// that send made-up model names from growing the cache.
const CACHE_LIMIT = 4096
const cache = new WeakMap<RuntimeConfig, Map<string, Account[]>>()

/** Enabled accounts that serve `modelKey`, in config order. The returned array is shared: do not mutate it. */
export function accountsForModel(config: RuntimeConfig, modelKey: string): Account[] {
  let perKey = cache.get(config)
  if (!perKey) {
    perKey = new Map()
    cache.set(config, perKey)
  }
  let accounts = perKey.get(modelKey)
  if (!accounts) {
    accounts = config.accounts.filter((account) => account.enabled && accountServes(account, modelKey))
    if (perKey.size < CACHE_LIMIT) perKey.set(modelKey, accounts)
  }
  return accounts
}

/** The model id to send upstream for a routing key: the model's configured `id`, else the key's id part. */
export function upstreamModelId(config: RuntimeConfig, modelKey: string): string {
  return config.models[modelKey]?.id ?? defaultModelId(modelKey)
}
