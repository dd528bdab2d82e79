/** Catalog provider lookup for the proxy (adapter kind, whether a key is required), cached by name. */
import {PROVIDERS} from '../core/catalog/data/providers.js'
import type {Provider} from '../core/catalog/schema.js'

type ProviderInfo = Pick<Provider, 'adapter' | 'requires_key'>

const byName = new Map<string, ProviderInfo>(
  PROVIDERS.map((p) => [p.name, {adapter: p.adapter, requires_key: p.requires_key}]),
)

/** The catalog's provider entry; undefined for providers the catalog does not know (treated as OpenAI-compatible). */
export function providerFor(name: string): ProviderInfo | undefined {
  return byName.get(name)
}
