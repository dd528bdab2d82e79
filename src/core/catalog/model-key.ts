/** Helpers for `provider/modelId` routing keys, and the model names that mean "let the router choose". */

/** Model names that mean "let the router choose". */
export const AUTO_MODEL_NAMES: ReadonlySet<string> = new Set(['auto', 'openrouter/auto'])

/** `openai-codex/gpt-5.2` → `gpt-5.2`; a key without a provider is its own id. */
export function defaultModelId(key: string): string {
  const slash = key.indexOf('/')
  return slash === -1 ? key : key.slice(slash + 1)
}

/** `openai-codex/gpt-5.2` → `openai-codex`; `undefined` for a key without a provider. */
export function modelProvider(key: string): string | undefined {
  const slash = key.indexOf('/')
  return slash === -1 ? undefined : key.slice(0, slash)
}
