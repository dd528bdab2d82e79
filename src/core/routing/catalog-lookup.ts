/** Catalog metadata by routing key, for models that a config routes to without describing them. */
import {getCatalogModel} from '../catalog/index.js'
import type {ModelMetadata} from '../config/schema.js'

/** The built-in catalog's metadata for `key`, or undefined when the catalog does not know it. */
export function catalogModelMetadata(key: string): ModelMetadata | undefined {
  const model = getCatalogModel(key)
  if (!model) return undefined
  const {key: _key, provider: _provider, ...meta} = model
  return meta
}
