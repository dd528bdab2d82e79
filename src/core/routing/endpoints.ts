/**
 * Which endpoints each wire protocol serves. Selection drops a model that no account can serve the request's endpoint
 * with (`unsupported_endpoint`), so that `route explain` and the error name the reason, and each gateway adapter
 * answers `supports` from the same table.
 */
import type {AdapterKind} from '../catalog/schema.js'
import {PROVIDERS} from '../catalog/data/providers.js'
import type {Account} from '../config/schema.js'
import type {Endpoint} from './schema.js'

/** OpenAI's API: what providers that copy it serve themselves. */
export const OPENAI_API_ENDPOINTS: ReadonlySet<Endpoint> = new Set<Endpoint>([
  'chat.completions',
  'responses',
  'completions',
  'embeddings',
  'images.generations',
  'passthrough',
])

/**
 * The endpoints the gateway serves over each protocol (the adapters in `src/gateway/adapters/`; a test keeps them and
 * this table in step). Protocols without a Responses API serve it through chat completions, and so do protocols
 * without Anthropic's Messages API.
 */
export const ADAPTER_ENDPOINTS: Readonly<Record<AdapterKind, ReadonlySet<Endpoint>>> = {
  // OpenAI's API; Anthropic's Messages API through chat completions.
  openai: new Set<Endpoint>([...OPENAI_API_ENDPOINTS, 'messages']),
  // The ChatGPT backend: chat completions (translated to its Responses API) and Responses; Messages through chat.
  'openai-codex': new Set<Endpoint>(['chat.completions', 'responses', 'messages']),
  // The Messages API itself, and chat completions translated to it; Responses through chat completions.
  anthropic: new Set<Endpoint>(['chat.completions', 'responses', 'messages']),
  // The OpenAI compatibility layer (no legacy completions); Responses and Messages through chat completions.
  gemini: new Set<Endpoint>([
    'chat.completions',
    'responses',
    'messages',
    'embeddings',
    'images.generations',
    'passthrough',
  ]),
  // GitHub Models inference; Responses and Messages through chat completions.
  github: new Set<Endpoint>(['chat.completions', 'responses', 'messages', 'embeddings']),
}

/** The path a client sends each endpoint to, for messages (`passthrough` stands for any other `/v1/*` path). */
export const CLIENT_PATHS: Readonly<Record<Endpoint, string>> = {
  'chat.completions': '/v1/chat/completions',
  responses: '/v1/responses',
  completions: '/v1/completions',
  embeddings: '/v1/embeddings',
  'images.generations': '/v1/images/generations',
  messages: '/v1/messages',
  passthrough: 'other /v1/ paths',
}

const adapterByProvider = new Map<string, AdapterKind>(PROVIDERS.map((provider) => [provider.name, provider.adapter]))

/** The protocol a provider speaks; a provider the catalog does not know is taken for an OpenAI-compatible server. */
export function adapterOf(provider: string): AdapterKind {
  return adapterByProvider.get(provider) ?? 'openai'
}

/** Whether a provider's protocol serves `endpoint`. */
export function providerServes(provider: string, endpoint: Endpoint): boolean {
  return ADAPTER_ENDPOINTS[adapterOf(provider)].has(endpoint)
}

/** Whether any of `accounts` can be sent `endpoint`. */
export function someAccountServes(accounts: readonly Account[], endpoint: Endpoint): boolean {
  for (const account of accounts) if (providerServes(account.provider, endpoint)) return true
  return false
}
