/**
 * Which accounts serve a model: the meaning of an account's `models` list.
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
 * `openai/gpt-5`. Disabled accounts never serve anything (see `accountsForModel` in `core/routing/accounts.ts`).
 */
import {defaultModelId, modelProvider} from '../catalog/model-key.js'
import type {Account} from './schema.js'

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
