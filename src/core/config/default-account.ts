/**
 * A config that declares no accounts still works: one account named `default` serves every model from
 * `BACKEND_BASE_URL` (a local Ollama by default) with `BACKEND_API_KEY`, so that `ROUTING_CONFIG_PATH` is the only
 * setting a one-backend user needs.
 */
import type {RuntimeConfig} from './schema.js'

/** The config itself when it has accounts; else a copy with the one default account added. */
export function withDefaultAccount(config: RuntimeConfig, backend: {baseUrl: string; apiKey?: string}): RuntimeConfig {
  if (config.accounts.length > 0) return config
  return {
    ...config,
    accounts: [
      {
        name: 'default',
        provider: 'openai-compatible',
        base_url: backend.baseUrl,
        enabled: true,
        auth_mode: 'api_key',
        ...(backend.apiKey ? {api_key: backend.apiKey} : {}),
        models: [],
      },
    ],
  }
}
