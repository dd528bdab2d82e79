/**
 * Which accounts serve a model, in config order (the gateway tries them in that order), and which id the upstream
 * knows it by. The rule for one account is `accountServes` in `core/config/account-serves.ts`; disabled accounts never
 * serve anything.
 */
import {defaultModelId} from '../catalog/model-key.js'
import {accountServes} from '../config/account-serves.js'
import type {Account, RuntimeConfig} from '../config/schema.js'

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
