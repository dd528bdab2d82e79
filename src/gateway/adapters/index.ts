/**
 * The adapter table: one entry per wire protocol in the catalog (`AdapterKind`). Provider differences live in these
 * entries, never in the gateway's code.
 */
import type {AdapterKind} from '../../core/catalog/schema.js'
import {anthropicAdapter} from './anthropic/index.js'
import {geminiAdapter} from './gemini.js'
import {githubAdapter} from './github.js'
import {openaiAdapter} from './openai.js'
import {openaiCodexAdapter} from './openai-codex/index.js'
import {withMessagesBridge} from './messages-bridge.js'
import {withResponsesBridge} from './responses-bridge.js'
import type {ProviderAdapter} from './types.js'

/**
 * Every adapter, by the `adapter` kind a catalog provider names. The endpoints each serves are `ADAPTER_ENDPOINTS`
 * (`core/routing/endpoints.ts`, which routing reads); protocols without a Responses API get it through chat
 * completions (`withResponsesBridge`), and so do protocols without Anthropic's Messages API (`withMessagesBridge`;
 * Anthropic serves it itself).
 */
export const ADAPTERS: Readonly<Record<AdapterKind, ProviderAdapter>> = {
  openai: withMessagesBridge(openaiAdapter),
  'openai-codex': withMessagesBridge(openaiCodexAdapter),
  anthropic: withResponsesBridge(anthropicAdapter),
  gemini: withMessagesBridge(withResponsesBridge(geminiAdapter)),
  github: withMessagesBridge(withResponsesBridge(githubAdapter)),
}

/** The adapter for a protocol. */
export function adapterFor(kind: AdapterKind): ProviderAdapter {
  return ADAPTERS[kind]
}

export {AdapterError} from './types.js'
export type {AdapterRequestContext, Credential, ProviderAdapter, StreamTranslator, UpstreamRequest} from './types.js'
